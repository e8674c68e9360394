"""The backlog as plain, frozen data.

Every other module in Northstar speaks these types: connectors translate a backlog tool into
them, the scoring and ranking functions read them, the bot stores and shows them. A missing
input is always ``None``, never a silent 0, so scoring can tell "unknown" from "zero" and flag it.

Over 400 lines because every other module speaks these types; one module keeps the vocabulary
in one place.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from rules.reasons import Reason, render


class Frozen(BaseModel):
    """Base for value types: immutable, hashable, and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusCategory(StrEnum):
    """Jira's three status categories; only these are stable across workflows."""

    TODO = "new"
    IN_PROGRESS = "indeterminate"
    DONE = "done"


class BenefitCategory(StrEnum):
    """Benefit categories from benefits-realisation practice."""

    FINANCIAL = "financial"
    OPERATIONAL = "operational"
    CUSTOMER = "customer"
    STRATEGIC = "strategic"


class SprintState(StrEnum):
    FUTURE = "future"
    ACTIVE = "active"
    CLOSED = "closed"


class Sprint(Frozen):
    """A sprint as the board reports it; ``goal`` is what reminders quote."""

    id: int
    name: str
    state: SprintState
    goal: str | None = None
    start: datetime | None = None
    end: datetime | None = None


class Rating(Frozen):
    """One stakeholder's 1-5 rating of one item at one time."""

    stakeholder: str
    item_key: str
    value: int = Field(ge=1, le=5)
    at: datetime
    role: str | None = None
    comment: str | None = None


class BenefitRegisterEntry(Frozen):
    """A planned benefit (usually per epic): what, who owns it, how it is measured, by when.

    The short form an item carries; the full register entry is :class:`rules.benefits.Benefit`,
    whose :meth:`~rules.benefits.Benefit.register_entry` gives this, with ``id`` naming it.
    """

    category: BenefitCategory
    id: str | None = None
    owner: str | None = None
    measure: str = ""
    baseline: float | None = None
    target: float | None = None
    due: date | None = None
    planned_value: float | None = None
    realised_value: float | None = None


#: Names of the value inputs a rule may set and a formula may read, in display order.
INPUT_NAMES: tuple[str, ...] = (
    "cost",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "reach",
    "impact",
    "confidence",
    "ease",
    "benefit_per_week",
    "stakeholder_value",
)


class Item(Frozen):
    """One backlog issue with the facts scoring and ranking need.

    ``cost`` is the story point estimate. ``stakeholder_value`` is filled in from check-in
    ratings by :func:`rules.checkins.aggregate_ratings` (1-5 scale), never from Jira.
    """

    key: str
    summary: str = ""
    type: str = "Story"
    status: str = "To Do"
    status_category: StatusCategory = StatusCategory.TODO
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    priority: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    resolved: datetime | None = None
    due: date | None = None
    sprint: Sprint | None = None
    parent: str | None = None
    blocks: tuple[str, ...] = ()
    blocked_by: tuple[str, ...] = ()
    team: str | None = None
    # value inputs: None means "not given"
    cost: float | None = None
    business_value: float | None = None
    time_criticality: float | None = None
    risk_reduction: float | None = None
    reach: float | None = None
    impact: float | None = None
    confidence: float | None = None
    ease: float | None = None
    benefit_per_week: float | None = None
    stakeholder_value: float | None = None
    benefit_category: BenefitCategory | None = None
    benefit: BenefitRegisterEntry | None = None
    ratings: tuple[Rating, ...] = ()
    score: float | None = None  # the score last written to the tool, if any
    #: the tool's sortable rank value (Jira's LexoRank); lets an incremental sync keep the
    #: backlog order without reading the whole backlog again
    order_key: str | None = None

    def input(self, name: str) -> float | None:
        """Return the value input ``name`` (one of :data:`INPUT_NAMES`)."""
        value: float | None = getattr(self, name)
        return value

    @property
    def is_done(self) -> bool:
        return self.status_category is StatusCategory.DONE

    @property
    def in_active_sprint(self) -> bool:
        return self.sprint is not None and self.sprint.state is SprintState.ACTIVE


Pin = Literal["top", "bottom"]


class ScoreTerm(Frozen):
    """One term of a score, e.g. ``business_value = 8`` and where that came from."""

    name: str
    value: float
    source: str = ""


class RuleEffect(Frozen):
    """What one rule changed for one item, in words a product owner can read."""

    rule: str
    change: str


class Explanation(NamedTuple):
    """The parts of a score that explain it, in words; built only when someone reads them."""

    formula: str
    terms: tuple[ScoreTerm, ...] = ()
    defaults: tuple[str, ...] = ()
    rules_fired: tuple[RuleEffect, ...] = ()


