"""Reorder planning: the fewest Jira rank calls that turn the current order into the target.

One Jira rank call (``PUT /rest/agile/1.0/issue/rank``) moves up to 50 issues, in order,
directly before or after one anchor issue. Items that are never moved keep their relative
order, so they form a common subsequence ``S`` of the current order ``C`` and the target ``T``:
in target order, their positions in ``C`` increase. Every other item is moved. The moved items
between two consecutive kept items (in ``T``) form one *run*; a run of ``L`` items needs
``ceil(L / 50)`` calls, each a chunk of consecutive target items placed before the next kept
item (or after the last kept item, for the run that ends the backlog). The fewest calls is the
minimum of the summed run costs over all such ``S`` (DESIGN.md §4); :func:`plan_moves` finds it
exactly, and among equally cheap plans the one that touches the fewest issues (the issues
its calls carry, :attr:`RankPlan.touched`; Jira writes each one's history and bumps its
``updated``). Every touched issue is in one call, so that is ``n - |S|``: the longest ``S``
among the cheapest. Touched can exceed :attr:`RankPlan.moved` (the issues that change place,
``n`` minus a longest common subsequence): fewer calls may carry issues that could stay.

The dynamic programme over ``T`` (``j`` kept, ``i`` the previous kept item)::

    dp[j] = min over i < j with posC(T[i]) < posC(T[j]) of dp[i] + ceil((j - 1 - i) / 50)

is quadratic as written, too slow for 5,000 items. With ``a = j + 48`` the cost splits into
parts that depend on ``i`` or ``j`` alone, plus a 0/1 term::

    ceil((j - 1 - i) / 50) = a // 50 - i // 50 - [i % 50 > a % 50]

so ``dp[j] = a // 50 + min(v_i - [i % 50 > a % 50])`` with ``v_i = dp[i] - i // 50``, the
minimum over the ``i`` already seen (``i < j``) whose current position is below ``T[j]``'s. Two
Fenwick trees, each two-dimensional (current position x residue ``i % 50``), answer the prefix
minimum for the residues up to ``a % 50`` and above it in ``O(log n * log 50)``, which makes the
planner ``O(n log n)`` and exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rules.errors import PlanInputError
from rules.model import RankMove, RankPlan, longest_increasing

#: The most issues one Jira rank call may carry.
BATCH = 50

#: How many offending keys an error message lists before it says "and N more".
_SHOWN = 10


def apply_moves(order: Sequence[str], moves: Sequence[RankMove]) -> list[str]:
    """Apply rank moves to an in-memory order, exactly as Jira would.

    Each move takes its issues out and puts them, in the given order, directly before or after
    the anchor. In-memory connectors and tests use this to replay a plan.
    """
    result = list(order)
    for move in moves:
        moving = set(move.issues)
        result = [key for key in result if key not in moving]
        index = result.index(move.anchor)
        if move.after is not None:
            index += 1
        result[index:index] = list(move.issues)
    return result


def plan_moves(current: Sequence[str], target: Sequence[str]) -> RankPlan:
    """Plan the fewest rank calls that turn ``current`` into ``target``, exactly.

    The plan is data (functional core): the connector applies ``plan.moves`` in order, and
    :func:`apply_moves` replaying them on ``current`` gives ``target`` exactly. Among plans
    with the fewest calls it picks one that touches the fewest issues, so the diff people approve
    is as small as it can be.

    Raises:
        PlanInputError: the two lists do not hold the same keys, hold a key twice or hold a
            blank key. The message names the offending keys.
    """
    current = list(current)
    target = list(target)
    _check_inputs(current, target)
    moves: tuple[RankMove, ...] = ()
    if current != target:
        kept = _kept_indices(current, target)
        moves = tuple(_moves_for(target, kept))
    return RankPlan(current=tuple(current), target=tuple(target), moves=moves)


def fewest_calls(current: Sequence[str], target: Sequence[str]) -> int:
    """The number of rank calls the best plan needs."""
    return plan_moves(current, target).calls


def lower_bound_calls(current: Sequence[str], target: Sequence[str]) -> int:
    """A quick floor for reports: ``ceil((n - LIS) / 50)``, ignoring how moved items cluster.

    Items never moved keep their relative order, so at most a longest common subsequence
    (here a longest increasing subsequence of current positions in target order) stays put;
    everything else needs a place in some call of at most 50. The plan reaches this floor when
    the out-of-order items sit together in the target; :attr:`RankPlan.naive_calls` (one call
    per moved issue) and :attr:`RankPlan.rerank_all_calls` are the figures above it.

    Raises:
        PlanInputError: as :func:`plan_moves`.
    """
    _check_inputs(current, target)
    position = {key: index for index, key in enumerate(current)}
    return _runs_cost(len(target) - longest_increasing(position[key] for key in target))


# --------------------------------------------------------------------------- validation


def _listed(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:_SHOWN])
    more = len(keys) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _check_inputs(current: Sequence[str], target: Sequence[str]) -> None:
    problems: list[str] = []
    for label, keys in (("current", current), ("target", target)):
        blanks = [str(index) for index, key in enumerate(keys, start=1) if not key.strip()]
        if blanks:
            problems.append(f"the {label} order has a blank key at position {_listed(blanks)}")
        counts = Counter(keys)
        twice = [key for key, count in counts.items() if count > 1 and key.strip()]
        if twice:
            problems.append(f"the {label} order lists {_listed(twice)} more than once")
    in_current, in_target = set(current), set(target)
    only_current = [key for key in dict.fromkeys(current) if key not in in_target and key.strip()]
    only_target = [key for key in dict.fromkeys(target) if key not in in_current and key.strip()]
    if only_current:
        problems.append(f"only in the current order: {_listed(only_current)}")
    if only_target:
        problems.append(f"only in the target order: {_listed(only_target)}")
    if problems:
        raise PlanInputError(
            "cannot plan a reorder: "
            + "; ".join(problems)
            + ". Both orders must hold the same issue keys, each once."
        )


# --------------------------------------------------------------------------- the optimum


def _runs_cost(length: int) -> int:
    return -(-length // BATCH)


class _MinTree2D:
    """Prefix minima over (current position, residue class) with point updates.

    A Fenwick tree of Fenwick trees in one flat list: the outer index is the current position
    (1-based), the inner one a residue class (1-based, ``BATCH`` of them).
    """

    __slots__ = ("_cells", "_size", "_width")

    def __init__(self, size: int, empty: int) -> None:
        self._size = size
        self._width = BATCH + 1
        self._cells = [empty] * ((size + 1) * self._width)

    def lower(self, position: int, residue: int, value: int) -> None:
        cells, width = self._cells, self._width
        outer = position
        while outer <= self._size:
            base = outer * width
            inner = residue
            while inner <= BATCH:
                if value < cells[base + inner]:
                    cells[base + inner] = value
                inner += inner & -inner
            outer += outer & -outer

    def minimum(self, position: int, residue: int, best: int) -> int:
        cells, width = self._cells, self._width
        outer = position
        while outer > 0:
            base = outer * width
            inner = residue
            while inner > 0:
                value = cells[base + inner]
                if value < best:
                    best = value
                inner -= inner & -inner
            outer -= outer & -outer
        return best


def _kept_indices(current: Sequence[str], target: Sequence[str]) -> list[int]:
    """Target indices of the items a cheapest plan leaves in place (never empty).

    Minimises (calls, touched issues) lexicographically. Candidates ``i`` are stored as one
    integer ``((v_i * m - kept_i) * m + i + 1)`` with ``m = n + 2`` so a plain ``min`` compares
    calls first, then prefers more kept items, then the lower index (for determinism).
    """
    n = len(target)
    position = {key: index for index, key in enumerate(current)}
    m = n + 2
    discount = m * m  # one call less, in the packed encoding
    empty = (n + 2) * discount  # above every packed candidate
    # low: residues <= r (no discount); high: residues > r (one call cheaper)
    low = _MinTree2D(n, empty)
    high = _MinTree2D(n, empty)
    calls = [0] * n
    kept = [0] * n
    parent = [-1] * n
    for j, key in enumerate(target):
        r = (j + BATCH - 2) % BATCH  # a % 50 with a = j + 48
        below = position[key]  # Fenwick prefix 1..below = current positions < posC(T[j])
        best_i = -1  # the sentinel before the first item: kept 0, no call yet
        best_cost = _runs_cost(j)
        best_kept = 0
        packed = low.minimum(below, r + 1, empty)
        discounted = high.minimum(below, BATCH - 1 - r, empty)
        for candidate in (packed, discounted - discount if discounted != empty else empty):
            if candidate == empty:
                continue
            i = candidate % m - 1
            cost = calls[i] + _runs_cost(j - 1 - i)
            if (cost, -kept[i]) < (best_cost, -best_kept):
                best_i, best_cost, best_kept = i, cost, kept[i]
        calls[j], kept[j], parent[j] = best_cost, best_kept + 1, best_i
        residue = j % BATCH
        value = calls[j] - j // BATCH
        code = (value * m - kept[j]) * m + j + 1
        low.lower(below + 1, residue + 1, code)
        high.lower(below + 1, BATCH - residue, code)
    best_j = min(range(n), key=lambda j: (calls[j] + _runs_cost(n - 1 - j), -kept[j], j))
    chain: list[int] = []
    at = best_j
    while at >= 0:
        chain.append(at)
        at = parent[at]
    chain.reverse()
    return chain


def _chunks(run: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(run[start : start + BATCH]) for start in range(0, len(run), BATCH)]


def _moves_for(target: Sequence[str], kept: Sequence[int]) -> list[RankMove]:
    """Rank calls for the runs between kept items, in an order that replays to ``target``.

    Chunks of a run go, first chunk first, directly before the next kept item: each lands
    after the chunks placed before it. The run after the last kept item goes after that item,
    last chunk first, for the same reason.
    """
    moves: list[RankMove] = []
    previous = -1
    for index in kept:
        anchor = target[index]
        moves.extend(
            RankMove(issues=chunk, before=anchor) for chunk in _chunks(target[previous + 1 : index])
        )
        previous = index
    last = target[previous]
    moves.extend(
        RankMove(issues=chunk, after=last) for chunk in reversed(_chunks(target[previous + 1 :]))
    )
    return moves
