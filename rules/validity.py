"""The value order's rule: a valid order, reached by moving the fewest items.

Item ``b`` *clearly beats* ``a`` when ``s_b - s_a > t * max(|s_a|, |s_b|)``. An order is
**valid** when no item sits above an item that clearly beats it. From a current order, the
target is the valid order that moves the fewest items: the items kept in place form the
longest subsequence of the current order that is valid by itself, and the others are
re-inserted. Both steps are exact and ``O(n log n)``.

**Keeping.** For ``t < 1`` clearly beating is monotone (it grows with the upper score and falls
with the lower one; the derivatives are at least ``1 - t``), so a subsequence is valid exactly
when each item does not clearly beat the *lowest score kept before it*. The programme walks
the current order with one state per distinct score ``m`` (the lowest score so far) holding
the best weight of a valid subsequence with that minimum. An item of score ``s``

- joins every state ``m`` it does not clearly beat with ``m <= s`` (those are
  ``L(s) <= m <= s``, one range add: joining never hurts, the minimum stays ``m``), and
- starts state ``s`` from the best state ``m > s`` (one range maximum), as the new minimum.

A segment tree over the distinct scores does both in ``O(log n)``. The weight of an item is
``n + 2`` plus 1 when its score did not change, so the optimum keeps the most items and, among
those, moves the re-scored ones first. Each state remembers the item that last started it
(packed into the low digits of its value), which rebuilds the kept set: the starters chained
back, and between two starters every item the earlier one's state took in. Where several kept
sets weigh the same, the deterministic rule is the packing's: the state started by the later
item wins, at every step. (The planner's call count is not consulted between equal sets.)

**Re-inserting.** Clearly beating *is* transitive (two clear gaps add up to more than one
tolerance of the larger score), which guarantees room: in a valid kept list, the items that
clearly beat ``x`` all sit above the items ``x`` clearly beats, so the gaps strictly between
the last of the former and the first of the latter form a non-empty interval where ``x`` is
valid against every kept item. ``x`` goes to the gap the plain order (score, then current
order, new items after) gives it among the kept items, clamped into that interval. The gap,
the interval ends and the plain order all fall as the score falls, so moved items meet one
another in plain order, and a higher score is never placed below a lower one it clearly beats:
the whole result is valid. Exhaustive tests check both claims.

With ``t == 0`` valid means sorted by score (exact ties keep the current order). With
``t >= 1`` nothing clearly beats anything and the current order is kept.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence


def clearly_beats(a: float, b: float, tolerance: float) -> bool:
    """Whether score ``a`` is higher than ``b`` by more than the relative ``tolerance``.

    A tolerance of 1 (100%) or more means no score clearly beats another: the formula stops
    being monotone there, and such a tolerance asks to keep the current order anyway.
    """
    if a <= b or tolerance >= 1:
        return False
    if math.isinf(a) or math.isinf(b):
        return True
    return a - b > tolerance * max(abs(a), abs(b))


def is_valid(scores: Sequence[float], tolerance: float) -> bool:
    """Whether no score in ``scores`` (top first) is clearly beaten by a later one."""
    lowest = math.inf
    for score in scores:
        if clearly_beats(score, lowest, tolerance):
            return False
        lowest = min(lowest, score)
    return True


class Scale:
    """The distinct scores of one ranking, ascending, and what each clearly beats.

    ``floor[i]``: the first index whose score score ``i`` does not clearly beat; ``ceiling[i]``:
    the last index whose score does not clearly beat score ``i``. With these, every validity
    test below is an integer comparison (and bisection runs in C).
    """

    __slots__ = ("ceiling", "distinct", "floor", "index")

    def __init__(self, scores: Iterable[float], tolerance: float) -> None:
        distinct = sorted(set(scores))
        self.distinct = distinct
        self.index = {score: at for at, score in enumerate(distinct)}
        # both boundaries only grow with the score (monotone beating): two moving pointers
        self.floor, self.ceiling = [], []
        low = high = 0
        for at, score in enumerate(distinct):
            while low < at and clearly_beats(score, distinct[low], tolerance):
                low += 1
            high = max(high, at)
            while high + 1 < len(distinct) and not clearly_beats(
                distinct[high + 1], score, tolerance
            ):
                high += 1
            self.floor.append(low)
            self.ceiling.append(high)


def longest_valid(scores: Sequence[float], unchanged: Sequence[bool], scale: Scale) -> list[int]:
    """Indices (ascending) of a heaviest valid subsequence of ``scores`` (module docstring).

    Fewest items moved first; among those, the most items with an ``unchanged`` score kept.
    Among equal choices the item that started its state last wins (deterministic).

    The states live in one segment tree over the distinct scores, kept in two plain lists and
    walked in this loop (the range add in one helper) rather than behind a class's methods: it
    runs once per item and ranking pass and is most of a ranking's time. Adds
    stay at the nodes they cover (no push-down): ``top[node]`` is the maximum of its subtree
    plus ``add[node]``, so a true value is a cell plus the adds of its ancestors. Per item,
    one walk from the root to the item's cell reads the best state above it (the right
    siblings the walk passes) and the adds over the cell; the cell is raised to the new start
    minus the weight, then the weight is added over ``floor..cell`` (raising first and adding
    after gives the same cell as adding first and raising to the start).
    """
    n = len(scores)
    cells = [scale.index[score] for score in scores]
    if _valid_cells(cells, scale):  # the heaviest set is all of them, and only that one
        return list(range(n))
    unit = n + 2  # one kept item outweighs every unchanged bonus together
    mod = n + 1  # the low digits of a packed value: the starter's index + 1 (0: none)
    size, height = 1, 0
    while size < len(scale.distinct):
        size, height = size * 2, height + 1
    top = [-(1 << 62)] * (2 * size)
    add = [0] * (2 * size)  # a leaf's add is also in its top, so leaves' entries go unread
    shifts = range(height - 1, -1, -1)
    parent = [-1] * n
    floor = scale.floor
    heavy, light = (unit + 1) * mod, unit * mod
    for index, at in enumerate(cells):
        # the walk to the cell: the best state above it and the adds over it
        node, carried, above = 1, 0, 0
        for shift in shifts:
            carried += add[node]
            node += node
            if (at >> shift) & 1:
                node += 1
            else:
                right = top[node + 1] + carried
                if right > above:
                    above = right
        starter = above % mod
        parent[index] = starter - 1
        start = above - starter + index + 1 - carried  # the new start, less weight and adds
        if start > top[node]:
            top[node] = start
        weight = heavy if unchanged[index] else light
        _add_over(top, add, floor[at] + size, node, weight)
    return _rebuild_kept(scores, parent, top[1] % mod - 1, scale)


def _valid_cells(cells: Sequence[int], scale: Scale) -> bool:
    """:func:`is_valid` on scale indices: a ranking that is valid already keeps every item."""
    floor, lowest = scale.floor, len(scale.distinct)
    for at in cells:
        if floor[at] > lowest:  # it clearly beats the lowest score above it
            return False
        lowest = min(lowest, at)
    return True


def _add_over(top: list[int], add: list[int], first: int, last: int, weight: int) -> None:
    """Add ``weight`` over the leaves ``first..last``, then refresh both ends' ancestors."""
    left, right = first, last + 1
    first, last = first >> 1, last >> 1
    while left < right:
        if left & 1:
            top[left] += weight
            add[left] += weight
            left += 1
        if right & 1:
            right -= 1
            top[right] += weight
            add[right] += weight
        left >>= 1
        right >>= 1
    # the shared part of the two paths once
    while first:
        low, high = top[2 * first], top[2 * first + 1]
        top[first] = (low if low > high else high) + add[first]
        if last != first:
            low, high = top[2 * last], top[2 * last + 1]
            top[last] = (low if low > high else high) + add[last]
        first >>= 1
        last >>= 1