class Score:
    """A score with everything needed to explain it term by term.

    A plain immutable class rather than a pydantic model: scoring makes one per backlog item
    (100,000 in the benchmark), and the explanation (formula, terms, defaults, rules fired) is
    read for a handful of them, so :func:`rules.scoring.score_items` returns a subclass that
    builds it on first reading. A score built here is given its explanation up front.
    ``pinned_by`` and ``excluded_by`` name the rule that pinned or excluded the item.
    """

    __slots__ = (
        "_details",
        "_excluded",
        "_excluded_by",
        "_key",
        "_model",
        "_needs_estimate",
        "_pin",
        "_pinned_by",
        "_value",
    )

    _key: str
    _model: str
    _value: float
    _needs_estimate: bool
    _pin: Pin | None
    _excluded: bool
    _pinned_by: str | None
    _excluded_by: str | None
    _details: Explanation

    def __init__(
        self,
        *,
        key: str,
        model: str,
        value: float,
        formula: str,
        terms: Iterable[ScoreTerm] = (),
        defaults: Iterable[str] = (),
        rules_fired: Iterable[RuleEffect] = (),
        needs_estimate: bool = False,
        pin: Pin | None = None,
        excluded: bool = False,
        pinned_by: str | None = None,
        excluded_by: str | None = None,
    ) -> None:
        if pin not in (None, "top", "bottom"):
            raise ValueError(f"pin must be 'top', 'bottom' or None, not {pin!r}")
        self._key, self._model, self._value = key, model, float(value)
        self._needs_estimate, self._pin, self._excluded = needs_estimate, pin, excluded
        self._pinned_by, self._excluded_by = pinned_by, excluded_by
        self._details = Explanation(formula, tuple(terms), tuple(defaults), tuple(rules_fired))

    def _explanation(self) -> Explanation:
        """The explanation; a lazily explained subclass builds it here on first use."""
        return self._details

    @property
    def key(self) -> str:
        return self._key

    @property
    def model(self) -> str:
        return self._model

    @property
    def value(self) -> float:
        return self._value

    @property
    def needs_estimate(self) -> bool:
        return self._needs_estimate

    @property
    def pin(self) -> Pin | None:
        return self._pin

    @property
    def excluded(self) -> bool:
        return self._excluded

    @property
    def pinned_by(self) -> str | None:
        """The rule whose pin applies (the last that pinned the item), or None."""
        return self._pinned_by

    @property
    def excluded_by(self) -> str | None:
        """The first rule that excluded the item from ranking, or None."""
        return self._excluded_by

    @property
    def formula(self) -> str:
        return self._explanation().formula

    @property
    def terms(self) -> tuple[ScoreTerm, ...]:
        return self._explanation().terms

    @property
    def defaults(self) -> tuple[str, ...]:
        return self._explanation().defaults

    @property
    def rules_fired(self) -> tuple[RuleEffect, ...]:
        return self._explanation().rules_fired

    def explain(self) -> list[str]:
        """Lines that explain the score, most important first."""
        details = self._explanation()
        lines = [f"{self.model.upper()} = {details.formula} = {self.value:.2f}"]
        for term in details.terms:
            suffix = f" ({term.source})" if term.source else ""
            lines.append(f"  {term.name} = {term.value:g}{suffix}")
        lines.extend(f"  default used for {name}" for name in details.defaults)
        lines.extend(f"  rule '{effect.rule}': {effect.change}" for effect in details.rules_fired)
        if self.needs_estimate:
            lines.append("  needs estimate: no usable story points, default cost used")
        return lines

    def _fields(self) -> dict[str, Any]:
        """Every field by name, in the order of the constructor's keywords."""
        return {
            "key": self.key,
            "model": self.model,
            "value": self.value,
            **self._explanation()._asdict(),
            "needs_estimate": self.needs_estimate,
            "pin": self.pin,
            "excluded": self.excluded,
            "pinned_by": self.pinned_by,
            "excluded_by": self.excluded_by,
        }

    def model_dump(self) -> dict[str, Any]:
        """The score as plain data, shaped as it was when Score was a pydantic model."""
        fields = self._fields()
        fields["terms"] = [term.model_dump() for term in fields["terms"]]
        fields["defaults"] = list(fields["defaults"])
        fields["rules_fired"] = [effect.model_dump() for effect in fields["rules_fired"]]
        return fields

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Score:
        """A copy with ``update`` applied, as every other model in this module is copied."""
        return Score(**{**self._fields(), **(update or {})})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.key, self.model, self.value, self.pin, self.excluded))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self._fields().items())
        return f"Score({fields})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Lets pydantic models (:class:`RankedItem`) hold a score, and dump it as a dict."""
        return core_schema.is_instance_schema(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.model_dump),
        )


class ScoredItem:
    """An item as the connector gave it, with its score.

    A plain immutable pair, not a pydantic model: scoring makes one per backlog item, and
    validating what was just computed from validated items would cost more than the scoring.
    """

    __slots__ = ("_item", "_score")

    def __init__(self, item: Item, score: Score) -> None:
        self._item = item
        self._score = score

    @property
    def item(self) -> Item:
        return self._item

    @property
    def score(self) -> Score:
        return self._score

    @property
    def key(self) -> str:
        return self._item.key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScoredItem):
            return NotImplemented
        return (self.item, self.score) == (other.item, other.score)

    def __hash__(self) -> int:
        return hash((self.item, self.score))

    def __repr__(self) -> str:
        return f"ScoredItem(item={self.item!r}, score={self.score!r})"


