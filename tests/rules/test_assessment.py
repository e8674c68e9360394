"""A benefit assessed on a date, and the portfolio's week, from register, actuals and done dates."""

from __future__ import annotations

from datetime import date

import pytest

from rules.assessment import assess, summarise
from rules.benefits import BenefitStatus, Confidence
from rules.model import BenefitCategory
from tests.rules.benefit_support import START, actual, benefit

DELIVERED = date(2027, 1, 1)


def saving(**fields):
    """Saves 0 -> 1000 a month from delivery (1 Jan 2027) to 1 Apr 2027, for 6 months."""
    values = {
        "category": BenefitCategory.FINANCIAL,
        "links": ("PAY-1", "PAY-2"),
        "baseline": 0.0,
        "target": 1000.0,
        "baseline_date": date(2026, 12, 1),
        "target_date": date(2027, 4, 1),
        "money_per_month": 1000.0,
        "horizon_months": 6,
        "cost": None,
        "review_offsets": (30,),
        "status": BenefitStatus.REALISING,
        **fields,
    }
    return benefit(**values)


DONE = {"PAY-1": date(2026, 12, 20), "PAY-2": DELIVERED}


def test_an_assessment_brings_delivery_status_risk_money_and_schedule_together():
    measured = [
        actual(100, date(2027, 1, 20)),  # plan on 20 Jan: 1000 x 19/90 = 211: behind by 111
        actual(200, date(2027, 2, 10)),  # plan 444: behind again
    ]

    found = assess(
        saving(),
        today=date(2027, 2, 15),
        measurements=measured,
        done_on=DONE,
        story_points=10,
        cost_per_point=500,
        annual_rate=0.0,
    )

    assert (found.delivered, found.start) == (DELIVERED, DELIVERED)
    assert found.status.state == "behind"
    assert found.risk is not None
    assert "twice in a row" in found.risk
    assert found.money is not None
    # Feb 1 ended with the 20 Jan actual: 100 of 1000 is 10% of the money
    assert found.money.realised_monthly == (100.0,)
    assert (found.money.cost, found.money.cost_source) == (5000, "story points")
    assert [(r.kind, r.due) for r in found.reviews] == [
        ("post-implementation", date(2027, 1, 31)),
        ("sustainment", date(2027, 6, 30)),  # 1 Apr + 90 days
    ]
    assert found.next_measurement == date(2027, 3, 1)
    assert found.smart.is_smart


def test_before_delivery_there_is_no_start_money_or_review():
    found = assess(saving(), today=START, done_on={"PAY-1": DELIVERED, "PAY-2": None})

    assert (found.delivered, found.start, found.money, found.reviews) == (None, None, None, ())
    assert found.status.state == "no data"
    assert found.next_measurement is None


def test_a_closed_benefit_raises_no_risk():
    measured = [actual(0, date(2027, 2, 1), confidence=Confidence.OFF_TRACK)]

    found = assess(
        saving(status=BenefitStatus.NOT_REALISED),
        today=date(2027, 2, 2),
        measurements=measured,
        done_on=DONE,
    )

    assert found.risk is None


def test_the_portfolio_week_lists_what_the_digest_reports():
    on_plan = saving(id="BEN-1")
    at_risk = saving(id="BEN-2", title="Cheaper refunds")
    realised = saving(id="BEN-3", status=BenefitStatus.REALISED)
    measured = [
        actual(500, date(2027, 2, 1), "BEN-1"),
        actual(100, date(2027, 1, 20), "BEN-2"),
        actual(200, date(2027, 2, 10), "BEN-2", confidence=Confidence.OFF_TRACK, who="U123ABC"),
    ]
    today = date(2027, 2, 24)
    assessed = [
        assess(b, today=today, measurements=measured, done_on=DONE, annual_rate=0.0)
        for b in (on_plan, at_risk, realised)
    ]

    week = summarise(assessed, start=date(2027, 2, 22), end=date(2027, 3, 2))

    assert week.realised == ("BEN-3",)
    assert [(r.benefit_id, r.reason) for r in week.at_risk] == [
        ("BEN-2", "U123ABC said off track on 2027-02-10")
    ]
    assert week.behind == ("BEN-2",)
    assert week.reviews_due == ()
    # BEN-3 is realised: nobody is asked for its actual any more
    assert week.measurements_due == (("BEN-1", date(2027, 3, 1)), ("BEN-2", date(2027, 3, 1)))
    # one month ended (1 Feb): BEN-1 realised 500, BEN-2 100, BEN-3 nothing measured
    assert week.realised_npv == pytest.approx(600)
    assert week.planned_npv_to_date == pytest.approx(3 * 1000 * 31 / 90)
    assert week.has_news
