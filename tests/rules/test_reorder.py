"""Reorder planning: the fewest rank calls, replayed in memory to give the target exactly.

Three independent checks of optimality: hand-worked examples, an exhaustive breadth-first
search over every possible rank call for tiny backlogs, and the plain quadratic dynamic
programme of DESIGN.md §4 on medium ones.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.errors import PlanInputError, RulesError
from rules.model import RankMove
from rules.reorder import BATCH, apply_moves, fewest_calls, lower_bound_calls, plan_moves


def keys(count: int, prefix: str = "K") -> list[str]:
    return [f"{prefix}-{index}" for index in range(1, count + 1)]


def ceil_div(length: int) -> int:
    return -(-length // BATCH)


def reference_optimum(current: Sequence[str], target: Sequence[str]) -> tuple[int, int]:
    """DESIGN.md §4 as written, O(n²): (fewest calls, fewest moved issues at that cost)."""
    position = {key: index for index, key in enumerate(current)}
    where = [position[key] for key in target]
    n = len(target)
    if n == 0 or list(current) == list(target):
        return (0, 0)
    best: list[tuple[int, int]] = []  # per kept j: (calls so far, -kept so far)
    for j in range(n):
        option = (ceil_div(j), 0)  # j is the first kept item
        for i in range(j):
            if where[i] < where[j]:
                option = min(option, (best[i][0] + ceil_div(j - 1 - i), best[i][1]))
        best.append((option[0], option[1] - 1))
    calls, minus_kept = min((best[j][0] + ceil_div(n - 1 - j), best[j][1]) for j in range(n))
    return calls, n + minus_kept


# --------------------------------------------------------------------------- BFS


def _successors(order: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Every order one rank call can make: an ordered selection placed before/after an anchor.

    Placing before ``R[g]`` or after ``R[g-1]`` of the remaining items ``R`` are the same gap,
    so a gap index stands for both; every gap touches an anchor because ``R`` is never empty.
    """
    n = len(order)
    for size in range(1, min(BATCH, n - 1) + 1):
        for chosen in itertools.permutations(order, size):
            rest = [key for key in order if key not in chosen]
            for gap in range(len(rest) + 1):
                yield (*rest[:gap], *chosen, *rest[gap:])


