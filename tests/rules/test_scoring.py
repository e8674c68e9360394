"""Scoring models, defaults that are never silent, and rules applied around the score."""

from __future__ import annotations

import math
from datetime import date
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.config import ModelName, RuleSpec, ScoringConfig
from rules.errors import RuleSyntaxError
from rules.model import INPUT_NAMES, Item, Score, ScoreTerm
from rules.ruleset import TIMES, Ruleset, compile_rules
from rules.scoring import FORMULA_RULE, INPUT_HELP, MODEL_DEFAULTS, interpret, score_items

TODAY = date(2026, 5, 4)
NO_RULES = compile_rules([])


def score_one(item: Item, ruleset: Ruleset = NO_RULES, **config: object) -> Score:
    (scored,) = score_items([item], ScoringConfig.model_validate(config), ruleset, TODAY)
    return scored.score


def terms(score: Score) -> dict[str, tuple[float, str]]:
    return {term.name: (term.value, term.source) for term in score.terms}


# --- WSJF -----------------------------------------------------------------------------------


def test_wsjf_divides_cost_of_delay_by_job_size():
    score = score_one(Item(key="A", business_value=8, time_criticality=5, risk_reduction=3, cost=5))
    assert score.model == "wsjf"
    assert score.value == 3.2
    assert score.formula == "(8 + 5 + 3) / 5"
    assert terms(score) == {
        "business_value": (8, "Jira field"),
        "time_criticality": (5, "Jira field"),
        "risk_reduction": (3, "Jira field"),
        "cost": (5, "Jira field"),
    }
    assert score.defaults == ()
    assert not score.needs_estimate


def test_wsjf_defaults_missing_cost_of_delay_parts_to_one_and_lists_them():
    score = score_one(Item(key="A", time_criticality=5, cost=2))
    assert score.value == 3.5  # (1 + 5 + 1) / 2
    assert score.defaults == ("business_value", "risk_reduction")
    assert terms(score)["business_value"] == (1, "default")
    assert "  default used for business_value" in score.explain()


@pytest.mark.parametrize(
    "cost", [None, 0, -3, math.nan], ids=["missing", "zero", "negative", "nan"]
)
def test_an_unusable_cost_becomes_the_default_cost_and_needs_an_estimate(cost):
    item = Item(key="A", business_value=8, time_criticality=5, risk_reduction=3, cost=cost)
    score = score_one(item, default_cost=8)
    assert score.value == 2.0  # 16 / 8, never a division by zero
    assert score.needs_estimate
    assert "cost" in score.defaults
    # a missing estimate is the default; a 0 or negative one says why it was not used
    given = {0: "0 story points", -3: "-3 story points"}.get(cost)  # type: ignore[call-overload]
    expected = f"{given}: cost must be > 0, default_cost used" if given else "default"
    assert terms(score)["cost"] == (8, expected)


def test_a_stakeholder_rating_is_mapped_to_safes_scale_and_averaged_with_business_value():
    item = Item(key="A", business_value=8, time_criticality=5, risk_reduction=3, cost=5)
    score = score_one(item.model_copy(update={"stakeholder_value": 5}))
    assert score.value == 4.4  # ((8 + 20) / 2 + 5 + 3) / 5
    assert score.formula == "((8 + 20 [check-ins 5/5]) / 2 + 5 + 3) / 5"
    assert terms(score)["stakeholder_value"] == (5, "check-ins")
    assert terms(score)["business_value"] == (8, "Jira field")


def test_a_stakeholder_rating_alone_stands_in_for_business_value():
    item = Item(key="A", time_criticality=5, risk_reduction=3, cost=5, stakeholder_value=3)
    score = score_one(item)
    assert score.value == 3.7  # (10.5 + 5 + 3) / 5
    assert "business_value" not in score.defaults
    assert "business_value" not in terms(score)


@pytest.mark.parametrize(("rating", "scaled"), [(1, 1), (2, 5.75), (5, 20)], ids=str)
def test_ratings_map_linearly_from_one_to_five_onto_one_to_twenty(rating, scaled):
    item = Item(key="A", time_criticality=1, risk_reduction=1, cost=1, stakeholder_value=rating)
    assert score_one(item).value == scaled + 2


# --- the other models -----------------------------------------------------------------------


