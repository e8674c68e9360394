"""How a benefit is planned to move, how its actuals compare, and when to look at it again.

The planned trajectory runs from the baseline at the start of realisation to the target at the
target date, straight unless the entry gives milestones. Before realisation starts the plan is
the baseline: nothing is expected of work not delivered yet. Variance knows the metric's
direction: being worse than plan is red, being better is never red, and a ``range`` metric is
on track anywhere inside its band. Every date is an argument; "today" is the caller's.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from rules.benefits import Benefit, Confidence, Direction, Measurement, Milestone, benefit_number
from rules.model import Frozen

#: How far behind plan, as a share of the planned change (target - baseline), still counts as
#: on track. 0.1: a benefit planned to save 100 a month is behind below 90 of plan.
DEFAULT_TOLERANCE = 0.1
#: Days after the target date at which the sustainment review asks whether the benefit held.
DEFAULT_SUSTAINMENT_DAYS = 90

TrackState = Literal["ahead", "on track", "behind", "no data"]
Colour = Literal["green", "amber", "red"]
ReviewKind = Literal["post-implementation", "sustainment"]


def delivery_date(benefit: Benefit, done_on: Mapping[str, date | None]) -> date | None:
    """When the last linked issue was done, or None while any is open (or none is linked).

    ``done_on`` maps issue keys to their resolution date (None: not done); a linked key it does
    not know counts as not done.
    """
    if not benefit.links:
        return None
    dates = [done_on.get(key) for key in benefit.links]
    if any(found is None for found in dates):
        return None
    return max(found for found in dates if found is not None)


def realisation_start(benefit: Benefit, delivered: date | None) -> date | None:
    """The entry's own start, else the delivery date plus the entry's lag."""
    if benefit.realisation_start is not None:
        return benefit.realisation_start
    if delivered is None:
        return None
    return delivered + timedelta(days=benefit.lag_days)


def planned_trajectory(benefit: Benefit, start: date | None) -> tuple[Milestone, ...]:
    """The plan as points to interpolate between: baseline at ``start``, milestones, target.

    Empty when the entry lacks a baseline, a target or a target date. Without a start (not
    delivered yet) the plan is the baseline alone. Milestones before the start are dropped:
    they cannot be met before realisation began.
    """
    if benefit.baseline is None or benefit.target is None or benefit.target_date is None:
        return ()
    if start is None:
        return (Milestone(on=benefit.baseline_date or benefit.target_date, value=benefit.baseline),)
    if benefit.target_date <= start:  # the target was due by the time realisation began
        return (Milestone(on=start, value=benefit.target),)
    points = {start: benefit.baseline}
    points.update(
        {milestone.on: milestone.value for milestone in benefit.milestones if milestone.on > start}
    )
    points[benefit.target_date] = benefit.target
    return tuple(Milestone(on=on, value=value) for on, value in sorted(points.items()))


def planned_value_at(benefit: Benefit, on: date, start: date | None) -> float | None:
    """The value the plan expects on ``on``: linear between points, flat before and after.

    None when the entry cannot be planned (no baseline, target or target date).
    """
    return value_on(planned_trajectory(benefit, start), on)


def value_on(points: Sequence[Milestone], on: date) -> float | None:
    """Interpolate a trajectory (from :func:`planned_trajectory`); None for an empty one.

    For callers that read one plan at many dates: build the trajectory once, then ask this.
    """
    if not points:
        return None
    if on <= points[0].on:
        return points[0].value
    for earlier, later in itertools.pairwise(points):
        if on <= later.on:
            share = (on - earlier.on).days / (later.on - earlier.on).days
            return earlier.value + share * (later.value - earlier.value)
    return points[-1].value


class Variance(Frozen):
    """An actual against plan, signed so that ``gap`` > 0 is always better than plan."""

    actual: float
    planned: float | None
    #: actual minus plan in the metric's better direction (for a range: 0 inside, negative
    #: by the distance outside)
    gap: float
    #: the planned change (|target - baseline|, or the band's width) the tolerance is a share of
    scale: float
    state: TrackState
    colour: Colour


def _scale(benefit: Benefit) -> float:
    measure = benefit.measure
    if (
        measure.direction is Direction.RANGE
        and measure.low is not None
        and measure.high is not None
    ):
        span = measure.high - measure.low
    elif benefit.baseline is not None and benefit.target is not None:
        span = abs(benefit.target - benefit.baseline)
    else:
        span = 0.0
    return span if span > 0 else 1.0


def variance(
    benefit: Benefit,
    actual: float,
    on: date,
    start: date | None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Variance:
    """Compare ``actual`` on ``on`` with the plan, the way the metric's direction reads it.

    Ahead: better than plan by more than ``tolerance`` x the planned change. Behind: worse by
    more than that (red). Worse within the tolerance is on track but amber; better is never red.
    A range metric is on track (green) inside its band and behind (red) outside it.
    """
    measure = benefit.measure
    scale = _scale(benefit)
    margin = tolerance * scale
    if (
        measure.direction is Direction.RANGE
        and measure.low is not None
        and measure.high is not None
    ):
        gap = min(0.0, actual - measure.low, measure.high - actual)
        state: TrackState = "on track" if gap == 0 else "behind"
        return Variance(
            actual=actual,
            planned=None,
            gap=gap,
            scale=scale,
            state=state,
            colour="green" if gap == 0 else "red",
        )
    planned = planned_value_at(benefit, on, start)
    if planned is None:
        return Variance(
            actual=actual, planned=None, gap=0.0, scale=scale, state="no data", colour="green"
        )
    gap = actual - planned if measure.direction is Direction.INCREASE else planned - actual
    if gap > margin:
        state, colour = "ahead", "green"
    elif gap < -margin:
        state, colour = "behind", "red"
    else:
        state, colour = "on track", "green" if gap >= 0 else "amber"
    return Variance(
        actual=actual, planned=planned, gap=gap, scale=scale, state=state, colour=colour
    )


def _of(benefit: Benefit, measurements: Iterable[Measurement], until: date) -> list[Measurement]:
    """The benefit's measurements up to ``until``, oldest first (the later of a day wins)."""
    return sorted(
        (m for m in measurements if m.benefit_id == benefit.id and m.on <= until),
        key=lambda m: m.on,
    )