class RankedItem:
    """An item in the target order, with where it was and why it is where it is now.

    ``reasons`` are data (:mod:`rules.reasons`) so code reads facts, not English; ``reason``
    is their one rendering in words, for callers that print it. A plain immutable class
    rather than a pydantic model (as :class:`Score`): ranking makes one per backlog item from
    values it has just computed, and validating 100,000 of them cost more than the ranking.
    """

    __slots__ = ("item", "previous_rank", "rank", "reasons", "score")

    item: Item
    score: Score
    rank: int
    previous_rank: int | None
    reasons: tuple[Reason, ...]

    def __init__(
        self,
        *,
        item: Item,
        score: Score,
        rank: int,
        previous_rank: int | None,
        reasons: tuple[Reason, ...] = (),
    ) -> None:
        assign = object.__setattr__  # the class refuses plain assignment: it is immutable
        assign(self, "item", item)
        assign(self, "score", score)
        assign(self, "rank", rank)
        assign(self, "previous_rank", previous_rank)
        assign(self, "reasons", reasons)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RankedItem is immutable; {name} cannot be set")

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def reason(self) -> str:
        return render(self.reasons)

    @property
    def moved_by(self) -> int:
        """Positions gained (positive) or lost (negative); 0 for new items."""
        return 0 if self.previous_rank is None else self.previous_rank - self.rank

    def _fields(self) -> tuple[Item, Score, int, int | None, tuple[Reason, ...]]:
        return self.item, self.score, self.rank, self.previous_rank, self.reasons

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RankedItem):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"RankedItem(item={self.item!r}, score={self.score!r}, rank={self.rank!r}, "
            f"previous_rank={self.previous_rank!r}, reasons={self.reasons!r})"
        )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Lets :class:`Ranking` hold ranked items without validating them again."""
        return core_schema.is_instance_schema(cls)


class Ranking(Frozen):
    """The target order of a backlog, best first.

    ``optimum`` is the fewest existing items a valid order had to move (``rules.validity``);
    the plan's moved count equals it unless a dependency or ``max_move`` changed the order.
    """

    items: tuple[RankedItem, ...]
    optimum: int = 0

    @property
    def keys(self) -> list[str]:
        return [ranked.key for ranked in self.items]

    def find(self, key: str) -> RankedItem | None:
        return next((ranked for ranked in self.items if ranked.key == key), None)


class RankMove(Frozen):
    """One Jira rank call: up to 50 issues, in order, directly before or after an anchor."""

    issues: tuple[str, ...] = Field(min_length=1, max_length=50)
    before: str | None = None
    after: str | None = None

    @property
    def anchor(self) -> str:
        anchor = self.before if self.before is not None else self.after
        if anchor is None:  # pragma: no cover - guarded by the planner
            raise ValueError("a rank move needs an anchor")
        return anchor


class RankPlan(Frozen):
    """The moves that turn ``current`` into ``target``, applied in order."""

    current: tuple[str, ...]
    target: tuple[str, ...]
    moves: tuple[RankMove, ...]

    @property
    def calls(self) -> int:
        return len(self.moves)

    @property
    def moved_keys(self) -> list[str]:
        """The issues the calls carry, whether or not they change place."""
        return [key for move in self.moves for key in move.issues]

    @property
    def touched(self) -> int:
        """Issues the calls carry: Jira writes a history entry and bumps ``updated`` on each."""
        return len(self.moved_keys)

    @property
    def moved(self) -> int:
        """Issues that change place: all but a longest common subsequence of the two orders."""
        position = {key: index for index, key in enumerate(self.current)}
        return len(self.target) - longest_increasing(position[key] for key in self.target)

    @property
    def naive_calls(self) -> int:
        """Calls if every moved issue were ranked on its own (one call per issue)."""
        return len(self.moved_keys)

    @property
    def rerank_all_calls(self) -> int:
        """Calls to rank the whole backlog again, 50 at a time."""
        return -(-len(self.target) // 50) if self.target else 0


def longest_increasing(values: Iterable[int]) -> int:
    """The length of a longest strictly increasing subsequence, in ``O(n log n)``.

    Items that keep their relative order between two orders are an increasing run of their
    old positions read in the new order, so this counts what need not move.
    """
    tails: list[int] = []  # tails[k]: smallest last value of an increasing run of k + 1
    for value in values:
        at = bisect_left(tails, value)
        tails[at : at + 1] = [value]
    return len(tails)


class ValueGoal(Frozen):
    """A team's definition of value: what it wants to move, from where to where, by when."""

    name: str
    metric: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    due: date | None = None
    #: the last few measured values, oldest first, and the date of the newest: filled from
    #: the store's measurements (``current`` is then the newest), never from the config
    trend: tuple[float, ...] = ()
    measured_on: date | None = None
