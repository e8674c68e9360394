"""Planned trajectories, variance that knows the direction, status, the risk rule, reviews and
the measurement cadence, each with figures counted by hand in the test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.benefits import BenefitStatus, Confidence, Milestone
from rules.trajectory import (
    add_months,
    delivery_date,
    measurement_due_dates,
    measurements_due,
    planned_trajectory,
    planned_value_at,
    realisation_start,
    review_schedule,
    reviews_due,
    risk_reason,
    track_status,
    variance,
)
from tests.rules.benefit_support import START, TARGET_DATE, actual, benefit, decrease, in_range


def day(n: int) -> date:
    """``n`` days after START."""
    return START + timedelta(days=n)


# ---------------------------------------------------------------- delivery and start


def test_delivery_is_when_the_last_linked_issue_was_done():
    entry = benefit(links=("PAY-1", "PAY-2"))

    assert delivery_date(entry, {"PAY-1": day(3), "PAY-2": day(7)}) == day(7)
    assert delivery_date(entry, {"PAY-1": day(3), "PAY-2": None}) is None
    assert delivery_date(entry, {"PAY-1": day(3)}) is None  # PAY-2 unknown: not done
    assert delivery_date(benefit(links=()), {}) is None


def test_realisation_starts_at_delivery_plus_the_lag_unless_the_entry_says():
    assert realisation_start(benefit(lag_days=14), day(7)) == day(21)
    assert realisation_start(benefit(realisation_start=day(2)), day(7)) == day(2)
    assert realisation_start(benefit(), None) is None


# ---------------------------------------------------------------- the plan


def test_the_default_plan_is_linear_from_baseline_at_start_to_target():
    entry = benefit()  # 100 on day 0 -> 200 on day 10: 10 a day

    assert planned_value_at(entry, day(3), START) == pytest.approx(130)
    assert planned_value_at(entry, day(-5), START) == 100  # before start: the baseline
    assert planned_value_at(entry, day(40), START) == 200  # after target: the target


def test_milestones_bend_the_plan():
    entry = benefit(milestones=(Milestone(on=day(5), value=180),))

    # 100 -> 180 over 5 days, then 180 -> 200 over 5 days
    assert planned_value_at(entry, day(3), START) == pytest.approx(100 + 3 / 5 * 80)
    assert planned_value_at(entry, day(7), START) == pytest.approx(180 + 2 / 5 * 20)
    assert [p.value for p in planned_trajectory(entry, START)] == [100, 180, 200]


def test_a_late_start_moves_the_ramp_and_drops_milestones_before_it():
    entry = benefit(milestones=(Milestone(on=day(2), value=150),))

    points = planned_trajectory(entry, day(5))

    assert [(p.on, p.value) for p in points] == [(day(5), 100), (TARGET_DATE, 200)]
    assert planned_value_at(entry, day(8), day(5)) == pytest.approx(100 + 3 / 5 * 100)


def test_work_not_delivered_yet_is_planned_at_the_baseline():
    assert planned_value_at(benefit(), day(8), None) == 100


def test_an_entry_without_a_target_cannot_be_planned():
    assert planned_value_at(benefit(target=None), day(3), START) is None


# ---------------------------------------------------------------- variance


@pytest.mark.parametrize(
    ("value", "state", "colour"),
    [
        (165, "ahead", "green"),
        (155, "on track", "green"),
        (145, "on track", "amber"),
        (135, "behind", "red"),
    ],
    ids=["ahead", "a_bit_ahead", "a_bit_behind", "behind"],
)
def test_variance_of_an_increase_metric(value, state, colour):
    # plan on day 5 is 150; tolerance 10% of the planned change (100) is 10
    result = variance(benefit(), value, day(5), START, tolerance=0.1)

    assert (result.planned, result.gap, result.state, result.colour) == (
        150,
        value - 150,
        state,
        colour,
    )


@pytest.mark.parametrize(
    ("value", "state", "colour"),
    [
        (130, "ahead", "green"),
        (145, "on track", "green"),
        (155, "on track", "amber"),
        (170, "behind", "red"),
    ],
    ids=["ahead", "a_bit_ahead", "a_bit_behind", "behind"],
)
def test_variance_of_a_decrease_metric_reads_lower_as_better(value, state, colour):
    result = variance(decrease(), value, day(5), START, tolerance=0.1)  # plan 150

    assert (result.gap, result.state, result.colour) == (150 - value, state, colour)


@pytest.mark.parametrize(
    ("value", "gap", "state"),
    [
        (97, 0, "on track"),
        (95, 0, "on track"),
        (99, 0, "on track"),
        (100, -1, "behind"),
        (93.5, -1.5, "behind"),
    ],
    ids=["middle", "low_end", "high_end", "above", "below"],
)
def test_a_range_metric_is_on_track_anywhere_inside_its_band(value, gap, state):
    result = variance(in_range(), value, day(5), START)

    assert (result.gap, result.state) == (pytest.approx(gap), state)
    assert result.colour == ("green" if state == "on track" else "red")


@given(
    st.sampled_from(["increase", "decrease"]),
    st.integers(min_value=-30, max_value=40),
    st.floats(min_value=-1000, max_value=1000, allow_nan=False),
)
def test_better_than_plan_is_never_red(direction, on, value):
    entry = benefit() if direction == "increase" else decrease()
    planned = planned_value_at(entry, day(on), START)
    assert planned is not None
    better = value >= planned if direction == "increase" else value <= planned

    result = variance(entry, value, day(on), START)

    if better:
        assert result.colour == "green"
        assert result.state in ("ahead", "on track")
    else:
        assert result.state != "ahead"


# ---------------------------------------------------------------- status and the risk rule


def test_status_is_the_newest_actual_up_to_today_with_the_owners_confidence():
    measured = [
        actual(130, day(2), confidence=Confidence.AT_RISK),
        actual(190, day(6), confidence=Confidence.ON_TRACK),
        actual(500, day(9)),  # after "today": not seen yet
        actual(999, day(3), benefit_id="BEN-2"),  # another benefit
    ]

    status = track_status(benefit(), measured, day(7), START, tolerance=0.1)

    # plan on day 6 is 160; 190 is 30 ahead, beyond the tolerance of 10
    assert (status.state, status.measured_on, status.confidence) == (
        "ahead",
        day(6),
        Confidence.ON_TRACK,
    )
    assert status.variance is not None
    assert status.variance.gap == pytest.approx(30)


def test_a_benefit_without_actuals_has_no_status_yet():
    assert track_status(benefit(), [], day(7), START).state == "no data"


def test_the_tolerance_is_configurable():
    measured = [actual(140, day(5))]  # 10 behind a plan of 150

    assert track_status(benefit(), measured, day(5), START, tolerance=0.05).state == "behind"
    assert track_status(benefit(), measured, day(5), START, tolerance=0.2).state == "on track"


def test_behind_twice_in_a_row_raises_a_risk():
    measured = [actual(120, day(4)), actual(130, day(6))]  # plans 140 and 160: 20 and 30 behind

    reason = risk_reason(benefit(), measured, day(7), START)

    assert reason is not None
    assert "twice in a row (2027-01-05, 2027-01-07)" in reason


def test_behind_once_then_recovered_is_no_risk():
    measured = [actual(120, day(4)), actual(158, day(6))]

    assert risk_reason(benefit(), measured, day(7), START) is None
    assert risk_reason(benefit(), [actual(120, day(4))], day(7), START) is None


def test_the_owner_saying_off_track_raises_a_risk_at_once():
    measured = [actual(200, day(4), confidence=Confidence.OFF_TRACK, who="U123ABC")]

    assert risk_reason(benefit(), measured, day(5), START) == "U123ABC said off track on 2027-01-05"


# ---------------------------------------------------------------- reviews


def test_reviews_fall_at_offsets_from_delivery_and_sustainment_after_the_last():
    # delivered 1 Feb 2027; February has 28 days
    delivered = date(2027, 2, 1)
    entry = benefit(target_date=date(2027, 6, 30))

    reviews = review_schedule(entry, delivered)

    assert [(r.kind, r.due, r.offset_days) for r in reviews] == [
        ("post-implementation", date(2027, 3, 3), 30),
        ("post-implementation", date(2027, 5, 2), 90),
        ("post-implementation", date(2027, 7, 31), 180),
        # the target (30 Jun) came before the last review (31 Jul): 90 days after that
        ("sustainment", date(2027, 10, 29), 31 + 90),
    ]


def test_the_sustainment_review_is_90_days_after_a_later_target_date():
    entry = benefit(target_date=date(2028, 1, 1), review_offsets=(30,))

    reviews = review_schedule(entry, date(2027, 2, 1))

    # 1 Jan 2028 + 90 days: 30 to 31 Jan, 29 more to 29 Feb (a leap year), 31 to 31 Mar
    assert reviews[-1].due == date(2028, 3, 31)
    assert reviews[-1].offset_days == 90


def test_a_team_can_set_its_own_offsets_and_nothing_is_due_before_delivery():
    entry = benefit(target_date=None)

    assert [r.due for r in review_schedule(entry, START, offsets=(7, 14))] == [day(7), day(14)]
    assert review_schedule(entry, None) == []


def test_reviews_due_in_a_period_are_half_open_and_ordered():
    first = review_schedule(benefit(id="BEN-2", target_date=None), START, offsets=(7,))
    second = review_schedule(benefit(id="BEN-10", target_date=None), START, offsets=(7, 14))

    due = reviews_due([second, first], day(7), day(14))

    assert [(r.benefit_id, r.due) for r in due] == [("BEN-2", day(7)), ("BEN-10", day(7))]


# ---------------------------------------------------------------- cadence


def test_monthly_measurements_are_due_to_the_target_date_clipped_to_month_ends():
    entry = benefit(target_date=date(2027, 5, 15))

    assert measurement_due_dates(entry, date(2027, 1, 31), date(2027, 12, 31)) == [
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_weekly_and_quarterly_cadences():
    weekly = benefit(cadence="weekly", target_date=day(21))
    quarterly = benefit(cadence="quarterly", target_date=date(2027, 12, 31))

    assert measurement_due_dates(weekly, START, day(100)) == [day(7), day(14), day(21)]
    assert measurement_due_dates(quarterly, START, date(2028, 6, 1)) == [
        date(2027, 4, 1),
        date(2027, 7, 1),
        date(2027, 10, 1),
    ]


def test_no_measurement_is_asked_before_realisation_or_after_close():
    entry = benefit(target_date=date(2027, 12, 31))

    assert measurement_due_dates(entry, None, date(2027, 12, 31)) == []
    closed = entry.model_copy(update={"status": BenefitStatus.CLOSED})
    assert measurement_due_dates(closed, START, date(2027, 12, 31)) == []


def test_measurements_due_in_a_period():
    entry = benefit(target_date=date(2027, 12, 31))

    assert measurements_due(entry, START, date(2027, 3, 1), date(2027, 4, 1)) == [date(2027, 3, 1)]
    assert measurements_due(entry, START, date(2027, 3, 2), date(2027, 4, 1)) == []


def test_add_months_clips_to_the_end_of_the_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)


def test_a_target_due_by_the_start_is_expected_from_the_start():
    entry = benefit(target_date=day(3))

    assert planned_value_at(entry, day(5), day(5)) == 200
    assert planned_value_at(entry, day(9), day(5)) == 200
