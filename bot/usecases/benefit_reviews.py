"""Following benefits up: ask owners for actuals, hold reviews after delivery, flag risks.

One sweep per team and day (the ``benefit_follow_up`` job) does, for each benefit of the team:

* **Delivery.** Once every linked issue is done, a proposed or active benefit becomes
  *realising* and its reviews are scheduled: post-implementation reviews at offsets from the
  delivery date (the entry's own, else the team's ``schedule.review_offsets``, else 30/90/180
  days) and a sustainment review after the target date.
* **Reviews.** Each review due by today DMs the owner (the team's stakeholders when no owner is
  set), once.
* **Actuals.** On the benefit's cadence (monthly unless the entry says) the owner is asked for
  an actual; if none came ``schedule.actual_nudge_days`` after the question went out, one
  nudge; then it waits for the next cadence date. Nothing is asked of a closed benefit.
* **Risks.** When the risk rule fires (behind plan twice in a row, or the owner said off track)
  the owner gets one DM and a risk is added to the register; when the benefit is back on track
  the automatic risk closes, so a later relapse is told again.

Every DM is claimed first (:func:`~bot.usecases.runs.claimed`), so each is sent exactly once
across restarts and replicas; a DM that fails leaves its run failed, and the next sweep retries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.chat import benefit_blocks, messages
from bot.chat.blocks import Reply
from bot.config import Team
from bot.usecases.benefit_status import people_to_ask, review_offsets, team_today
from bot.usecases.benefits import assess_benefits
from bot.usecases.checkins import dm_all
from bot.usecases.ports import Messenger
from bot.usecases.runs import RunKey, claimed
from bot.usecases.score import load_items
from bot.wiring import Services
from rules.assessment import Assessment
from rules.benefits import Benefit, BenefitStatus, Measurement, Risk
from rules.trajectory import measurement_due_dates, planned_value_at, review_schedule

logger = logging.getLogger(__name__)

_NOT_STARTED = frozenset({BenefitStatus.PROPOSED, BenefitStatus.ACTIVE})


@dataclass
class FollowUp:
    """What one sweep did, for the job's outcome line."""

    realising: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    nudged: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{label} {', '.join(ids)}"
            for label, ids in (
                ("realising", self.realising),
                ("reviews", self.reviews),
                ("asked", self.asked),
                ("nudged", self.nudged),
                ("at risk", self.risks),
                ("failed", self.failed),
            )
            if ids
        ]
        return "; ".join(parts) or "nothing due"