def _predecessors(order: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Every order from which one rank call gives ``order`` (the moved block is contiguous)."""
    n = len(order)
    for size in range(1, min(BATCH, n - 1) + 1):
        for start in range(n - size + 1):
            block = order[start : start + size]
            rest = order[:start] + order[start + size :]
            for spots in itertools.combinations(range(n), size):
                for arrangement in itertools.permutations(block):
                    result: list[str] = []
                    moved = iter(arrangement)
                    kept = iter(rest)
                    for index in range(n):
                        result.append(next(moved) if index in spots else next(kept))
                    yield tuple(result)


def bfs_calls(current: Sequence[str], target: Sequence[str]) -> int:
    """Fewest rank calls by bidirectional breadth-first search over all orders (tiny n only)."""
    start, goal = tuple(current), tuple(target)
    if start == goal:
        return 0
    forward, backward = {start: 0}, {goal: 0}
    forward_edge, backward_edge = [start], [goal]
    while True:
        expand_forward = len(forward_edge) <= len(backward_edge)
        seen, other = (forward, backward) if expand_forward else (backward, forward)
        edge = forward_edge if expand_forward else backward_edge
        step = _successors if expand_forward else _predecessors
        following: list[tuple[str, ...]] = []
        meet: int | None = None
        for node in edge:
            for neighbour in step(node):
                if neighbour in seen:
                    continue
                seen[neighbour] = seen[node] + 1
                following.append(neighbour)
                if neighbour in other:
                    total = seen[neighbour] + other[neighbour]
                    meet = total if meet is None else min(meet, total)
        if meet is not None:
            return meet
        if expand_forward:
            forward_edge = following
        else:
            backward_edge = following


# --------------------------------------------------------------------------- examples


def moved_to(order: list[str], moving: list[str], before: str) -> list[str]:
    rest = [key for key in order if key not in moving]
    index = rest.index(before)
    return [*rest[:index], *moving, *rest[index:]]


@pytest.mark.parametrize(
    ("current", "target", "expected_calls"),
    [
        (list("ABCD"), list("ABCD"), 0),
        (list("ABCD"), list("DABC"), 1),
        (list("ABCD"), list("BCDA"), 1),
        (list("ABCD"), list("ACBD"), 1),
        (list("ABCDEF"), list("FEDCBA"), 1),
        (list("ABCDEF"), list("BADCFE"), 1),
        (keys(100), list(reversed(keys(100))), 2),
        (keys(120), keys(120)[60:] + keys(120)[:60], 2),
        (keys(200), keys(200)[80:] + keys(200)[:80], 2),
        (keys(300), moved_to(keys(300), keys(300)[150:270], "K-1"), 3),
        (keys(130), keys(130)[-1:] + keys(130)[:-1], 1),
        (["X"], ["X"], 0),
        ([], [], 0),
    ],
    ids=[
        "already_sorted",
        "last_to_top",
        "first_to_bottom",
        "adjacent_swap",
        "reverse_of_six",
        "three_pair_swaps",
        "reverse_of_100",
        "rotate_120_by_60",
        "rotate_200_by_80",
        "120_items_moved_to_the_top",
        "one_item_of_130_to_top",
        "single_item",
        "empty_backlog",
    ],
)
def test_plan_uses_the_fewest_rank_calls(current, target, expected_calls):
    plan = plan_moves(current, target)
    assert plan.calls == expected_calls
    assert apply_moves(current, plan.moves) == target
    assert plan.current == tuple(current)
    assert plan.target == tuple(target)


def test_a_run_longer_than_50_is_split_into_chunks_of_consecutive_target_items():
    current = keys(160)
    target = moved_to(current, current[100:], "K-1")  # 60 items to the top
    plan = plan_moves(current, target)
    assert plan.calls == 2
    assert [len(move.issues) for move in plan.moves] == [50, 10]
    assert all(move.before == "K-1" for move in plan.moves)
    assert plan.moved_keys == current[100:]
    assert apply_moves(current, plan.moves) == target


def test_the_first_item_sent_to_the_bottom_goes_after_the_last_kept_item():
    current = keys(130)
    plan = plan_moves(current, current[1:] + current[:1])
    assert plan.moves == (RankMove(issues=("K-1",), after="K-130"),)


def test_the_run_after_the_last_kept_item_goes_after_it_last_chunk_first():
    """Each chunk lands directly after K-130, so the last chunk must be placed first."""
    current = keys(130)
    target = current[:10] + current[65:] + current[10:65]  # K-11..K-65 (55) to the bottom
    plan = plan_moves(current, target)
    assert plan.calls == 2
    assert [move.after for move in plan.moves] == ["K-130", "K-130"]
    assert [move.issues for move in plan.moves] == [tuple(current[60:65]), tuple(current[10:60])]
    assert apply_moves(current, plan.moves) == target


def test_among_equally_cheap_plans_the_one_moving_fewest_issues_is_chosen():
    """Moving A down or B, C, D up both take one call; moving one issue is the smaller diff."""
    plan = plan_moves(list("ABCDE"), list("BCDAE"))
    assert plan.calls == 1
    assert plan.moved_keys == ["A"]
    assert plan.naive_calls == 1


def test_every_move_has_an_anchor_that_is_not_moved_in_the_same_call():
    current = keys(80)
    target = list(reversed(current))
    plan = plan_moves(current, target)
    for move in plan.moves:
        assert move.anchor not in move.issues
        assert 1 <= len(move.issues) <= BATCH


def test_the_report_figures_compare_the_plan_with_naive_and_rerank_all():
    current = keys(500)
    target = moved_to(current, current[400:], "K-1")
    plan = plan_moves(current, target)
    assert plan.calls == 2
    assert plan.naive_calls == 100
    assert plan.rerank_all_calls == 10
    assert fewest_calls(current, target) == 2
    assert lower_bound_calls(current, target) == 2


def test_the_lower_bound_ignores_that_scattered_items_need_a_call_each():
    """Three neighbour swaps far apart in 200 items: 3 items out of order (floor: 1 call).

    One run covering two swaps would hold about 90 items (2 calls), so a call per swap wins.
    """
    current = keys(200)
    target = list(current)
    for first in (10, 100, 190):
        target[first], target[first + 1] = target[first + 1], target[first]
    assert lower_bound_calls(current, target) == 1
    assert plan_moves(current, target).calls == 3


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (["A", "B"], ["A", "C"], "only in the current order: B; only in the target order: C"),
        (["A", "B", "A"], ["A", "B"], "the current order lists A more than once"),
        (["A", "B"], ["B", "B", "A"], "the target order lists B more than once"),
        (["A", " ", "B"], ["A", "B", " "], "the current order has a blank key at position 2"),
        (["A", ""], ["A", ""], "the target order has a blank key at position 2"),
    ],
    ids=["different_keys", "duplicate_in_current", "duplicate_in_target", "blank", "empty_key"],
)
def test_orders_that_cannot_be_planned_are_refused_with_the_offending_keys(
    current, target, message
):
    with pytest.raises(PlanInputError, match="cannot plan a reorder") as caught:
        plan_moves(current, target)
    assert message in str(caught.value)
    assert isinstance(caught.value, RulesError)


def test_a_long_list_of_offending_keys_is_shortened():
    with pytest.raises(PlanInputError) as caught:
        plan_moves(keys(30), keys(30, "X"))
    assert "K-10 and 20 more" in str(caught.value)


# --------------------------------------------------------------------------- properties


@st.composite
def permutations_with_runs(draw: st.DrawFn, max_size: int = 300) -> tuple[list[str], list[str]]:
    """A backlog and a target: a shuffle, a few moved blocks (long runs), or a reversal."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    current = keys(size)
    kind = draw(st.sampled_from(["shuffle", "blocks", "reverse", "swaps"]))
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    target = list(current)
    if kind == "shuffle":
        rng.shuffle(target)
    elif kind == "reverse":
        target.reverse()
    elif kind == "blocks":
        for _ in range(rng.randint(1, 4)):
            start = rng.randrange(size)
            stop = rng.randint(start, min(size, start + rng.choice([5, 60, 130])))
            block, rest = target[start:stop], target[:start] + target[stop:]
            at = rng.randint(0, len(rest))
            target = rest[:at] + block + rest[at:]
    else:
        for _ in range(rng.randint(1, 6)):
            i, j = rng.randrange(size), rng.randrange(size)
            target[i], target[j] = target[j], target[i]
    return current, target


@settings(max_examples=150, deadline=None)
@given(permutations_with_runs())
def test_replaying_the_plan_gives_the_target_exactly(case):
    current, target = case
    plan = plan_moves(current, target)
    assert apply_moves(current, plan.moves) == target
    assert lower_bound_calls(current, target) <= plan.calls <= plan.rerank_all_calls + 1
    assert plan.calls <= plan.naive_calls


@settings(max_examples=60, deadline=None)
@given(permutations_with_runs(max_size=200))
def test_the_plan_matches_the_quadratic_reference_programme(case):
    current, target = case
    plan = plan_moves(current, target)
    assert (plan.calls, plan.naive_calls) == reference_optimum(current, target)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda size: st.tuples(st.permutations(keys(size)), st.permutations(keys(size)))
    )
)
def test_on_tiny_backlogs_the_plan_is_as_short_as_an_exhaustive_search_finds(case):
    current, target = case
    plan = plan_moves(current, target)
    assert apply_moves(current, plan.moves) == list(target)
    assert plan.calls == bfs_calls(current, target)
    assert plan.calls == reference_optimum(current, target)[0]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_every_permutation_of_a_tiny_backlog_gets_the_exhaustive_optimum(size):
    current = keys(size)
    for target in itertools.permutations(current):
        assert plan_moves(current, target).calls == bfs_calls(current, target), target


