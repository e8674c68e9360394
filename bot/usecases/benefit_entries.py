"""What Slack does with the benefit register: list, show, record an actual, save, answer a review.

The Slack listeners call these; each takes ``now`` from the caller and checks its input before
anything is written, so a bad value, an unknown benefit or an unknown goal is refused with a
message naming it and nothing stored changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.chat import messages
from bot.config import Team
from bot.errors import UserError
from bot.storage.benefits import ReviewAnswer, StoredReview
from bot.usecases.benefit_status import assess_benefit, benefit_team, team_today
from bot.usecases.score import load_items
from bot.wiring import Services
from rules.assessment import Assessment
from rules.benefits import (
    BENEFIT_ID,
    Benefit,
    Confidence,
    Measurement,
    UnknownBenefitError,
    next_benefit_id,
)
from rules.digest import RealisationAnswerValue
from rules.model import ValueGoal


class UnknownGoalError(UserError):
    """A ``measure`` subject that is neither a benefit id nor a goal id."""


class UnknownReviewError(UserError):
    """A review button or modal whose review is gone."""


def goal_id(goal: ValueGoal) -> str:
    """The id a goal is measured by in Slack: its name in lower case with dashes."""
    return re.sub(r"[^a-z0-9]+", "-", goal.name.lower()).strip("-")


def assess_team(svc: Services, team: Team, now: datetime) -> list[Assessment]:
    """Every benefit of ``team``, assessed on the team's today (one load of items and actuals)."""
    benefits = svc.store.benefits(team=team.name)
    if not benefits:
        return []
    items = load_items(svc, team)
    measured = svc.store.benefit_measurements([benefit.id for benefit in benefits])
    return [
        assess_benefit(svc, benefit, now, team=team, items=items, measurements=measured)
        for benefit in benefits
    ]


def find_benefit(svc: Services, benefit_id: str) -> Benefit:
    """The entry, or :class:`~rules.benefits.UnknownBenefitError` naming the id."""
    found = svc.store.benefit(benefit_id)
    if found is None:
        raise UnknownBenefitError(benefit_id)
    return found


@dataclass(frozen=True)
class BenefitView:
    """One benefit in full, and its next review not answered yet (kind, due date)."""

    assessment: Assessment
    next_review: tuple[str, date] | None


def show_benefit(svc: Services, benefit_id: str, now: datetime) -> BenefitView:
    benefit = find_benefit(svc, benefit_id)
    assessment = assess_benefit(svc, benefit, now)
    pending = [r for r in svc.store.reviews(benefit_id) if r.answered_at is None]
    upcoming = pending[0] if pending else None
    if upcoming is None:
        planned = [r for r in assessment.reviews if r.due >= assessment.today]
        return BenefitView(assessment, (planned[0].kind, planned[0].due) if planned else None)
    return BenefitView(assessment, (upcoming.kind, upcoming.due))


def my_benefits(svc: Services, user_id: str, now: datetime) -> list[Assessment]:
    """The benefits ``user_id`` owns that are not closed, assessed (for App Home)."""
    mine = [
        benefit
        for benefit in svc.store.benefits()
        if benefit.owner == user_id and not benefit.status.is_closed
    ]
    return [assess_benefit(svc, benefit, now) for benefit in mine]


@dataclass(frozen=True)
class Recorded:
    """An actual that was stored: of what, the value, the day, and the status it gives."""

    subject: str
    value: float
    on: date
    track: str | None


def _goal(svc: Services, token: str, team: Team | None) -> tuple[Team, ValueGoal]:
    wanted = token.lower()
    teams = [team] if team is not None else list(svc.config.teams)
    found = [(t, goal) for t in teams for goal in t.goals if goal_id(goal) == wanted]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UnknownGoalError(
            messages.error_team_needed(
                [t.name for t, _ in found], f"/value measure {token} 380 (in the team's channel)"
            )
        )
    known = sorted({goal_id(goal) for t in teams for goal in t.goals})
    raise UnknownGoalError(messages.error_unknown_goal(token, known))


def record_actual(
    svc: Services,
    subject: str,
    value: float,
    *,
    who: str,
    now: datetime,
    confidence: Confidence | None = None,
    note: str = "",
    team: Team | None = None,
) -> Recorded:
    """Store an actual of a benefit (``BEN-3``) or of a value goal (its :func:`goal_id`).

    ``team`` (the channel's) picks among goals of the same id in several teams.

    Raises:
        UnknownBenefitError: no such benefit; UnknownGoalError: no such goal.
    """
    if BENEFIT_ID.fullmatch(subject.upper()):
        benefit = find_benefit(svc, subject.upper())
        owner_team = benefit_team(svc, benefit)
        today = team_today(owner_team, now)
        measurement = Measurement(
            benefit_id=benefit.id,
            value=value,
            on=today,
            confidence=confidence,
            note=note,
            who=who,
            source="slack",
        )
        svc.store.record_measurement(measurement, at=now)
        status = assess_benefit(svc, benefit, now).status
        return Recorded(benefit.id, value, today, status.state)
    goal_team, goal = _goal(svc, subject, team)
    today = team_today(goal_team, now)
    measurement = Measurement(
        goal=goal.name,
        team=goal_team.name,
        value=value,
        on=today,
        confidence=confidence,
        note=note,
        who=who,
        source="slack",
    )
    svc.store.record_measurement(measurement, at=now)
    return Recorded(goal.name, value, today, None)


def save_benefit(svc: Services, entry: Benefit, *, is_new: bool, at: datetime) -> Benefit:
    """Store an entry from the form; a new one gets the next free id."""
    if is_new:
        entry = entry.model_copy(update={"id": next_benefit_id(svc.store.benefit_ids())})
    svc.store.upsert_benefits([entry], at=at, source="slack")
    return entry


def find_review(svc: Services, review_id: int) -> tuple[StoredReview, Benefit]:
    """A stored review and its benefit; a gone one raises :class:`UnknownReviewError`."""
    found = next((r for r in svc.store.reviews() if r.id == review_id), None)
    benefit = svc.store.benefit(found.benefit_id) if found is not None else None
    if found is None or benefit is None:
        raise UnknownReviewError(messages.error_stale_button())
    return found, benefit


def answer_review(
    svc: Services,
    review_id: int,
    came: RealisationAnswerValue,
    *,
    who: str,
    now: datetime,
    actual: float | None = None,
    confidence: Confidence | None = None,
    lesson: str = "",
) -> StoredReview:
    """Keep the answer of a review (the actual is recorded as a measurement too)."""
    find_review(svc, review_id)
    answer = ReviewAnswer(
        answer=came, who=who, actual=actual, confidence=confidence, lesson=lesson or None
    )
    return svc.store.answer_review(review_id, answer, at=now)
