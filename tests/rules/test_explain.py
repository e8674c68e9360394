"""Reading a ranking back: the pairs behind ``why``, the by-value view and the summary."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.config import GuardrailConfig
from rules.errors import RulesError
from rules.explain import (
    Summary,
    _longest_increasing_indices,
    by_value,
    changed_places,
    changed_since,
    summarize,
    summary_text,
    top_by_value,
    why,
    why_lines,
)
from rules.model import ScoredItem, longest_increasing
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


def test_the_by_value_view_leaves_out_items_a_rule_excluded():
    entries = [entry("A", 3), entry("X", 50, excluded=True, rule="Not ours"), entry("B", 1)]
    ranking = rank(entries)
    assert "X" in ranking.keys  # held at its place in the backlog
    assert [row.key for row in by_value(ranking)] == ["A", "B"]
    [(row, ranked)] = top_by_value(ranking, 1)
    assert (row.key, ranked.key, row.value_rank) == ("A", "A", 1)
    assert top_by_value(ranking, 0) == []


def test_why_lines_say_the_pair_above_and_that_nothing_it_beats_sits_above_it():
    ranking = rank([entry("A", 10), entry("B", 10.4)], tolerance=0.05)
    lines = why_lines(why(ranking, "B", 0.05))
    assert lines[0].startswith(
        "It sits below A: their scores (10 vs 10.4) are within the tolerance"
    )
    assert lines[1] == "No item it clearly beats sits above it."
    assert why_lines(why(ranking, "A", 0.05))[0] == "It is first in the ranked backlog."


def test_why_lines_name_each_guarded_exception_and_count_the_rest():
    held = [entry(f"S{n}", 1, sprint=ACTIVE) for n in range(12)]
    ranking = rank([*held, entry("X", 50)], tolerance=0.05)
    lines = why_lines(why(ranking, "X", 0.05), shown=10)
    assert lines[1] == "12 item(s) above it score clearly less; a guardrail allows each:"
    assert lines[2].startswith("- S0 (held): S0 is held in place (active sprint)")
    assert len(lines) == 2 + 10 + 1
    assert lines[-1] == "- ...and 2 more"


def written(scored: ScoredItem, value: float) -> ScoredItem:
    """``scored`` with ``value`` as the score last written to the tool."""
    return ScoredItem(scored.item.model_copy(update={"score": value}), scored.score)


def test_changed_places_are_the_items_the_ranking_moved_and_as_many_as_the_plan_moves():
    # moving A or moving B fixes the order; A was re-scored (10 -> 1), so the ranking moves A,
    # where a plain longest run would keep A (the later one) and name B
    entries = [written(entry("A", 1), 10), written(entry("B", 2), 2)]
    ranking = rank_items(entries, ["A", "B"], FREE, 0.05)
    plan = plan_moves(["A", "B"], ranking.keys)
    assert ranking.keys == ["B", "A"]
    assert changed_places(ranking, plan) == ["A"]
    summary = summarize(ranking, plan)
    assert (summary.moved, summary.rescored, summary.optimum) == (1, 1, 1)
    text = summary_text(summary, len(plan.target))
    assert text.startswith("1 of 2 item(s) move (1 re-scored); the fewest a valid order allows (1)")
    assert f"{plan.calls} Jira rank call(s) touching {plan.touched} issue(s)" in text


def test_changed_places_fall_back_to_a_longest_kept_run_when_the_live_order_differs():
    # the plan's current order is not the one the ranking was made against
    ranking = rank_items(
        [entry(k, s) for k, s in zip("ABC", [3, 2, 1], strict=True)], list("ABC"), FREE, 0.0
    )
    plan = plan_moves(["C", "A", "B"], ranking.keys)
    moved = changed_places(ranking, plan)
    assert moved == ["C"]
    assert len(moved) == plan.moved
    assert summarize(ranking, plan).moved == 1


@given(st.lists(st.integers(0, 30), min_size=0, max_size=40))
def test_the_longest_increasing_indices_are_increasing_and_as_long_as_any(values):
    indices = _longest_increasing_indices(values)
    assert indices == sorted(indices)
    picked = [values[i] for i in indices]
    assert all(a < b for a, b in pairwise(picked))
    assert len(indices) == longest_increasing(values)


def test_the_summary_text_says_when_guardrails_make_moves_differ_from_the_optimum_and_capped():
    summary = Summary(moved=5, rescored=2, optimum=4, capped=1, calls=2, touched=7)
    text = summary_text(summary, 20)
    assert "5 of 20 item(s) move (2 re-scored)" in text
    assert "a valid order needs 4; guardrails account for the rest (items held" in text
    assert "2 Jira rank call(s) touching 7 issue(s)" in text
    assert text.endswith(
        "1 item(s) capped by max_move still sit below an item that clearly beats them."
    )


@given(
    st.lists(st.integers(0, 5), min_size=0, max_size=25),
    st.integers(0, 30),
    st.integers(0, 4),
)
def test_the_top_n_by_value_is_the_start_of_the_whole_by_value_view(scores, count, zone):
    # few distinct scores, so ties (decided by the tie-breaks) are common
    entries = [entry(f"K-{n}", score) for n, score in enumerate(scores)]
    ranking = rank(entries, manual_zone=zone)
    top = top_by_value(ranking, count)
    assert [row for row, _ in top] == by_value(ranking)[:count]
    assert all(row.key == ranked.key for row, ranked in top)


def test_changed_since_counts_only_items_in_both_orders():
    ranking = rank([entry(k, s) for k, s in zip("ABCD", [4, 3, 2, 1], strict=True)])
    # a week ago: C was first, X has since been done, D is new since then
    assert changed_since(["C", "X", "A", "B"], ranking) == ["C"]
    assert changed_since(list("ABCD"), ranking) == []
    assert changed_since([], ranking) == []