def test_the_breadth_first_search_itself_agrees_with_hand_counts():
    assert bfs_calls(list("ABC"), list("ABC")) == 0
    assert bfs_calls(list("ABC"), list("CAB")) == 1
    assert bfs_calls(list("ABCDEF"), list("BADCFE")) == 1  # keep B, E; A D C F between


# --------------------------------------------------------------------------- issues touched


def cheapest_from(current: Sequence[str]) -> dict[tuple[str, ...], tuple[int, int]]:
    """(fewest calls, fewest issues touched at that cost) to every order, over every plan.

    Dijkstra over all orders, one edge per possible rank call, costing (1 call, its size): a
    brute force that allows anything Jira allows, an issue carried twice included.
    """
    start = tuple(current)
    best = {start: (0, 0)}
    frontier = [((0, 0), start)]
    while frontier:
        cost, order = heapq.heappop(frontier)
        if best[order] < cost:
            continue
        for size in range(1, len(order)):
            for chosen in itertools.permutations(order, size):
                rest = [key for key in order if key not in chosen]
                step = (cost[0] + 1, cost[1] + size)
                for gap in range(len(rest) + 1):
                    following = (*rest[:gap], *chosen, *rest[gap:])
                    if following not in best or step < best[following]:
                        best[following] = step
                        heapq.heappush(frontier, (step, following))
    return best


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_among_the_fewest_calls_the_plan_touches_the_fewest_issues_any_plan_could(size):
    current = keys(size)
    for target, (calls, touched) in cheapest_from(current).items():
        plan = plan_moves(current, target)
        assert (plan.calls, plan.touched) == (calls, touched), target


def test_touched_counts_the_issues_the_calls_carry_and_moved_those_that_change_place():
    # one call carries B..E to the top; only A changes place relative to the others
    plan = plan_moves(list("ABCDE"), list("BCDEA"))
    assert (plan.calls, plan.touched, plan.moved) == (1, 1, 1)
    # two swaps: calls come first, so one call carrying B A C D (kept: F) beats two of one
    plan = plan_moves(list("ABCDEF"), list("BACDFE"))
    assert (plan.calls, plan.touched, plan.moved) == (1, 4, 2)
