"""The target order of a backlog: scores, tie-breaks, pins, dependencies and guardrails.

:func:`rank_items` turns scored items and the tool's current order into a :class:`Ranking`
in five steps, each of which keeps what the step before decided unless it must not:

1. **Held items keep their index.** An item stays at its exact position in the current order
   when it is in the manual zone (the first ``manual_zone`` items), in an active sprint (with
   ``lock_active_sprint``), done, excluded by a rule, or not scored at all. All other items
   ("flowing") fill the remaining positions, in the order the next steps decide.
2. **Pins.** Items pinned ``top`` come first and items pinned ``bottom`` last, each group in
   its current relative order.
3. **Score, as a valid order that moves the fewest items.** Item ``b`` clearly beats ``a``
   when ``s_b - s_a > tolerance * max(|s_a|, |s_b|)``; an order is valid when no item sits
   above an item that clearly beats it. The target keeps the longest valid subsequence of the
   current order in place (re-scored items move first among equal choices) and re-inserts the
   others, new items included, where the plain order puts them among the kept items, inside
   the interval validity allows. :mod:`rules.validity` does both, exactly, in ``O(n log n)``,
   and proves the interval is never empty. The plain order is score descending; for new items
   ties are broken by higher *value* (the score's numerator: the cost of delay ``score * cost``
   for WSJF, RICE, CD3 and value per cost; the weekly benefit for net value; the score itself
   for ICE and formulas), then lower cost, then the older item (``created``), then the key in
   natural order (``PAY-9`` before ``PAY-10``); existing items with equal scores keep their
   current order, above new ones. With ``tolerance == 0`` valid means sorted; a tolerance of 1
   (100%) or more keeps the current order of existing items altogether.
4. **Dependencies.** An item that blocks another (``blocks`` / ``blocked_by``) and ranks below
   it moves up to just above the highest-ranked item it blocks; chains follow (a blocker of a
   blocker moves above both), and this overrides pins and scores because the blocked item
   cannot be done first. A blocker that already ranks higher stays where it is. Cycles are
   broken deterministically: walking items top-down, an edge that would close a cycle is
   ignored. Dependencies on held items do not move anything: the held item is where people
   put it, and the blocker is ranked on its merits.

   Steps 2-4 repeat from the pulled order until it no longer changes (a pulled blocker sits
   above items that clearly beat it, so the next pass moves it and the pull puts it back), so
   without ``max_move`` a ranking ranks to itself: applying it and ranking again moves nothing.
5. **max_move.** With ``max_move = M > 0`` no existing item ends more than ``M`` positions from
   its current index (:mod:`rules.capping`). Where the cap leaves an item below one it clearly
   beats, the item's reasons say "capped", so no inversion is silent.

Every :class:`RankedItem` carries typed reasons (:mod:`rules.reasons`: held, pinned, blocks,
kept below, moved, scored, capped), rendered in words in one place; :mod:`rules.explain` reads
a ranking back (why one item sits above another, the by-value view, the summary).

Over 400 lines: the guardrail steps run in one order on shared state; the pieces that stand
alone are in :mod:`rules.validity`, :mod:`rules.capping` and :mod:`rules.reasons`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from rules.capping import cap_moves
from rules.config import GuardrailConfig
from rules.errors import RulesError
from rules.model import Item, Pin, RankedItem, Ranking, Score, ScoredItem
from rules.reasons import (
    Blocks,
    Capped,
    Held,
    KeptBelow,
    Moved,
    Pinned,
    Reason,
    Scored,
    number,
    render_one,
)
from rules.validity import Scale, clearly_beats, insertion_gaps, longest_valid

#: Models whose score is a value divided by cost, so ``score * cost`` is the value.
_DIVIDED_BY_COST = frozenset({"wsjf", "cd3", "rice", "value_per_cost"})

_NUMBER = re.compile(r"(\d+)")
#: The most passes of pins, validity and dependencies before the order is taken as it is.
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
        (key for key in by_key if key not in existing),
        key=lambda k: preference_key(by_key[k].item, by_key[k].score),
    )
    base = [*current_order, *new]
    held = _held(base, by_key, existing, guardrails)
    flowing = [key for key in base if key not in held]
    desired, moved, pulled_by = _desired_order(flowing, by_key, set(new), tolerance)
    final, capped = desired, set[str]()
    if guardrails.max_move > 0:
        final, capped = cap_moves(desired, base, held, set(new), guardrails.max_move)
        capped |= _inverted(final, by_key, pulled_by, tolerance)
    decided = _Decisions(held, moved, pulled_by, capped, guardrails.max_move, tolerance)
    optimum = sum(1 for key in moved if key in existing)
    return _ranking(base, final, by_key, current_order, decided).model_copy(
        update={"optimum": optimum}
    )


def reason_for_move(ranked: RankedItem) -> str:
    """The item's reason in words that fit a move (a reorder diff, a digest's movers).

    "kept: within tolerance of X" explains why an item did not pass X; beside a move of dozens
    of places it reads as if the item had stayed put, so it is said as the score that moved it
    and the neighbour it stops below.
    """
    return "; ".join(
        f"score {number(ranked.score.value)}, stops below {reason.key} (within tolerance)"
        if isinstance(reason, KeptBelow)
        else render_one(reason)
        for reason in ranked.reasons
    )


def preference_key(item: Item, score: Score) -> PreferenceKey:
    """The plain-sort key: score descending, then higher value, lower cost, older, key order."""
    value, cost = value_and_cost(score)
    return (
        -_ranked_value(score.value),
        -value,
        cost,
        created_of(item.created),
        natural_key(item.key),
    )


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


def _ranked_value(value: float) -> float:
    """A missing (NaN) score ranks last."""
    return -_INFINITY if math.isnan(value) else value


def _score_of(entry: ScoredItem) -> float:
    return _ranked_value(entry.score.value)


def value_and_cost(score: Score) -> tuple[float, float]:
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


def created_of(moment: datetime | None) -> float:
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


# --------------------------------------------------------------------------- step 1: held


def _held(
    base: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    existing: Collection[str],
    guardrails: GuardrailConfig,
) -> dict[str, Held]:
    held: dict[str, Held] = {}
    for index, key in enumerate(base):
        entry = by_key.get(key)
        if entry is None:
            held[key] = Held(held="not scored")
        elif key in existing and index < guardrails.manual_zone:
            held[key] = Held(held="manual zone")
        elif guardrails.lock_active_sprint and entry.item.in_active_sprint:
            held[key] = Held(held="active sprint")
        elif entry.item.is_done:
            held[key] = Held(held="done")
        elif entry.score.excluded:
            held[key] = Held(held="excluded", rule=entry.score.excluded_by)
    return held


# --------------------------------------------------------------------------- steps 2 and 3


class _Facts(NamedTuple):
    """Per key, what every pass reads: the score ranked by, the pin, an unchanged score."""

    score: Mapping[str, float]
    pin: Mapping[str, Pin | None]
    unchanged: Collection[str]
    scale: Scale


def _facts(flowing: Sequence[str], by_key: Mapping[str, ScoredItem], tolerance: float) -> _Facts:
    score = {key: _score_of(by_key[key]) for key in flowing}
    return _Facts(
        score=score,
        pin={key: by_key[key].score.pin for key in flowing},
        unchanged={key for key in flowing if not rescored(by_key[key].item, by_key[key].score)},
        scale=Scale(score.values(), tolerance),
    )


def _pinned_and_sorted(
    flowing: Sequence[str], facts: _Facts, new: Collection[str]
) -> tuple[list[str], set[str]]:
    """Pins first and last in current order, the rest valid; and the items step 3 moved."""
    pin = facts.pin
    sides: dict[Pin | None, list[str]] = {"top": [], None: [], "bottom": []}
    for key in flowing:
        sides[pin[key]].append(key)
    top, middle, bottom = sides["top"], sides[None], sides["bottom"]
    order, moved = _valid_order(middle, facts, new)
    return [*top, *order, *bottom], moved


def rescored(item: Item, score: Score) -> bool:
    """Whether ``score`` differs from the one last written to the tool (which keeps 2 decimals).

    An item with no written score counts as re-scored: it is new to ranking.
    """
    return item.score is None or round(item.score, 2) != round(score.value, 2)


def _valid_order(
    middle: Sequence[str], facts: _Facts, new: Collection[str]
) -> tuple[list[str], set[str]]:
    """The valid order of ``middle`` that moves the fewest items, and the items it moves.

    :mod:`rules.validity` keeps a heaviest valid subsequence of the existing items (re-scored
    items move first) and re-inserts the rest, new items included, in plain order: score,
    then current order, new items after existing ones of equal score (they are already
    sorted by the tie-breaks). The gaps come out in that order too (validity's docstring),
    so the kept and moved lists merge in one pass.
    """
    score, scale = facts.score, facts.scale
    scores = [score[key] for key in middle]
    existing = [index for index, key in enumerate(middle) if key not in new] if new else None
    if existing is None:  # no new items: every item is an existing one
        kept_at = longest_valid(scores, [key in facts.unchanged for key in middle], scale)
    else:
        kept_at = [
            existing[index]
            for index in longest_valid(
                [scores[index] for index in existing],
                [middle[index] in facts.unchanged for index in existing],
                scale,
            )
        ]
    is_kept = bytearray(len(middle))
    for index in kept_at:
        is_kept[index] = 1
    # a stable sort of the positions: equal keys keep the current order
    plain_key = (
        [(-s, key in new) for s, key in zip(scores, middle, strict=True)]
        if new
        else [-s for s in scores]
    )
    moved_at: list[int] = []
    before: list[int] = []  # per moved item, the kept items before it in the plain order
    count = 0
    for index in sorted(range(len(middle)), key=plain_key.__getitem__):
        if is_kept[index]:
            count += 1
        else:
            moved_at.append(index)
            before.append(count)
    kept = [middle[index] for index in kept_at]
    moved = [middle[index] for index in moved_at]
    gaps = insertion_gaps(
        [scores[index] for index in kept_at],
        [(scores[index], plain) for index, plain in zip(moved_at, before, strict=True)],
        scale,
    )
    order: list[str] = []
    at = 0
    for gap, key in zip(gaps, moved, strict=True):
        order.extend(kept[at:gap])
        at = max(at, gap)
        order.append(key)
    order.extend(kept[at:])
    return order, set(moved)


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
) -> tuple[list[str], set[str], dict[str, str]]:
    """Steps 2-4, repeated until the order is its own fixpoint (so a second run is a no-op).

    Returns the order, the items the first pass moved (the fewest, against the current
    order) and, per pulled blocker, the item it was pulled above. A pulled blocker sits above
    items that clearly beat it, so the next pass moves it (or them) again and the pull puts
    it back: the passes stop when the pulled order repeats (bounded by ``_PASSES``).
    """
    edges = _dependency_edges(flowing, by_key)
    facts = _facts(flowing, by_key, tolerance)
    order = list(flowing)
    pulled_by: dict[str, str] = {}
    first_moved: set[str] | None = None
    for _ in range(_PASSES):
        # after the first pass new items have a place, as they will when ranked again
        fresh = new if first_moved is None else ()
        ranked, moved = _pinned_and_sorted(order, facts, fresh)
        first_moved = moved if first_moved is None else first_moved
        pulled, anchors = _pull_blockers(ranked, edges)
        pulled_by.update(anchors)
        if not anchors or pulled == order:
            break
        order = pulled
    return pulled, first_moved or set(), pulled_by


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
    # an item that blocks nothing stays at its own position: only blockers are walked
    sort_key: dict[str, tuple[int, ...]] = {}
    anchor_of: dict[str, str] = {}
    busy: set[str] = set()
    for root in sorted(edges, key=position.__getitem__):
        if root in sort_key:
            continue
        busy.add(root)
        stack = [(root, iter(edges[root]))]
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
    keys = [sort_key.get(key) or (index, end) for index, key in enumerate(order)]
    return [order[index] for index in sorted(range(end), key=keys.__getitem__)], anchor_of


# --------------------------------------------------------------------------- step 5


# --------------------------------------------------------------------------- the result


def _inverted(
    order: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    pulled_by: Collection[str],
    tolerance: float,
) -> set[str]:
    """Items left below an item they clearly beat, so no inversion the cap leaves is silent.

    Only the cap leaves such inversions; pins and pulled blockers are exempt by their rules.
    """
    lowest = _INFINITY
    below: set[str] = set()
    for key in order:
        if by_key[key].score.pin is not None or key in pulled_by:
            continue
        score = _score_of(by_key[key])
        if clearly_beats(score, lowest, tolerance):
            below.add(key)
        lowest = min(lowest, score)
    return below


class _Decisions(NamedTuple):
    """What the steps decided, per key, that the reasons report."""

    held: Mapping[str, Held]
    moved: Collection[str]
    pulled_by: Mapping[str, str]
    capped: Collection[str]
    limit: int
    tolerance: float


def _ranking(
    base: Sequence[str],
    final: Sequence[str],
    by_key: Mapping[str, ScoredItem],
    current_order: Sequence[str],
    decided: _Decisions,
) -> Ranking:
    held = decided.held
    flowing = iter(final)
    order = [key if key in held else next(flowing) for key in base]
    previous: dict[str, int] = {}
    for key in current_order:
        if key in by_key:
            previous[key] = len(previous) + 1
    ranked: list[RankedItem] = []
    above: str | None = None  # the flowing item directly above, among the ranked
    for key in order:
        entry = by_key.get(key)
        if entry is None:
            continue
        rank = len(ranked) + 1
        was = previous.get(key)
        if key in held:
            reasons: tuple[Reason, ...] = (held[key],)
        else:
            reasons = _flowing_reasons(entry, rank, was, above, by_key, decided)
            above = key
        ranked.append(
            RankedItem(
                item=entry.item, score=entry.score, rank=rank, previous_rank=was, reasons=reasons
            )
        )
    return Ranking(items=tuple(ranked))


@lru_cache(maxsize=4096)
def _scored(value: float) -> Scored:
    """One shared reason per score: most items only keep their place, and scores repeat."""
    return Scored(score=value)


def _within_above(score: float, above: float, decided: _Decisions) -> bool:
    """Whether a higher ``score`` stays below ``above`` because it is within the tolerance."""
    return above < score and not clearly_beats(score, above, decided.tolerance)


def _flowing_reasons(
    entry: ScoredItem,
    rank: int,
    previous: int | None,
    above: str | None,
    by_key: Mapping[str, ScoredItem],
    decided: _Decisions,
) -> tuple[Reason, ...]:
    """Blocks, pin, then the move (or the neighbour it stays below), then the cap."""
    key, score = entry.key, entry.score
    reasons: list[Reason] = []
    if key in decided.pulled_by:
        reasons.append(Blocks(key=decided.pulled_by[key]))
    if score.pin is not None:
        reasons.append(Pinned(side=score.pin, rule=score.pinned_by))
    elif previous is None or key in decided.moved:
        reasons.append(Moved(previous=previous, rank=rank, score=score.value, below=above))
    elif above is not None and _within_above(_score_of(entry), _score_of(by_key[above]), decided):
        reasons.append(KeptBelow(key=above))
    if key in decided.capped:
        reasons.append(Capped(limit=decided.limit))
    return tuple(reasons) or (_scored(score.value),)
