"""One generated function per ruleset and scoring model, for scoring whole backlogs.

:mod:`rules.ruleset` interprets rules one expression at a time and :mod:`rules.scoring`
explains a model's arithmetic in words; both build text for every item, and a person reads
the explanation of a handful. Scoring a backlog needs only numbers, so this module writes ONE
Python function per ruleset and model that loops over the items and, for each, applies every
rule, runs the model's arithmetic and records what happened as plain data: the score, whether
the item needs an estimate, and which rules applied or failed (one bit per rule, from which
the pin and the exclusion follow). Explanations are built later, when someone reads them, by
the interpreter (:func:`rules.scoring.interpret`); a property test keeps the two in agreement
on random items and rulesets.

Only code from checked expressions (:attr:`Expression.code`), names from the whitelist, rule
indexes and numbers formatted with ``repr`` go into the text; rule names never do.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Final, NamedTuple, cast

from rules.config import ScoringConfig
from rules.expressions import EVALUATION_ERRORS, Expression, helper_namespace
from rules.model import INPUT_NAMES, Item, Pin
from rules.ruleset import (
    CompiledRule,
    _adjust_value,
    _factor,
    _set_value,
    constant_factor,
)

#: The generated function, ``(items, today, run, make_score, make_result)``. For each item, in
#: order, it appends ``make_result(item, make_score(item, value, needs_estimate, fired, failed,
#: run))``: ``fired`` and ``failed`` have bit ``i`` set when rule ``i`` applied or failed on
#: the item (:meth:`CompiledScorer.decisions` reads pins and exclusions from ``fired``), and
#: ``run`` is passed through.
ScoreFunction = Callable[
    [Sequence[Item], date, object, Callable[..., Any], Callable[[Item, Any], Any]], list[Any]
]

#: Distinct sets of applied rules whose decisions are remembered (bounds memory, not results).
_DECISIONS_KEPT: Final = 4096


class Decisions(NamedTuple):
    """What the rules that applied decided for the ranking, and which rule decided it."""

    pin: Pin | None = None
    pinned_by: str | None = None  # the last rule that pinned: its pin applies
    excluded_by: str | None = None  # the first rule that excluded


_INDENT: Final = " " * 8  # the body of the loop over items


class CompiledScorer:
    """A ruleset fused with a scoring model into one function (see the module docstring).

    Attributes:
        function: the generated function (see :data:`ScoreFunction`).
        source: its Python source, for reading and debugging.
    """

    __slots__ = ("_decisions", "_steering", "function", "source")

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        config: ScoringConfig,
        defaults: Mapping[str, float],
        formula: Expression | None,
    ) -> None:
        self.source = generate(rules, config, defaults, formula)
        self.function = _compile(self.source)
        #: the rules that pin or exclude, with their bit
        self._steering = tuple(
            (1 << index, rule) for index, rule in enumerate(rules) if rule.pin or rule.exclude
        )
        # a dict's get and set are atomic, so sharing between threads is safe
        self._decisions: dict[int, Decisions] = {}

    def decisions(self, fired: int) -> Decisions:
        """The pin and exclusion of an item the rules with bits ``fired`` applied to."""
        found = self._decisions.get(fired)
        if found is None:
            pin = pinned_by = excluded_by = None
            for bit, rule in self._steering:
                if fired & bit:
                    if rule.pin is not None:
                        pin, pinned_by = rule.pin, rule.name
                    if rule.exclude and excluded_by is None:
                        excluded_by = rule.name
            if len(self._decisions) >= _DECISIONS_KEPT:
                self._decisions.clear()
            found = self._decisions[fired] = Decisions(pin, pinned_by, excluded_by)
        return found


def finite_number(result: object) -> float:
    """A formula's result as a float; a non-number or a non-finite number is an error."""
    if not isinstance(result, int | float):
        raise TypeError(f"the formula gave {result!r}, not a number")
    value = float(result)
    if not math.isfinite(value):
        raise ValueError(f"the formula gave {value}, not a finite number")
    return value


