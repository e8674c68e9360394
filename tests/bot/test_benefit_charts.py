"""Benefit charts are valid PNGs of the documented size, the same bytes for the same input."""

from __future__ import annotations

from datetime import date

import pytest

from bot.benefit_charts import benefit_chart_png, portfolio_chart_png
from bot.charts import DPI, HEIGHT_INCHES, WIDTH_INCHES
from rules.benefits import Benefit, Direction, Measure, Measurement, Milestone
from rules.model import BenefitCategory
from rules.money import money_case
from tests.bot.test_charts import png_size

JAN = date(2027, 1, 1)
TODAY = date(2027, 5, 1)
SIZE = (int(WIDTH_INCHES * DPI), int(HEIGHT_INCHES * DPI))


def saving(benefit_id: str = "BEN-1", **fields) -> Benefit:
    values = {
        "id": benefit_id,
        "title": "Cheaper support",
        "category": BenefitCategory.FINANCIAL,
        "measure": Measure(metric="support cost", unit="EUR", direction=Direction.DECREASE),
        "baseline": 5000.0,
        "baseline_date": JAN,
        "target": 3000.0,
        "target_date": date(2027, 6, 30),
        "milestones": (Milestone(on=date(2027, 3, 1), value=4500),),
        "money_per_month": 2000.0,
        "cost": 8000.0,
        "horizon_months": 12,
        **fields,
    }
    return Benefit(**values)


ACTUALS = [
    Measurement(benefit_id="BEN-1", value=4900, on=date(2027, 2, 1)),
    Measurement(benefit_id="BEN-1", value=4300, on=date(2027, 4, 1)),
]


@pytest.mark.parametrize(
    ("entry", "actuals", "start"),
    [
        (saving(), ACTUALS, JAN),
        (saving(), [], None),
        (
            saving(
                measure=Measure(metric="uptime", direction=Direction.RANGE, low=95, high=99),
                baseline=97.0,
                target=None,
                milestones=(),
            ),
            [],
            JAN,
        ),
        (Benefit(id="BEN-9", category=BenefitCategory.STRATEGIC), [], None),
    ],
    ids=["plan_and_actuals", "not_delivered_yet", "range_metric", "bare_entry"],
)
def test_a_benefit_chart_is_a_png_of_the_documented_size(entry, actuals, start):
    data = benefit_chart_png(entry, actuals, start=start, today=TODAY)

    assert png_size(data) == SIZE
    assert data.endswith(b"IEND\xaeB`\x82")
    assert b"tEXt" not in data


def test_the_same_benefit_gives_the_same_bytes_and_actuals_change_them():
    once = benefit_chart_png(saving(), ACTUALS, start=JAN, today=TODAY)

    assert once == benefit_chart_png(saving(), ACTUALS, start=JAN, today=TODAY)
    assert once != benefit_chart_png(saving(), ACTUALS[:1], start=JAN, today=TODAY)


@pytest.mark.parametrize("count", [3, 0], ids=["three_benefits", "none"])
def test_the_portfolio_chart_is_a_png(count):
    cases = [
        money_case(
            saving(f"BEN-{n}"),
            start=JAN,
            today=TODAY,
            measurements=[m.model_copy(update={"benefit_id": f"BEN-{n}"}) for m in ACTUALS],
            annual_rate=0.1,
        )
        for n in range(1, count + 1)
    ]

    data = portfolio_chart_png(cases, title="payments")

    assert png_size(data) == SIZE
    assert data == portfolio_chart_png(cases, title="payments")
