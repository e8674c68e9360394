"""Rules: loading (every mistake named with rule and line) and applying each kind of effect."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rules.config import RuleSpec
from rules.errors import RuleSyntaxError
from rules.model import Item, RuleEffect
from rules.ruleset import TIMES, compile_rules, format_number

TODAY = date(2026, 5, 4)
REPO = Path(__file__).resolve().parents[2]


def rule(name: str = "R", **fields: Any) -> RuleSpec:
    return RuleSpec(name=name, **fields)


def changes_of(item: Item, *specs: RuleSpec) -> list[str]:
    return [effect.change for effect in compile_rules(specs).apply(item, TODAY).effects]


# --- effects --------------------------------------------------------------------------------


def test_set_replaces_an_input_and_says_from_what_to_what():
    security = rule(
        "Security work is time-critical",
        when="'security' in labels",
        set={"time_criticality": "max(time_criticality, 13)"},
    )
    outcome = compile_rules([security]).apply(
        Item(key="PAY-1", labels=("security",), time_criticality=5), TODAY
    )
    assert outcome.item.time_criticality == 13
    assert outcome.effects == (
        RuleEffect(rule="Security work is time-critical", change="time_criticality 5 → 13"),
    )
    assert outcome.sources == {"time_criticality": "rule 'Security work is time-critical'"}


def test_set_on_a_missing_input_says_it_was_not_set():
    spec = rule(set={"time_criticality": "max(time_criticality, 13)"})
    assert changes_of(Item(key="PAY-1"), spec) == ["time_criticality (not set) → 13"]


def test_set_may_clear_an_input_to_unknown():
    outcome = compile_rules([rule(set={"cost": "None"})]).apply(Item(key="A", cost=8), TODAY)
    assert outcome.item.cost is None
    assert outcome.effects[0].change == "cost 8 → (not set)"


def test_adjust_adds_to_the_current_value():
    spec = rule(when="'compliance' in labels", adjust={"business_value": "3"})
    item = Item(key="PAY-1", labels=("compliance",), business_value=5)
    outcome = compile_rules([spec]).apply(item, TODAY)
    assert outcome.item.business_value == 8
    assert outcome.effects[0].change == "business_value 5 → 8 (+3)"


def test_adjust_treats_a_missing_input_as_zero():
    spec = rule(adjust={"risk_reduction": "2.5"})
    outcome = compile_rules([spec]).apply(Item(key="A"), TODAY)
    assert outcome.item.risk_reduction == 2.5
    assert outcome.effects[0].change == "risk_reduction (not set) → 2.5 (+2.5)"


def test_adjust_can_subtract_with_an_expression():
    spec = rule(adjust={"business_value": "-cost / 2"})
    outcome = compile_rules([spec]).apply(Item(key="A", business_value=8, cost=4), TODAY)
    assert outcome.item.business_value == 6
    assert outcome.effects[0].change == "business_value 8 → 6 (-2)"


def test_multiply_effects_multiply_together():
    specs = [
        rule("Deadline", when="days_until(due) <= 30", multiply="1.5"),
        rule("Stakeholders love it", multiply="coalesce(stakeholder_value, 0) / 2"),
    ]
    item = Item(key="A", due=date(2026, 5, 20), stakeholder_value=4)
    outcome = compile_rules(specs).apply(item, TODAY)
    assert outcome.multiplier == 3.0
    assert [effect.change for effect in outcome.effects] == [
        f"score {TIMES} 1.5",
        f"score {TIMES} 2",
    ]


def test_pin_top_and_a_later_pin_bottom_overrides_it():
    specs = [
        rule("Incidents first", when="type == 'Incident'", pin="top"),
        rule("Parked last", when="'parked' in labels", pin="bottom"),
    ]
    ruleset = compile_rules(specs)
    assert ruleset.apply(Item(key="A", type="Incident"), TODAY).pin == "top"
    both = ruleset.apply(Item(key="B", type="Incident", labels=("parked",)), TODAY)
    assert both.pin == "bottom"
    assert [effect.change for effect in both.effects] == [
        "pinned to the top",
        "pinned to the bottom",
    ]


def test_exclude_marks_the_item_excluded():
    spec = rule("Spikes are not reordered", when="type == 'Spike'", exclude=True)
    outcome = compile_rules([spec]).apply(Item(key="A", type="Spike"), TODAY)
    assert outcome.excluded
    assert outcome.effects == (
        RuleEffect(rule="Spikes are not reordered", change="excluded from ranking"),
    )


def test_a_rule_whose_condition_is_false_does_nothing():
    item = Item(key="A", type="Story", time_criticality=3)
    outcome = compile_rules([rule(when="type == 'Bug'", set={"time_criticality": "20"})]).apply(
        item, TODAY
    )
    assert outcome.item is item
    assert outcome.effects == ()
    assert outcome.multiplier == 1.0
    assert outcome.pin is None
    assert not outcome.excluded


def test_later_rules_see_inputs_changed_by_earlier_rules():
    specs = [
        rule("First", set={"time_criticality": "13"}),
        rule("Second", when="time_criticality >= 13", multiply="2"),
    ]
    outcome = compile_rules(specs).apply(Item(key="A", time_criticality=1), TODAY)
    assert outcome.multiplier == 2


def test_effects_within_one_rule_use_the_values_from_before_the_rule():
    swap = rule("Swap", set={"reach": "impact", "impact": "reach"})
    outcome = compile_rules([swap]).apply(Item(key="A", reach=100, impact=2), TODAY)
    assert (outcome.item.reach, outcome.item.impact) == (2, 100)


def test_applying_rules_leaves_the_original_item_unchanged():
    item = Item(key="A", business_value=5)
    compile_rules([rule(adjust={"business_value": "1"})]).apply(item, TODAY)
    assert item.business_value == 5


def test_rules_can_read_sprint_state_benefit_category_and_dates():
    spec = rule(
        when=(
            "sprint_state is None and benefit_category is None "
            "and days_since(created) is None and today == today"
        ),
        multiply="1.1",
    )
    assert compile_rules([spec]).apply(Item(key="A"), TODAY).multiplier == 1.1


# --- failures while applying ----------------------------------------------------------------


def test_a_rule_that_fails_on_an_item_is_reported_as_not_applied_and_others_still_apply():
    specs = [
        rule("Overdue", when="due < today", set={"time_criticality": "20"}),
        rule("Bugs", when="type == 'Bug'", multiply="2"),
    ]
    outcome = compile_rules(specs).apply(Item(key="PAY-9", type="Bug"), TODAY)
    assert outcome.item.time_criticality is None
    assert outcome.multiplier == 2
    first = outcome.effects[0]
    assert first.rule == "Overdue"
    assert first.change.startswith("not applied: when: due is not set (None)")
    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith("rule 'Overdue' failed on PAY-9: when: due is not set")


def test_a_failing_effect_leaves_the_rules_other_effects_uncommitted():
    spec = rule(
        "Half done",
        set={"reach": "1000", "impact": "reach / cost"},  # cost is missing: fails
        multiply="3",
    )
    outcome = compile_rules([spec]).apply(Item(key="A", reach=5), TODAY)
    assert outcome.item.reach == 5
    assert outcome.multiplier == 1.0
    assert "set impact: cost is not set" in outcome.effects[0].change


def test_an_effect_that_gives_no_number_fails_on_the_item():
    spec = rule("Odd", set={"reach": "coalesce(summary, 1)"})
    outcome = compile_rules([spec]).apply(Item(key="A", summary="hello"), TODAY)
    assert outcome.item.reach is None
    assert "set reach gave 'hello', not a number" in outcome.errors[0]


def test_a_multiplier_of_none_fails_on_the_item():
    spec = rule("Maybe", multiply="stakeholder_value")
    outcome = compile_rules([spec]).apply(Item(key="A"), TODAY)
    assert outcome.multiplier == 1.0
    assert "multiply gave None, not a number" in outcome.errors[0]


# --- loading --------------------------------------------------------------------------------


def load_error(*specs: RuleSpec) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        compile_rules(specs)
    return caught.value


def test_an_unknown_input_in_set_is_named_with_the_closest_input():
    error = load_error(rule("Boost", set={"risk_reduktion": "3"}, line=14))
    assert (error.name, error.line) == ("Boost", 14)
    assert "set: unknown input 'risk_reduktion'; did you mean 'risk_reduction'?" in str(error)


def test_an_unknown_input_in_adjust_is_named():
    error = load_error(rule("Boost", adjust={"valeu": "3"}, line=3))
    assert "adjust: unknown input 'valeu'" in error.reason


def test_a_rule_with_no_effect_is_rejected():
    error = load_error(rule("Idle", when="type == 'Bug'", line=21))
    assert error.line == 21
    assert "no effect" in error.reason


def test_duplicate_rule_names_are_rejected_naming_the_first_line():
    error = load_error(rule("Same", pin="top", line=5), rule("same", pin="bottom", line=9))
    assert error.line == 9
    assert "same name (line 5)" in error.reason


def test_an_input_both_set_and_adjusted_by_one_rule_is_rejected():
    error = load_error(rule("Both", set={"reach": "1"}, adjust={"reach": "1"}))
    assert "reach is both set and adjusted" in error.reason


def test_a_bad_condition_names_the_rule_its_line_and_the_part():
    error = load_error(rule("Sneaky", when="summary.lower() == 'x'", pin="top", line=30))
    assert str(error) == (
        "rule 'Sneaky' (defined at line 30): when: attribute access (a.b) is not allowed "
        "(column 1 of the expression)"
    )


def test_an_import_attempt_is_rejected_at_load():
    error = load_error(rule("Evil", when="__import__('os')", pin="top", line=2))
    assert error.name == "Evil"
    assert error.line == 2
    assert "__import__" in error.reason


def test_an_effect_that_gives_text_is_rejected_at_load():
    error = load_error(rule("Texty", set={"reach": "summary"}))
    assert error.reason == "set reach: gives text, not a number"


def test_a_constant_effect_that_cannot_work_is_rejected_at_load():
    error = load_error(rule("Zero", multiply="1 / 0", line=8))
    assert error.reason == "multiply: division by zero"
    assert error.line == 8


def test_a_multiply_of_none_is_rejected_at_load():
    assert "multiply" in load_error(rule("Nothing", multiply="None")).reason


def test_an_unnamed_rule_is_rejected():
    assert "needs a name" in load_error(rule("  ", pin="top")).reason


def test_no_rules_change_nothing():
    ruleset = compile_rules([])
    item = Item(key="A")
    assert len(ruleset) == 0
    outcome = ruleset.apply(item, TODAY)
    assert outcome.item is item
    assert (outcome.fired, outcome.effects, outcome.multiplier) == ((), (), 1.0)


def test_the_example_config_rules_compile_and_apply():
    example = REPO / "bot" / "examples" / "northstar.example.toml"
    if not example.exists():
        pytest.skip(f"example config absent: {example}")
    specs = [RuleSpec(**spec) for spec in tomllib.loads(example.read_text())["rules"]]
    ruleset = compile_rules(specs)
    incident = Item(key="PAY-1", type="Incident", labels=("security",), due=date(2026, 5, 10))
    outcome = ruleset.apply(incident, TODAY)
    assert outcome.pin == "top"
    assert outcome.multiplier == 1.5
    assert outcome.item.time_criticality == 13


def test_the_outcome_names_the_rules_that_applied_failed_pinned_and_excluded():
    specs = [
        rule("Incidents first", when="type == 'Incident'", pin="top"),
        rule("Overdue", when="due < today", multiply="2"),  # due is not set: fails
        rule("Spikes out", when="type == 'Spike'", exclude=True),
        rule("Everything out", exclude=True),
        rule("Parked last", pin="bottom"),
    ]
    outcome = compile_rules(specs).apply(Item(key="A", type="Incident"), TODAY)
    assert outcome.fired == ("Incidents first", "Everything out", "Parked last")
    assert outcome.failed == ("Overdue",)
    assert (outcome.pin, outcome.pinned_by) == ("bottom", "Parked last")
    assert (outcome.excluded, outcome.excluded_by) == (True, "Everything out")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "(not set)"), (13.0, "13"), (2.5, "2.5"), (1 / 3, "0.3333"), (0.00001, "1e-05")],
    ids=["missing", "whole", "half", "third", "tiny"],
)
def test_numbers_read_as_people_write_them(value, text):
    assert format_number(value) == text


def test_effects_keep_rule_order_around_a_failure_between_rules_that_applied():
    """Applied rules come back from one flat log and failures from a list; both interleave."""
    specs = [
        rule("Urgent", when="type == 'Bug'", set={"time_criticality": "13"}),
        rule("Overdue", when="due < today", pin="top"),  # due is not set: fails
        rule("Boost", when="type == 'Bug'", adjust={"business_value": "2"}, multiply="reach"),
        rule("Last", when="type == 'Bug'", multiply="1.5"),
    ]
    outcome = compile_rules(specs).apply(Item(key="A", type="Bug", reach=2), TODAY)
    assert [effect.rule for effect in outcome.effects] == [
        "Urgent",
        "Overdue",
        "Boost",
        "Boost",
        "Last",
    ]
    assert outcome.effects[2].change == "business_value (not set) → 2 (+2)"
    assert outcome.effects[3].change == f"score {TIMES} 2"
    assert outcome.multiplier == 3.0
    assert (outcome.item.time_criticality, outcome.item.business_value) == (13, 2)
    assert outcome.pin is None
    assert len(outcome.errors) == 1


def test_items_with_different_values_for_a_computed_factor_get_their_own_description():
    ruleset = compile_rules([rule("Reach", multiply="reach")])
    first = ruleset.apply(Item(key="A", reach=2), TODAY)
    second = ruleset.apply(Item(key="B", reach=3), TODAY)
    assert (first.multiplier, second.multiplier) == (2.0, 3.0)
    assert first.effects[0].change == f"score {TIMES} 2"
    assert second.effects[0].change == f"score {TIMES} 3"