def generate(
    rules: Sequence[CompiledRule],
    config: ScoringConfig,
    defaults: Mapping[str, float],
    formula: Expression | None,
) -> str:
    """Python source of the function scoring items with ``rules`` and ``config.model``.

    Per item, the rules run in order on local variables (a rule's effects are computed first
    and committed together, so a rule that raises changes nothing and only sets its bit in
    ``_failed``), then the model's arithmetic, then the rules' multiplier and rounding to four
    decimals, exactly as :func:`rules.scoring.interpret` computes them.
    """
    model = _model_lines(config, defaults, formula)
    names = {name for rule in rules for name in rule.names} | set(model.reads)
    body = [
        "def _score_items(_items, today, _run, _make_score, _make_result):",
        "    _out = []",
        "    _append = _out.append",
        "    _rounded = {}",
        "    _INF = _inf",
        *(f"    {line}" for line in model.setup),
        "    for _item in _items:",
        "        _fields = _item.__dict__",
    ]
    for name in sorted(names - {"today"}):
        if name == "sprint_state":  # as expressions.sprint_state reads it, without a call
            body.append(f"{_INDENT}_sprint = _fields['sprint']")
            getter = "None if _sprint is None else _sprint.state"
        else:
            getter = f"_fields[{name!r}]"
        body.append(f"{_INDENT}{name} = {getter}")
    body.append(f"{_INDENT}_fired = _failed = 0")
    multiplies = any(constant_factor(rule) != 1.0 for rule in rules)
    if multiplies:
        body.append(f"{_INDENT}_multiplier = 1.0")
    for index, rule in enumerate(rules):
        body += [f"{_INDENT}{line}" for line in _rule_lines(index, rule)]
    body += [f"{_INDENT}{line}" for line in model.lines]
    body += [
        f"{_INDENT}{line}"
        for line in (
            "if not -_INF < _value < _INF:",  # absurd inputs overflowed; never rank on inf
            "    _value = 0.0",
            *(["_value *= _multiplier"] if multiplies else []),
            # rounding converts to decimal and back; a backlog's scores repeat
            "_score = _rounded.get(_value)",
            "if _score is None:",
            "    _score = _round(_value, 4)",
            "    if _value:",  # 0.0 and -0.0 are one key but round to different signs
            "        _rounded[_value] = _score",
            "_score = _make_score(_item, _score, _needs, _fired, _failed, _run)",
            "_append(_make_result(_item, _score))",
        )
    ]
    body.append("    return _out")
    return "\n".join(body) + "\n"


def _rule_lines(index: int, rule: CompiledRule) -> list[str]:
    """One rule: compute every effect from the values before it, then commit them together."""
    lines = ["try:", f"    if {rule.when.code}:"]
    new: list[str] = []
    for number, (name, expr) in enumerate(rule.set):
        value = _literal(expr) or f"_set_value({expr.code}, {f'set {name}'!r})"
        lines.append(f"        _s{number} = {value}")
        new.append(f"_s{number}")
    for number, (name, expr) in enumerate(rule.adjust):
        constant = _literal(expr)
        if constant is None:
            what = f"adjust {name}"
            lines.append(f"        _a{number} = _adjust_value({name}, {expr.code}, {what!r})")
        else:  # a constant was checked at load; the sum still has to be finite
            lines += [
                f"        _a{number} = (0.0 if {name} is None else {name}) + {constant}",
                f"        if not -_INF < _a{number} < _INF:",
                "            raise _Invalid",
            ]
        new.append(f"_a{number}")
    factor = constant_factor(rule)
    if rule.multiply is not None and factor is None:
        lines.append(f"        _m = _factor({rule.multiply.code})")
    lines += [f"        {name} = {value}" for name, value in zip(rule.touched, new, strict=True)]
    if factor is None:
        lines.append("        _multiplier *= _m")
    elif factor != 1.0:
        lines.append(f"        _multiplier *= {factor!r}")
    lines.append(f"        _fired |= {1 << index}")
    lines += ["except _ERRORS:", f"    _failed |= {1 << index}"]
    return lines


def _literal(expr: Expression) -> str | None:
    """The value of an expression that reads no names, as Python source; else None.

    Constant effects (``multiply = "1.5"``, ``adjust = {business_value = "3"}``) are the
    common case; inlining them skips a call and a check per item. Loading the rules already
    evaluated and checked them.
    """
    if expr.names:
        return None
    value = expr.function()
    return "None" if value is None else repr(float(value))


class _ModelCode:
    """A model's arithmetic as lines of the generated loop.

    ``reads`` are the item's names it reads, ``setup`` runs once before the loop, and
    ``lines`` leave the score in ``_value`` and whether cost was defaulted in ``_needs``.
    """

    def __init__(self, reads: Sequence[str], setup: Sequence[str], lines: Sequence[str]) -> None:
        self.reads, self.setup, self.lines = tuple(reads), tuple(setup), tuple(lines)


def _usable(name: str, default: float, local: str) -> list[str]:
    """``local`` = the input, or the model's default when it is missing or not finite."""
    return [f"{local} = {name} if {name} is not None and -_INF < {name} < _INF else {default!r}"]


def _cost(config: ScoringConfig, local: str = "_size", *, zero: bool = False) -> list[str]:
    """Story points, or ``default_cost`` (and "needs estimate") when missing or not > 0.

    ``zero``: the model does not divide by cost, so 0 points is a real estimate, used as is.
    """
    low = "0 <= cost" if zero else "0 < cost"
    return [
        f"if cost is not None and {low} < _INF:",
        f"    {local} = cost",
        "    _needs = False",
        "else:",
        f"    {local} = {config.default_cost!r}",
        "    _needs = True",
    ]


def _guarded(lines: Sequence[str]) -> list[str]:
    """Arithmetic that may fail (cost 5e-324 x 0.2 weeks underflows to 0) scores 0."""
    body = [f"    {line}" for line in lines]
    return ["try:", *body, "except ArithmeticError:", "    _value = 0.0"]


