"""What a financial benefit is worth: NPV of planned and realised money, PV of costs, ROI.

Conventions, so every figure can be recomputed by hand from what :class:`MoneyCase` returns:

* Money is counted by month from the start of realisation; month ``t`` (1, 2, ...) is received
  at its end and discounted by ``(1 + r) ** t`` with the monthly rate
  ``r = (1 + annual_rate) ** (1/12) - 1``. ``NPV = sum(amount_t / (1 + r) ** t)``.
* ``money_per_month`` is the benefit once the target is reached. Month ``t`` plans the share of
  the planned change reached by its end (a linear ramp unless milestones say otherwise):
  ``money_per_month * (planned_t - baseline) / (target - baseline)``; realised months use the
  newest actual by the month's end instead of ``planned_t`` (0 before the first actual). An
  entry without a baseline and target reads its actuals as money a month.
* Costs are paid when realisation starts, so their PV is their sum: the explicit cost of the
  entry, else the linked story points times ``cost_per_point``.
* ``ROI = (NPV of benefits - PV of costs) / PV of costs``; None when nothing is costed.

Calibration asks, per category and per owner, how much of what was planned closed benefits
delivered: each closed benefit plans 1 (its whole planned change) and realises the share of it
its last actual reached, so a ratio of 0.8 means "these owners' benefits come in at 80%".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from pydantic import Field

from rules.benefits import Benefit, BenefitStatus, Direction, Measurement
from rules.model import Frozen
from rules.trajectory import add_months, planned_trajectory, value_on

CostSource = Literal["explicit cost", "story points", "none"]


def monthly_rate(annual_rate: float) -> float:
    """The monthly rate that compounds to ``annual_rate`` over twelve months."""
    rate: float = (1 + annual_rate) ** (1 / 12) - 1
    return rate


def npv(amounts: Sequence[float], annual_rate: float) -> float:
    """Net present value of ``amounts`` received at the end of months 1, 2, ..."""
    rate = monthly_rate(annual_rate)
    return sum(amount / (1 + rate) ** month for month, amount in enumerate(amounts, 1))


def roi(npv_benefits: float, pv_costs: float) -> float | None:
    """``(NPV of benefits - PV of costs) / PV of costs``, or None when nothing is costed."""
    return (npv_benefits - pv_costs) / pv_costs if pv_costs > 0 else None


def benefit_cost(
    benefit: Benefit, story_points: float | None, cost_per_point: float
) -> tuple[float, CostSource]:
    """The cost to set against the benefit and where it came from (the entry wins)."""
    if benefit.cost is not None:
        return benefit.cost, "explicit cost"
    if story_points is not None and story_points > 0:
        return story_points * cost_per_point, "story points"
    return 0.0, "none"


def _share(benefit: Benefit, value: float) -> float | None:
    """How much of the planned change ``value`` is; None when the entry plans no change."""
    if benefit.measure.direction is Direction.RANGE:
        return None
    if benefit.baseline is None or benefit.target is None or benefit.target == benefit.baseline:
        return None
    return (value - benefit.baseline) / (benefit.target - benefit.baseline)


def planned_monthly(benefit: Benefit, start: date) -> list[float]:
    """The planned money of each month of the horizon (flat when there is no ramp to follow)."""
    per_month = benefit.money_per_month or 0.0
    plan = planned_trajectory(benefit, start)
    amounts = []
    for month in range(1, benefit.horizon_months + 1):
        planned = value_on(plan, add_months(start, month))
        share = None if planned is None else _share(benefit, planned)
        amounts.append(per_month * (1.0 if share is None else share))
    return amounts


def realised_monthly(
    benefit: Benefit, measurements: Iterable[Measurement], start: date, today: date
) -> list[float]:
    """The realised money of each month of the horizon that has ended by ``today``."""
    actuals = sorted((m for m in measurements if m.benefit_id == benefit.id), key=lambda m: m.on)
    per_month = benefit.money_per_month or 0.0
    amounts = []
    seen = 0  # actuals dated up to this month's end; months run forward, so it only grows
    for month in range(1, benefit.horizon_months + 1):
        end = add_months(start, month)
        if end > today:
            break
        while seen < len(actuals) and actuals[seen].on <= end:
            seen += 1
        if not seen:
            amounts.append(0.0)
            continue
        newest = actuals[seen - 1].value
        share = _share(benefit, newest)
        amounts.append(newest if share is None else per_month * share)
    return amounts


class MoneyCase(Frozen):
    """Every term of a benefit's NPV and ROI, for display next to the formula."""

    benefit_id: str
    start: date
    annual_rate: float
    monthly_rate: float
    horizon_months: int
    planned_monthly: tuple[float, ...]
    realised_monthly: tuple[float, ...]
    planned_npv: float
    #: NPV of the months ended so far; compare with ``planned_npv_to_date``
    realised_npv: float
    planned_npv_to_date: float
    cost: float
    cost_source: CostSource
    story_points: float | None = None
    cost_per_point: float
    roi_planned: float | None = None
    roi_realised: float | None = None

    def explain(self) -> list[str]:
        """The formula and its terms, in lines a finance partner can check."""
        lines = [
            "NPV = sum(amount_t / (1 + r)^t), t = 1.."
            f"{self.horizon_months} months from {self.start.isoformat()}, "
            f"r = (1 + {self.annual_rate:g})^(1/12) - 1 = {self.monthly_rate:.6f}",
            f"planned NPV = {self.planned_npv:,.2f}",
            f"realised NPV ({len(self.realised_monthly)} months) = {self.realised_npv:,.2f} "
            f"against {self.planned_npv_to_date:,.2f} planned by now",
        ]
        if self.cost_source == "story points":
            lines.append(
                f"PV of costs = {self.story_points:g} points x {self.cost_per_point:g} = "
                f"{self.cost:,.2f}"
            )
        else:
            lines.append(f"PV of costs = {self.cost:,.2f} ({self.cost_source})")
        for label, value in (("planned", self.roi_planned), ("realised", self.roi_realised)):
            shown = "n/a (no cost)" if value is None else f"{value:.1%}"
            lines.append(f"ROI {label} = (NPV - PV of costs) / PV of costs = {shown}")
        return lines