def test_cd3_without_discounting_is_benefit_a_week_over_duration():
    item = Item(key="A", benefit_per_week=1000, cost=5)
    score = score_one(item, model="cd3", discount_rate=0, weeks_per_point=0.2)
    assert score.value == 1000  # 1000 / (5 x 0.2 weeks)
    assert score.formula == f"1000 a week / (5 {TIMES} 0.2 weeks)"


def test_cd3_with_discounting_uses_the_npv_of_the_weekly_benefit():
    item = Item(key="A", benefit_per_week=1000, cost=5)
    score = score_one(item, model="cd3", discount_rate=0.1, horizon_weeks=52, weeks_per_point=0.2)
    npv = sum(1000 / 1.1 ** (week / 52) for week in range(1, 53))
    assert score.value == round(npv / 1.0, 4)
    assert score.formula.startswith("NPV(1000 a week for 52 weeks at 10% a year)")


def test_cd3_without_a_benefit_scores_zero_and_says_so():
    score = score_one(Item(key="A", cost=5), model="cd3")
    assert score.value == 0
    assert score.defaults == ("benefit_per_week",)


def test_rice_is_reach_times_impact_times_confidence_over_effort():
    item = Item(key="A", reach=100, impact=2, confidence=0.8, cost=4)
    score = score_one(item, model="rice")
    assert score.value == 40
    assert score.formula == f"100 {TIMES} 2 {TIMES} 0.8 / 4"


def test_rice_reads_a_confidence_above_one_as_a_percentage():
    item = Item(key="A", reach=100, impact=2, confidence=80, cost=4)
    score = score_one(item, model="rice")
    assert score.value == 40
    assert "0.8 [80%]" in score.formula


def test_rice_defaults_are_the_cautious_end_of_its_scales():
    score = score_one(Item(key="A", cost=5), model="rice")
    assert score.value == 0.025  # 1 x 0.25 x 0.5 / 5
    assert score.defaults == ("reach", "impact", "confidence")


def test_ice_multiplies_impact_confidence_and_ease_and_ignores_cost():
    score = score_one(Item(key="A", impact=5, confidence=7, ease=3), model="ice")
    assert score.value == 105
    assert not score.needs_estimate
    assert "cost" not in terms(score)


def test_ice_defaults_missing_parts_to_one():
    score = score_one(Item(key="A", impact=5), model="ice")
    assert score.value == 5
    assert score.defaults == ("confidence", "ease")


def test_net_value_is_benefit_over_the_horizon_minus_cost():
    item = Item(key="A", benefit_per_week=1000, cost=5)
    score = score_one(item, model="net_value", horizon_weeks=52, cost_per_point=1000)
    assert score.value == 47000


def test_value_per_cost_divides_benefit_by_money_spent():
    item = Item(key="A", benefit_per_week=1000, cost=5)
    score = score_one(item, model="value_per_cost", horizon_weeks=52, cost_per_point=1000)
    assert score.value == 10.4


def test_value_per_cost_without_money_per_point_divides_by_story_points():
    item = Item(key="A", benefit_per_week=1000, cost=5)
    score = score_one(item, model="value_per_cost", horizon_weeks=52, cost_per_point=0)
    assert score.value == 10400


def test_value_per_cost_never_mixes_in_business_value():
    score = score_one(Item(key="A", business_value=20, cost=5), model="value_per_cost")
    assert score.value == 0
    assert score.defaults == ("benefit_per_week",)


# --- custom formula -------------------------------------------------------------------------


def test_a_custom_formula_is_evaluated_with_the_expression_language():
    item = Item(key="A", business_value=8, cost=4, labels=("growth",))
    score = score_one(
        item, model="formula", formula="business_value / cost * (2 if 'growth' in labels else 1)"
    )
    assert score.value == 4
    assert score.formula.endswith("[business_value=8, cost=4]")
    assert terms(score) == {"business_value": (8, "Jira field"), "cost": (4, "Jira field")}


def test_a_custom_formula_gets_defaults_only_for_the_inputs_it_reads():
    score = score_one(Item(key="A"), model="formula", formula="business_value / cost")
    assert score.value == 0.2  # 1 / 5
    assert score.defaults == ("business_value", "cost")
    assert score.needs_estimate


