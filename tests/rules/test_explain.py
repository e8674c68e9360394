"""Reading a ranking back: the pairs behind ``why``, the by-value view and the summary."""

from __future__ import annotations

import pytest

from rules.config import GuardrailConfig
from rules.errors import RulesError
from rules.explain import by_value, summarize, why
from rules.ranking import rank_items
from rules.reorder import plan_moves
from tests.rules.test_ranking import ACTIVE, entry, rank

FREE = GuardrailConfig(manual_zone=0, max_move=0, lock_active_sprint=True)


def test_why_names_the_item_above_and_why_that_is_allowed():
    ranking = rank([entry("A", 10), entry("B", 10.4)], tolerance=0.05)
    answer = why(ranking, "B", 0.05)
    assert answer.below is not None
    assert (answer.below.upper, answer.below.allowed_by) == ("A", "current order")
    assert "within the tolerance" in answer.below.because
    assert answer.beaten_above == ()


def test_why_lists_items_it_clearly_beats_above_it_with_the_guardrail_that_allows_it():
    entries = [
        entry("S", 1, sprint=ACTIVE),
        entry("P", 2, pin="top", rule="Incidents first"),
        entry("X", 50),
    ]
    ranking = rank(entries, tolerance=0.05)
    assert ranking.keys == ["S", "P", "X"]
    answer = why(ranking, "X", 0.05)
    assert [(p.upper, p.allowed_by) for p in answer.beaten_above] == [
        ("S", "held"),
        ("P", "pinned"),
    ]
    assert answer.beaten_above[1].because == "P is pinned top by rule 'Incidents first'"


def test_why_of_the_first_item_has_nothing_above_it():
    ranking = rank([entry("A", 2), entry("B", 1)])
    assert why(ranking, "A", 0.0).below is None
    with pytest.raises(RulesError, match="NOPE is not in the ranking"):
        why(ranking, "NOPE", 0.0)


def test_the_by_value_view_lists_by_score_with_backlog_rank_and_held_marks():
    entries = [entry("S", 2, sprint=ACTIVE), entry("A", 3), entry("B", 21), entry("C", 1)]
    ranking = rank(entries)
    assert ranking.keys == ["S", "B", "A", "C"]
    rows = by_value(ranking)
    assert [(r.key, r.value_rank, r.backlog_rank, r.mark) for r in rows] == [
        ("B", 1, 2, None),
        ("A", 2, 3, None),
        ("S", 3, 1, "active sprint"),
        ("C", 4, 4, None),
    ]


def test_the_summary_counts_moved_re_scored_optimum_calls_touched_and_capped():
    entries = [entry(key, score) for key, score in zip("ABCDE", [1, 2, 3, 4, 5], strict=True)]
    current = list("ABCDE")
    free = rank_items(entries, current, FREE, 0.0)
    plan = plan_moves(current, free.keys)
    summary = summarize(free, plan)
    assert (summary.moved, summary.optimum, summary.capped) == (4, 4, 0)
    assert summary.rescored == 4  # no score was ever written: every mover counts as re-scored
    assert (summary.calls, summary.touched) == (plan.calls, plan.touched)

    capped = rank_items(entries, current, FREE.model_copy(update={"max_move": 1}), 0.0)
    assert summarize(capped).capped == 4  # A, D, C and E (B reached its place)
    assert summarize(capped).calls is None
