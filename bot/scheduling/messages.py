"""The few texts the scheduler writes itself (digest and reminder texts have their builders)."""

from __future__ import annotations

from datetime import datetime


def batch_header(count: int) -> str:
    """Heading of the one message that carries posts held back by the notification budget."""
    return f"While you were away: {count} updates held back during quiet hours"


def batch_truncated(hidden_blocks: int) -> str:
    return (
        f"...and {hidden_blocks} more block(s) that do not fit in one message; "
        "`/value digest` shows the full digest"
    )


def chart_title(team: str, week: str) -> str:
    return f"Value burn-up, {team}, {week}"


def post_failed(what: str, channel: str, error: str) -> str:
    return (
        f"could not post the {what} to {channel}: Slack answered {error!r}; check that the bot "
        "is a member of the channel and that NORTHSTAR_SLACK_BOT_TOKEN is valid"
    )


def deferred(until: datetime, reason: str) -> str:
    return f"held back ({reason}) until {until:%Y-%m-%d %H:%M %Z}"
