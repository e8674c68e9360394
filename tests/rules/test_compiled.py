"""The generated scoring function against the interpreter, on random items and rulesets.

:func:`rules.scoring.score_items` runs one generated function per ruleset and model
(:mod:`rules.compiled`); :func:`rules.scoring.interpret` runs the rule interpreter and the
written-out model. They must agree on everything: values, pins, exclusions and the rules that
applied or failed, for every model, whatever the inputs (missing, zero, negative, NaN, infinite).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.config import RuleSpec, ScoringConfig
from rules.model import INPUT_NAMES, Item, Sprint, SprintState
from rules.ruleset import Ruleset, compile_rules
from rules.scoring import compiled_scorer, interpret, score_items

TODAY = date(2026, 5, 4)

NUMBER = st.one_of(
    st.none(),
    st.sampled_from([0.0, -1.0, 1.0, 2.0, 5.0, 13.0, 80.0, math.nan, math.inf, -math.inf, 1e308]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)

SPRINTS = st.one_of(
    st.none(),
    st.builds(Sprint, id=st.just(1), name=st.just("S1"), state=st.sampled_from(SprintState)),
)

ITEMS = st.builds(
    Item,
    key=st.from_regex(r"PAY-[1-9][0-9]{0,3}", fullmatch=True),
    type=st.sampled_from(["Story", "Bug", "Incident", "Spike"]),
    labels=st.lists(st.sampled_from(["security", "growth", "parked"]), unique=True).map(tuple),
    priority=st.sampled_from([None, "Highest", "High", "Low"]),
    due=st.one_of(st.none(), st.integers(-40, 40).map(lambda days: TODAY + timedelta(days))),
    created=st.one_of(
        st.none(),
        st.integers(0, 800).map(lambda days: datetime(2024, 6, 1, tzinfo=UTC) + timedelta(days)),
    ),
    sprint=SPRINTS,
    blocks=st.sampled_from([(), ("PAY-3",), ("PAY-3", "PAY-4")]),
    **dict.fromkeys(INPUT_NAMES, NUMBER),
)

CONDITIONS = [
    "True",
    "'security' in labels",
    "type == 'Bug'",
    "type in ('Incident', 'Spike')",
    "priority == 'Highest'",
    "due is not None and days_until(due) <= 30",
    "due < today",  # fails without a due date
    "cost > 3",  # fails without a cost
    "coalesce(stakeholder_value, 0) >= 3",
    "sprint_state == 'active'",
    "days_since(created) > 365",  # fails without a creation date
    "len(blocks) >= 2 and reach is None",
    "time_criticality is not None and time_criticality >= 13",
]
SET_VALUES = ["13", "None", "max(time_criticality, 13)", "reach / cost", "cost * 2", "impact"]
ADJUST_VALUES = ["2", "-1", "business_value / 2", "1e308"]
FACTORS = ["1.5", "0.5", "reach", "coalesce(stakeholder_value, 1) / 2", "cost"]


@st.composite
def rule_specs(draw: st.DrawFn, number: int) -> RuleSpec:
    inputs = st.sampled_from(INPUT_NAMES)
    sets = draw(st.dictionaries(inputs, st.sampled_from(SET_VALUES), max_size=2))
    adjusts = draw(st.dictionaries(inputs, st.sampled_from(ADJUST_VALUES), max_size=2))
    fields: dict[str, Any] = {
        "set": sets,
        "adjust": {name: value for name, value in adjusts.items() if name not in sets},
        "multiply": draw(st.one_of(st.none(), st.sampled_from(FACTORS))),
        "pin": draw(st.sampled_from([None, None, "top", "bottom"])),
        "exclude": draw(st.booleans()),
    }
    if not (fields["set"] or fields["adjust"] or fields["multiply"] or fields["pin"]):
        fields["exclude"] = True  # every rule needs an effect
    return RuleSpec(name=f"Rule {number}", when=draw(st.sampled_from(CONDITIONS)), **fields)


@st.composite
def rulesets(draw: st.DrawFn) -> Ruleset:
    count = draw(st.integers(0, 8))
    return compile_rules([draw(rule_specs(number)) for number in range(count)])


CONFIGS = st.one_of(
    st.builds(
        ScoringConfig,
        model=st.sampled_from(["wsjf", "cd3", "rice", "ice", "net_value", "value_per_cost"]),
        default_cost=st.sampled_from([5.0, 1e-300]),
        discount_rate=st.sampled_from([0.0, 0.1]),
        cost_per_point=st.sampled_from([0.0, 1000.0]),
    ),
    st.builds(
        ScoringConfig,
        model=st.just("formula"),
        formula=st.sampled_from(
            [
                "business_value / cost * (2 if 'growth' in labels else 1)",
                "reach * impact * confidence / cost",
                "cost / (reach - 1)",
                "log(cost) + days_until(today)",
                "stakeholder_value if sprint_state is None else ease",
            ]
        ),
    ),
)


def same_number(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(ITEMS, min_size=1, max_size=8), ruleset=rulesets(), config=CONFIGS)
def test_the_generated_function_agrees_with_the_interpreter(
    items: list[Item], ruleset: Ruleset, config: ScoringConfig
) -> None:
    scored = score_items(items, config, ruleset, TODAY)
    assert [entry.item for entry in scored] == items
    for entry in scored:
        expected = interpret(entry.item, config, ruleset, TODAY)
        score = entry.score
        assert same_number(score.value, expected.value), (score.value, expected.value)
        assert (score.key, score.model, score.needs_estimate) == (
            expected.key,
            expected.model,
            expected.needs_estimate,
        )
        assert (score.pin, score.pinned_by) == (expected.pin, expected.pinned_by)
        assert (score.excluded, score.excluded_by) == (expected.excluded, expected.excluded_by)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=ITEMS, ruleset=rulesets(), config=CONFIGS)
def test_the_generated_function_records_the_rules_the_interpreter_applies(
    item: Item, ruleset: Ruleset, config: ScoringConfig
) -> None:
    """The bits the generated function sets name the same rules as the interpreter's outcome."""
    scorer = compiled_scorer(ruleset, config)

    def record(*made: Any) -> tuple[Any, ...]:
        return made

    ((_, value, _, fired, failed, _),) = scorer.function(
        [item], TODAY, None, record, lambda _item, made: made
    )
    outcome = ruleset.apply(item, TODAY)
    names = [rule.name for rule in ruleset.rules]
    assert tuple(name for index, name in enumerate(names) if fired >> index & 1) == outcome.fired
    assert tuple(name for index, name in enumerate(names) if failed >> index & 1) == outcome.failed
    assert same_number(value, interpret(item, config, ruleset, TODAY).value)
    if not failed:  # what the scores' explanations replay: the same outcome from the record
        assert ruleset.apply(item, TODAY, fired) == outcome


def test_a_sum_that_overflows_fails_the_rule_in_both():
    """A constant ``adjust`` on an infinite or huge input is checked as a computed one is."""
    ruleset = compile_rules([RuleSpec(name="Boost", adjust={"business_value": "1e308"})])
    item = Item(key="A", business_value=1e308, cost=1)
    (scored,) = score_items([item], ScoringConfig(), ruleset, TODAY)
    assert ruleset.apply(item, TODAY).failed == ("Boost",)
    assert scored.score.rules_fired[0].change.startswith("not applied: adjust business_value")
    assert scored.score.value == interpret(item, ScoringConfig(), ruleset, TODAY).value
