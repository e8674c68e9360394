"""One benefit as the team sees it today: its assessment with the team's calendar and settings.

Slack answers, App Home and the follow-up jobs all need the same thing: the benefit's linked
items (for delivery dates and story points), its actuals, the team's time zone for "today" and
the team's review offsets. This module gathers them once and calls :func:`rules.assessment.assess`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from bot.config import ConfigError, Team
from bot.usecases.score import load_items
from bot.wiring import Services
from rules.assessment import Assessment, assess
from rules.benefits import DEFAULT_REVIEW_OFFSETS, Benefit, Measurement
from rules.model import Item
from rules.trajectory import DEFAULT_SUSTAINMENT_DAYS, DEFAULT_TOLERANCE


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


def done_dates(items: Iterable[Item], team: Team | None) -> dict[str, date | None]:
    """Issue key -> the day it was resolved on the team's calendar (None while open)."""
    zone = team.zone if team is not None else UTC
    return {
        item.key: item.resolved.astimezone(zone).date()
        if item.is_done and item.resolved is not None
        else None
        for item in items
    }


def review_offsets(benefit: Benefit, team: Team | None) -> tuple[int, ...] | None:
    """The team's offsets for entries that keep the default; an entry's own offsets win."""
    if team is None or team.schedule.review_offsets is None:
        return None
    if benefit.review_offsets != DEFAULT_REVIEW_OFFSETS:
        return None
    return team.schedule.review_offsets


def assess_benefit(
    svc: Services,
    benefit: Benefit,
    now: datetime,
    *,
    team: Team | None = None,
    items: Sequence[Item] | None = None,
    measurements: Sequence[Measurement] | None = None,
) -> Assessment:
    """Assess ``benefit`` on the team's today; pass ``items``/``measurements`` to share loads."""
    chosen = team if team is not None else benefit_team(svc, benefit)
    if items is None:
        items = load_items(svc, chosen) if chosen is not None else []
    if measurements is None:
        measurements = svc.store.benefit_measurements([benefit.id])
    linked = [item for item in items if item.key in benefit.links]
    points = sum(item.cost or 0.0 for item in linked)
    scoring = svc.config.scoring
    return assess(
        benefit,
        today=team_today(chosen, now),
        measurements=measurements,
        done_on=done_dates(linked, chosen),
        story_points=points or None,
        annual_rate=scoring.discount_rate,
        cost_per_point=scoring.cost_per_point,
        tolerance=DEFAULT_TOLERANCE,
        review_offsets=review_offsets(benefit, chosen),
        sustainment_days=chosen.schedule.sustainment_days
        if chosen is not None
        else DEFAULT_SUSTAINMENT_DAYS,
    )


def people_to_ask(benefit: Benefit, team: Team | None) -> tuple[list[str], bool]:
    """The owner, else the team's stakeholders; and whether it is the owner."""
    if benefit.owner is not None:
        return [benefit.owner], True
    return (list(team.stakeholders) if team is not None else []), False
