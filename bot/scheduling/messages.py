"""The few texts the scheduler writes itself (digest and reminder texts have their builders)."""

from __future__ import annotations

from datetime import datetime


def batch_header(count: int) -> str:
    """Heading of the message that carries posts held back by the notification budget."""
    return f"{count} Northstar updates, held back to keep this channel quiet"


def batch_continued(page: int, pages: int) -> str:
    """Heading of each further message when held-back posts need more than one."""
    return f"Held-back updates, continued ({page} of {pages})"


def sprint_empty(sprint: str) -> str:
    return f"{sprint} has no items yet; its reminder waits until it has some"


def chart_title(team: str, week: str) -> str:
    return f"Value burn-up, {team}, {week}"


def post_failed(what: str, channel: str, error: str) -> str:
    return (
        f"could not post the {what} to {channel}: Slack answered {error!r}; check that the bot "
        "is a member of the channel and that NORTHSTAR_SLACK_BOT_TOKEN is valid"
    )


def deferred(until: datetime, reason: str) -> str:
    return f"held back ({reason}) until {until:%Y-%m-%d %H:%M %Z}"


def slack_unreachable(what: str, channel: str, error: OSError) -> str:
    return (
        f"could not post the {what} to {channel}: Slack could not be reached "
        f"({type(error).__name__}); check the network and NORTHSTAR_SLACK_API_URL, then run again"
    )
