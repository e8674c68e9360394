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

Two paths give the same scores. :func:`interpret` is the straightforward one: the rule
interpreter (:meth:`Ruleset.apply`), then the model's arithmetic with every term, default and
formula written out. :func:`score_items` runs one generated function per ruleset and model
(:mod:`rules.compiled`) that computes only numbers, and its scores write their explanation
with :func:`interpret` when someone first reads it; a property test checks that both agree.

Over 400 lines: the seven models' interpreter (the reference the generated code is tested
against) and their explanations are written out side by side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import lru_cache, partial
from typing import Any, Final, NamedTuple

from rules.compiled import CompiledScorer, finite_number
from rules.config import ModelName, ScoringConfig
from rules.errors import RuleSyntaxError
from rules.expressions import EVALUATION_ERRORS, Expression, compile_expression, item_env
from rules.model import (
    INPUT_NAMES,
    Explanation,
    Item,
    Pin,
    RuleEffect,
    Score,
    ScoredItem,
    ScoreTerm,
)
from rules.ruleset import TIMES, Ruleset, format_number

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
    """A model's result for one item's inputs, before the rules' multiplier."""

    value: float
    formula: str
    terms: tuple[ScoreTerm, ...]
    defaults: tuple[str, ...]
    needs_estimate: bool
    notes: tuple[RuleEffect, ...] = ()


@lru_cache(maxsize=4096)
def _term(name: str, value: float, source: str) -> ScoreTerm:
    """Terms repeat across a backlog (Fibonacci points, 1-5 ratings): validate each once."""
    return ScoreTerm(name=name, value=value, source=source)


class _Calculator:
    """The models' arithmetic with every term, default and formula written out."""

    def __init__(self, config: ScoringConfig) -> None:
        self.config = config
        self.defaults = MODEL_DEFAULTS[config.model]
        self.names, self._compute = _model(config, self)

    def base(self, values: Sequence[Any], sources: Sequence[str]) -> _Base:
        """The score for these input values and sources; 0, with a note, when not computable."""
        try:
            base = self._compute(values, sources)
        except ArithmeticError as e:  # e.g. cost 5e-324 x 0.2 weeks underflows to 0
            note = RuleEffect(rule="[scoring]", change=f"not applied: {e}; 0 used")
            return _Base(0.0, f"not computable: {e}", (), (), False, (note,))
        if not math.isfinite(base.value):  # absurd inputs overflowed; never rank on inf
            note = RuleEffect(rule="[scoring]", change=_OVERFLOW)
            return base._replace(value=0.0, notes=(*base.notes, note))
        return base

    term = staticmethod(_term)

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
        self,
        value: float | None,
        source: str,
        terms: list[ScoreTerm],
        used: list[str],
        *,
        zero: bool = False,
    ) -> tuple[float, bool]:
        """Story points, or ``default_cost`` (and "needs estimate") when missing or not > 0.

        ``zero``: the model does not divide by cost (net value), so 0 points is a real
        estimate and is used as is. Elsewhere the term says why the points were not used, so
        a 0 or a negative estimate is not explained as a missing one.
        """
        if zero and value == 0:
            terms.append(self.term("cost", 0.0, source))
            return 0.0, False
        if value is None or not value > 0 or not math.isfinite(value):
            if value is not None and math.isfinite(value):
                source = f"{value:g} story points: cost must be > 0, default_cost used"
            else:
                source = _DEFAULT
            value = self.config.default_cost
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
        size, needs = self.cost(values[1], sources[1], terms, used, zero=True)
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
            value = finite_number(expr.function(*args))
        except EVALUATION_ERRORS as e:
            note = RuleEffect(rule=FORMULA_RULE, change=f"not applied: {e}; score 0 used")
            return _Base(0.0, text, tuple(terms), tuple(used), needs, (note,))
        return _Base(value, text, tuple(terms), tuple(used), needs)


