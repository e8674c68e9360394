"""Benefit charts as PNG bytes: one benefit's plan and actuals, and the portfolio's value.

Drawn the way :mod:`bot.charts` draws the burn-up (object API, Agg canvas, no metadata), so
they are safe in a scheduler thread and the same register gives the same bytes. The figures
come from :mod:`rules.trajectory` and :mod:`rules.money`; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from matplotlib.dates import date2num

from bot.charts import new_chart, png_bytes
from rules.benefits import Benefit, Direction, Measurement
from rules.money import MoneyCase
from rules.trajectory import planned_trajectory

BASELINE_COLOUR = "#9e9e9e"
TARGET_COLOUR = "#1565c0"
PLAN_COLOUR = "#1565c0"
ACTUAL_COLOUR = "#2e7d32"
REALISED_COLOUR = "#2e7d32"
PLANNED_COLOUR = "#90caf9"


def _days(days: Sequence[date]) -> list[float]:
    """Dates as matplotlib's day numbers (its stubs accept no dates where the API does)."""
    return [float(number) for number in date2num(days)]  # type: ignore[no-untyped-call]


def benefit_chart_png(
    benefit: Benefit,
    measurements: Iterable[Measurement],
    *,
    start: date | None,
    today: date,
) -> bytes:
    """Baseline, target (or the band of a range metric), planned trajectory and actuals."""
    figure, axes = new_chart()
    measure = benefit.measure
    actuals = sorted((m for m in measurements if m.benefit_id == benefit.id), key=lambda m: m.on)
    plan = list(planned_trajectory(benefit, start))
    if plan and plan[-1].on < today:  # the plan holds its last value up to today
        plan.append(plan[-1].model_copy(update={"on": today}))
    if benefit.baseline is not None:
        axes.axhline(benefit.baseline, color=BASELINE_COLOUR, linestyle=":", label="baseline")
    if measure.direction is Direction.RANGE and measure.low is not None:
        axes.axhspan(measure.low, measure.high or measure.low, color=TARGET_COLOUR, alpha=0.1)
        axes.axhline(measure.low, color=TARGET_COLOUR, linestyle="--", label="keep within")
        axes.axhline(measure.high or measure.low, color=TARGET_COLOUR, linestyle="--")
    elif benefit.target is not None:
        axes.axhline(benefit.target, color=TARGET_COLOUR, linestyle="--", label="target")
    if len(plan) > 1:
        axes.plot(
            _days([point.on for point in plan]),
            [point.value for point in plan],
            color=PLAN_COLOUR,
            label="planned",
        )
    if actuals:
        axes.plot(
            _days([m.on for m in actuals]),
            [m.value for m in actuals],
            color=ACTUAL_COLOUR,
            marker="o",
            label="actual",
        )
    axes.axvline(_days([today])[0], color=BASELINE_COLOUR, linewidth=0.8)
    axes.xaxis_date()
    unit = f" ({measure.unit})" if measure.unit else ""
    axes.set_ylabel(f"{measure.metric or 'value'}{unit}")
    axes.set_title(f"{benefit.id} {benefit.title}".strip())
    axes.grid(axis="y", alpha=0.3)
    figure.autofmt_xdate()
    if not actuals and len(plan) < 2:
        axes.text(0.5, 0.5, "no plan or actuals yet", ha="center", transform=axes.transAxes)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best")
    return png_bytes(figure)


def portfolio_chart_png(cases: Sequence[MoneyCase], *, title: str = "Benefits") -> bytes:
    """Planned against realised NPV to date per financial benefit, with the full plan marked."""
    figure, axes = new_chart()
    positions = list(range(len(cases)))
    width = 0.38
    axes.bar(
        [p - width / 2 for p in positions],
        [case.planned_npv_to_date for case in cases],
        width,
        color=PLANNED_COLOUR,
        label="planned to date (NPV)",
    )
    axes.bar(
        [p + width / 2 for p in positions],
        [case.realised_npv for case in cases],
        width,
        color=REALISED_COLOUR,
        label="realised to date (NPV)",
    )
    axes.scatter(
        positions,
        [case.planned_npv for case in cases],
        marker="_",
        s=600,
        color=TARGET_COLOUR,
        label="planned over the horizon (NPV)",
    )
    axes.set_xticks(positions, [case.benefit_id for case in cases])
    axes.set_ylabel("net present value")
    axes.set_title(f"Planned vs realised value, {title}")
    axes.axhline(0, color=BASELINE_COLOUR, linewidth=0.8)
    axes.grid(axis="y", alpha=0.3)
    if cases:
        highest = max(
            max(case.planned_npv, case.planned_npv_to_date, case.realised_npv) for case in cases
        )
        if highest > 0:  # head room, so the legend never hides a bar or a plan marker
            axes.set_ylim(top=highest * 1.4)
        axes.legend(loc="upper left")
    else:
        axes.text(0.5, 0.5, "no financial benefits yet", ha="center", transform=axes.transAxes)
    return png_bytes(figure)