class TrackStatus(Frozen):
    """Where a benefit stands on ``on``: the latest actual against plan, and the owner's view."""

    benefit_id: str
    on: date
    state: TrackState
    variance: Variance | None = None
    confidence: Confidence | None = None
    measured_on: date | None = None


def track_status(
    benefit: Benefit,
    measurements: Iterable[Measurement],
    today: date,
    start: date | None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> TrackStatus:
    """The benefit's status at ``today`` from its newest measurement up to then."""
    found = _of(benefit, measurements, today)
    if not found:
        return TrackStatus(benefit_id=benefit.id, on=today, state="no data")
    latest = found[-1]
    result = variance(benefit, latest.value, latest.on, start, tolerance=tolerance)
    return TrackStatus(
        benefit_id=benefit.id,
        on=today,
        state=result.state,
        variance=result,
        confidence=latest.confidence,
        measured_on=latest.on,
    )


def risk_reason(
    benefit: Benefit,
    measurements: Iterable[Measurement],
    today: date,
    start: date | None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> str | None:
    """Why the benefit is at risk now, or None: the automatic risk rule.

    At risk when the owner's newest measurement says "off track", or when the two newest
    measurements are both behind plan by more than the tolerance (one bad month is noise).
    """
    found = _of(benefit, measurements, today)
    if not found:
        return None
    if found[-1].confidence is Confidence.OFF_TRACK:
        who = found[-1].who or "the owner"
        return f"{who} said off track on {found[-1].on.isoformat()}"
    if len(found) >= 2:
        last_two = [
            variance(benefit, m.value, m.on, start, tolerance=tolerance) for m in found[-2:]
        ]
        if all(result.state == "behind" for result in last_two):
            return (
                f"behind plan by more than {tolerance:.0%} of the planned change twice in a row "
                f"({found[-2].on.isoformat()}, {found[-1].on.isoformat()})"
            )
    return None


# ---------------------------------------------------------------- reviews and cadence


class ReviewDue(Frozen):
    """A review of one benefit on one date: after delivery, or of sustainment after target."""

    benefit_id: str
    kind: ReviewKind
    due: date
    #: days after delivery (post-implementation) or after the target date (sustainment)
    offset_days: int


def review_schedule(
    benefit: Benefit,
    delivered: date | None,
    *,
    offsets: Sequence[int] | None = None,
    sustainment_days: int = DEFAULT_SUSTAINMENT_DAYS,
) -> list[ReviewDue]:
    """Every review of the benefit, by date: nothing until its linked work is delivered.

    Post-implementation reviews fall at ``offsets`` days after delivery (the entry's own
    ``review_offsets`` unless a team's are passed); the sustainment review falls
    ``sustainment_days`` after the target date, or after the last other review when the target
    date came earlier, so it always asks last.
    """
    if delivered is None:
        return []
    chosen = sorted(set(benefit.review_offsets if offsets is None else offsets))
    reviews = [
        ReviewDue(
            benefit_id=benefit.id,
            kind="post-implementation",
            due=delivered + timedelta(days=offset),
            offset_days=offset,
        )
        for offset in chosen
    ]
    if benefit.target_date is not None:
        after = max(benefit.target_date, reviews[-1].due if reviews else delivered)
        reviews.append(
            ReviewDue(
                benefit_id=benefit.id,
                kind="sustainment",
                due=after + timedelta(days=sustainment_days),
                offset_days=(after - benefit.target_date).days + sustainment_days,
            )
        )
    return reviews


def reviews_due(
    schedules: Iterable[Sequence[ReviewDue]], start: date, end: date
) -> list[ReviewDue]:
    """The reviews falling in ``[start, end)``, by date then benefit number."""
    due = [review for schedule in schedules for review in schedule if start <= review.due < end]
    return sorted(due, key=lambda r: (r.due, benefit_number(r.benefit_id), r.kind))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _step(start: date, cadence: str, n: int) -> date:
    if cadence == "weekly":
        return start + timedelta(weeks=n)
    return add_months(start, n * (3 if cadence == "quarterly" else 1))


def measurement_due_dates(benefit: Benefit, start: date | None, until: date) -> list[date]:
    """When the owner is asked for an actual: each cadence step after realisation starts.

    Asked up to ``until`` and no later than the target date (the sustainment review asks
    after that); never for a benefit whose outcome is decided (realised, not realised, closed).
    """
    if start is None or benefit.status.is_closed:
        return []
    last = min(until, benefit.target_date) if benefit.target_date is not None else until
    dates = []
    n = 1
    while (due := _step(start, benefit.cadence, n)) <= last:
        dates.append(due)
        n += 1
    return dates


def measurements_due(
    benefit: Benefit, start: date | None, period_start: date, period_end: date
) -> list[date]:
    """The cadence dates in ``[period_start, period_end)``, for a scheduler's period."""
    return [
        due
        for due in measurement_due_dates(benefit, start, period_end)
        if period_start <= due < period_end
    ]