def _known(value: Any) -> Any:
    """None for a missing or non-finite (NaN, infinite) input: both mean "not known"."""
    return None if value is None or not math.isfinite(value) else value


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
    never reads a clock. Each score explains itself (formula, terms, defaults, rules fired)
    when first asked, as :func:`interpret` would have.

    Raises:
        RuleSyntaxError: the model is ``formula`` and the formula is empty or invalid.
    """
    scorer = compiled_scorer(ruleset, config)
    run = _Run(config, ruleset, today, scorer)
    scored: list[ScoredItem] = scorer.function(items, today, run, _LazyScore, ScoredItem)
    return scored


def compiled_scorer(ruleset: Ruleset, config: ScoringConfig) -> CompiledScorer:
    """The generated function for this ruleset and model, made once and then reused.

    Kept per ruleset object (the bot compiles its rules once) and the model's settings.

    Raises:
        RuleSyntaxError: the model is ``formula`` and the formula is empty or invalid.
    """
    settings = tuple((name, getattr(config, name)) for name in _MODEL_SETTINGS)
    return _compiled(ruleset, settings)


#: The ``[scoring]`` settings the generated function depends on (the rest is for ranking).
_MODEL_SETTINGS: Final = (
    "model",
    "formula",
    "default_cost",
    "discount_rate",
    "horizon_weeks",
    "cost_per_point",
    "weeks_per_point",
)


@lru_cache(maxsize=32)
def _compiled(ruleset: Ruleset, settings: tuple[tuple[str, Any], ...]) -> CompiledScorer:
    config = ScoringConfig.model_validate(dict(settings))
    formula = compile_formula(config.formula) if config.model == "formula" else None
    return CompiledScorer(ruleset.rules, config, MODEL_DEFAULTS[config.model], formula)


def interpret(
    item: Item,
    config: ScoringConfig,
    ruleset: Ruleset,
    today: date,
    applied: int | None = None,
) -> Score:
    """Score one item the straightforward way: the rule interpreter, then the model.

    What :func:`score_items`' scores explain themselves with (passing the record of the rules
    that ``applied``, see :meth:`Ruleset.apply`), and the reference its generated function is
    tested against.

    Raises:
        RuleSyntaxError: the model is ``formula`` and the formula is empty or invalid.
    """
    outcome = ruleset.apply(item, today, applied)
    calc = _Calculator(config)
    env = item_env(outcome.item, today)
    sources = {name: _source_of(name) for name in calc.names} | dict(outcome.sources)
    base = calc.base([env[name] for name in calc.names], [sources[name] for name in calc.names])
    multiplier = outcome.multiplier
    suffix = f" {TIMES} {format_number(multiplier)}" if multiplier != 1.0 else ""
    return Score(
        key=item.key,
        model=config.model,
        value=round(base.value * multiplier, 4),
        formula=base.formula + suffix,
        terms=base.terms,
        defaults=base.defaults,
        rules_fired=outcome.effects + base.notes,
        needs_estimate=base.needs_estimate,
        pin=outcome.pin,
        excluded=outcome.excluded,
        pinned_by=outcome.pinned_by,
        excluded_by=outcome.excluded_by,
    )


class _Run:
    """One :func:`score_items` run, shared by its scores: what they read and write out."""

    __slots__ = ("config", "model", "ruleset", "scorer", "today")

    def __init__(
        self, config: ScoringConfig, ruleset: Ruleset, today: date, scorer: CompiledScorer
    ) -> None:
        self.config, self.model = config, config.model
        self.ruleset, self.today, self.scorer = ruleset, today, scorer

    def explain(self, item: Item, fired: int, failed: int) -> Explanation:
        """The explanation of ``item``'s score from the rules that applied to it and failed.

        Without failures the record says which rules applied, so only their effects are
        evaluated again; a failure's reason needs the whole interpreter.
        """
        applied = None if failed else fired
        score = interpret(item, self.config, self.ruleset, self.today, applied)
        return Explanation(score.formula, score.terms, score.defaults, score.rules_fired)


class _LazyScore(Score):
    """A score from :func:`score_items`: numbers now, its explanation when first read.

    It keeps what the generated function recorded (the item, the value, and the bits of the
    rules that applied and failed) and reads the rest from its run, so making one is cheap.
    """

    __slots__ = ("_failed", "_fired", "_item", "_lazy", "_run")

    def __init__(  # positional, in the generated function's order: one call per item
        self,
        item: Item,
        value: float,
        needs_estimate: bool,
        fired: int,
        failed: int,
        run: _Run,
    ) -> None:
        self._item, self._value, self._needs_estimate = item, value, needs_estimate
        self._fired, self._failed, self._run = fired, failed, run
        self._lazy: Explanation | None = None

    @property
    def key(self) -> str:
        return self._item.key

    @property
    def model(self) -> str:
        return self._run.model

    @property
    def pin(self) -> Pin | None:
        return self._run.scorer.decisions(self._fired).pin

    @property
    def pinned_by(self) -> str | None:
        return self._run.scorer.decisions(self._fired).pinned_by

    @property
    def excluded(self) -> bool:
        return self._run.scorer.decisions(self._fired).excluded_by is not None

    @property
    def excluded_by(self) -> str | None:
        return self._run.scorer.decisions(self._fired).excluded_by

    def _explanation(self) -> Explanation:
        details = self._lazy
        if details is None:  # two threads may both build it; the results are equal
            details = self._lazy = self._run.explain(self._item, self._fired, self._failed)
        return details