class _Sweep:
    """One team's sweep at ``now``: the shared loads and the claimed DMs."""

    def __init__(self, svc: Services, team: Team, now: datetime, messenger: Messenger):
        self.svc, self.team, self.now, self.messenger = svc, team, now, messenger
        self.done = FollowUp()

    def tell(self, key: RunKey, period: str, people: Sequence[str], reply: Reply) -> bool:
        """DM ``reply`` once for ``(key, team, period)``; whether it went out now."""
        with claimed(self.svc.store, key, self.team.name, period, self.now) as run:
            if not run.claimed:
                return False
            reached = dm_all(self.messenger, people, reply, f"{key} {period}")
            run.detail = f"told {len(reached)} of {len(people)}"
            if not reached:
                run.fail()
                self.done.failed.append(period)
            return bool(reached)

    def why(self, benefit: Benefit) -> tuple[list[str], str]:
        people, is_owner = people_to_ask(benefit, self.team)
        return people, messages.actual_request_why(self.team.name, is_owner)

    def start_realising(self, assessment: Assessment) -> None:
        benefit = assessment.benefit
        if assessment.delivered is not None and benefit.status in _NOT_STARTED:
            self.svc.store.set_benefit_status(benefit.id, BenefitStatus.REALISING, at=self.now)
            self.done.realising.append(benefit.id)

    def hold_reviews(self, assessment: Assessment) -> None:
        benefit = assessment.benefit
        schedule = review_schedule(
            benefit,
            assessment.delivered,
            offsets=review_offsets(benefit, self.team),
            sustainment_days=self.team.schedule.sustainment_days,
        )
        self.svc.store.schedule_reviews(schedule)
        if benefit.status is BenefitStatus.CLOSED:
            return
        due_before = assessment.today + timedelta(days=1)
        for review in self.svc.store.reviews(benefit.id, due_before=due_before, unasked=True):
            people, why = self.why(benefit)
            planned = planned_value_at(benefit, assessment.today, assessment.start)
            reply = benefit_blocks.review_request_reply(
                review.id,
                benefit,
                kind=review.kind,
                offset_days=review.offset_days,
                planned=planned,
                why=why,
            )
            if self.tell(RunKey.BENEFIT_REVIEW, f"review-{review.id}", people, reply):
                self.svc.store.claim_review(review.id, at=self.now)
                self.done.reviews.append(f"{benefit.id} {review.kind} {review.offset_days}d")

    def check_risk(self, assessment: Assessment) -> None:
        """One DM per automatic risk, whoever raised it (this sweep, or a measurement)."""
        benefit = assessment.benefit
        reason = assessment.risk
        if reason is None:
            self.svc.store.close_automatic_risks(benefit.id)
            return
        raised = next((r for r in benefit.risks if r.automatic and r.open), None)
        day = raised.raised_on if raised is not None and raised.raised_on else assessment.today
        people, _ = self.why(benefit)
        reply = benefit_blocks.risk_reply(benefit, raised.text if raised else reason)
        if self.tell(RunKey.BENEFIT_RISK, f"{benefit.id}:{day.isoformat()}", people, reply):
            if raised is None:
                risk = Risk(text=reason, owner=benefit.owner, raised_on=day, automatic=True)
                self.svc.store.raise_risk(benefit.id, risk)
            self.done.risks.append(benefit.id)

    def ask_actual(self, assessment: Assessment, measured: Sequence[Measurement]) -> None:
        benefit = assessment.benefit
        due = measurement_due_dates(benefit, assessment.start, assessment.today)
        if not due:
            return
        latest = due[-1]
        own = [m for m in measured if m.benefit_id == benefit.id]
        if any(m.on >= latest for m in own):
            return  # the actual came already: nothing to ask
        people, why = self.why(benefit)
        last = f"{own[-1].value:g} on {own[-1].on.isoformat()}" if own else None
        period = f"{benefit.id}:{latest.isoformat()}"
        planned = planned_value_at(benefit, assessment.today, assessment.start)
        reply = benefit_blocks.actual_request_reply(
            benefit, nudge=False, why=why, last=last, planned=planned
        )
        if self.tell(RunKey.BENEFIT_ACTUAL, period, people, reply):
            self.done.asked.append(benefit.id)
            return
        # asked at an earlier sweep and still no actual: one nudge, then wait for the next date
        asked_at = self.svc.store.run_finished_at(RunKey.BENEFIT_ACTUAL, self.team.name, period)
        wait = timedelta(days=self.team.schedule.actual_nudge_days)
        if asked_at is not None and self.now >= asked_at + wait:
            reply = benefit_blocks.actual_request_reply(
                benefit, nudge=True, why=why, last=last, planned=planned
            )
            if self.tell(RunKey.BENEFIT_NUDGE, period, people, reply):
                self.done.nudged.append(benefit.id)


def follow_up_benefits(
    svc: Services, team: Team, now: datetime, *, messenger: Messenger
) -> FollowUp:
    """Run the team's benefit follow-up at ``now`` (see the module docstring); safe to repeat."""
    sweep = _Sweep(svc, team, now, messenger)
    if not svc.store.benefits(team.name):
        return sweep.done
    load_items(svc, team)  # delivery dates come from the snapshot: sync once if there is none
    assessments = assess_benefits(svc, team.name, today=team_today(team, now))
    measured = svc.store.benefit_measurements([found.benefit.id for found in assessments])
    for assessment in assessments:
        sweep.start_realising(assessment)
        sweep.hold_reviews(assessment)
        if assessment.benefit.status.is_closed:
            continue
        sweep.check_risk(assessment)
        sweep.ask_actual(assessment, measured)
    return sweep.done
