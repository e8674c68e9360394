"""The ``max_move`` guardrail: no existing item ends more than ``M`` places from its index.

The positions not held are filled top-down; each takes the best-ranked item (in the order
ranking wants) that may go there *and* leaves the remaining items a valid placement. Items in
current order with windows ``[index - M, index + M]`` can always be placed (everyone staying
put is valid); the check is that, in current order, the remaining items still fit one each
into the remaining positions within their windows, kept as an invariant with a segment tree,
so this is ``O(n log n)``. New items are unconstrained.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence


class _SlackTree:
    """Range add and 'first index with value <= t' over a fixed array (min segment tree)."""

    __slots__ = ("_low", "_pending", "_size")

    def __init__(self, values: Sequence[int]) -> None:
        size = 1
        while size < len(values):
            size *= 2
        self._size = size
        huge = 1 << 60
        self._low = [huge] * (2 * size)
        self._pending = [0] * size
        self._low[size : size + len(values)] = values
        for node in range(size - 1, 0, -1):
            self._low[node] = min(self._low[2 * node], self._low[2 * node + 1])

    def _rebuild(self, node: int) -> None:
        low, pending = self._low, self._pending
        while node > 1:
            node //= 2
            low[node] = min(low[2 * node], low[2 * node + 1]) + pending[node]

    def _bump(self, node: int, delta: int) -> None:
        self._low[node] += delta
        if node < self._size:
            self._pending[node] += delta

    def add(self, start: int, stop: int, delta: int) -> None:
        """Add ``delta`` to indices ``start <= i < stop``."""
        if start >= stop:
            return
        left, right = start + self._size, stop + self._size
        first, last = left, right - 1
        while left < right:
            if left & 1:
                self._bump(left, delta)
                left += 1
            if right & 1:
                right -= 1
                self._bump(right, delta)
            left //= 2
            right //= 2
        self._rebuild(first)
        self._rebuild(last)

    def remove(self, index: int) -> None:
        """Take index out of every later search (its value becomes huge)."""
        node = index + self._size
        self._low[node] = 1 << 60
        self._rebuild(node)

    def first_at_most(self, limit: int) -> int | None:
        if self._low[1] > limit:
            return None
        node, carried = 1, 0
        while node < self._size:
            carried += self._pending[node]
            node = 2 * node if self._low[2 * node] + carried <= limit else 2 * node + 1
        return node - self._size


class _MinTree:
    """Range minimum with point removal (the best-ranked remaining item in an index range)."""

    __slots__ = ("_low", "_size")

    def __init__(self, values: Sequence[int]) -> None:
        size = 1
        while size < len(values):
            size *= 2
        self._size = size
        self._low = [1 << 60] * (2 * size)
        self._low[size : size + len(values)] = values
        for node in range(size - 1, 0, -1):
            self._low[node] = min(self._low[2 * node], self._low[2 * node + 1])

    def remove(self, index: int) -> None:
        node = index + self._size
        low = self._low
        low[node] = 1 << 60
        while node > 1:
            node //= 2
            low[node] = min(low[2 * node], low[2 * node + 1])

    def minimum(self, start: int, stop: int) -> int:
        """The minimum over ``start <= i < stop`` (huge when empty)."""
        low, best = self._low, 1 << 60
        left, right = start + self._size, stop + self._size
        while left < right:
            if left & 1:
                best = min(best, low[left])
                left += 1
            if right & 1:
                right -= 1
                best = min(best, low[right])
            left //= 2
            right //= 2
        return best


def _windows(
    base: Sequence[str], held: Collection[str], new: Collection[str], limit: int
) -> tuple[list[str], list[int], list[int]]:
    """Flowing keys in current order and, per key, the first and last slot it may take."""
    slots = [index for index, key in enumerate(base) if key not in held]
    keys = [base[index] for index in slots]
    last = len(slots) - 1
    first_slot, last_slot = [], []
    for key, position in zip(keys, slots, strict=True):
        if key in new:
            first_slot.append(0)
            last_slot.append(last)
        else:
            first_slot.append(bisect_left(slots, position - limit))
            last_slot.append(bisect_right(slots, position + limit) - 1)
    return keys, first_slot, last_slot


def cap_moves(
    desired: Sequence[str],
    base: Sequence[str],
    held: Collection[str],
    new: Collection[str],
    limit: int,
) -> tuple[list[str], set[str]]:
    """Fill the flowing slots top-down with the best item that keeps the rest placeable.

    In slot terms (the positions not held), the remaining items taken in current order must
    fit one per remaining slot: the ``j``-th remaining item (``j`` from 0) in slot ``t + j``
    needs ``last_slot >= t + j``. Taking item ``x`` for slot ``t`` shifts the items before it
    in current order down one slot, so every one of them needs slack; ``x`` may therefore be
    any released item (``first_slot <= t``) up to the first one without slack. The slack
    ``last_slot - j`` of every remaining item lives in a segment tree.
    """
    keys, first_slot, last_slot = _windows(base, held, new, limit)
    count = len(keys)
    wanted = {key: index for index, key in enumerate(desired)}
    slack = _SlackTree([last_slot[k] - k for k in range(count)])
    best = _MinTree([wanted[key] for key in keys])
    slot_of = {key: index for index, key in enumerate(keys)}
    first_new = next((k for k, key in enumerate(keys) if key in new), count)
    released = -1  # the last item in current order (not new) with first_slot <= t
    placed: list[str] = []
    for slot in range(count):
        while released + 1 < first_new and first_slot[released + 1] <= slot:
            released += 1
        tight = slack.first_at_most(slot)
        bound = count - 1 if tight is None else tight
        choice = best.minimum(0, min(bound, released) + 1)
        if bound >= first_new:
            choice = min(choice, best.minimum(first_new, bound + 1))
        key = desired[choice]
        index = slot_of[key]
        placed.append(key)
        best.remove(index)
        slack.remove(index)
        slack.add(index + 1, count, 1)
    return placed, _capped(desired, keys, placed, (first_slot, last_slot))


def _capped(
    desired: Sequence[str],
    keys: Sequence[str],
    placed: Sequence[str],
    windows: tuple[Sequence[int], Sequence[int]],
) -> set[str]:
    """The items the cap held back: short of their goal, or at the window edge towards it.

    Items pushed aside by others, away from their own goal, keep their other reasons.
    """
    first_slot, last_slot = windows
    was = {key: index for index, key in enumerate(keys)}
    wanted = {key: index for index, key in enumerate(desired)}
    held_back: set[str] = set()
    for index, key in enumerate(placed):
        start, goal = was[key], wanted[key]
        if goal < start:
            capped = goal < index <= start or (index == first_slot[start] and index != goal)
        elif goal > start:
            capped = start <= index < goal or (index == last_slot[start] and index != goal)
        else:
            capped = False
        if capped:
            held_back.add(key)
    return held_back
