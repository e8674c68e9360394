"""Value scores for backlog items, each explained term by term.

Models (``[scoring] model``); ``cost`` is the job size in story points everywhere:

* ``wsjf`` (default, SAFe): ``(business_value + time_criticality + risk_reduction) / cost``.
  A stakeholder rating from check-ins (``stakeholder_value``, 1-5) is mapped linearly onto
  SAFe's 1-20 scale (1 → 1, 5 → 20) and averaged with ``business_value``, or used alone when
  the item has no business value.
* ``cd3`` (cost of delay divided by duration): ``benefit_per_week / (cost * weeks_per_point)``.
  With ``discount_rate`` > 0 (a yearly rate) the benefit is the net present value of
  ``benefit_per_week`` received every week for ``horizon_weeks``, discounted weekly at
  ``(1 + rate) ** (1/52)``: ``NPV / duration``. Note the unit then changes from money a week
  to money, which does not matter for ranking within one backlog.
* ``rice``: ``reach * impact * confidence / cost``; a confidence above 1 is read as a
  percentage (80 → 0.8), since Jira fields often hold percentages.
* ``ice``: ``impact * confidence * ease`` (each 1-10); cost is not used.
* ``net_value``: ``benefit_per_week * horizon_weeks - cost * cost_per_point`` (money).
* ``value_per_cost``: ``(benefit_per_week * horizon_weeks) / (cost * cost_per_point)``, or
  ``/ cost`` when ``cost_per_point`` is 0. It never falls back to ``business_value``: mixing
  relative points with money in one backlog would make scores incomparable; a team without
  money figures should use WSJF.
* ``formula``: ``[scoring] formula``, in the rule expression language (:mod:`rules.expressions`).

Missing inputs are never silent zeros. Each model has a documented default
(:data:`MODEL_DEFAULTS`), always the cautious end of its scale, so an item never gains by not
being estimated; every default used is listed in :attr:`Score.defaults` and shown as a term
with source "default". A missing or non-positive cost becomes ``default_cost`` and sets
``needs_estimate``, so nothing divides by zero.

Rules run before scoring (they change inputs; their multiplier applies to the result). The
returned :class:`ScoredItem` holds the item as the connector gave it, not the rule-changed
copy: scoring a scored item's item again then gives the same score, and an ``adjust`` rule can
never be applied twice. The inputs the score used are in :attr:`Score.terms`.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache, partial
from operator import attrgetter
from typing import Any, Final, NamedTuple, TypeVar

from pydantic import BaseModel

from rules.config import ModelName, ScoringConfig
from rules.errors import RuleSyntaxError
from rules.expressions import EVALUATION_ERRORS, Expression, compile_expression, sprint_state
from rules.model import INPUT_NAMES, Item, RuleEffect, Score, ScoredItem, ScoreTerm
from rules.ruleset import TIMES, RuleChanges, Ruleset, format_number

#: One line per value input, for ``/value help`` and the CLI.
INPUT_HELP: Final[dict[str, str]] = {
    "cost": "job size in story points; unestimated items use [scoring] default_cost and are "
    "flagged 'needs estimate'",
    "business_value": "value to users or the business, relative, on SAFe's 1-20 scale (WSJF)",
    "time_criticality": "how fast the value decays if we wait, 1-20 (WSJF)",
    "risk_reduction": "risk reduction or opportunity enablement, 1-20 (WSJF)",
    "reach": "people or events affected per period, e.g. customers a quarter (RICE)",
    "impact": "effect on each one reached: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal "
    "(RICE); 1-10 (ICE)",
    "confidence": "how sure the estimates are: 0-1 or a percentage (RICE); 1-10 (ICE)",
    "ease": "how easy it is to do, 1-10 (ICE)",
    "benefit_per_week": "money gained or saved each week once delivered (CD3, net value, value "
    "per cost)",
    "stakeholder_value": "stakeholders' 1-5 rating from check-ins; blended into business value "
    "(WSJF)",
}

#: The value each model assumes for a missing input (cost always uses ``default_cost``).
MODEL_DEFAULTS: Final[Mapping[ModelName, Mapping[str, float]]] = {
    "wsjf": {"business_value": 1, "time_criticality": 1, "risk_reduction": 1},
    "cd3": {"benefit_per_week": 0},
    "rice": {"reach": 1, "impact": 0.25, "confidence": 0.5},
    "ice": {"impact": 1, "confidence": 1, "ease": 1},
    "net_value": {"benefit_per_week": 0},
    "value_per_cost": {"benefit_per_week": 0},
    "formula": {
        "business_value": 1,
        "time_criticality": 1,
        "risk_reduction": 1,
        "reach": 1,
        "impact": 1,
        "confidence": 1,
        "ease": 1,
        "benefit_per_week": 0,
        "stakeholder_value": 1,
    },
}

#: The rule name formula errors carry.
FORMULA_RULE: Final = "[scoring] formula"

#: Inputs each built-in model reads, in the order its calculator takes them.
MODEL_INPUTS: Final[Mapping[ModelName, tuple[str, ...]]] = {
    "wsjf": ("business_value", "time_criticality", "risk_reduction", "stakeholder_value", "cost"),
    "cd3": ("benefit_per_week", "cost"),
    "rice": ("reach", "impact", "confidence", "cost"),
    "ice": ("impact", "confidence", "ease"),
    "net_value": ("benefit_per_week", "cost"),
    "value_per_cost": ("benefit_per_week", "cost"),
}

_OVERFLOW: Final = "not applied: the score is not a finite number (inputs too large?); 0 used"
_FIELD: Final = "Jira field"
_DEFAULT: Final = "default"
_CHECKINS: Final = "check-ins"


def _source_of(name: str) -> str:
    return _CHECKINS if name == "stakeholder_value" else _FIELD


@lru_cache(maxsize=32)
def compile_formula(source: str) -> Expression:
    """Compile ``[scoring] formula`` with the rule expression language.

    Raises:
        RuleSyntaxError: named ``[scoring] formula``, when it is empty, does not parse, or
            cannot give a number.
    """
    if not source.strip():
        reason = "model is 'formula' but the formula is empty; e.g. business_value / cost"
        raise RuleSyntaxError(FORMULA_RULE, reason)
    expr = compile_expression(source, rule=FORMULA_RULE)
    if expr.kind in ("text", "list", "date", "none"):
        raise RuleSyntaxError(FORMULA_RULE, f"the formula must give a number, not {expr.kind}")
    return expr


class _Base(NamedTuple):
    """The part of a score that depends only on the inputs (shared by identical items).

    A named tuple rather than a frozen dataclass: one is built for every distinct input
    combination, up to one per item, and a tuple is built in a third of the time.
    """

    value: float
    formula: str
    terms: tuple[ScoreTerm, ...]
    defaults: tuple[str, ...]
    needs_estimate: bool
    notes: tuple[RuleEffect, ...] = ()


class _Calculator:
    """Computes score bases, sharing terms and whole results between identical inputs.

    Backlogs repeat values (Fibonacci points, 1-5 ratings), so most items hit the cache and
    cost one dictionary lookup instead of building strings and terms.
    """

    def __init__(self, config: ScoringConfig) -> None:
        self.config = config
        self.defaults = MODEL_DEFAULTS[config.model]
        self._terms: dict[tuple[str, float, str], ScoreTerm] = {}
        #: bases by (values, sources); read directly by score_items' loop, written by base()
        self.bases: dict[tuple[tuple[Any, ...], tuple[str, ...]], _Base] = {}
        self.names, self._compute = _model(config, self)

    def base(self, key: tuple[tuple[Any, ...], tuple[str, ...]]) -> _Base:
        """The score for these ``(input values, sources)``, computed once per combination."""
        base = self.bases.get(key)
        if base is None:
            values, sources = key
            try:
                base = self._compute(values, sources)
            except ArithmeticError as e:  # e.g. cost 5e-324 x 0.2 weeks underflows to 0
                note = RuleEffect(rule="[scoring]", change=f"not applied: {e}; 0 used")
                base = _Base(0.0, f"not computable: {e}", (), (), False, (note,))
            if not math.isfinite(base.value):  # absurd inputs overflowed; never rank on inf
                note = RuleEffect(rule="[scoring]", change=_OVERFLOW)
                notes = (*base.notes, note)
                base = _Base(
                    0.0, base.formula, base.terms, base.defaults, base.needs_estimate, notes
                )
            self.bases[key] = base
        return base

    def term(self, name: str, value: float, source: str) -> ScoreTerm:
        key = (name, value, source)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = ScoreTerm(name=name, value=value, source=source)
        return found

    def input(
        self, name: str, value: float | None, source: str, terms: list[ScoreTerm], used: list[str]
    ) -> float:
        """The input's value, or the model's default (recorded in ``used``)."""
        if value is None or not math.isfinite(value):
            value = self.defaults[name]
            source = _DEFAULT
            used.append(name)
        terms.append(self.term(name, value, source))
        return value

    def cost(
        self, value: float | None, source: str, terms: list[ScoreTerm], used: list[str]
    ) -> tuple[float, bool]:
        """Story points, or ``default_cost`` (and "needs estimate") when missing or not > 0."""
        if value is None or not value > 0 or not math.isfinite(value):
            value = self.config.default_cost
            source = _DEFAULT
            used.append("cost")
            terms.append(self.term("cost", value, source))
            return value, True
        terms.append(self.term("cost", value, source))
        return value, False

    def wsjf(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        # input() and cost() treat a non-finite value as missing themselves
        business, time_critical, risk, stakeholder, cost = values
        business, stakeholder = _known(business), _known(stakeholder)
        terms: list[ScoreTerm] = []
        used: list[str] = []
        if stakeholder is not None:
            scaled = 1 + (stakeholder - 1) * 19 / 4  # 1-5 onto SAFe's 1-20
            pulse = f"{format_number(scaled)} [check-ins {format_number(stakeholder)}/5]"
            if business is not None:
                terms.append(self.term("business_value", business, sources[0]))
                business_text = f"({format_number(business)} + {pulse}) / 2"
                business = (business + scaled) / 2
            else:
                business, business_text = scaled, pulse
            terms.append(self.term("stakeholder_value", stakeholder, sources[3]))
        else:
            business = self.input("business_value", business, sources[0], terms, used)
            business_text = format_number(business)
        time_critical = self.input("time_criticality", time_critical, sources[1], terms, used)
        risk = self.input("risk_reduction", risk, sources[2], terms, used)
        size, needs = self.cost(cost, sources[4], terms, used)
        formula = (
            f"({business_text} + {format_number(time_critical)} + {format_number(risk)})"
            f" / {format_number(size)}"
        )
        value = (business + time_critical + risk) / size
        return _Base(value, formula, tuple(terms), tuple(used), needs)

    def cd3(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        terms: list[ScoreTerm] = []
        used: list[str] = []
        benefit = self.input("benefit_per_week", values[0], sources[0], terms, used)
        size, needs = self.cost(values[1], sources[1], terms, used)
        per_point = self.config.weeks_per_point
        duration = size * per_point
        duration_text = f"({format_number(size)} {TIMES} {format_number(per_point)} weeks)"
        rate = self.config.discount_rate
        if rate <= 0:
            formula = f"{format_number(benefit)} a week / {duration_text}"
            return _Base(benefit / duration, formula, tuple(terms), tuple(used), needs)
        horizon = self.config.horizon_weeks
        weekly = (1 + rate) ** (-1 / 52)  # one week's discount factor
        npv = benefit * weekly * (1 - weekly**horizon) / (1 - weekly)
        formula = (
            f"NPV({format_number(benefit)} a week for {horizon} weeks at "
            f"{format_number(rate * 100)}% a year) {format_number(npv)} / {duration_text}"
        )
        return _Base(npv / duration, formula, tuple(terms), tuple(used), needs)

    def rice(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        terms: list[ScoreTerm] = []
        used: list[str] = []
        reach = self.input("reach", values[0], sources[0], terms, used)
        impact = self.input("impact", values[1], sources[1], terms, used)
        confidence = self.input("confidence", values[2], sources[2], terms, used)
        size, needs = self.cost(values[3], sources[3], terms, used)
        confidence_text = format_number(confidence)
        if confidence > 1:  # a percentage
            confidence /= 100
            confidence_text = f"{format_number(confidence)} [{confidence_text}%]"
        formula = (
            f"{format_number(reach)} {TIMES} {format_number(impact)} {TIMES} {confidence_text}"
            f" / {format_number(size)}"
        )
        value = reach * impact * confidence / size
        return _Base(value, formula, tuple(terms), tuple(used), needs)

    def ice(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        terms: list[ScoreTerm] = []
        used: list[str] = []
        impact = self.input("impact", values[0], sources[0], terms, used)
        confidence = self.input("confidence", values[1], sources[1], terms, used)
        ease = self.input("ease", values[2], sources[2], terms, used)
        formula = f" {TIMES} ".join(format_number(v) for v in (impact, confidence, ease))
        return _Base(impact * confidence * ease, formula, tuple(terms), tuple(used), False)

    def net_value(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        terms: list[ScoreTerm] = []
        used: list[str] = []
        benefit = self.input("benefit_per_week", values[0], sources[0], terms, used)
        size, needs = self.cost(values[1], sources[1], terms, used)
        horizon, per_point = self.config.horizon_weeks, self.config.cost_per_point
        formula = (
            f"{format_number(benefit)} {TIMES} {horizon} weeks"
            f" - {format_number(size)} {TIMES} {format_number(per_point)}"
        )
        value = benefit * horizon - size * per_point
        return _Base(value, formula, tuple(terms), tuple(used), needs)

    def value_per_cost(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        terms: list[ScoreTerm] = []
        used: list[str] = []
        benefit = self.input("benefit_per_week", values[0], sources[0], terms, used)
        size, needs = self.cost(values[1], sources[1], terms, used)
        horizon, per_point = self.config.horizon_weeks, self.config.cost_per_point
        benefit_text = f"({format_number(benefit)} {TIMES} {horizon} weeks)"
        if per_point > 0:
            formula = f"{benefit_text} / ({format_number(size)} {TIMES} {format_number(per_point)})"
            value = benefit * horizon / (size * per_point)
        else:  # no money per point configured: benefit per story point
            formula = f"{benefit_text} / {format_number(size)}"
            value = benefit * horizon / size
        return _Base(value, formula, tuple(terms), tuple(used), needs)

    def formula(self, expr: Expression, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        terms: list[ScoreTerm] = []
        used: list[str] = []
        args = list(values)
        needs = False
        shown: list[str] = []
        for index, name in enumerate(expr.names):
            if name == "cost":
                args[index], needs = self.cost(values[index], sources[index], terms, used)
            elif name in INPUT_NAMES:
                args[index] = self.input(name, values[index], sources[index], terms, used)
            else:
                continue
            shown.append(f"{name}={format_number(args[index])}")
        text = expr.source + (f" [{', '.join(shown)}]" if shown else "")
        try:
            result = expr.function(*args)
            value = _finite(result)
        except EVALUATION_ERRORS as e:
            note = RuleEffect(rule=FORMULA_RULE, change=f"not applied: {e}; score 0 used")
            return _Base(0.0, text, tuple(terms), tuple(used), needs, (note,))
        return _Base(value, text, tuple(terms), tuple(used), needs)


def _known(value: Any) -> Any:
    """None for a missing or non-finite (NaN, infinite) input: both mean "not known"."""
    return None if value is None or not math.isfinite(value) else value


def _finite(result: object) -> float:
    if not isinstance(result, int | float):
        raise TypeError(f"the formula gave {result!r}, not a number")
    value = float(result)
    if not math.isfinite(value):
        raise ValueError(f"the formula gave {value}, not a finite number")
    return value


_Compute = Callable[[Sequence[Any], Sequence[str]], _Base]


def _model(config: ScoringConfig, calc: _Calculator) -> tuple[tuple[str, ...], _Compute]:
    """The names the configured model reads, and the calculator method that scores them."""
    if config.model == "formula":
        expr = compile_formula(config.formula)
        return expr.names, partial(calc.formula, expr)
    compute: _Compute = getattr(calc, config.model)
    return MODEL_INPUTS[config.model], compute


def score_items(
    items: Sequence[Item], config: ScoringConfig, ruleset: Ruleset, today: date
) -> list[ScoredItem]:
    """Score every item with ``config.model`` after applying ``ruleset``, in input order.

    ``today`` (the team's local date) is what rules and formulas see as ``today``; the core
    never reads a clock.

    Raises:
        RuleSyntaxError: the model is ``formula`` and the formula is empty or invalid.
    """
    calc = _Calculator(config)
    names = calc.names
    getter = _values_getter(names, today)
    plain_sources = tuple(_source_of(name) for name in names)
    position = {name: index for index, name in enumerate(names)}
    model = config.model

    base_for = calc.base

    def plain_fields(values: tuple[Any, ...]) -> dict[str, Any]:
        """Score fields but the key for an item no rule touched."""
        base = base_for((values, plain_sources))
        return {
            "model": model,
            "value": round(base.value, 4),
            "formula": base.formula,
            "terms": base.terms,
            "defaults": base.defaults,
            "rules_fired": base.notes,
            "needs_estimate": base.needs_estimate,
            "pin": None,
            "excluded": False,
        }

    def outcome_for(changes: RuleChanges) -> _Outcome:
        """What a rule outcome means for this model; shared by the items with that outcome."""
        moves: list[tuple[int, Any]] = []
        sources = list(plain_sources)
        for name, value in changes.inputs.items():  # rules write sources and inputs together
            index = position.get(name)
            if index is not None:
                moves.append((index, value))
                sources[index] = changes.sources[name]
        multiplier = changes.multiplier
        suffix = f" {TIMES} {format_number(multiplier)}" if multiplier != 1.0 else ""
        return _Outcome(tuple(moves), tuple(sources), multiplier, suffix)

    # Items with the same inputs and no rule outcome share every Score field but the key, so
    # each distinct combination is computed once and most such items cost a dict lookup.
    plain: dict[tuple[Any, ...], dict[str, Any]] = {}
    outcomes: dict[RuleChanges, _Outcome] = {}
    bases = calc.bases
    round4 = _rounder()
    changes_of = ruleset.changes if len(ruleset) else None
    scored: list[ScoredItem] = []
    append = scored.append
    new_score, new_scored_item = _new_score, _new_scored_item
    with _collector_paused():
        for item in items:
            changes = None if changes_of is None else changes_of(item, today)
            values = getter(item)
            if changes is None:
                shared = plain.get(values)
                if shared is None:
                    shared = plain[values] = plain_fields(values)
                fields = {"key": item.key, **shared}
            else:
                outcome = outcomes.get(changes)
                if outcome is None:
                    outcome = outcomes[changes] = outcome_for(changes)
                if outcome.moves:
                    changed = list(values)
                    for index, new in outcome.moves:
                        changed[index] = new
                    values = tuple(changed)
                key = (values, outcome.sources)
                base = bases.get(key)
                if base is None:
                    base = base_for(key)
                fields = {
                    "key": item.key,
                    "model": model,
                    "value": round4(base.value * outcome.multiplier),
                    "formula": base.formula + outcome.suffix,
                    "terms": base.terms,
                    "defaults": base.defaults,
                    "rules_fired": changes.effects + base.notes,
                    "needs_estimate": base.needs_estimate,
                    "pin": changes.pin,
                    "excluded": changes.excluded,
                }
            append(new_scored_item({"item": item, "score": new_score(fields)}))
    return scored


class _Outcome(NamedTuple):
    """A rule outcome as one scoring model sees it."""

    moves: tuple[tuple[int, Any], ...]  # (position in the model's values, new value)
    sources: tuple[str, ...]
    multiplier: float
    suffix: str  # the multiplier as the formula shows it, or ""


def _rounder() -> Callable[[float], float]:
    """``round(value, 4)``, remembered for one scoring run.

    Rounding to digits converts to decimal and back (half a microsecond), and a backlog's
    scores repeat: 100,000 varied items have about 15,000 distinct ones.
    """
    rounded: dict[float, float] = {}

    def round4(value: float) -> float:
        found = rounded.get(value)
        if found is None:
            found = round(value, 4)
            if value:  # 0.0 and -0.0 are one key but round to different signs
                rounded[value] = found
        return found

    return round4


_M = TypeVar("_M", bound=BaseModel)


def _trusted(cls: type[_M]) -> Callable[[dict[str, Any]], _M]:
    """A constructor of ``cls`` for field values this module built itself, without validation.

    It does what pydantic's ``model_construct`` does (set ``__dict__`` and the fields set; no
    validation) without its per-call loop over field aliases and defaults, because every
    field is given. Validating again what was just computed from validated items was a third
    of the time of scoring a large backlog. A test checks these instances equal validated ones.
    """
    new = object.__new__
    # BaseModel keeps these four in __slots__; calling the slots' own setters directly skips
    # object.__setattr__'s attribute lookup, which was a third of this function's time.
    slots = BaseModel.__dict__
    set_dict = slots["__dict__"].__set__
    set_fields_set = slots["__pydantic_fields_set__"].__set__
    set_extra = slots["__pydantic_extra__"].__set__
    set_private = slots["__pydantic_private__"].__set__
    # One set for all instances: every field is always set, instances are frozen, and
    # model_copy copies the set before it adds to it. A set per instance would be 100,000
    # more objects for the garbage collector to walk.
    fields_set = set(cls.model_fields)

    def build(values: dict[str, Any]) -> _M:
        instance = new(cls)
        set_dict(instance, values)
        set_fields_set(instance, fields_set)
        set_extra(instance, None)
        set_private(instance, None)
        return instance

    return build


_new_score = _trusted(Score)
_new_scored_item = _trusted(ScoredItem)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep CPython's cyclic garbage collector out of an allocation-heavy loop.

    Scoring a big backlog allocates a few container objects per item (each Score and
    ScoredItem and their ``__dict__``), and all of them live as long as the result. With the
    collector running, its full passes walk every live object, the whole backlog included,
    again and again during the loop. Pausing it is not enough on its own: everything made
    during the pause waits in the youngest generation, and the first allocation afterwards
    scans it all in one pass, which measured 0.3 s and more for 100,000 items. So at the end
    ``gc.freeze()`` and at once ``gc.unfreeze()`` move every tracked object into the oldest
    generation without scanning anything (two list splices): the new objects are examined at
    the next full collection, as long-lived objects would be anyway.

    Scoring creates no reference cycles, so nothing it made is missed. The effect is
    process-wide, like the pause itself: cyclic garbage another thread made meanwhile waits
    for the next full collection instead of a young one. An application that froze objects
    on purpose (``gc.get_freeze_count()``) would see ``unfreeze`` undo that, so then only the
    pause is used.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _values_getter(names: tuple[str, ...], today: date) -> Callable[[Item], tuple[Any, ...]]:
    """A fast reader of ``names`` from an item, always returning a tuple."""
    if "sprint_state" in names or "today" in names:
        special: dict[str, Callable[[Item], Any]] = {
            "sprint_state": sprint_state,
            "today": lambda _item: today,
        }
        readers = [special.get(name, attrgetter(name)) for name in names]
        return lambda item: tuple(read(item) for read in readers)
    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda item: (single(item),)
    if not names:
        return lambda _item: ()
    many: Callable[[Item], tuple[Any, ...]] = attrgetter(*names)
    return many