def test_a_custom_formula_that_fails_on_an_item_scores_zero_and_says_why():
    item = Item(key="A", reach=1, cost=3)
    score = score_one(item, model="formula", formula="cost / (reach - 1)")
    assert score.value == 0
    (note,) = score.rules_fired
    assert note.rule == FORMULA_RULE
    assert note.change.startswith("not applied: float division by zero")


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("", "the formula is empty"),
        ("cost +", "invalid syntax"),
        ("summary", "must give a number"),
        ("cost.real", "attribute access"),
        ("busines_value / cost", "did you mean 'business_value'"),
    ],
    ids=["empty", "syntax", "text", "attribute", "misspelt"],
)
def test_a_bad_formula_is_a_rule_syntax_error_named_scoring_formula(formula, reason):
    with pytest.raises(RuleSyntaxError, match=reason) as caught:
        score_one(Item(key="A"), model="formula", formula=formula)
    assert caught.value.name == FORMULA_RULE


# --- rules around the score -----------------------------------------------------------------


SECURITY = RuleSpec(
    name="Security work is time-critical",
    when="'security' in labels",
    set={"time_criticality": "max(time_criticality, 13)"},
)
DEADLINE = RuleSpec(name="Deadline", when="due is not None", multiply="1.5")


def test_rules_change_inputs_before_scoring_and_the_terms_name_the_rule():
    item = Item(key="A", labels=("security",), business_value=8, time_criticality=5, cost=5)
    score = score_one(item, compile_rules([SECURITY]))
    assert score.value == 4.4  # (8 + 13 + 1) / 5
    assert terms(score)["time_criticality"] == (13, "rule 'Security work is time-critical'")
    assert [effect.change for effect in score.rules_fired] == ["time_criticality 5 → 13"]


def test_a_rule_multiplier_applies_after_the_model():
    item = Item(key="A", business_value=8, time_criticality=5, risk_reduction=3, cost=5, due=TODAY)
    score = score_one(item, compile_rules([DEADLINE]))
    assert score.value == 4.8
    assert score.formula == f"(8 + 5 + 3) / 5 {TIMES} 1.5"


def test_pin_and_exclude_are_copied_to_the_score():
    specs = [
        RuleSpec(name="Incidents first", when="type == 'Incident'", pin="top"),
        RuleSpec(name="Spikes out", when="type == 'Spike'", exclude=True),
    ]
    ruleset = compile_rules(specs)
    assert score_one(Item(key="A", type="Incident"), ruleset).pin == "top"
    spike = score_one(Item(key="B", type="Spike"), ruleset)
    assert spike.excluded
    assert spike.pin is None


def test_a_rule_failing_on_an_item_never_stops_scoring():
    failing = RuleSpec(name="Overdue", when="due < today", multiply="2")
    score = score_one(Item(key="A", cost=1), compile_rules([failing]))
    assert score.value == 3
    assert score.rules_fired[0].change.startswith("not applied: when: due is not set")


def test_a_scored_item_keeps_the_item_as_given_not_the_rule_changed_copy():
    item = Item(key="A", labels=("security",), time_criticality=5)
    (scored,) = score_items([item], ScoringConfig(), compile_rules([SECURITY]), TODAY)
    assert scored.item is item
    assert scored.item.time_criticality == 5


def test_scores_come_back_in_input_order_rounded_to_four_decimals():
    items = [Item(key=f"A-{n}", business_value=n, cost=3) for n in range(1, 6)]
    scored = score_items(items, ScoringConfig(), NO_RULES, TODAY)
    assert [entry.key for entry in scored] == [item.key for item in items]
    assert scored[0].score.value == 1.0  # (1 + 1 + 1) / 3
    assert scored[1].score.value == 1.3333


def test_items_that_are_alike_still_get_their_own_keys():
    items = [Item(key="A", cost=3), Item(key="B", cost=3)]
    first, second = score_items(items, ScoringConfig(), NO_RULES, TODAY)
    assert (first.score.key, second.score.key) == ("A", "B")
    assert first.score.terms == second.score.terms


def test_a_score_explains_itself_as_the_interpreter_does():
    """score_items' scores write their explanation when read; it must be the interpreter's."""
    item = Item(key="A", labels=("security",), time_criticality=5, due=TODAY)
    ruleset = compile_rules([SECURITY, DEADLINE])
    (scored,) = score_items([item], ScoringConfig(), ruleset, TODAY)
    expected = interpret(item, ScoringConfig(), ruleset, TODAY)
    assert scored.score == expected
    assert scored.score.explain() == expected.explain()
    assert repr(scored.score) == repr(expected)
    assert hash(scored.score) == hash(expected)
    assert scored.score.model_dump() == expected.model_dump()