def _rebuild_kept(
    scores: Sequence[float], parent: Sequence[int], last: int, scale: Scale
) -> list[int]:
    """The starters chained back from ``last``, plus what each one's state took in."""
    starters: list[int] = []
    while last >= 0:
        starters.append(last)
        last = parent[last]
    starters.reverse()
    index_of, floor = scale.index, scale.floor
    kept: list[int] = []
    for number, starter in enumerate(starters):
        stop = starters[number + 1] if number + 1 < len(starters) else len(scores)
        lowest = index_of[scores[starter]]
        kept.append(starter)
        kept.extend(
            index
            for index in range(starter + 1, stop)
            if floor[index_of[scores[index]]] <= lowest <= index_of[scores[index]]
        )
    return kept


def insertion_gaps(
    kept: Sequence[float], moved: Sequence[tuple[float, int]], scale: Scale
) -> list[int]:
    """Per moved item, the gap among ``kept`` scores (0: above all) where it goes.

    ``moved`` holds ``(score, plain)`` pairs and ``kept`` the kept scores in order; ``plain``
    is how many kept items come before the item in the plain order. The gap is ``plain``
    clamped into the interval where the item is valid against every kept item (module
    docstring: never empty). Both interval ends are bisections over the kept items' running
    lowest score above each gap and highest score below it, negated to ascend.
    """
    index_of = scale.index
    no_lowest = len(scale.distinct)  # above the first kept item nothing is lower
    lowest_above = [-no_lowest]
    for score in kept:
        lowest_above.append(max(lowest_above[-1], -index_of[score]))
    highest_below = [1] * (len(kept) + 1)  # below the last kept item nothing is higher
    for at in range(len(kept) - 1, -1, -1):
        highest_below[at] = min(highest_below[at + 1], -index_of[kept[at]])
    gaps = []
    for score, plain in moved:
        at = index_of[score]
        # last gap whose kept items above hold nothing it clearly beats
        high = bisect_right(lowest_above, -scale.floor[at]) - 1
        # first gap whose kept items below hold nothing that clearly beats it
        low = bisect_left(highest_below, -scale.ceiling[at])
        gaps.append(min(max(plain, low), high))
    return gaps
