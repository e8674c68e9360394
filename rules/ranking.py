"""The target order of a backlog: scores, tie-breaks, pins, dependencies and guardrails.

:func:`rank_items` turns scored items and the tool's current order into a :class:`Ranking`
in five steps, each of which keeps what the step before decided unless it must not:

1. **Held items keep their index.** An item stays at its exact position in the current order
   when it is in the manual zone (the first ``manual_zone`` items), in an active sprint (with
   ``lock_active_sprint``), done, excluded by a rule, or not scored at all. All other items
   ("flowing") fill the remaining positions, in the order the next steps decide.
2. **Pins.** Items pinned ``top`` come first and items pinned ``bottom`` last, each group in
   its current relative order.
3. **Score, with stability.** The rest are ordered by score, highest first. Ties are broken by
   higher *value* (the score's numerator: the cost of delay ``score * cost`` for WSJF, RICE,
   CD3 and value per cost; the weekly benefit for net value; the score itself for ICE and
   formulas), then lower cost, then the older item (``created``), then the key in natural order
   (``PAY-9`` before ``PAY-10``). With a tolerance, the tie-breaks decide only where the
   current order does not: for new items.

   Stability (DESIGN.md §1): with ``tolerance > 0``, an item only overtakes an item that is
   above it in the current order when its score is higher by more than the tolerance
   (``a - b > tolerance * max(|a|, |b|)``); within the tolerance the current order is kept,
   so score noise never churns the backlog. "Clearly higher" is not transitive (10.0, 10.4 and
   10.8 at 5%: 10.8 clearly beats 10.0 but not 10.4), so the order is built deterministically
   by insertion: items are taken in current order, and each one moves up past the items
   directly above it that it clearly beats and stops at the first one it does not. In the
   example 10.8 stops below 10.4, which stays below 10.0: the current order wins. With
   ``tolerance == 0`` this is a plain sort with the tie-breaks. New items (not in the current
   order) have no order to keep: they start at the bottom, sorted by score, and move up past
   every item they rank above in the plain sort until they meet one they do not.
   A tolerance of 1 (100%) or more keeps the current order of existing items altogether.
   Insertion is done in ``O(n log n)``: the item an insertion stops at is always one that is
   lower (in plain-sort rank) than everything below it, and those items form a sorted stack.
4. **Dependencies.** An item that blocks another (``blocks`` / ``blocked_by``) and ranks below
   it moves up to just above the highest-ranked item it blocks; chains follow (a blocker of a
   blocker moves above both), and this overrides pins and scores because the blocked item
   cannot be done first. A blocker that already ranks higher stays where it is. Cycles are
   broken deterministically: walking items top-down, an edge that would close a cycle is
   ignored. Dependencies on held items do not move anything: the held item is where people
   put it, and the blocker is ranked on its merits.

   Steps 2-4 repeat from the pulled order until it no longer changes (a pulled blocker can
   open a gap that stability had closed), so without ``max_move`` a ranking ranks to itself:
   applying it and ranking again moves nothing.
5. **max_move.** With ``max_move = M > 0`` no existing item ends more than ``M`` positions from
   its current index. The positions are filled top-down; each takes the best-ranked item
   (after step 4) that may go there *and* leaves the remaining items a valid placement. Items
   in current order with windows ``[index - M, index + M]`` can always be placed (everyone
   staying put is valid); the check is that, in current order, the remaining items still fit
   one each into the remaining positions within their windows, kept as an invariant with a
   segment tree, so this is ``O(n log n)`` too. New items are unconstrained.

Every :class:`RankedItem` carries a short ``reason`` ("manual zone", "pinned top by rule
'Incidents first'", "blocks PAY-12", "kept: within tolerance of PAY-7", "capped: max_move 10",
"score 12.4"), and :func:`explain_position` says why an item sits above the next one.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime

from rules.config import GuardrailConfig
from rules.errors import RulesError
from rules.model import RankedItem, Ranking, Score, ScoredItem

#: Reasons of items held at their current index.
MANUAL_ZONE = "manual zone"
ACTIVE_SPRINT = "active sprint"
DONE = "done"
NOT_SCORED = "not scored"
EXCLUDED = "excluded"

#: Models whose score is a value divided by cost, so ``score * cost`` is the value.
_DIVIDED_BY_COST = frozenset({"wsjf", "cd3", "rice", "value_per_cost"})

_NUMBER = re.compile(r"(\d+)")
#: The most passes of pins, stability and dependencies before the order is taken as it is.
_PASSES = 10
_INFINITY = math.inf

PreferenceKey = tuple[float, float, float, float, tuple[object, ...]]


# --------------------------------------------------------------------------- public API


def rank_items(
    scored: Sequence[ScoredItem],
    current_order: Sequence[str],
    guardrails: GuardrailConfig,
    tolerance: float,
) -> Ranking:
    """Rank ``scored`` against ``current_order`` (module docstring: the steps and guardrails).

    Keys in ``current_order`` that are not scored are held in place but not part of the
    result; scored items not in ``current_order`` are new. Ranks are 1-based positions in the
    returned ranking, and ``previous_rank`` is the 1-based position among the scored items of
    ``current_order`` (None for new items), so ``moved_by`` compares like with like.

    Raises:
        RulesError: a key is scored twice or listed twice, or the tolerance is negative.
    """
    by_key = _index(scored, current_order, tolerance)
    existing = set(current_order)
    new = sorted(
        (key for key in by_key if key not in existing), key=lambda k: _preference(by_key[k])
    )
    base = [*current_order, *new]
    held = _held(base, by_key, existing, guardrails)
    flowing = [key for key in base if key not in held]
    desired, reasons = _desired_order(flowing, by_key, set(new), tolerance)
    final = desired
    if guardrails.max_move > 0:
        final = _cap_moves(desired, base, held, set(new), guardrails.max_move, reasons)
    return _ranking(base, held, final, by_key, current_order, reasons)


#: The reason of an item that stays below a neighbour whose score it does not clearly beat.
KEPT = "kept: within tolerance of "


def reason_for_move(ranked: RankedItem) -> str:
    """The item's reason in words that fit a move (a reorder diff, a digest's movers).

    "kept: within tolerance of X" explains why an item did not pass X; beside a move of dozens
    of places it reads as if the item had stayed put, so it is said as the score that moved it
    and the neighbour it stops below.
    """
    parts = []
    for part in ranked.reason.split("; ") if ranked.reason else ():
        if part.startswith(KEPT):
            anchor = part.removeprefix(KEPT)
            part = f"score {_number(ranked.score.value)}, stops below {anchor} (within tolerance)"
        parts.append(part)
    return "; ".join(parts)


def explain_position(ranking: Ranking, key: str) -> str:
    """Why the item ``key`` sits above the next one in ``ranking``, in one sentence.

    It names the deciding fact: a guardrail that holds either item, a pin, a dependency, the
    max_move cap, the scores, the tie-break that decided between equal scores, or stability
    (scores within the tolerance keep the current order).

    Raises:
        RulesError: ``key`` is not in the ranking.
    """
    items = ranking.items
    index = next((i for i, ranked in enumerate(items) if ranked.key == key), None)
    if index is None:
        raise RulesError(f"{key} is not in the ranking; only open, scored items are ranked")
    upper = items[index]
    if index == len(items) - 1:
        return f"{upper.key} is last of {len(items)} ranked items ({upper.reason})."
    lower = items[index + 1]
    cap = next((p for r in items for p in r.reason.split("; ") if p.startswith("capped")), None)
    return f"{upper.key} sits above {lower.key}: {_because(upper, lower, cap)}."


def preference_key(entry: ScoredItem) -> PreferenceKey:
    """The plain-sort key: score descending, then higher value, lower cost, older, key order."""
    return _preference(entry)


# --------------------------------------------------------------------------- inputs


def _index(
    scored: Sequence[ScoredItem], current_order: Sequence[str], tolerance: float
) -> dict[str, ScoredItem]:
    if not tolerance >= 0:
        raise RulesError(f"the tolerance must be 0 or more, not {tolerance}")
    by_key: dict[str, ScoredItem] = {}
    for entry in scored:
        if entry.key in by_key:
            raise RulesError(f"{entry.key} is scored twice; each item may be ranked once")
        by_key[entry.key] = entry
    if len(set(current_order)) != len(current_order):
        counts = Counter(current_order)
        twice = sorted(key for key, count in counts.items() if count > 1)
        raise RulesError(f"the current order lists {', '.join(twice)} more than once")
    return by_key


def _score_of(entry: ScoredItem) -> float:
    value = entry.score.value
    return -_INFINITY if math.isnan(value) else value


def _value_and_cost(score: Score) -> tuple[float, float]:
    """The tie-break value (the score's numerator) and cost of a score, from its terms."""
    terms = {term.name: term.value for term in score.terms}
    cost = terms.get("cost")
    if score.model in _DIVIDED_BY_COST and cost is not None:
        value = score.value * cost
    else:
        value = (
            terms.get("benefit_per_week", score.value)
            if score.model == "net_value"
            else score.value
        )
    value = -_INFINITY if math.isnan(value) else value
    return value, (_INFINITY if cost is None or math.isnan(cost) else cost)


def _created_of(moment: datetime | None) -> float:
    """Seconds since the epoch; unknown dates sort last (as the newest)."""
    if moment is None:
        return _INFINITY
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.timestamp()


def natural_key(key: str) -> tuple[object, ...]:
    """``PAY-9`` before ``PAY-10``: digits compare as numbers; the key itself breaks ties."""
    parts = _NUMBER.split(key)
    # re.split with a group alternates text and digits, so equal indexes hold equal types
    pieces = tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
    return (pieces, key)


def _preference(entry: ScoredItem) -> PreferenceKey:
    value, cost = _value_and_cost(entry.score)
    return (
        -_score_of(entry),
        -value,
        cost,
        _created_of(entry.item.created),
        natural_key(entry.key),
    )


# --------------------------------------------------------------------------- step 1: held


def _excluded_reason(score: Score) -> str:
    rule = next((e.rule for e in score.rules_fired if "excluded" in e.change), None)
    return f"{EXCLUDED} by rule '{rule}'" if rule else EXCLUDED


def _held(
    base: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    existing: Collection[str],
    guardrails: GuardrailConfig,
) -> dict[str, str]:
    held: dict[str, str] = {}
    for index, key in enumerate(base):
        entry = by_key.get(key)
        if entry is None:
            held[key] = NOT_SCORED
        elif key in existing and index < guardrails.manual_zone:
            held[key] = MANUAL_ZONE
        elif guardrails.lock_active_sprint and entry.item.in_active_sprint:
            held[key] = ACTIVE_SPRINT
        elif entry.item.is_done:
            held[key] = DONE
        elif entry.score.excluded:
            held[key] = _excluded_reason(entry.score)
    return held


# --------------------------------------------------------------------------- steps 2 and 3


def _pin_reason(score: Score) -> str:
    rule = None
    for effect in score.rules_fired:
        if f"pinned to the {score.pin}" in effect.change:
            rule = effect.rule
    return f"pinned {score.pin} by rule '{rule}'" if rule else f"pinned {score.pin}"


def _pinned_and_sorted(
    flowing: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    new: Collection[str],
    tolerance: float,
    reasons: dict[str, list[str]],
) -> list[str]:
    top = [key for key in flowing if by_key[key].score.pin == "top"]
    bottom = [key for key in flowing if by_key[key].score.pin == "bottom"]
    for key in (*top, *bottom):
        reasons[key].append(_pin_reason(by_key[key].score))
    middle = [key for key in flowing if by_key[key].score.pin is None]
    return [*top, *_stable_order(middle, by_key, new, tolerance, reasons), *bottom]


def clearly_beats(a: float, b: float, tolerance: float) -> bool:
    """Whether score ``a`` is higher than ``b`` by more than the relative ``tolerance``."""
    if a <= b:
        return False
    if math.isinf(a) or math.isinf(b):
        return True
    return a - b > tolerance * max(abs(a), abs(b))


def _cuts(
    middle: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    new: Collection[str],
    tolerance: float,
    rank: Mapping[str, int],
    scores: Sequence[float],
) -> dict[str, int]:
    """Per item, the worst plain rank it does NOT clearly beat; it overtakes only ranks below.

    ``scores`` are the items' scores in plain-sort order (descending), so the items an item
    clearly beats are a suffix of that order (for a tolerance below 1), found by bisection.
    """
    cuts: dict[str, int] = {}
    last = len(scores) - 1
    for key in middle:
        if key in new or tolerance == 0:
            cuts[key] = rank[key]
            continue
        if tolerance >= 1:
            cuts[key] = last
            continue
        score = _score_of(by_key[key])
        low, high = rank[key], len(scores)  # first index that it clearly beats, in [low, high]
        while low < high:
            mid = (low + high) // 2
            if clearly_beats(score, scores[mid], tolerance):
                high = mid
            else:
                low = mid + 1
        cuts[key] = low - 1
    return cuts


def _stable_order(
    middle: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    new: Collection[str],
    tolerance: float,
    reasons: dict[str, list[str]],
) -> list[str]:
    """Insertion in current order; each item moves up past the items it clearly beats.

    ``records`` holds the items lower (in plain rank) than everything below them, top-down,
    so their plain ranks increase: the item an insertion stops at is the lowest record whose
    rank the newcomer does not clearly beat, found with a bisection. The order itself is a
    linked list, so an insertion costs O(log n) plus list slicing.
    """
    plain = sorted(middle, key=lambda key: _preference(by_key[key]))
    rank = {key: index for index, key in enumerate(plain)}
    scores = [_score_of(by_key[key]) for key in plain]
    cuts = _cuts(middle, by_key, new, tolerance, rank, scores)
    after: dict[str, str | None] = {}
    head: str | None = None
    record_ranks: list[int] = []
    record_keys: list[str] = []
    for key in middle:
        stop = bisect_right(record_ranks, cuts[key]) - 1
        if stop < 0:
            after[key], head = head, key
        else:
            anchor = record_keys[stop]
            after[key], after[anchor] = after[anchor], key
            if rank[key] < rank[anchor]:
                reasons[key].append(f"{KEPT}{anchor}")
        start = bisect_left(record_ranks, rank[key])
        record_ranks[start : stop + 1] = [rank[key]]
        record_keys[start : stop + 1] = [key]
    order: list[str] = []
    at = head
    while at is not None:
        order.append(at)
        at = after[at]
    return order


# --------------------------------------------------------------------------- step 4


def _dependency_edges(
    order: Sequence[str], by_key: Mapping[str, ScoredItem]
) -> dict[str, list[str]]:
    present = set(order)
    edges: dict[str, dict[str, None]] = {}
    for key in order:
        item = by_key[key].item
        for blocked in item.blocks:
            if blocked in present and blocked != key:
                edges.setdefault(key, {})[blocked] = None
        for blocker in item.blocked_by:
            if blocker in present and blocker != key:
                edges.setdefault(blocker, {})[key] = None
    position = {key: index for index, key in enumerate(order)}
    return {
        blocker: sorted(blocked, key=position.__getitem__) for blocker, blocked in edges.items()
    }


def _desired_order(
    flowing: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    new: Collection[str],
    tolerance: float,
) -> tuple[list[str], dict[str, list[str]]]:
    """Steps 2-4, repeated until the order is its own fixpoint (so a second run is a no-op).

    Pins and stable insertion alone give an order that ranks to itself (each item ends
    directly below an item it does not clearly beat). Pulling blockers up can open a gap that
    stability had closed, so the next run would move again; the passes continue from the
    pulled order until nothing changes (in practice two or three passes, bounded by
    ``_PASSES``). Every pass only overtakes clearly beaten items or follows a dependency.
    """
    edges = _dependency_edges(flowing, by_key)
    order = list(flowing)
    pulled_by: dict[str, str] = {}
    for _ in range(_PASSES):
        reasons: dict[str, list[str]] = {key: [] for key in flowing}
        ranked = _pinned_and_sorted(order, by_key, new, tolerance, reasons)
        pulled, anchors = _pull_blockers(ranked, edges)
        pulled_by.update(anchors)
        if not anchors or pulled == order:
            break
        order = pulled
    for key, anchor in pulled_by.items():
        reasons[key].insert(0, f"blocks {anchor}")
    return pulled, reasons


def _pull_blockers(
    order: list[str], edges: Mapping[str, Sequence[str]]
) -> tuple[list[str], dict[str, str]]:
    """Move each blocker to just above the highest-ranked item it blocks (module docstring).

    Each item gets a sort key: ``(position, END)`` if it stays, or its anchor's key with the
    last element replaced by ``(own position, END)`` if it moves, which sorts it after the
    anchor's earlier-placed blockers and directly above the anchor. Keys of blocked items are
    computed first (depth-first); an edge to an item still being computed closes a cycle and
    is ignored.
    """
    if not edges:
        return order, {}
    end = len(order)
    position = {key: index for index, key in enumerate(order)}
    sort_key: dict[str, tuple[int, ...]] = {}
    anchor_of: dict[str, str] = {}
    busy: set[str] = set()
    for root in order:
        if root in sort_key:
            continue
        busy.add(root)
        stack = [(root, iter(edges.get(root, ())))]
        while stack:
            node, pending = stack[-1]
            child = next((t for t in pending if t not in sort_key and t not in busy), None)
            if child is not None:
                busy.add(child)
                stack.append((child, iter(edges.get(child, ()))))
                continue
            stack.pop()
            busy.discard(node)
            own = (position[node], end)
            done = [t for t in edges.get(node, ()) if t in sort_key]
            highest = min(done, key=sort_key.__getitem__, default=None)
            if highest is not None and sort_key[highest] < own:
                sort_key[node] = (*sort_key[highest][:-1], *own)
                anchor_of[node] = highest
            else:
                sort_key[node] = own
    return sorted(order, key=sort_key.__getitem__), anchor_of


# --------------------------------------------------------------------------- step 5


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


def _cap_moves(
    desired: Sequence[str],
    base: Sequence[str],
    held: Collection[str],
    new: Collection[str],
    limit: int,
    reasons: dict[str, list[str]],
) -> list[str]:
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
    _note_capped(desired, keys, placed, (first_slot, last_slot), limit, reasons)
    return placed


def _note_capped(
    desired: Sequence[str],
    keys: Sequence[str],
    placed: Sequence[str],
    windows: tuple[Sequence[int], Sequence[int]],
    limit: int,
    reasons: dict[str, list[str]],
) -> None:
    """Mark items the cap held back: short of their goal, or at the window edge towards it.

    Items pushed aside by others, away from their own goal, keep their other reasons.
    """
    first_slot, last_slot = windows
    was = {key: index for index, key in enumerate(keys)}
    wanted = {key: index for index, key in enumerate(desired)}
    for index, key in enumerate(placed):
        start, goal = was[key], wanted[key]
        if goal < start:
            capped = goal < index <= start or (index == first_slot[start] and index != goal)
        elif goal > start:
            capped = start <= index < goal or (index == last_slot[start] and index != goal)
        else:
            capped = False
        if capped:
            reasons[key].append(f"capped: max_move {limit}")


# --------------------------------------------------------------------------- the result


def _number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _ranking(
    base: Sequence[str],
    held: Mapping[str, str],
    final: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    current_order: Sequence[str],
    reasons: Mapping[str, list[str]],
) -> Ranking:
    order = list(base)
    flowing = iter(final)
    for index, key in enumerate(base):
        if key not in held:
            order[index] = next(flowing)
    previous: dict[str, int] = {}
    for key in current_order:
        if key in by_key:
            previous[key] = len(previous) + 1
    ranked: list[RankedItem] = []
    for key in order:
        entry = by_key.get(key)
        if entry is None:
            continue
        why = held.get(key) or "; ".join(reasons[key])
        if not why:
            why = f"score {_number(entry.score.value)}"
            if key not in previous:
                why = f"new, {why}"
        ranked.append(
            RankedItem(
                item=entry.item,
                score=entry.score,
                rank=len(ranked) + 1,
                previous_rank=previous.get(key),
                reason=why,
            )
        )
    return Ranking(items=tuple(ranked))


# --------------------------------------------------------------------------- explanations


_HOLDS = (MANUAL_ZONE, ACTIVE_SPRINT, DONE, NOT_SCORED, EXCLUDED)


def _is_held(ranked: RankedItem) -> bool:
    return ranked.reason.startswith(_HOLDS)


def _part(ranked: RankedItem, prefix: str) -> str | None:
    return next((p for p in ranked.reason.split("; ") if p.startswith(prefix)), None)


def _tie_break(upper: RankedItem, lower: RankedItem) -> tuple[bool, str] | None:
    """Which tie-break separates two equal scores, and whether it favours ``upper``."""
    up_value, up_cost = _value_and_cost(upper.score)
    low_value, low_cost = _value_and_cost(lower.score)
    if up_value != low_value:
        high, low = _number(max(up_value, low_value)), _number(min(up_value, low_value))
        return up_value > low_value, f"higher value ({high} vs {low})"
    if up_cost != low_cost:
        cheap, dear = _number(min(up_cost, low_cost)), _number(max(up_cost, low_cost))
        return up_cost < low_cost, f"lower cost ({cheap} vs {dear})"
    up_time, low_time = _created_of(upper.item.created), _created_of(lower.item.created)
    if up_time != low_time:
        older, newer = (upper, lower) if up_time < low_time else (lower, upper)
        text = f"older item (created {_day(older.item.created)} vs {_day(newer.item.created)})"
        return up_time < low_time, text
    if upper.key != lower.key:
        upper_first = natural_key(upper.key) < natural_key(lower.key)
        first, second = (upper.key, lower.key) if upper_first else (lower.key, upper.key)
        return upper_first, f"key order ({first} before {second})"
    return None


def _day(moment: datetime | None) -> str:
    return "unknown" if moment is None else moment.date().isoformat()


def _because(upper: RankedItem, lower: RankedItem, cap: str | None) -> str:
    """The deciding fact; ``cap`` is a "capped: max_move N" reason if the run had a cap."""
    for reason in (_guardrail_reason, _pin_or_dependency_reason, _cap_reason):
        text = reason(upper, lower)
        if text is not None:
            return text
    return _score_reason(upper, lower, cap)


def _guardrail_reason(upper: RankedItem, lower: RankedItem) -> str | None:
    if _is_held(upper):
        return f"{upper.key} is held in place ({upper.reason})"
    if _is_held(lower):
        return f"{lower.key} is held in place ({lower.reason}), so the others flow around it"
    return None


def _pin_or_dependency_reason(upper: RankedItem, lower: RankedItem) -> str | None:
    if lower.key in upper.item.blocks or upper.key in lower.item.blocked_by:
        return f"{upper.key} blocks {lower.key}, so it must be done first"
    blocks = _part(upper, "blocks ")
    if blocks is not None:
        return f"{upper.key} {blocks}, so it ranks above it"
    pin_up, pin_low = _part(upper, "pinned top"), _part(lower, "pinned bottom")
    if pin_up is not None and _part(lower, "pinned top") is None:
        return f"{upper.key} is {pin_up}"
    if pin_low is not None and _part(upper, "pinned bottom") is None:
        return f"{lower.key} is {pin_low}"
    if pin_up is not None or pin_low is not None:
        return "both are pinned, and pinned items keep their current order"
    return None


def _cap_reason(upper: RankedItem, lower: RankedItem) -> str | None:
    if lower.score.value <= upper.score.value:
        return None
    high, low = _number(lower.score.value), _number(upper.score.value)
    for held_back in (lower, upper):
        capped = _part(held_back, "capped")
        if capped is not None:
            return (
                f"{lower.key} scores higher ({high} vs {low}), but max_move held "
                f"{held_back.key} back ({capped})"
            )
    return None


def _score_reason(upper: RankedItem, lower: RankedItem, cap: str | None) -> str:
    high, low = _number(upper.score.value), _number(lower.score.value)
    if upper.score.value > lower.score.value:
        return f"it scores higher ({high} vs {low})"
    if upper.score.value == lower.score.value:
        tie = _tie_break(upper, lower)
        if tie is not None and tie[0]:
            return f"equal scores ({high}); tie-break: {tie[1]}"
        return f"equal scores ({high}), so the current order is kept"
    kept = _part(lower, KEPT)
    if kept is None and cap is not None:
        limit = cap.rsplit(" ", 1)[-1]
        return (
            f"{lower.key} scores higher ({low} vs {high}), but under max_move {limit} it could "
            "not take this place this run (places fill top-down with the best item allowed there)"
        )
    if kept is None:
        return f"{lower.key} scores higher ({low} vs {high}) but ranks below it ({lower.reason})"
    if kept.endswith(f" {upper.key}"):
        return (
            f"their scores ({high} vs {low}) are within the tolerance, so the current order is kept"
        )
    other = kept.rsplit(" ", 1)[-1]
    return (
        f"{lower.key} scores {low} vs {high}, but stays below {other}, "
        "whose score is within the tolerance of its own (current order kept)"
    )