def test_a_score_is_immutable_and_copied_with_changes():
    (scored,) = score_items([Item(key="A", cost=3)], ScoringConfig(), NO_RULES, TODAY)
    changed = scored.score.model_copy(update={"value": 9.0})
    assert (changed.value, scored.score.value) == (9.0, 1.0)
    assert changed.formula == scored.score.formula
    with pytest.raises(AttributeError):
        scored.score.value = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        scored.item = Item(key="B")  # type: ignore[misc]


def test_the_rules_that_pinned_and_excluded_an_item_are_named():
    specs = [
        RuleSpec(name="Incidents first", when="type == 'Incident'", pin="top"),
        RuleSpec(name="Parked last", when="'parked' in labels", pin="bottom"),
        RuleSpec(name="Spikes out", when="type == 'Spike'", exclude=True),
        RuleSpec(name="Parked out", when="'parked' in labels", exclude=True),
    ]
    items = [
        Item(key="A", type="Incident"),
        Item(key="B", type="Incident", labels=("parked",)),
        Item(key="C", type="Spike", labels=("parked",)),
        Item(key="D"),
    ]
    scores = [
        entry.score for entry in score_items(items, ScoringConfig(), compile_rules(specs), TODAY)
    ]
    assert [(score.pin, score.pinned_by) for score in scores] == [
        ("top", "Incidents first"),
        ("bottom", "Parked last"),  # the last pin applies
        ("bottom", "Parked last"),
        (None, None),
    ]
    assert [(score.excluded, score.excluded_by) for score in scores] == [
        (False, None),
        (True, "Parked out"),
        (True, "Spikes out"),  # the first exclusion names it
        (False, None),
    ]


def test_a_score_made_by_hand_keeps_its_explanation():
    term = ScoreTerm(name="cost", value=2)
    score = Score(key="A", model="wsjf", value=3, formula="6 / 2", terms=[term], pin="top")
    assert (score.value, score.terms, score.pinned_by) == (3.0, (term,), None)
    assert score.explain() == ["WSJF = 6 / 2 = 3.00", "  cost = 2"]
    with pytest.raises(ValueError, match="pin must be"):
        Score(key="A", model="wsjf", value=3, formula="f", pin="middle")  # type: ignore[arg-type]


def test_every_input_has_one_line_of_help():
    assert set(INPUT_HELP) == set(INPUT_NAMES)
    assert all(text and "\n" not in text for text in INPUT_HELP.values())


def test_every_model_the_config_accepts_has_defaults_for_inputs_that_exist():
    """A model added to the config without defaults would fail at scoring time (a KeyError)."""
    assert set(MODEL_DEFAULTS) == set(get_args(ModelName))
    for model, defaults in MODEL_DEFAULTS.items():
        assert set(defaults) <= set(INPUT_NAMES), model


# --- properties -----------------------------------------------------------------------------

MODELS = ["wsjf", "cd3", "rice", "ice", "net_value", "value_per_cost"]
INPUT = st.one_of(
    st.none(),
    st.sampled_from([0.0, -1.0, math.nan, math.inf, -math.inf]),
    st.floats(min_value=-1e6, max_value=1e6),
)
ITEMS = st.builds(
    Item,
    key=st.just("PAY-1"),
    **dict.fromkeys(INPUT_NAMES, INPUT),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(item=ITEMS, model=st.sampled_from(MODELS))
def test_any_inputs_give_a_finite_score_and_every_missing_input_is_listed(item, model):
    """No division by zero, no NaN, and no silent default, whatever the inputs."""
    score = score_one(item, model=model)
    assert math.isfinite(score.value)
    for term in score.terms:
        given_value = item.input(term.name)
        unusable = given_value is None or not math.isfinite(given_value)
        defaulted = term.source == "default"
        if term.name == "cost":
            # net_value uses 0 points as 0; elsewhere 0 or less is replaced, and said why
            below = given_value is not None and given_value <= 0
            unusable = unusable or (below and not (model == "net_value" and given_value == 0))
            defaulted = defaulted or term.source.endswith("cost must be > 0, default_cost used")
        assert defaulted == unusable, term
        assert (term.name in score.defaults) == unusable, term
    assert isinstance(score.terms, tuple)
    assert all(isinstance(term, ScoreTerm) for term in score.terms)
