"""The register entry: what it refuses (with messages that say what to fix) and the SMART check."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from rules.benefits import (
    Benefit,
    BenefitStatus,
    Confidence,
    Measure,
    Measurement,
    Milestone,
    UnknownBenefitError,
    next_benefit_id,
    smart_check,
)
from rules.model import BenefitCategory
from tests.rules.benefit_support import START, benefit, decrease


def message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return "; ".join(str(found["msg"]) for found in error.value.errors())


def test_a_complete_entry_has_the_documented_defaults():
    entry = benefit()

    assert entry.review_offsets == (30, 90, 180)
    assert entry.cadence == "monthly"
    assert entry.status is BenefitStatus.PROPOSED
    assert entry.lag_days == 0
    assert entry.horizon_months == 36


def test_a_target_date_before_the_baseline_date_is_refused_with_both_dates():
    with pytest.raises(ValidationError) as error:
        benefit(target_date=date(2026, 12, 1))

    assert "target date 2026-12-01 is before baseline date 2027-01-01" in message(error)
    assert error.value.errors()[0]["ctx"]["error"].column == "target_date"


def test_a_decrease_metric_with_a_target_above_its_baseline_is_refused():
    with pytest.raises(ValidationError) as error:
        decrease(target=250.0)

    assert "should decrease, but target 250 is above baseline 200" in message(error)


def test_an_increase_metric_with_a_target_below_its_baseline_is_refused():
    with pytest.raises(ValidationError) as error:
        benefit(target=50.0)

    assert "should increase, but target 50 is below baseline 100" in message(error)


@pytest.mark.parametrize("owner", ["alice", "u123", "@alice", "C0123ABC"])
def test_an_owner_that_is_not_a_slack_user_id_is_refused(owner):
    with pytest.raises(ValidationError) as error:
        benefit(owner=owner)

    assert f"owner {owner!r} is not a Slack user id (U... or W...)" in message(error)


def test_enterprise_grid_user_ids_are_owners_too():
    assert benefit(owner="W0123ABCD").owner == "W0123ABCD"


@pytest.mark.parametrize("bad", ["BEN-0", "ben-1", "BEN1", "B-1"])
def test_ids_are_ben_and_a_number(bad):
    with pytest.raises(ValidationError, match="not of the form BEN-1"):
        benefit(id=bad)


def test_a_range_metric_needs_both_ends_in_order():
    with pytest.raises(ValidationError, match="needs both low and high"):
        Measure(metric="uptime", direction="range", low=95)
    with pytest.raises(ValidationError, match="range low 99 is above high 95"):
        Measure(metric="uptime", direction="range", low=99, high=95)


def test_milestones_are_kept_in_date_order_and_one_a_day():
    entry = benefit(
        milestones=(
            Milestone(on=date(2027, 1, 8), value=180),
            Milestone(on=date(2027, 1, 4), value=120),
        )
    )
    assert [m.on.day for m in entry.milestones] == [4, 8]
    with pytest.raises(ValidationError, match="two milestones on the same date"):
        benefit(milestones=(Milestone(on=START, value=1), Milestone(on=START, value=2)))


def test_review_offsets_must_be_after_delivery():
    with pytest.raises(ValidationError, match="must be above 0"):
        benefit(review_offsets=(0, 30))
    assert benefit(review_offsets=(90, 30, 30)).review_offsets == (30, 90)


def test_a_measurement_is_of_a_benefit_or_of_a_goal_not_both():
    with pytest.raises(ValidationError, match="of one benefit or of one value goal"):
        Measurement(value=1, on=START)
    with pytest.raises(ValidationError, match="of one benefit or of one value goal"):
        Measurement(benefit_id="BEN-1", goal="Cut support cost", value=1, on=START)
    goal = Measurement(goal="Cut support cost", team="payments", value=3, on=START)
    assert goal.subject == "payments/Cut support cost"


def test_a_measurement_value_must_be_a_number():
    with pytest.raises(ValidationError, match="valid number"):
        Measurement(benefit_id="BEN-1", value="lots", on=START)  # type: ignore[arg-type]


def test_a_measurement_carries_the_owners_confidence():
    found = Measurement(benefit_id="BEN-1", value=1, on=START, confidence="off track")  # type: ignore[arg-type]
    assert found.confidence is Confidence.OFF_TRACK


def test_closed_statuses_are_the_decided_ones():
    decided = {status for status in BenefitStatus if status.is_closed}
    assert decided == {
        BenefitStatus.REALISED,
        BenefitStatus.PARTLY_REALISED,
        BenefitStatus.NOT_REALISED,
        BenefitStatus.CLOSED,
    }


def test_unknown_benefit_says_where_to_find_the_ids():
    assert str(UnknownBenefitError("BEN-9")) == (
        "no benefit BEN-9 in the register; `northstar benefits list` shows the ids"
    )


def test_next_id_follows_the_highest_and_never_reuses_a_gap():
    assert next_benefit_id([]) == "BEN-1"
    assert next_benefit_id(["BEN-1", "BEN-10", "BEN-3"]) == "BEN-11"


# ---------------------------------------------------------------- SMART


def test_a_complete_entry_is_smart():
    check = smart_check(benefit())
    assert check.is_smart
    assert check.summary() == "SMART"


def test_the_smart_check_says_each_missing_part():
    bare = Benefit(id="BEN-2", category=BenefitCategory.CUSTOMER)

    check = smart_check(bare)

    assert check.missing == (
        "specific: no title and no description",
        "measurable: no metric, no baseline, no target",
        "time-bound: no target date",
        "owned: no owner",
        "linked: no epic or value goal",
    )
    assert not (check.specific)
    assert not (check.measurable)
    assert not (check.time_bound)
    assert not (check.owned)


def test_a_goal_links_a_benefit_as_well_as_an_epic():
    check = smart_check(benefit(links=(), goals=("Cut support cost",), description=""))
    assert check.linked
    assert check.missing == ("specific: no description",)


def test_a_range_metric_needs_no_target_value():
    check = smart_check(
        benefit(measure=Measure(metric="uptime", direction="range", low=95, high=99), target=None)
    )
    assert check.measurable


def test_the_item_form_names_the_entry_and_its_metric():
    entry = benefit(category=BenefitCategory.FINANCIAL, money_per_month=1200).register_entry(900)

    assert (entry.id, entry.measure, entry.planned_value, entry.realised_value) == (
        "BEN-1",
        "refunds a day refunds",
        1200,
        900,
    )
    assert benefit().register_entry().planned_value is None  # not money: not summed
