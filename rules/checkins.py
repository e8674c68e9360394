"""Stakeholder check-ins: many 1-5 ratings folded into one value per item, with its confidence.

Ratings expire the way DESIGN.md §1 asks ("inputs that expire"): a rating loses half its
weight every ``half_life_days``, so a rating from last year hardly counts next to one from this
week, and an item rated long ago shows a low confidence, which is the cue to ask again.

Per item, only each stakeholder's newest rating counts (changing your mind replaces your
earlier answer). For the ratings left, with ``age`` in days (never below 0, so a clock skew
that dates a rating in the future cannot give it more than full weight):

* ``freshness = 0.5 ** (age / half_life_days)`` (1 for a rating made now)
* ``weight = role_weight * freshness`` (roles not in ``role_weights`` weigh 1; weight 0 means
  the role's ratings are not counted)
* ``value`` = the weighted mean, ``spread`` = the weighted standard deviation (how much the
  raters disagree, on the 1-5 scale)
* ``confidence = 1 - 0.5 ** (sum of freshness)``: each fresh rater halves the remaining doubt
  (one fresh rater 0.5, two 0.75, three 0.875); an old rating adds less than a fresh one. Role
  weights do not raise confidence: a senior rater's rating counts more, but is no more certain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from rules.config import ScoringConfig
from rules.errors import RulesError
from rules.model import Item, Rating

_SECONDS_A_DAY = 86_400.0


class RatingSummary(BaseModel):
    """The stakeholders' view of one item: value, how sure we are, and how much they disagree.

    ``raters`` counts the stakeholders whose (newest) rating was used; ``ratings`` counts every
    rating they gave for the item, replaced ones included, so a summary can say "3 raters, 5
    ratings".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(ge=1, le=5)
    confidence: float = Field(ge=0, le=1)
    raters: int = Field(ge=1)
    spread: float = Field(ge=0)
    ratings: int = Field(ge=1)


def aggregate_ratings(
    ratings: Sequence[Rating],
    now: datetime,
    half_life_days: float,
    role_weights: Mapping[str, float],
) -> dict[str, RatingSummary]:
    """Fold ratings into one :class:`RatingSummary` per item key (module docstring: the maths).

    Items whose ratings all weigh 0 (every rater's role weighs 0) get no summary.

    Raises:
        RulesError: ``now`` or a rating's time has no time zone, ``half_life_days`` is not
            positive, or a role weight is negative.
    """
    _require_aware(now, "now")
    if not half_life_days > 0:
        raise RulesError(f"the rating half-life must be over 0 days, not {half_life_days}")
    for role, weight in role_weights.items():
        if not weight >= 0:
            raise RulesError(f"role weight for {role!r} must be 0 or more, not {weight}")
    newest: dict[tuple[str, str], Rating] = {}
    given: dict[tuple[str, str], set[datetime]] = {}
    for rating in ratings:
        _require_aware(rating.at, f"the rating of {rating.item_key} by {rating.stakeholder}")
        key = (rating.item_key, rating.stakeholder)
        kept = newest.get(key)
        if kept is None or rating.at >= kept.at:
            newest[key] = rating
        given.setdefault(key, set()).add(rating.at)
    by_item: dict[str, list[tuple[Rating, int]]] = {}
    for key, rating in newest.items():
        by_item.setdefault(key[0], []).append((rating, len(given[key])))
    summaries: dict[str, RatingSummary] = {}
    for item_key, latest in by_item.items():
        summary = _summarise(latest, now, half_life_days, role_weights)
        if summary is not None:
            summaries[item_key] = summary
    return summaries


def apply_ratings(
    items: Sequence[Item], ratings: Sequence[Rating], now: datetime, config: ScoringConfig
) -> list[Item]:
    """Items with ``stakeholder_value`` set from their check-in ratings (same order as given).

    Items without a (counted) rating are returned unchanged, so a value from an earlier run or
    a test fixture is never wiped. The value is rounded to 2 decimals, enough for ranking and
    readable in a score's explanation.
    """
    keys = {item.key for item in items}
    relevant = [rating for rating in ratings if rating.item_key in keys]
    summaries = aggregate_ratings(relevant, now, config.rating_half_life_days, config.role_weights)
    return [
        item
        if item.key not in summaries
        else item.model_copy(update={"stakeholder_value": round(summaries[item.key].value, 2)})
        for item in items
    ]


def is_disputed(summary: RatingSummary, threshold: float = 1.0) -> bool:
    """Whether raters disagree enough to talk it over: two or more raters, spread >= threshold."""
    return summary.raters >= 2 and summary.spread >= threshold


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RulesError(f"{what} has no time zone ({moment.isoformat()}); pass an aware datetime")


def _summarise(
    latest: Iterable[tuple[Rating, int]],
    now: datetime,
    half_life_days: float,
    role_weights: Mapping[str, float],
) -> RatingSummary | None:
    """One item's summary from each rater's newest rating (paired with how many they gave)."""
    weighted: list[tuple[float, float]] = []
    freshness_sum = 0.0
    given = 0
    for rating, count in latest:
        age_days = max(0.0, (now - rating.at).total_seconds() / _SECONDS_A_DAY)
        freshness = 0.5 ** (age_days / half_life_days)
        role_weight = role_weights.get(rating.role, 1.0) if rating.role is not None else 1.0
        weight = role_weight * freshness
        if weight <= 0:
            continue
        weighted.append((weight, float(rating.value)))
        freshness_sum += freshness
        given += count
    total = sum(weight for weight, _ in weighted)
    if not weighted or total <= 0:
        return None
    mean = sum(weight * value for weight, value in weighted) / total
    variance = sum(weight * (value - mean) ** 2 for weight, value in weighted) / total
    return RatingSummary(
        value=min(5.0, max(1.0, mean)),
        confidence=min(1.0, max(0.0, 1 - 0.5**freshness_sum)),
        raters=len(weighted),
        spread=math.sqrt(max(0.0, variance)),
        ratings=given,
    )