def _model_lines(
    config: ScoringConfig, defaults: Mapping[str, float], formula: Expression | None
) -> _ModelCode:
    """The arithmetic of ``config.model``, as :class:`rules.scoring._Calculator` does it."""
    model = config.model
    if formula is not None:  # the caller compiled [scoring] formula for model "formula"
        return _formula_lines(config, defaults, formula)
    horizon, per_point = config.horizon_weeks, config.cost_per_point
    if model == "wsjf":
        business = defaults["business_value"]
        reads = ("business_value", "time_criticality", "risk_reduction", "stakeholder_value")
        lines = [
            "if stakeholder_value is not None and -_INF < stakeholder_value < _INF:",
            "    _business = 1 + (stakeholder_value - 1) * 19 / 4",  # 1-5 onto SAFe's 1-20
            "    if business_value is not None and -_INF < business_value < _INF:",
            "        _business = (business_value + _business) / 2",
            "else:",
            *(f"    {line}" for line in _usable("business_value", business, "_business")),
            *_usable("time_criticality", defaults["time_criticality"], "_time"),
            *_usable("risk_reduction", defaults["risk_reduction"], "_risk"),
            *_cost(config),
            *_guarded(["_value = (_business + _time + _risk) / _size"]),
        ]
        return _ModelCode((*reads, "cost"), (), lines)
    if model == "cd3":
        rate = config.discount_rate
        duration = f"(_size * {config.weeks_per_point!r})"
        setup: list[str] = []
        if rate <= 0:
            value = f"_benefit / {duration}"
        else:  # the NPV of the weekly benefit over the horizon, discounted weekly
            setup = [
                f"_weekly = (1 + {rate!r}) ** (-1 / 52)",
                f"_grow = 1 - _weekly ** {horizon!r}",
                "_shrink = 1 - _weekly",
            ]
            value = f"_benefit * _weekly * _grow / _shrink / {duration}"
        lines = [
            *_usable("benefit_per_week", defaults["benefit_per_week"], "_benefit"),
            *_cost(config),
            *_guarded([f"_value = {value}"]),
        ]
        return _ModelCode(("benefit_per_week", "cost"), setup, lines)
    if model == "rice":
        lines = [
            *_usable("reach", defaults["reach"], "_reach"),
            *_usable("impact", defaults["impact"], "_impact"),
            *_usable("confidence", defaults["confidence"], "_confidence"),
            *_cost(config),
            "if _confidence > 1:",  # a percentage
            "    _confidence /= 100",
            *_guarded(["_value = _reach * _impact * _confidence / _size"]),
        ]
        return _ModelCode(("reach", "impact", "confidence", "cost"), (), lines)
    if model == "ice":
        lines = [
            *_usable("impact", defaults["impact"], "_impact"),
            *_usable("confidence", defaults["confidence"], "_confidence"),
            *_usable("ease", defaults["ease"], "_ease"),
            "_needs = False",
            *_guarded(["_value = _impact * _confidence * _ease"]),
        ]
        return _ModelCode(("impact", "confidence", "ease"), (), lines)
    if model == "net_value":
        value = f"_benefit * {horizon!r} - _size * {per_point!r}"
    elif per_point > 0:  # value_per_cost, money per point configured
        value = f"_benefit * {horizon!r} / (_size * {per_point!r})"
    else:  # value_per_cost: benefit per story point
        value = f"_benefit * {horizon!r} / _size"
    lines = [
        *_usable("benefit_per_week", defaults["benefit_per_week"], "_benefit"),
        *_cost(config, zero=model == "net_value"),
        *_guarded([f"_value = {value}"]),
    ]
    return _ModelCode(("benefit_per_week", "cost"), (), lines)


def _formula_lines(
    config: ScoringConfig, defaults: Mapping[str, float], formula: Expression
) -> _ModelCode:
    """``[scoring] formula``: inputs it reads get the model's defaults, then its code runs.

    The formula runs after the rules, so its inputs may be replaced by their defaults in the
    same local variables the rules used.
    """
    lines = ["_needs = False"]
    for name in formula.names:
        if name == "cost":
            lines += [*_cost(config, "cost")]
        elif name in INPUT_NAMES:
            lines += _usable(name, defaults[name], name)
    lines += [
        "try:",
        f"    _value = _finite_number({formula.code})",
        "except _ERRORS:",
        "    _value = 0.0",
    ]
    return _ModelCode(formula.names, (), lines)


def _compile(source: str) -> ScoreFunction:
    namespace = helper_namespace()
    namespace.update(
        _set_value=_set_value,
        _adjust_value=_adjust_value,
        _factor=_factor,
        _finite_number=finite_number,
        _round=round,
        _inf=math.inf,
        _Invalid=ValueError("the sum is not a finite number"),
        _ERRORS=EVALUATION_ERRORS,
        # the namespace has no builtins; the guard around the models' arithmetic needs this one
        ArithmeticError=ArithmeticError,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<scoring>", "exec"), namespace)  # noqa: S102 - see generate
    return cast("ScoreFunction", namespace["_score_items"])
