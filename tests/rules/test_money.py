"""NPV, PV of costs, ROI and calibration, with the figures worked out by hand in each test."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.benefits import BenefitStatus
from rules.model import BenefitCategory
from rules.money import (
    benefit_cost,
    calibrate,
    calibration_input,
    money_case,
    monthly_rate,
    npv,
    roi,
)
from tests.rules.benefit_support import actual, benefit, decrease, in_range

#: an annual rate whose monthly rate is exactly 1%
ONE_PERCENT_A_MONTH = 1.01**12 - 1
JAN, APR = date(2027, 1, 1), date(2027, 4, 1)


def saving(**fields):
    """Saves 0 -> 1000 a month, ramping linearly over Jan-Mar 2027 (90 days), for 6 months."""
    values = {
        "category": BenefitCategory.FINANCIAL,
        "baseline": 0.0,
        "target": 1000.0,
        "baseline_date": JAN,
        "target_date": APR,
        "realisation_start": JAN,
        "money_per_month": 1000.0,
        "horizon_months": 6,
        "cost": 2000.0,
        **fields,
    }
    return benefit(**values)


def test_the_monthly_rate_compounds_to_the_annual_rate():
    assert monthly_rate(ONE_PERCENT_A_MONTH) == pytest.approx(0.01)
    assert (1 + monthly_rate(0.10)) ** 12 == pytest.approx(1.10)


def test_npv_discounts_each_month_at_its_end():
    # 100/1.01 + 100/1.01^2 + 100/1.01^3 = 99.0099 + 98.0296 + 97.0590
    assert npv([100, 100, 100], ONE_PERCENT_A_MONTH) == pytest.approx(294.0985, abs=1e-4)
    assert npv([100, 100, 100], 0.0) == 300
    assert npv([], 0.1) == 0


def test_roi_is_net_benefit_over_cost():
    assert roi(5000, 2000) == 1.5
    assert roi(1000, 2000) == -0.5
    assert roi(1000, 0) is None


def test_the_planned_money_follows_the_ramp_then_stays_at_the_full_amount():
    case = money_case(saving(), start=JAN, today=JAN, annual_rate=0.0)

    # month ends 1 Feb (31 of 90 days), 1 Mar (59 of 90), then the full 1000
    assert case.planned_monthly == pytest.approx(
        (1000 * 31 / 90, 1000 * 59 / 90, 1000, 1000, 1000, 1000)
    )
    assert case.planned_npv == pytest.approx(1000 * 90 / 90 + 4000)
    assert case.roi_planned == pytest.approx((5000 - 2000) / 2000)


def test_the_planned_npv_at_one_percent_a_month():
    case = money_case(saving(), start=JAN, today=JAN, annual_rate=ONE_PERCENT_A_MONTH)

    amounts = [1000 * 31 / 90, 1000 * 59 / 90, 1000, 1000, 1000, 1000]
    # 341.03 + 642.64 + 970.59 + 960.98 + 951.47 + 942.05
    by_hand = sum(amount / 1.01**month for month, amount in enumerate(amounts, 1))
    assert case.planned_npv == pytest.approx(by_hand)
    assert case.planned_npv == pytest.approx(4808.75, abs=0.01)
    assert case.roi_planned == pytest.approx((by_hand - 2000) / 2000)


def test_realised_money_counts_the_ended_months_from_the_newest_actual():
    measured = [actual(300, date(2027, 1, 20)), actual(700, date(2027, 2, 15))]

    case = money_case(
        saving(), start=JAN, today=date(2027, 3, 10), measurements=measured, annual_rate=0.0
    )

    # Feb 1: newest actual 300 (30% of the change); Mar 1: 700; Apr 1 has not ended
    assert case.realised_monthly == pytest.approx((300, 700))
    assert case.realised_npv == pytest.approx(1000)
    assert case.planned_npv_to_date == pytest.approx(1000 * 31 / 90 + 1000 * 59 / 90)
    assert case.roi_realised == pytest.approx((1000 - 2000) / 2000)


def test_a_month_before_the_first_actual_realised_nothing():
    case = money_case(
        saving(),
        start=JAN,
        today=date(2027, 3, 1),
        measurements=[actual(500, date(2027, 2, 10))],
        annual_rate=0.0,
    )
    assert case.realised_monthly == (0.0, 500.0)


def test_a_decrease_metric_realises_money_as_it_falls():
    # support cost 5000 -> 3000 a month saves 2000 a month at target
    entry = decrease(
        category=BenefitCategory.FINANCIAL,
        baseline=5000.0,
        target=3000.0,
        target_date=JAN,
        money_per_month=2000.0,
        horizon_months=2,
    )

    case = money_case(
        entry,
        start=JAN,
        today=date(2027, 3, 1),
        measurements=[actual(4000, JAN)],
        annual_rate=0.0,
    )

    assert case.planned_monthly == (2000.0, 2000.0)
    assert case.realised_monthly == (1000.0, 1000.0)  # half the change: half the money


def test_costs_come_from_the_entry_else_from_story_points():
    assert benefit_cost(saving(cost=2000), 8, 500) == (2000, "explicit cost")
    assert benefit_cost(saving(cost=None), 8, 500) == (4000, "story points")
    assert benefit_cost(saving(cost=None), None, 500) == (0, "none")

    case = money_case(
        saving(cost=None), start=JAN, today=JAN, annual_rate=0, story_points=8, cost_per_point=500
    )
    assert (case.cost, case.cost_source, case.story_points) == (4000, "story points", 8)
    assert case.roi_planned == pytest.approx((5000 - 4000) / 4000)
    assert "PV of costs = 8 points x 500 = 4,000.00" in case.explain()


def test_the_explanation_shows_the_formula_and_every_term():
    case = money_case(saving(), start=JAN, today=JAN, annual_rate=ONE_PERCENT_A_MONTH)

    lines = case.explain()

    assert lines[0].startswith("NPV = sum(amount_t / (1 + r)^t), t = 1..6 months from 2027-01-01")
    assert "r = (1 + 0.126825)^(1/12) - 1 = 0.010000" in lines[0]
    assert "planned NPV = 4,808.75" in lines
    assert "PV of costs = 2,000.00 (explicit cost)" in lines
    assert "ROI planned = (NPV - PV of costs) / PV of costs = 140.4%" in lines


@given(
    st.lists(st.floats(min_value=0, max_value=1e6), max_size=48),
    st.floats(min_value=0, max_value=1),
)
def test_discounting_never_adds_value(amounts, rate):
    assert npv(amounts, rate) <= sum(amounts) + 1e-6


# ---------------------------------------------------------------- calibration


def test_calibration_is_realised_over_planned_per_category_and_owner():
    closed = BenefitStatus.REALISED
    benefits = [
        benefit(id="BEN-1", status=closed),  # 100 -> 200, ended at 150: 0.5
        benefit(id="BEN-2", status=closed),  # ended at 200: 1.0
        benefit(
            id="BEN-3",
            status=BenefitStatus.NOT_REALISED,
            owner="U999",
            category=BenefitCategory.CUSTOMER,
        ),
        benefit(id="BEN-4", status=BenefitStatus.REALISING),  # open: not counted
    ]
    measured = [
        actual(120, date(2027, 1, 5), "BEN-1"),
        actual(150, date(2027, 2, 5), "BEN-1"),
        actual(200, date(2027, 2, 5), "BEN-2"),
        actual(999, date(2027, 2, 5), "BEN-4"),
    ]
    inputs = [found for b in benefits if (found := calibration_input(b, measured)) is not None]

    result = calibrate(inputs)

    assert [i.benefit_id for i in inputs] == ["BEN-1", "BEN-2", "BEN-3"]
    operational = result.by_category["operational"]
    assert (operational.count, operational.ratio) == (2, pytest.approx((0.5 + 1.0) / 2))
    assert result.by_category["customer"].ratio == 0
    assert result.by_owner["U123ABC"].ratio == pytest.approx(0.75)
    assert result.by_owner["U999"].count == 1


def test_a_closed_benefit_without_actuals_is_not_judged_unless_it_was_not_realised():
    assert calibration_input(benefit(status=BenefitStatus.CLOSED), []) is None


def test_a_range_benefit_counts_whole_when_it_ended_inside_its_band():
    inside = calibration_input(in_range(status=BenefitStatus.REALISED), [actual(96, JAN)])
    outside = calibration_input(in_range(status=BenefitStatus.REALISED), [actual(90, JAN)])

    assert inside is not None
    assert inside.realised == 1
    assert outside is not None
    assert outside.realised == 0
