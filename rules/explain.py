"""Reading a ranking back: why one item sits above another, a by-value view, a summary.

Everything here is computed from a :class:`Ranking` and its typed reasons, never from text,
so ``why``, ``/value top`` and the reorder summary all tell the same story as the ranking.

Over 400 lines: why, the by-value view, the summary and the changed places all read the same
ranking and reasons, and are tested together.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from rules.errors import RulesError
from rules.model import RankedItem, Ranking, RankPlan, longest_increasing
from rules.ranking import (
    PreferenceKey,
    created_of,
    natural_key,
    preference_key,
    rescored,
    value_and_cost,
)
from rules.reasons import Blocks, Capped, Held, Moved, Pinned, number, render_one
from rules.validity import clearly_beats

#: What makes it right for one item to sit above another.
Allowance = Literal[
    "held", "pinned", "blocks", "capped", "higher score", "tie-break", "current order"
]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pair(_View):
    """``upper`` sits above ``lower``; ``allowed_by`` is the deciding fact, ``because`` in words."""

    upper: str
    lower: str
    allowed_by: Allowance
    because: str


class Why(_View):
    """The pairs that matter for one item (``why KEY``).

    ``below`` is the item directly above it and why that is allowed (None: it is first);
    ``beaten_above`` the items it clearly beats that still sit above it, each with the
    guardrail that allows it (without guardrails there are none).
    """

    key: str
    below: Pair | None
    beaten_above: tuple[Pair, ...]


class ValueRow(_View):
    """One item in the by-value view: its place by score and its rank in the backlog."""

    key: str
    score: float
    value_rank: int
    backlog_rank: int
    #: why it is not simply in score order: "manual zone", "pinned top", ... (None: it flows)
    mark: str | None


class Summary(_View):
    """What a ranking changes, for a reorder diff or a digest.

    ``moved``: existing items that change place; ``rescored``: how many of those had a new
    score; ``optimum``: the fewest moves a valid order needs (equal to ``moved`` unless a
    guardrail changed the order: items flowing past a held item change place relative to it,
    and pins, dependencies and ``max_move`` move items too); ``calls`` and ``touched``: the
    Jira rank calls of the plan and the issues they carry (None without a plan); ``capped``:
    items ``max_move`` held back.
    """

    moved: int
    rescored: int
    optimum: int
    capped: int
    calls: int | None = None
    touched: int | None = None


def explain_position(ranking: Ranking, key: str) -> str:
    """Why the item ``key`` sits above the next one in ``ranking``, in one sentence.

    It names the deciding fact: a guardrail that holds either item, a pin, a dependency, the
    max_move cap, the scores, the tie-break that decided between equal scores, or stability
    (scores within the tolerance keep the current order).

    Raises:
        RulesError: ``key`` is not in the ranking.
    """
    items = ranking.items
    index = _index_of(ranking, key)
    upper = items[index]
    if index == len(items) - 1:
        return f"{upper.key} is last of {len(items)} ranked items ({upper.reason})."
    lower = items[index + 1]
    return f"{upper.key} sits above {lower.key}: {_pair(upper, lower).because}."


def why(ranking: Ranking, key: str, tolerance: float) -> Why:
    """The pairs that explain ``key``'s place (see :class:`Why`).

    Raises:
        RulesError: ``key`` is not in the ranking.
    """
    items = ranking.items
    index = _index_of(ranking, key)
    item = items[index]
    below = _pair(items[index - 1], item) if index > 0 else None
    beaten = tuple(
        _pair(upper, item)
        for upper in items[:index]
        if clearly_beats(item.score.value, upper.score.value, tolerance)
    )
    return Why(key=key, below=below, beaten_above=beaten)


#: Held items that are no candidates for "most valuable": a rule took them out of the order.
_NOT_CANDIDATES = frozenset({"done", "excluded", "not scored"})


def why_lines(answer: Why, shown: int = 10) -> list[str]:
    """``answer`` in words, the same in the CLI and in Slack: the pair above, then the exceptions.

    At most ``shown`` exceptions are listed by name; the rest are counted.
    """
    below = answer.below
    lines = [
        f"It sits below {below.upper}: {below.because}."
        if below is not None
        else "It is first in the ranked backlog."
    ]
    beaten = answer.beaten_above
    if not beaten:
        lines.append("No item it clearly beats sits above it.")
        return lines
    lines.append(f"{len(beaten)} item(s) above it score clearly less; a guardrail allows each:")
    lines += [f"- {pair.upper} ({pair.allowed_by}): {pair.because}" for pair in beaten[:shown]]
    if len(beaten) > shown:
        lines.append(f"- ...and {len(beaten) - shown} more")
    return lines


def by_value(ranking: Ranking) -> list[ValueRow]:
    """The ranked items by score (the plain order and its tie-breaks), each with its backlog rank.

    This is the view for "top N by value": it does not mix held items in at their backlog
    place, it marks them (sprint, manual zone, pinned). Items a rule excluded are left out: a
    rule said they are not to be valued, so listing them among the most valuable would mislead.
    """
    return [row for row, _ in top_by_value(ranking, None)]


def top_by_value(ranking: Ranking, count: int | None) -> list[tuple[ValueRow, RankedItem]]:
    """The first ``count`` rows of :func:`by_value` (all with None), each with its ranked item.

    With a count only those rows are built, so ``/value top`` stays cheap on a large backlog.
    """
    candidates = [r for r in ranking.items if _mark(r) not in _NOT_CANDIDATES]

    def key(ranked: RankedItem) -> PreferenceKey:
        return preference_key(ranked.item, ranked.score)

    ordered = (
        sorted(candidates, key=key)
        if count is None
        else heapq.nsmallest(max(count, 0), candidates, key=key)
    )
    return [
        (
            ValueRow(
                key=ranked.key,
                score=ranked.score.value,
                value_rank=place,
                backlog_rank=ranked.rank,
                mark=_mark(ranked),
            ),
            ranked,
        )
        for place, ranked in enumerate(ordered, start=1)
    ]


def summarize(ranking: Ranking, plan: RankPlan | None = None) -> Summary:
    """Moved, re-scored, optimum, capped and (with ``plan``) calls and touched.

    With ``plan`` the moved items are the plan's (:func:`changed_places`: the tool's live order
    may differ from the order the ranking was made against); without, the ranking's own.
    """
    by_key = {ranked.key: ranked for ranked in ranking.items}
    if plan is not None:
        movers = [by_key[key] for key in changed_places(ranking, plan) if key in by_key]
        moved = plan.moved
    else:
        existing = [r for r in ranking.items if r.previous_rank is not None]
        moved = len(existing) - longest_increasing(r.previous_rank or 0 for r in existing)
        movers = [r for r in existing if any(isinstance(x, Moved) for x in r.reasons)]
    return Summary(
        moved=moved,
        rescored=sum(1 for r in movers if rescored(r.item, r.score)),
        optimum=ranking.optimum,
        capped=sum(1 for r in ranking.items if any(isinstance(x, Capped) for x in r.reasons)),
        calls=None if plan is None else plan.calls,
        touched=None if plan is None else plan.touched,
    )


def summary_text(summary: Summary, total: int) -> str:
    """The reorder summary in words, the same in the CLI, in Slack and in the demo.

    It says how many items change place, how many of them were re-scored, the optimum (equal
    to the moves unless a guardrail changed the order, which it then says: flowing items pass
    an item held at its index, pins, dependencies and max_move all move items), the
    rank calls and the issues they touch, and the items max_move left below one that clearly
    beats them.
    """
    parts = [f"{summary.moved} of {total} item(s) move ({summary.rescored} re-scored)"]
    if summary.moved == summary.optimum:
        parts.append(f"the fewest a valid order allows ({summary.optimum})")
    else:
        parts.append(
            f"a valid order needs {summary.optimum}; guardrails account for the rest (items held "
            "at their index, pins, dependencies, max_move)"
        )
    if summary.calls is not None:
        parts.append(f"{summary.calls} Jira rank call(s) touching {summary.touched} issue(s)")
    text = "; ".join(parts) + "."
    if summary.capped:
        text += (
            f" {summary.capped} item(s) capped by max_move still sit below an item that "
            "clearly beats them."
        )
    return text


def changed_places(ranking: Ranking, plan: RankPlan) -> list[str]:
    """The items that change place from ``plan.current`` to ``plan.target``: ``plan.moved``.

    Their complement keeps its relative order, so these are a fewest set of moves. The plan's
    calls may carry other items instead (fewer calls can carry items that could stay:
    ``plan.touched``). Several sets of that size may exist; the one named is the ranking's own
    (the items it re-inserted, re-scored ones first) whenever that set is one, so the diff
    lists the items the ranking says it moved rather than an arbitrary equally small set.
    """
    return _changed(ranking, plan.current, plan.target)


def changed_since(previous: Sequence[str], ranking: Ranking) -> list[str]:
    """The items that changed place from an older order (last week's) to ``ranking``.

    Only items in both count: an item does not "move" because others were done or are new.
    """
    ranked = set(ranking.keys)
    before = [key for key in previous if key in ranked]
    kept = set(before)
    return _changed(ranking, before, [key for key in ranking.keys if key in kept])


# --------------------------------------------------------------------------- helpers


def _changed(ranking: Ranking, current: Sequence[str], target: Sequence[str]) -> list[str]:
    """The keys of ``target`` outside a longest run that keeps its ``current`` order."""
    position = {key: index for index, key in enumerate(current)}
    places = [position[key] for key in target]
    moved = len(target) - longest_increasing(places)
    reinserted = {
        ranked.key
        for ranked in ranking.items
        if any(isinstance(x, Moved | Blocks) for x in ranked.reasons)
    }
    stay = [key for key in target if key not in reinserted]
    kept = set(stay)
    if len(stay) != len(target) - moved or not _increasing(position[k] for k in stay):
        kept = {target[i] for i in _longest_increasing_indices(places)}
    return [key for key in target if key not in kept]


def _increasing(values: Iterable[int]) -> bool:
    previous = -1
    for value in values:
        if value <= previous:
            return False
        previous = value
    return True


def _longest_increasing_indices(values: Sequence[int]) -> list[int]:
    """Indices of one longest strictly increasing subsequence of ``values`` (patience sort)."""
    tails: list[int] = []  # tails[k]: index of the smallest last value of a run of k + 1
    tail_values: list[int] = []
    before: list[int] = [-1] * len(values)
    for index, value in enumerate(values):
        at = bisect_left(tail_values, value)
        if at > 0:
            before[index] = tails[at - 1]
        tails[at : at + 1] = [index]
        tail_values[at : at + 1] = [value]
    run: list[int] = []
    index = tails[-1] if tails else -1
    while index >= 0:
        run.append(index)
        index = before[index]
    return run[::-1]


def _index_of(ranking: Ranking, key: str) -> int:
    index = next((i for i, ranked in enumerate(ranking.items) if ranked.key == key), None)
    if index is None:
        raise RulesError(f"{key} is not in the ranking; only open, scored items are ranked")
    return index


def _mark(ranked: RankedItem) -> str | None:
    for reason in ranked.reasons:
        if isinstance(reason, Held):
            return reason.held
        if isinstance(reason, Pinned):
            return f"pinned {reason.side}"
    return None


def _held(ranked: RankedItem) -> Held | None:
    return next((r for r in ranked.reasons if isinstance(r, Held)), None)


def _pinned(ranked: RankedItem, side: str) -> Pinned | None:
    return next((r for r in ranked.reasons if isinstance(r, Pinned) and r.side == side), None)


def _pair(upper: RankedItem, lower: RankedItem) -> Pair:
    """The deciding fact for ``upper`` above ``lower``."""
    for decide in (_guardrail_reason, _pin_or_dependency_reason, _cap_reason):
        found = decide(upper, lower)
        if found is not None:
            allowed, text = found
            return Pair(upper=upper.key, lower=lower.key, allowed_by=allowed, because=text)
    allowed, text = _score_reason(upper, lower)
    return Pair(upper=upper.key, lower=lower.key, allowed_by=allowed, because=text)


_Found = tuple[Allowance, str]


def _guardrail_reason(upper: RankedItem, lower: RankedItem) -> _Found | None:
    held = _held(upper)
    if held is not None:
        return "held", f"{upper.key} is held in place ({render_one(held)})"
    held = _held(lower)
    if held is not None:
        text = f"{lower.key} is held in place ({render_one(held)}), so the others flow around it"
        return "held", text
    return None


def _pin_or_dependency_reason(upper: RankedItem, lower: RankedItem) -> _Found | None:
    if lower.key in upper.item.blocks or upper.key in lower.item.blocked_by:
        return "blocks", f"{upper.key} blocks {lower.key}, so it must be done first"
    blocks = next((r for r in upper.reasons if isinstance(r, Blocks)), None)
    if blocks is not None:
        return "blocks", f"{upper.key} {render_one(blocks)}, so it ranks above it"
    pin_up, pin_low = _pinned(upper, "top"), _pinned(lower, "bottom")
    if pin_up is not None and _pinned(lower, "top") is None:
        return "pinned", f"{upper.key} is {render_one(pin_up)}"
    if pin_low is not None and _pinned(upper, "bottom") is None:
        return "pinned", f"{lower.key} is {render_one(pin_low)}"
    if pin_up is not None or pin_low is not None:
        return "pinned", "both are pinned, and pinned items keep their current order"
    return None


def _cap_reason(upper: RankedItem, lower: RankedItem) -> _Found | None:
    if lower.score.value <= upper.score.value:
        return None
    high, low = number(lower.score.value), number(upper.score.value)
    for held_back in (lower, upper):
        capped = next((r for r in held_back.reasons if isinstance(r, Capped)), None)
        if capped is not None:
            return "capped", (
                f"{lower.key} scores higher ({high} vs {low}), but max_move held "
                f"{held_back.key} back ({render_one(capped)})"
            )
    return None


def _score_reason(upper: RankedItem, lower: RankedItem) -> _Found:
    high, low = number(upper.score.value), number(lower.score.value)
    if upper.score.value > lower.score.value:
        return "higher score", f"it scores higher ({high} vs {low})"
    if upper.score.value == lower.score.value:
        tie = _tie_break(upper, lower)
        if tie is not None and tie[0]:
            return "tie-break", f"equal scores ({high}); tie-break: {tie[1]}"
        return "current order", f"equal scores ({high}), so the current order is kept"
    # a flowing item below a higher score that is not capped is within the tolerance of it
    within = (
        f"their scores ({high} vs {low}) are within the tolerance, so the current order is kept"
    )
    return "current order", within


def _tie_break(upper: RankedItem, lower: RankedItem) -> tuple[bool, str] | None:
    """Which tie-break separates two equal scores, and whether it favours ``upper``."""
    up_value, up_cost = value_and_cost(upper.score)
    low_value, low_cost = value_and_cost(lower.score)
    if up_value != low_value:
        high, low = number(max(up_value, low_value)), number(min(up_value, low_value))
        return up_value > low_value, f"higher value ({high} vs {low})"
    if up_cost != low_cost:
        cheap, dear = number(min(up_cost, low_cost)), number(max(up_cost, low_cost))
        return up_cost < low_cost, f"lower cost ({cheap} vs {dear})"
    up_time, low_time = created_of(upper.item.created), created_of(lower.item.created)
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
