"""A cost of 0 or below is not "no story points": used as 0 where the model allows it, and
explained truthfully where it divides by cost. The generated scorer and the interpreter agree."""

from __future__ import annotations

from datetime import date

import pytest

from rules.config import ScoringConfig
from rules.model import Item
from rules.ruleset import compile_rules
from rules.scoring import interpret, score_items

TODAY = date(2026, 11, 2)
RULES = compile_rules([])


def both(item: Item, config: ScoringConfig):
    """The generated score and the interpreter's, which must say the same."""
    [entry] = score_items([item], config, RULES, TODAY)
    expected = interpret(item, config, RULES, TODAY)
    assert entry.score.value == pytest.approx(expected.value)
    assert entry.score.needs_estimate == expected.needs_estimate
    return entry.score


def test_net_value_uses_zero_story_points_as_zero():
    config = ScoringConfig(model="net_value", horizon_weeks=10, cost_per_point=100)
    score = both(Item(key="NS-1", cost=0, benefit_per_week=50), config)
    assert score.value == pytest.approx(500)
    assert not score.needs_estimate
    assert any(line.startswith("  cost = 0 ") for line in score.explain())


@pytest.mark.parametrize(("cost", "shown"), [(0, "0"), (-3, "-3")])
@pytest.mark.parametrize("model", ["wsjf", "cd3", "rice", "value_per_cost"])
def test_models_that_divide_by_cost_say_why_the_points_were_not_used(model, cost, shown):
    config = ScoringConfig(model=model, default_cost=5)
    score = both(Item(key="NS-1", cost=cost, business_value=8, benefit_per_week=10), config)
    assert score.needs_estimate
    lines = score.explain()
    assert f"  cost = 5 ({shown} story points: cost must be > 0, default_cost used)" in lines
    assert not any("no story points" in line for line in lines)


def test_a_missing_cost_is_still_the_default():
    score = both(Item(key="NS-1", business_value=8), ScoringConfig(model="wsjf", default_cost=5))
    assert score.needs_estimate
    assert "  cost = 5 (default)" in score.explain()