def money_case(
    benefit: Benefit,
    *,
    start: date,
    today: date,
    measurements: Iterable[Measurement] = (),
    annual_rate: float,
    story_points: float | None = None,
    cost_per_point: float = 0.0,
) -> MoneyCase:
    """NPV of planned and realised money, PV of costs and ROI, realising from ``start``."""
    planned = planned_monthly(benefit, start)
    realised = realised_monthly(benefit, measurements, start, today)
    cost, source = benefit_cost(benefit, story_points, cost_per_point)
    planned_npv, realised_npv = npv(planned, annual_rate), npv(realised, annual_rate)
    return MoneyCase(
        benefit_id=benefit.id,
        start=start,
        annual_rate=annual_rate,
        monthly_rate=monthly_rate(annual_rate),
        horizon_months=benefit.horizon_months,
        planned_monthly=tuple(planned),
        realised_monthly=tuple(realised),
        planned_npv=planned_npv,
        realised_npv=realised_npv,
        planned_npv_to_date=npv(planned[: len(realised)], annual_rate),
        cost=cost,
        cost_source=source,
        story_points=story_points if source == "story points" else None,
        cost_per_point=cost_per_point,
        roi_planned=roi(planned_npv, cost),
        roi_realised=roi(realised_npv, cost),
    )


# ---------------------------------------------------------------- calibration


class CalibrationInput(Frozen):
    """What one closed benefit planned and realised, as shares of its planned change."""

    benefit_id: str
    category: str
    owner: str | None = None
    planned: float = 1.0
    realised: float


class Ratio(Frozen):
    """Realised over planned for a group of closed benefits."""

    planned: float
    realised: float
    count: int

    @property
    def ratio(self) -> float | None:
        return self.realised / self.planned if self.planned else None


class Calibration(Frozen):
    """Ratios by category and by owner; a group without closed benefits is absent."""

    by_category: dict[str, Ratio] = Field(default_factory=dict)
    by_owner: dict[str, Ratio] = Field(default_factory=dict)


def calibration_input(
    benefit: Benefit, measurements: Iterable[Measurement]
) -> CalibrationInput | None:
    """The benefit's outcome for calibration, or None while open or when it cannot be judged.

    A closed benefit counts with the share of its planned change its newest actual reached; a
    benefit closed as "not realised" with no actual counts as 0. Range metrics count 1 when the
    last actual is inside the band, else 0.
    """
    if not benefit.status.is_closed:
        return None
    actuals = sorted((m for m in measurements if m.benefit_id == benefit.id), key=lambda m: m.on)
    if not actuals:
        if benefit.status is not BenefitStatus.NOT_REALISED:
            return None
        realised = 0.0
    else:
        last = actuals[-1].value
        measure = benefit.measure
        if measure.direction is Direction.RANGE and measure.low is not None:
            realised = 1.0 if measure.low <= last <= (measure.high or last) else 0.0
        else:
            share = _share(benefit, last)
            if share is None:
                return None
            realised = share
    return CalibrationInput(
        benefit_id=benefit.id,
        category=benefit.category.value,
        owner=benefit.owner,
        realised=realised,
    )


def _group(inputs: Iterable[tuple[str, CalibrationInput]]) -> dict[str, Ratio]:
    sums: dict[str, tuple[float, float, int]] = {}
    for name, found in inputs:
        planned, realised, count = sums.get(name, (0.0, 0.0, 0))
        sums[name] = (planned + found.planned, realised + found.realised, count + 1)
    return {
        name: Ratio(planned=planned, realised=realised, count=count)
        for name, (planned, realised, count) in sorted(sums.items())
    }


def calibrate(inputs: Iterable[CalibrationInput]) -> Calibration:
    """Realised-to-planned ratios of closed benefits, per category and per owner."""
    found = list(inputs)
    return Calibration(
        by_category=_group((entry.category, entry) for entry in found),
        by_owner=_group((entry.owner, entry) for entry in found if entry.owner is not None),
    )
