"""Everything known about a benefit at a date, and what a portfolio of them says this week.

The commands (``benefits show``, ``/value benefit``), the digest and the scheduler all need the
same facts: is the entry SMART, when was its work delivered, where does it stand against plan,
is it at risk, what is it worth, which reviews and measurements fall when. :func:`assess`
gathers them from the register, the actuals and the linked issues' done dates in one call, so
each caller only renders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from rules.benefits import Benefit, BenefitStatus, Measurement, SmartCheck, smart_check
from rules.model import Frozen
from rules.money import MoneyCase, money_case
from rules.trajectory import (
    DEFAULT_SUSTAINMENT_DAYS,
    DEFAULT_TOLERANCE,
    ReviewDue,
    TrackStatus,
    delivery_date,
    measurement_due_dates,
    measurements_due,
    realisation_start,
    review_schedule,
    reviews_due,
    risk_reason,
    track_status,
)


class Assessment(Frozen):
    """One benefit on ``today``: SMART check, delivery, status, risk, money, schedule."""

    benefit: Benefit
    today: date
    smart: SmartCheck
    delivered: date | None = None
    start: date | None = None
    status: TrackStatus
    #: why the risk rule fires now, or None
    risk: str | None = None
    #: NPV and ROI, for financial benefits once realisation has a start
    money: MoneyCase | None = None
    reviews: tuple[ReviewDue, ...] = ()
    #: the next date the owner is asked for an actual, if any
    next_measurement: date | None = None


def assess(
    benefit: Benefit,
    *,
    today: date,
    measurements: Iterable[Measurement] = (),
    done_on: Mapping[str, date | None] | None = None,
    story_points: float | None = None,
    annual_rate: float = 0.10,
    cost_per_point: float = 0.0,
    tolerance: float = DEFAULT_TOLERANCE,
    review_offsets: Sequence[int] | None = None,
    sustainment_days: int = DEFAULT_SUSTAINMENT_DAYS,
) -> Assessment:
    """Assess ``benefit`` on ``today``.

    ``done_on`` maps linked keys to their resolution dates (None: open); ``story_points`` are
    the linked issues' points, costed at ``cost_per_point`` when the entry has no cost;
    ``review_offsets`` are the team's, used when given instead of the entry's.
    """
    own = [m for m in measurements if m.benefit_id == benefit.id]
    delivered = delivery_date(benefit, done_on or {})
    start = realisation_start(benefit, delivered)
    money = None
    if benefit.is_financial and start is not None:
        money = money_case(
            benefit,
            start=start,
            today=today,
            measurements=own,
            annual_rate=annual_rate,
            story_points=story_points,
            cost_per_point=cost_per_point,
        )
    # a year of cadence ahead is plenty to find the next date; none once the target passed
    upcoming = [
        due
        for due in measurement_due_dates(benefit, start, date(today.year + 1, 12, 31))
        if due >= today
    ]
    return Assessment(
        benefit=benefit,
        today=today,
        smart=smart_check(benefit),
        delivered=delivered,
        start=start,
        status=track_status(benefit, own, today, start, tolerance=tolerance),
        risk=None
        if benefit.status.is_closed
        else risk_reason(benefit, own, today, start, tolerance=tolerance),
        money=money,
        reviews=tuple(
            review_schedule(
                benefit, delivered, offsets=review_offsets, sustainment_days=sustainment_days
            )
        ),
        next_measurement=upcoming[0] if upcoming else None,
    )


class AtRisk(Frozen):
    benefit_id: str
    title: str
    reason: str


class PortfolioSummary(Frozen):
    """What the weekly digest says about a team's benefits for ``[start, end)``."""

    start: date
    end: date
    #: entries whose status says realised or partly realised (when it changed is the store's)
    realised: tuple[str, ...] = ()
    at_risk: tuple[AtRisk, ...] = ()
    behind: tuple[str, ...] = ()
    reviews_due: tuple[ReviewDue, ...] = ()
    measurements_due: tuple[tuple[str, date], ...] = ()
    #: summed over financial benefits with a start: NPV planned to date and realised to date
    planned_npv_to_date: float = 0.0
    realised_npv: float = 0.0
    planned_npv: float = 0.0

    @property
    def has_news(self) -> bool:
        return bool(self.realised or self.at_risk or self.reviews_due)


_REALISED = frozenset({BenefitStatus.REALISED, BenefitStatus.PARTLY_REALISED})


def summarise(assessments: Iterable[Assessment], *, start: date, end: date) -> PortfolioSummary:
    """The portfolio's week: realised, at risk, behind, reviews and measurements due, money.

    Lists follow the order of ``assessments`` (the register's, by id).
    """
    found = list(assessments)
    cases = [a.money for a in found if a.money is not None]
    return PortfolioSummary(
        start=start,
        end=end,
        realised=tuple(a.benefit.id for a in found if a.benefit.status in _REALISED),
        at_risk=tuple(
            AtRisk(benefit_id=a.benefit.id, title=a.benefit.title, reason=a.risk)
            for a in found
            if a.risk is not None
        ),
        behind=tuple(a.benefit.id for a in found if a.status.state == "behind"),
        reviews_due=tuple(reviews_due((a.reviews for a in found), start, end)),
        measurements_due=tuple(
            (a.benefit.id, due)
            for a in found
            for due in measurements_due(a.benefit, a.start, start, end)
        ),
        planned_npv_to_date=sum(case.planned_npv_to_date for case in cases),
        realised_npv=sum(case.realised_npv for case in cases),
        planned_npv=sum(case.planned_npv for case in cases),
    )
