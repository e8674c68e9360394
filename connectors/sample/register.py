"""A sample benefit register beside the sample backlog: what ``make demo`` shows of benefits.

Three benefits a programme manager would recognise: a financial one whose epic was delivered
months ago and left the backlog (only fetching by key finds it), realising behind plan, with
monthly actuals and its first review answered with a lesson; an operational one on the
backlog's open epic, serving a value goal; and a proposed customer benefit not SMART yet, so
the SMART check has something to say. Like the backlog it is fixed relative to the sample's
reference date and reads no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from connectors.sample.generator import key_prefix
from connectors.sample.vocabulary import SAMPLE_STAKEHOLDERS, SAMPLE_TODAY
from rules.benefits import Benefit, BenefitStatus, Confidence, Measure, Measurement, Risk
from rules.model import BenefitCategory, Item, StatusCategory
from rules.trajectory import ReviewDue, add_months

#: How long before the reference date the archived epic was delivered.
DELIVERED_DAYS_AGO = 120


@dataclass(frozen=True)
class SampleReview:
    """A review the owner has answered: did the benefit come, the actual, the lesson."""

    review: ReviewDue
    answer: str
    actual: float
    confidence: Confidence
    lesson: str
    who: str
    at: datetime


@dataclass(frozen=True)
class SampleRegister:
    benefits: tuple[Benefit, ...]
    measurements: tuple[Measurement, ...]
    reviews: tuple[SampleReview, ...]


def archived_epic(team: str, today: date = SAMPLE_TODAY) -> Item:
    """The delivered epic of the financial benefit: done long ago, no longer in the backlog."""
    done = today - timedelta(days=DELIVERED_DAYS_AGO)
    return Item(
        key=f"{key_prefix(team)}-17",
        summary="Move card processing to the new acquirer",
        type="Epic",
        status="Done",
        status_category=StatusCategory.DONE,
        created=datetime.combine(done - timedelta(days=90), time(9), tzinfo=UTC),
        resolved=datetime.combine(done, time(16), tzinfo=UTC),
        team=team,
        cost=34,
    )


def sample_register(
    team: str, open_epic: str | None, goal: str | None, today: date = SAMPLE_TODAY
) -> SampleRegister:
    """The register of ``team``: ``open_epic`` is the backlog's epic, ``goal`` a value goal."""
    owner, second = SAMPLE_STAKEHOLDERS[0], SAMPLE_STAKEHOLDERS[1]
    epic = archived_epic(team, today)
    delivered = (epic.resolved or datetime.combine(today, time(), tzinfo=UTC)).date()
    fees = Benefit(
        id="BEN-1",
        title="Lower card processing fees",
        description="The new acquirer charges 0.2 points less per card payment.",
        category=BenefitCategory.FINANCIAL,
        owner=owner,
        team=team,
        links=(epic.key,),
        measure=Measure(metric="card fees saved", unit="EUR a month"),
        baseline=0,
        baseline_date=delivered - timedelta(days=30),
        target=8000,
        target_date=add_months(delivered, 6),
        money_per_month=8000,
        cost=60000,
        status=BenefitStatus.REALISING,
        risks=(
            Risk(
                text="Merchants with old terminals stay on the old acquirer",
                likelihood="medium",
                impact="high",
                owner=second,
                mitigation="Offer a terminal swap in the autumn campaign",
            ),
        ),
    )
    tickets = Benefit(
        id="BEN-2",
        title="Fewer refund tickets",
        description="Customers refund in the app instead of writing to support.",
        category=BenefitCategory.OPERATIONAL,
        owner=second,
        team=team,
        links=(open_epic,) if open_epic else (),
        goals=(goal,) if goal else (),
        measure=Measure(metric="refund tickets", unit="a week", direction="decrease"),
        baseline=420,
        baseline_date=today - timedelta(days=60),
        target=300,
        target_date=add_months(today, 5),
        status=BenefitStatus.ACTIVE,
    )
    checkout = Benefit(
        id="BEN-3",
        title="Faster checkout",
        category=BenefitCategory.CUSTOMER,
        team=team,
        measure=Measure(metric="median checkout seconds", direction="decrease"),
        baseline=48,
        target=30,
    )
    # monthly actuals since delivery, behind the linear plan (8000 over six months); the
    # first month's figure came with the review below
    measurements = [
        Measurement(
            benefit_id="BEN-1",
            value=value,
            on=add_months(delivered, month),
            confidence=confidence,
            who=owner,
            source="sample",
        )
        for month, value, confidence in (
            (2, 1500, Confidence.ON_TRACK),
            (3, 2100, Confidence.AT_RISK),
        )
    ]
    measurements += [
        Measurement(
            benefit_id="BEN-2", value=value, on=today - timedelta(days=days), source="sample"
        )
        for days, value in ((42, 418), (14, 405))
    ]
    if goal:
        measurements += [
            Measurement(goal=goal, team=team, value=value, on=today - timedelta(days=days))
            for days, value in ((35, 415), (7, 398))
        ]
    first_review = ReviewDue(
        benefit_id="BEN-1",
        kind="post-implementation",
        due=delivered + timedelta(days=30),
        offset_days=30,
    )
    answered = SampleReview(
        review=first_review,
        answer="partly",
        actual=600,
        confidence=Confidence.ON_TRACK,
        lesson="Merchants move in batches: plan the ramp by merchant segment, not linearly.",
        who=owner,
        at=datetime.combine(first_review.due + timedelta(days=2), time(10), tzinfo=UTC),
    )
    return SampleRegister(
        benefits=(fees, tickets, checkout),
        measurements=tuple(measurements),
        reviews=(answered,),
    )
