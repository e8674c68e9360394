"""Which team a benefit follows, whom to ask about it, and which review offsets apply to it.

The figures of a benefit come from :func:`bot.usecases.benefits.assess_benefits`; this module
adds what the follow-up and the Slack forms need on top: the team's calendar and settings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.config import Team
from bot.errors import ConfigError
from bot.wiring import Services
from rules.benefits import DEFAULT_REVIEW_OFFSETS, Benefit


def benefit_team(svc: Services, benefit: Benefit) -> Team | None:
    """The configured team the entry names; the only team when it names none."""
    if benefit.team is not None:
        try:
            return svc.config.team(benefit.team)
        except ConfigError:
            return None
    teams = svc.config.teams
    return teams[0] if len(teams) == 1 else None


def team_today(team: Team | None, now: datetime) -> date:
    """The day it is for the team (UTC for a benefit without a team)."""
    return now.astimezone(team.zone if team is not None else UTC).date()


def review_offsets(benefit: Benefit, team: Team | None) -> tuple[int, ...] | None:
    """The team's offsets for entries that keep the default; an entry's own offsets win."""
    if team is None or team.schedule.review_offsets is None:
        return None
    if benefit.review_offsets != DEFAULT_REVIEW_OFFSETS:
        return None
    return team.schedule.review_offsets


def people_to_ask(benefit: Benefit, team: Team | None) -> tuple[list[str], bool]:
    """The owner, else the team's stakeholders; and whether it is the owner."""
    if benefit.owner is not None:
        return [benefit.owner], True
    return (list(team.stakeholders) if team is not None else []), False
