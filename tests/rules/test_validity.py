"""The validity rule: the fewest moves is exact, and re-inserted items always find room."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.validity import Scale, clearly_beats, insertion_gaps, is_valid, longest_valid

#: Scores close enough that 5-10% tolerances make many pairs "within" and many "clear".
SCORES = st.sampled_from([-2.0, 0.0, 1.0, 1.02, 1.05, 1.08, 1.1, 1.2, 1.3, 2.0, 2.1, 5.0])
TOLERANCES = st.sampled_from([0.0, 0.05, 0.1, 0.3])


def brute_force(scores: list[float], unchanged: list[bool], tolerance: float) -> tuple[int, int]:
    """The best (kept, unchanged kept) over every subset, by enumeration."""
    best = (0, 0)
    for size in range(len(scores), -1, -1):
        for chosen in itertools.combinations(range(len(scores)), size):
            if is_valid([scores[i] for i in chosen], tolerance):
                best = max(best, (size, sum(unchanged[i] for i in chosen)))
        if best[0] == size:
            return best
    return best


def quadratic_reference(scores: list[float], tolerance: float) -> int:
    """The longest valid subsequence by the plain recurrence over lowest-score states, O(n^2)."""
    best: dict[float, int] = {}  # lowest score kept so far -> longest valid subsequence
    for score in scores:
        above = max((length for low, length in best.items() if low > score), default=0)
        for low in best:
            if low <= score and not clearly_beats(score, low, tolerance):
                best[low] += 1
        best[score] = max(best.get(score, 0), above + 1)
    return max(best.values(), default=0)


def kept_by(scores: list[float], unchanged: list[bool], tolerance: float) -> list[int]:
    return longest_valid(scores, unchanged, Scale(scores, tolerance))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(SCORES, st.booleans()), max_size=8), TOLERANCES)
def test_the_kept_items_are_valid_and_as_many_as_any_subset_allows(pairs, tolerance):
    scores = [score for score, _ in pairs]
    unchanged = [flag for _, flag in pairs]
    kept = kept_by(scores, unchanged, tolerance)
    assert kept == sorted(set(kept))
    assert is_valid([scores[i] for i in kept], tolerance)
    assert (len(kept), sum(unchanged[i] for i in kept)) == brute_force(scores, unchanged, tolerance)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=-50, max_value=50).map(lambda x: round(x, 1)), max_size=300),
    st.sampled_from([0.0, 0.05, 0.1]),
)
def test_the_kept_count_matches_a_quadratic_reference_up_to_300_items(scores, tolerance):
    kept = kept_by(scores, [True] * len(scores), tolerance)
    assert is_valid([scores[i] for i in kept], tolerance)
    assert len(kept) == quadratic_reference(scores, tolerance)


def test_a_valid_order_keeps_everything():
    scores = [10.0, 10.4, 10.2, 9.9, 5.0, 5.2]
    assert is_valid(scores, 0.05)
    assert kept_by(scores, [True] * 6, 0.05) == list(range(6))


def test_with_no_tolerance_only_a_sorted_subsequence_is_valid():
    scores = [3.0, 1.0, 2.0, 2.0, 0.5]
    assert kept_by(scores, [True] * 5, 0.0) == [0, 2, 3, 4]  # 1.0 moves below the 2.0s


def test_re_scored_items_are_moved_before_unchanged_ones():
    # 10.0 and 10.8 cannot both stay with 10.0 on top; either may move: the re-scored one does
    scores = [10.0, 10.4, 10.8]
    assert kept_by(scores, [True, True, False], 0.05) == [0, 1]
    assert kept_by(scores, [False, True, True], 0.05) == [1, 2]


def test_clearly_beats_is_transitive_on_a_grid():
    """The room-for-every-item argument needs it: two clear gaps make one."""
    grid = [-3.0, -1.0, 0.0, 0.5, 1.0, 1.04, 1.1, 1.2, 2.0, math.inf, -math.inf]
    for tolerance in (0.0, 0.05, 0.1, 0.5, 0.99):
        for a, b, c in itertools.product(grid, repeat=3):
            if clearly_beats(a, b, tolerance) and clearly_beats(b, c, tolerance):
                assert clearly_beats(a, c, tolerance), (a, b, c, tolerance)


def test_a_tolerance_of_one_or_more_beats_nothing():
    assert not clearly_beats(10, -10, 1.0)
    assert not clearly_beats(100, 1, 2.5)


@settings(max_examples=300, deadline=None)
@given(st.lists(SCORES, max_size=7), SCORES, TOLERANCES, st.integers(0, 7))
def test_an_item_inserted_at_its_gap_leaves_a_valid_order(scores, extra, tolerance, plain):
    """The interval is never empty: every kept list and every score, wherever the plain order
    would put it, lands somewhere valid."""
    kept = [scores[i] for i in kept_by(scores, [True] * len(scores), tolerance)]
    scale = Scale([*kept, extra], tolerance)
    [gap] = insertion_gaps(kept, [(extra, min(plain, len(kept)))], scale)
    assert 0 <= gap <= len(kept)
    assert is_valid([*kept[:gap], extra, *kept[gap:]], tolerance)


def test_an_item_goes_where_the_plain_order_says_when_that_is_valid():
    kept = [20.0, 10.0, 5.0]
    scale = Scale([*kept, 10.2, 30.0], 0.05)
    assert insertion_gaps(kept, [(10.2, 1), (30.0, 0)], scale) == [1, 0]
    # the plain order says "after 5" but 10.2 clearly beats 5: clamped to just above it
    assert insertion_gaps(kept, [(10.2, 3)], scale) == [2]


@settings(max_examples=200, deadline=None)
@given(st.lists(SCORES, max_size=12), TOLERANCES)
def test_the_scale_boundaries_are_what_clearly_beating_says(scores, tolerance):
    scale = Scale(scores, tolerance)
    d = scale.distinct
    for at, score in enumerate(d):
        assert scale.floor[at] == min(
            m for m in range(at + 1) if not clearly_beats(score, d[m], tolerance)
        )
        assert scale.ceiling[at] == max(
            m for m in range(at, len(d)) if not clearly_beats(d[m], score, tolerance)
        )
