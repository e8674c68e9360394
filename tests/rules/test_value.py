"""Value delivered counts what an item is worth in the model in use, not its priority score."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from rules.config import ScoringConfig
from rules.digest import make_digest, make_reminder, value_delivered
from rules.model import Item, Ranking, Sprint, SprintState, StatusCategory
from rules.ruleset import compile_rules
from rules.scoring import score_items
from rules.value import item_value, value_unit

TODAY = date(2026, 11, 2)
SPRINT = Sprint(id=1, name="Sprint 1", state=SprintState.ACTIVE)


def scored(model: str, **inputs: float):
    item = Item(key="A-1", **inputs)
    (entry,) = score_items([item], ScoringConfig(model=model), compile_rules([]), TODAY)  # type: ignore[arg-type]
    return entry


def test_wsjf_value_is_the_cost_of_delay_not_the_ratio():
    entry = scored("wsjf", business_value=8, time_criticality=5, risk_reduction=3, cost=8)

    assert entry.score.value == 2  # (8 + 5 + 3) / 8
    assert item_value(entry.score) == 16


def test_wsjf_value_blends_the_stakeholder_rating_as_the_score_does():
    # a 5/5 rating is 20 on SAFe's scale; averaged with business value 8 gives 14
    entry = scored(
        "wsjf", business_value=8, time_criticality=5, risk_reduction=3, stakeholder_value=5, cost=2
    )

    assert item_value(entry.score) == 14 + 5 + 3
    assert item_value(entry.score) == pytest.approx(entry.score.value * 2)


def test_wsjf_defaults_count_as_the_score_counted_them():
    entry = scored("wsjf", cost=3)  # 1 + 1 + 1 by default

    assert item_value(entry.score) == 3


@pytest.mark.parametrize(
    ("model", "inputs", "expected"),
    [
        ("cd3", {"benefit_per_week": 500, "cost": 5}, 500),
        ("net_value", {"benefit_per_week": 200, "cost": 5}, 200),
        ("value_per_cost", {"benefit_per_week": 300, "cost": 5}, 300),
        ("rice", {"reach": 100, "impact": 2, "confidence": 80, "cost": 4}, 160),
        ("rice", {"reach": 100, "impact": 2, "confidence": 0.5, "cost": 4}, 100),
        ("ice", {"impact": 5, "confidence": 4, "ease": 2}, 40),
    ],
    ids=["cd3", "net_value", "value_per_cost", "rice_percent", "rice_share", "ice_score"],
)
def test_each_model_counts_its_own_numerator(model, inputs, expected):
    assert item_value(scored(model, **inputs).score) == pytest.approx(expected)


def test_each_model_names_its_unit():
    assert value_unit("wsjf") == "cost of delay points"
    assert value_unit("cd3") == "benefit a week"
    assert value_unit("formula") == "score"


WEEK_START, WEEK_END = datetime(2026, 10, 26, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)


def small_and_big():
    """The issue's example, both done last week in the sprint: 1 point with cost of delay 20
    scores 20, 20 points with cost of delay 40 score 2."""
    done = {
        "status_category": StatusCategory.DONE,
        "resolved": datetime(2026, 10, 28, tzinfo=UTC),
        "sprint": SPRINT,
        "time_criticality": 0,
        "risk_reduction": 0,
    }
    small = Item(key="S-1", business_value=20, cost=1, **done)
    big = Item(key="B-1", business_value=40, cost=20, **done)
    return score_items([small, big], ScoringConfig(), compile_rules([]), TODAY)


def test_a_big_item_delivers_more_than_a_small_one_with_a_higher_score():
    entries = small_and_big()

    assert [entry.score.value for entry in entries] == [20, 2]
    assert value_delivered(entries, WEEK_START, WEEK_END) == pytest.approx(60)
    reminder = make_reminder(team="t", sprint=SPRINT, scored=entries, goals=())
    assert reminder.committed == pytest.approx(60)
    assert reminder.value_unit == "cost of delay points"


def test_the_digest_lists_what_each_item_delivered_most_first_and_names_the_unit():
    digest = make_digest(
        team="t",
        week="2026-W44",
        start=WEEK_START,
        end=WEEK_END,
        now=WEEK_END,
        zone=UTC,
        goals=(),
        scored=small_and_big(),
        ranking=Ranking(items=()),
        previous_order=(),
    )

    assert [(item.key, item.value) for item in digest.delivered] == [("B-1", 40), ("S-1", 20)]
    assert digest.value_delivered == 60
    assert digest.sprint is not None
    assert (digest.sprint.committed, digest.sprint.delivered) == (60, 60)
    assert digest.value_unit == "cost of delay points"
