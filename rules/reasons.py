"""Why an item sits where it does, as data, and the one place that turns that into words.

Ranking records reasons as typed values so other code (``why``, the reorder diff, the digest)
reads facts instead of parsing English back. :func:`render` is the only place that writes them
as text, and :func:`number` the only way a number appears in that text, so 12.34567 reads
"12.35" everywhere.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

HeldKind = Literal["manual zone", "active sprint", "done", "excluded", "not scored"]
Side = Literal["top", "bottom"]


class _Reason(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Held(_Reason):
    """The item keeps its exact index: a guardrail (or a rule that excluded it) holds it."""

    kind: Literal["held"] = "held"
    held: HeldKind
    rule: str | None = None


class Pinned(_Reason):
    """A rule pinned the item to the top or the bottom of the flowing items."""

    kind: Literal["pinned"] = "pinned"
    side: Side
    rule: str | None = None


class Blocks(_Reason):
    """The item ranks just above ``key``, which it blocks (a dependency overrides scores)."""

    kind: Literal["blocks"] = "blocks"
    key: str


class KeptBelow(_Reason):
    """The item stayed in place below ``key``, whose lower score is within the tolerance."""

    kind: Literal["kept_below"] = "kept_below"
    key: str


class Moved(_Reason):
    """The item changed place (``previous`` None: it is new) because of its ``score``.

    ``below`` is the item it now sits directly under among the flowing items (None: first).
    """

    kind: Literal["moved"] = "moved"
    previous: int | None
    rank: int
    score: float
    below: str | None = None


class Scored(_Reason):
    """Nothing but the score placed the item; it did not move."""

    kind: Literal["scored"] = "scored"
    score: float


class Capped(_Reason):
    """``max_move`` stopped the item short of where validity would put it."""

    kind: Literal["capped"] = "capped"
    limit: int


Reason = Annotated[
    Held | Pinned | Blocks | KeptBelow | Moved | Scored | Capped, Field(discriminator="kind")
]


def number(value: float) -> str:
    """A number as every reason shows it: whole numbers bare, others to at most 2 decimals."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def render_one(reason: Reason) -> str:
    """One reason in words."""
    match reason:
        case Held(held=held, rule=rule):
            return f"{held} by rule '{rule}'" if rule else held
        case Pinned(side=side, rule=rule):
            return f"pinned {side} by rule '{rule}'" if rule else f"pinned {side}"
        case Blocks(key=key):
            return f"blocks {key}"
        case KeptBelow(key=key):
            return f"kept: within tolerance of {key}"
        case Moved(previous=None, score=score):
            return f"new, score {number(score)}"
        case Moved(previous=previous, rank=rank, score=score, below=below):
            where = f", below {below}" if below else ", first"
            if previous == rank:  # re-inserted, and the others' moves brought it back to it
                return f"score {number(score)}, moved; still at {rank}{where}"
            return f"score {number(score)}, moved from {previous} to {rank}{where}"
        case Scored(score=score):
            return f"score {number(score)}"
        case Capped(limit=limit):
            return f"capped: max_move {limit}"
    raise AssertionError(reason)  # pragma: no cover - the union is exhaustive


def render(reasons: tuple[Reason, ...]) -> str:
    """All reasons of one item, most important first, in one line."""
    return "; ".join(render_one(reason) for reason in reasons)
