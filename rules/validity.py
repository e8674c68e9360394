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
back, and between two starters every item the earlier one's state took in.

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
from bisect import bisect_left
from collections.abc import Callable, Sequence
from functools import partial


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


class _MaxAddTree:
    """Range add and range maximum over a fixed number of integer cells (lazy segment tree)."""

    __slots__ = ("_height", "_pending", "_size", "_top")

    def __init__(self, count: int, empty: int) -> None:
        size, height = 1, 0
        while size < count:
            size, height = size * 2, height + 1
        self._size, self._height = size, height
        self._top = [empty] * (2 * size)
        self._pending = [0] * size

    def _apply(self, node: int, delta: int) -> None:
        self._top[node] += delta
        if node < self._size:
            self._pending[node] += delta

    def _push(self, leaf: int) -> None:
        """Hand pending adds down the path from the root to ``leaf``."""
        pending = self._pending
        for shift in range(self._height, 0, -1):
            node = leaf >> shift
            delta = pending[node]
            if delta:
                self._apply(2 * node, delta)
                self._apply(2 * node + 1, delta)
                pending[node] = 0

    def _rebuild(self, node: int) -> None:
        top, pending = self._top, self._pending
        while node > 1:
            node //= 2
            top[node] = max(top[2 * node], top[2 * node + 1]) + pending[node]

    def add(self, start: int, stop: int, delta: int) -> None:
        """Add ``delta`` to cells ``start <= i < stop``."""
        left, right = start + self._size, stop + self._size
        first, last = left, right - 1
        while left < right:
            if left & 1:
                self._apply(left, delta)
                left += 1
            if right & 1:
                right -= 1
                self._apply(right, delta)
            left //= 2
            right //= 2
        self._rebuild(first)
        self._rebuild(last)

    def maximum(self, start: int, stop: int, best: int) -> int:
        """The maximum of ``best`` and the cells ``start <= i < stop``."""
        if start >= stop:
            return best
        left, right = start + self._size, stop + self._size
        self._push(left)
        self._push(right - 1)
        top = self._top
        while left < right:
            if left & 1:
                best = max(best, top[left])
                left += 1
            if right & 1:
                right -= 1
                best = max(best, top[right])
            left //= 2
            right //= 2
        return best

    def raise_to(self, index: int, value: int) -> None:
        """Set cell ``index`` to ``value`` if that is higher."""
        leaf = index + self._size
        self._push(leaf)
        if value > self._top[leaf]:
            self._top[leaf] = value
            self._rebuild(leaf)

    def best(self) -> int:
        return self._top[1]


def longest_valid(
    scores: Sequence[float], unchanged: Sequence[bool], tolerance: float
) -> list[int]:
    """Indices (ascending) of a heaviest valid subsequence of ``scores`` (module docstring).

    Fewest items moved first; among those, the most items with an ``unchanged`` score kept.
    Among equal choices the item that started its state last wins (deterministic).
    """
    n = len(scores)
    if n == 0:
        return []
    distinct = sorted(set(scores))
    state = {score: index for index, score in enumerate(distinct)}
    floor = [_lowest_not_beaten(score, distinct, tolerance) for score in distinct]
    unit = n + 2  # one kept item outweighs every unchanged bonus together
    mod = n + 1  # the low digits of a packed value: the starter's index + 1 (0: none)
    empty = -(1 << 62)
    tree = _MaxAddTree(len(distinct), empty)
    parent = [-1] * n
    for index, score in enumerate(scores):
        weight = (unit + (1 if unchanged[index] else 0)) * mod
        at = state[score]
        above = tree.maximum(at + 1, len(distinct), 0)
        parent[index] = above % mod - 1
        tree.add(floor[at], at + 1, weight)
        tree.raise_to(at, above - above % mod + weight + index + 1)
    return _rebuild_kept(scores, parent, tree.best() % mod - 1, tolerance)


def _lowest_not_beaten(score: float, distinct: Sequence[float], tolerance: float) -> int:
    """The first index in ascending ``distinct`` whose score ``score`` does not clearly beat."""
    low, high = 0, bisect_left(distinct, score)
    while low < high:
        mid = (low + high) // 2
        if clearly_beats(score, distinct[mid], tolerance):
            low = mid + 1
        else:
            high = mid
    return low


def _rebuild_kept(
    scores: Sequence[float], parent: Sequence[int], last: int, tolerance: float
) -> list[int]:
    """The starters chained back from ``last``, plus what each one's state took in."""
    starters: list[int] = []
    while last >= 0:
        starters.append(last)
        last = parent[last]
    starters.reverse()
    kept: list[int] = []
    for number, starter in enumerate(starters):
        stop = starters[number + 1] if number + 1 < len(starters) else len(scores)
        lowest = scores[starter]
        kept.append(starter)
        kept.extend(
            index
            for index in range(starter + 1, stop)
            if scores[index] >= lowest and not clearly_beats(scores[index], lowest, tolerance)
        )
    return kept


def insertion_gaps(
    kept: Sequence[float], moved: Sequence[tuple[float, int]], tolerance: float
) -> list[int]:
    """Per moved item, the gap among ``kept`` scores (0: above all) where it goes.

    ``moved`` holds ``(score, plain)`` pairs and ``kept`` the kept scores in order; ``plain``
    is how many kept items come before the item in the plain order. The gap is ``plain``
    clamped into the interval where the item is valid against every kept item (module
    docstring: never empty).
    """
    lowest_above = [math.inf]
    for score in kept:
        lowest_above.append(min(lowest_above[-1], score))
    highest_below = [-math.inf] * (len(kept) + 1)
    for index in range(len(kept) - 1, -1, -1):
        highest_below[index] = max(highest_below[index + 1], kept[index])
    gaps = []
    for score, plain in moved:
        low = _first(len(kept), partial(_fits_above, highest_below, score, tolerance))
        high = _first(len(kept), partial(_beats_above, lowest_above, score, tolerance)) - 1
        gaps.append(min(max(plain, low), high))
    return gaps


def _fits_above(highest_below: Sequence[float], score: float, tolerance: float, gap: int) -> bool:
    """Whether nothing kept below ``gap`` clearly beats ``score`` (true from some gap on)."""
    return not clearly_beats(highest_below[gap], score, tolerance)


def _beats_above(lowest_above: Sequence[float], score: float, tolerance: float, gap: int) -> bool:
    """Whether ``score`` clearly beats something kept above ``gap`` (true from some gap on)."""
    return clearly_beats(score, lowest_above[gap], tolerance)


def _first(count: int, holds: Callable[[int], bool]) -> int:
    """The first gap in ``0..count`` where the monotone ``holds`` is true (``count + 1``: none)."""
    low, high = 0, count + 1
    while low < high:
        mid = (low + high) // 2
        if holds(mid):
            high = mid
        else:
            low = mid + 1
    return low
