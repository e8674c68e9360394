"""What Slack adds to the register's use cases: goals by id, the entry form, review answers.

Listing, showing and measuring are :mod:`bot.usecases.benefits` (the CLI's too); this module
holds what only the Slack forms need.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.chat import messages
from bot.config import Team
from bot.errors import UserError
from bot.storage.benefits import ReviewAnswer, StoredReview
from bot.usecases.benefits import RecordedMeasurement, assess_benefits, record_measurement
from bot.wiring import Services
from rules.assessment import Assessment
from rules.benefits import (
    BENEFIT_ID,
    Benefit,
    Confidence,
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


def find_benefit(svc: Services, benefit_id: str) -> Benefit:
    """The entry, or :class:`~rules.benefits.UnknownBenefitError` naming the id."""
    found = svc.store.benefit(benefit_id)
    if found is None:
        raise UnknownBenefitError(benefit_id)
    return found


def my_benefits(svc: Services, user_id: str) -> list[Assessment]:
    """The benefits ``user_id`` owns that are not closed, assessed (for App Home)."""
    return [
        found
        for found in assess_benefits(svc)
        if found.benefit.owner == user_id and not found.benefit.status.is_closed
    ]


def goal_name(svc: Services, token: str, team: Team | None) -> tuple[str, str] | None:
    """(team, goal name) of the goal whose :func:`goal_id` is ``token``; None if no goal has it.

    Slack words cannot hold spaces, so goals are measured by id (``cut-support-cost``); the
    channel's team picks among teams with a goal of the same id.
    """
    wanted = token.lower()
    teams = [team] if team is not None else list(svc.config.teams)
    found = [(t.name, goal.name) for t in teams for goal in t.goals if goal_id(goal) == wanted]
    if len(found) > 1:
        raise UnknownGoalError(
            messages.error_team_needed(
                [name for name, _ in found], f"/value measure {token} 380 (in the team's channel)"
            )
        )
    if found:
        return found[0]
    if team is not None:
        return goal_name(svc, token, None)
    return None


def measure(
    svc: Services,
    subject: str,
    value: float,
    *,
    who: str,
    confidence: Confidence | None = None,
    note: str = "",
    team: Team | None = None,
) -> RecordedMeasurement:
    """Record an actual from Slack: of a benefit (``BEN-3``) or of a goal by its id.

    Raises:
        UnknownBenefitError: no such benefit; UnknownGoalError: no goal has that id.
    """
    if BENEFIT_ID.fullmatch(subject.upper()):
        return record_measurement(
            svc, subject, value, confidence=confidence, note=note, who=who, source="slack"
        )
    found = goal_name(svc, subject, team)
    if found is None:
        known = sorted({goal_id(goal) for t in svc.config.teams for goal in t.goals})
        raise UnknownGoalError(messages.error_unknown_goal(subject, known))
    owner, name = found
    return record_measurement(
        svc, name, value, confidence=confidence, note=note, who=who, source="slack", team=owner
    )


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
