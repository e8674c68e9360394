"""Rules that change value inputs, multiply scores, pin or exclude items before ranking.

A rule is a ``when`` condition and effects (see :class:`~rules.config.RuleSpec`):

* ``set = {input = expr}`` replaces an input (``None`` is allowed: "unknown");
* ``adjust = {input = expr}`` adds to an input (a missing input counts as 0);
* ``multiply = expr`` multiplies the final score;
* ``pin = "top" | "bottom"`` and ``exclude = true`` steer the ranking.

Rules run in file order, and a later rule sees the inputs earlier rules changed; a later pin
overrides an earlier one. Within one rule every effect is computed from the values before the
rule, and the rule's changes are committed together: a rule that fails on an item (say,
``due <= today`` with no due date) changes nothing for that item and is reported as not
applied, with the reason, instead of stopping the run.

Everything is validated by :func:`compile_rules` at load time. The rules are then compiled
into ONE Python function per ruleset, so an item is checked against all rules with a single
call and no per-rule dictionaries; nothing is allocated for an item no rule touches.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import attrgetter
from typing import Any, Final, NamedTuple, cast

from rules.config import RuleSpec
from rules.errors import RuleEvaluationError, RuleSyntaxError
from rules.expressions import (
    EVALUATION_ERRORS,
    Expression,
    compile_expression,
    describe_failure,
    helper_namespace,
    sprint_state,
)
from rules.model import INPUT_NAMES, Item, Pin, RuleEffect

#: The multiplication sign used in readable effects and formulas.
TIMES: Final = "\u00d7"

#: Entries kept in a ruleset's caches before they are dropped (bounds memory, not results).
_CACHE_SIZE: Final = 50_000

_NOT_NUMBERS: Final = frozenset({"text", "list", "date", "bool"})


@lru_cache(maxsize=4096)
def format_number(value: float | None) -> str:
    """A number as people write it: ``13``, ``2.5``, ``0.3333``; ``(not set)`` for None."""
    if value is None:
        return "(not set)"
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One rule after validation: its expressions compiled, its effects checked."""

    name: str
    line: int | None
    when: Expression
    set: tuple[tuple[str, Expression], ...] = ()
    adjust: tuple[tuple[str, Expression], ...] = ()
    multiply: Expression | None = None
    pin: Pin | None = None
    exclude: bool = False

    #: inputs this rule writes, set first, then adjusted
    touched: tuple[str, ...] = field(init=False)
    #: every name the rule reads or writes, sorted (the values reported when it fails)
    names: tuple[str, ...] = field(init=False)
    #: the source of the inputs it writes, as score terms show it
    source: str = field(init=False)

    def __post_init__(self) -> None:
        touched = tuple(name for name, _ in self.set) + tuple(name for name, _ in self.adjust)
        read = {name for _, expr in self.parts for name in expr.names}
        object.__setattr__(self, "touched", touched)
        object.__setattr__(self, "names", tuple(sorted(read | set(touched))))
        object.__setattr__(self, "source", f"rule {self.name!r}")

    @property
    def parts(self) -> list[tuple[str, Expression]]:
        """Each expression with the part of the rule it comes from, in evaluation order."""
        parts = [("when", self.when)]
        parts += [(f"set {name}", expr) for name, expr in self.set]
        parts += [(f"adjust {name}", expr) for name, expr in self.adjust]
        if self.multiply is not None:
            parts.append(("multiply", self.multiply))
        return parts


@dataclass(frozen=True, slots=True, eq=False)
class RuleChanges:
    """What the rules did to one item, without building a new item (the scoring fast path).

    Attributes:
        inputs: final values of the inputs rules wrote (may equal the item's own values).
        sources: for each input in ``inputs``, the last rule that wrote it (``"rule 'X'"``).
        multiplier: product of the ``multiply`` effects that applied (1.0 when none).
        pin: the last pin that applied.
        excluded: whether an ``exclude`` rule applied.
        effects: readable changes, in rule order; rules that failed appear as
            ``"not applied: <reason>"``.
        errors: the full message of each rule that failed on this item.

    Instances without errors are shared between items the rules treat alike, and compare and
    hash by identity, so callers can use them as cache keys.
    """

    inputs: Mapping[str, float | None]
    sources: Mapping[str, str]
    multiplier: float = 1.0
    pin: Pin | None = None
    excluded: bool = False
    effects: tuple[RuleEffect, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """An item after the rules: its inputs changed, and what else the rules decided."""

    item: Item
    multiplier: float = 1.0
    pin: Pin | None = None
    excluded: bool = False
    effects: tuple[RuleEffect, ...] = ()
    errors: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)


class _Step(NamedTuple):
    """What one rule did to an item, as :meth:`Ruleset._describe` adds it up.

    Steps of rules that applied depend only on the rule and the values in its part of the
    log, so they are built once and shared; steps of rules that failed are built per item.
    """

    rule: int  # the rule's index, for the order
    effects: tuple[RuleEffect, ...]
    inputs: Mapping[str, float | None]  # what it wrote...
    sources: Mapping[str, str]  # ...and, for the same names, that it wrote them
    factor: float = 1.0
    pin: Pin | None = None
    exclude: bool = False
    error: str | None = None  # the full message when the rule failed


# --- runtime checks the generated function calls -------------------------------------------


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{what} gave {value!r}, not a number")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{what} gave {result}, not a finite number")
    return result


def _set_value(value: Any, what: str) -> float | None:
    return None if value is None else _number(value, what)


def _adjust_value(current: Any, delta: Any, what: str) -> float:
    base = 0.0 if current is None else float(current)
    return _number(base + _number(delta, what), what)


def _factor(value: Any) -> float:
    return _number(value, "multiply")


#: the parts of the rules that applied, one after another in one tuple (see ``_generate``)
_RawLog = tuple[Any, ...]
#: (rule index, error, values of the rule's names) for each rule that failed
_RawErrors = list[tuple[int, Exception, tuple[Any, ...]]]


def _generate(rules: Sequence[CompiledRule]) -> str:
    """Python source of one function applying every rule in order to an item.

    Only code from checked expressions (:attr:`Expression.code`), names from the whitelist and
    rule indexes go into the text; rule names never do. The function returns None when no
    rule applied or failed, else ``(log, errors)`` (see ``_RawLog`` and ``_RawErrors``).

    The log is flat: each rule that applied adds its index, the inputs it writes before and
    after, and its factor if ``multiply`` is not a constant (:func:`_part_size`);
    :meth:`Ruleset._describe` takes it apart again. One flat tuple, rather than a tuple of
    tuples per rule, is fewer objects to build, and the log is hashed and compared on every
    item as the key of the description cache.
    """
    read = sorted({name for rule in rules for name in rule.names} - {"today"})
    # A pydantic model keeps its fields in __dict__: subscripting it once per name is
    # faster than attribute lookup through the model's class (15% of this function's time).
    body = ["def _apply_rules(_item, today):", "    _fields = _item.__dict__"]
    for name in read:
        getter = "_sprint_state(_item)" if name == "sprint_state" else f"_fields[{name!r}]"
        body.append(f"    {name} = {getter}")
    body += ["    _log = ()", "    _errors = None"]
    for index, rule in enumerate(rules):
        body += ["    try:", f"        if {rule.when.code}:"]
        new: list[str] = []
        for number, (name, expr) in enumerate(rule.set):
            value = _literal(expr) or f"_set_value({expr.code}, {f'set {name}'!r})"
            body.append(f"            _s{number} = {value}")
            new.append(f"_s{number}")
        for number, (name, expr) in enumerate(rule.adjust):
            constant = _literal(expr)
            if constant is not None:  # inputs are floats or None: no check needed
                value = f"(0.0 if {name} is None else {name}) + {constant}"
            else:
                value = f"_adjust_value({name}, {expr.code}, {f'adjust {name}'!r})"
            body.append(f"            _a{number} = {value}")
            new.append(f"_a{number}")
        factor = ""
        if rule.multiply is not None and _literal(rule.multiply) is None:
            body.append(f"            _m = _factor({rule.multiply.code})")
            factor = "_m, "
        old = "".join(f"{name}, " for name in rule.touched)
        after = "".join(f"{name}, " for name in new)
        body.append(f"            _log += ({index}, {old}{after}{factor})")
        body += [
            f"            {name} = {value}" for name, value in zip(rule.touched, new, strict=True)
        ]
        values = "".join(f"{name}, " for name in rule.names)
        body += [
            "    except _ERRORS as _e:",
            "        if _errors is None:",
            "            _errors = []",
            f"        _errors.append(({index}, _e, ({values})))",
        ]
    body += [
        "    if not _log and _errors is None:",
        "        return None",
        "    return _log, _errors",
    ]
    return "\n".join(body) + "\n"


def _constant_factor(rule: CompiledRule) -> float | None:
    """The rule's factor when it is known without an item (1.0 without ``multiply``)."""
    if rule.multiply is None:
        return 1.0
    return None if rule.multiply.names else float(rule.multiply.function())


def _part_size(rule: CompiledRule) -> int:
    """How many values ``rule`` adds to the flat log when it applies (see :func:`_generate`)."""
    return 1 + 2 * len(rule.touched) + (_constant_factor(rule) is None)


def _literal(expr: Expression) -> str | None:
    """The value of an expression that reads no names, as Python source; else None.

    Constant effects (``multiply = "1.5"``, ``adjust = {business_value = "3"}``) are the
    common case; inlining them skips a call and a check per item. :func:`_numeric` already
    evaluated and checked them at load time.
    """
    if expr.names:
        return None
    value = expr.function()
    return "None" if value is None else repr(float(value))


_ApplyFunction = Callable[[Item, date], Any]


def _compile_apply(rules: Sequence[CompiledRule]) -> _ApplyFunction:
    source = _generate(rules)
    namespace = helper_namespace()
    namespace.update(
        _set_value=_set_value,
        _adjust_value=_adjust_value,
        _factor=_factor,
        _sprint_state=sprint_state,
        _ERRORS=EVALUATION_ERRORS,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<rules>", "exec"), namespace)  # noqa: S102 - see _generate
    return cast("_ApplyFunction", namespace["_apply_rules"])


class Ruleset:
    """Compiled rules, applied to one item at a time in file order.

    Build it with :func:`compile_rules`; it is immutable and safe to share between threads.
    """

    __slots__ = ("_apply", "_described", "_sizes", "_steps", "rules")

    def __init__(self, rules: Sequence[CompiledRule] = ()) -> None:
        self.rules: tuple[CompiledRule, ...] = tuple(rules)
        self._apply = _compile_apply(self.rules)
        self._sizes = tuple(_part_size(rule) for rule in self.rules)
        # caches of immutable results; a dict's get and set are atomic, so sharing is safe
        self._steps: dict[_RawLog, _Step] = {}
        self._described: dict[_RawLog, RuleChanges] = {}

    def __len__(self) -> int:
        return len(self.rules)

    def __repr__(self) -> str:
        return f"Ruleset({[rule.name for rule in self.rules]!r})"

    def changes(self, item: Item, today: date) -> RuleChanges | None:
        """What the rules do to ``item``; None when no rule applied and none failed.

        This is the fast path :func:`rules.scoring.score_items` uses: it builds nothing for an
        item the rules leave alone, and never copies the item.
        """
        if not self.rules:
            return None
        raw: tuple[_RawLog, _RawErrors | None] | None = self._apply(item, today)
        if raw is None:
            return None
        log, errors = raw
        if errors is not None:  # messages name the item: nothing to share
            return self._describe(item, log, errors)
        # items the rules treat alike (same rules, same values) share one description
        found = self._described.get(log)
        if found is None:
            if len(self._described) >= _CACHE_SIZE:
                self._described.clear()
            found = self._described[log] = self._describe(item, log, None)
        return found

    def apply(self, item: Item, today: date) -> RuleOutcome:
        """Apply every rule to ``item``: the item with its inputs changed, and the rest."""
        changes = self.changes(item, today)
        if changes is None:
            return RuleOutcome(item=item)
        update = {
            name: value for name, value in changes.inputs.items() if value != item.input(name)
        }
        return RuleOutcome(
            item=item.model_copy(update=update) if update else item,
            multiplier=changes.multiplier,
            pin=changes.pin,
            excluded=changes.excluded,
            effects=changes.effects,
            errors=changes.errors,
            sources=changes.sources,
        )

    def _step(self, part: _RawLog) -> _Step:
        """What the rule whose part of the log this is did; frozen, so shared between items."""
        found = self._steps.get(part)
        if found is None:  # (most calls come from _describe, which looked already)
            rule = self.rules[part[0]]
            width = len(rule.touched)
            old, new = part[1 : 1 + width], part[1 + width : 1 + 2 * width]
            factor = _constant_factor(rule)
            if factor is None:
                factor = part[-1]
            texts = [
                _change(name, before, after, rule)
                for name, before, after in zip(rule.touched, old, new, strict=True)
            ]
            texts += _decisions(rule, factor)
            found = _Step(
                rule=part[0],
                effects=tuple(RuleEffect(rule=rule.name, change=text) for text in texts),
                inputs=dict(zip(rule.touched, new, strict=True)),
                sources=dict.fromkeys(rule.touched, rule.source),
                factor=factor,
                pin=rule.pin,
                exclude=rule.exclude,
            )
            if len(self._steps) >= _CACHE_SIZE:
                self._steps.clear()
            self._steps[part] = found
        return found

    def _failed(self, item: Item, index: int, error: Exception, values: tuple[Any, ...]) -> _Step:
        rule = self.rules[index]
        reason = _failure(rule, error, values)
        effect = RuleEffect(rule=rule.name, change=f"not applied: {reason}")
        message = str(RuleEvaluationError(rule.name, item.key, reason))
        return _Step(rule=index, effects=(effect,), inputs={}, sources={}, error=message)

    def _describe(self, item: Item, log: _RawLog, errors: _RawErrors | None) -> RuleChanges:
        steps: list[_Step] = []
        sizes, known = self._sizes, self._steps
        at = 0
        while at < len(log):  # cut the flat log into one part per rule that applied
            end = at + sizes[log[at]]
            part = log[at:end]
            step = known.get(part)
            steps.append(self._step(part) if step is None else step)
            at = end
        if errors:
            steps += [self._failed(item, *error) for error in errors]
            steps.sort(key=attrgetter("rule"))
        inputs: dict[str, float | None] = {}
        sources: dict[str, str] = {}
        effects: tuple[RuleEffect, ...] = ()
        multiplier = 1.0
        pin: Pin | None = None
        excluded = False
        for step in steps:
            effects += step.effects
            if step.inputs:  # a later rule's write replaces an earlier one's
                inputs.update(step.inputs)
                sources.update(step.sources)
            multiplier *= step.factor
            if step.pin is not None:
                pin = step.pin
            excluded = excluded or step.exclude
        return RuleChanges(
            inputs=inputs,
            sources=sources,
            multiplier=multiplier,
            pin=pin,
            excluded=excluded,
            effects=effects,
            errors=tuple(step.error for step in steps if step.error is not None),
        )


def _failure(rule: CompiledRule, error: Exception, values: tuple[Any, ...]) -> str:
    """Why ``rule`` failed, naming the part that failed and only the inputs it reads.

    Runs on the error path only: the rule's expressions are evaluated again, one by one, on
    the values the rule saw, to find which part raised.
    """
    env = dict(zip(rule.names, values, strict=True))
    for part, expr in rule.parts:
        try:
            expr.evaluate(env)
        except RuleEvaluationError as e:
            return f"{part}: {e.reason}"
    return describe_failure(error, rule.names, values)


def _decisions(rule: CompiledRule, factor: float) -> list[str]:
    """Readable multiply/pin/exclude effects of a rule that applied."""
    texts = [] if rule.multiply is None else [f"score {TIMES} {format_number(factor)}"]
    if rule.pin is not None:
        texts.append(f"pinned to the {rule.pin}")
    if rule.exclude:
        texts.append("excluded from ranking")
    return texts


def _change(name: str, before: float | None, after: float | None, rule: CompiledRule) -> str:
    text = f"{name} {format_number(before)} → {format_number(after)}"
    if any(adjusted == name for adjusted, _ in rule.adjust) and after is not None:
        delta = after - (before or 0.0)
        sign = "+" if delta >= 0 else "-"
        text += f" ({sign}{format_number(abs(delta))})"
    return text


def _check_inputs(spec: RuleSpec, effect: str, names: Mapping[str, str]) -> None:
    for name in names:
        if name not in INPUT_NAMES:
            close = difflib.get_close_matches(name, INPUT_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reason = f"{effect}: unknown input {name!r}{hint} (inputs: {', '.join(INPUT_NAMES)})"
            raise RuleSyntaxError(spec.name, reason, spec.line)


def _numeric(spec: RuleSpec, part: str, source: str, *, allow_none: bool) -> Expression:
    expr = compile_expression(source, rule=spec.name, line=spec.line, part=part)
    refused = _NOT_NUMBERS | ({"none"} if not allow_none else set())
    if expr.kind in refused:
        words = {"text": "text", "list": "a list", "date": "a date", "bool": "True/False"}
        reason = f"{part}: gives {words.get(expr.kind, 'None')}, not a number"
        raise RuleSyntaxError(spec.name, reason, spec.line)
    if not expr.names:  # a constant: its value is known now, so check it now
        try:
            value = expr.function()
            if value is not None or not allow_none:
                _number(value, part)
        except EVALUATION_ERRORS as e:
            raise RuleSyntaxError(spec.name, f"{part}: {e}", spec.line) from None
    return expr


def compile_rule(spec: RuleSpec) -> CompiledRule:
    """Validate one rule and compile its expressions.

    Raises:
        RuleSyntaxError: naming the rule, its line and what is wrong.
    """
    if not spec.name.strip():
        raise RuleSyntaxError("(unnamed)", "every rule needs a name", spec.line)
    if not (spec.set or spec.adjust or spec.multiply is not None or spec.pin or spec.exclude):
        reason = "the rule has no effect; give it set, adjust, multiply, pin or exclude"
        raise RuleSyntaxError(spec.name, reason, spec.line)
    _check_inputs(spec, "set", spec.set)
    _check_inputs(spec, "adjust", spec.adjust)
    both = sorted(set(spec.set) & set(spec.adjust))
    if both:
        reason = f"{both[0]} is both set and adjusted; use one of the two"
        raise RuleSyntaxError(spec.name, reason, spec.line)
    return CompiledRule(
        name=spec.name,
        line=spec.line,
        when=compile_expression(spec.when, rule=spec.name, line=spec.line, part="when"),
        set=tuple(
            (name, _numeric(spec, f"set {name}", source, allow_none=True))
            for name, source in spec.set.items()
        ),
        adjust=tuple(
            (name, _numeric(spec, f"adjust {name}", source, allow_none=False))
            for name, source in spec.adjust.items()
        ),
        multiply=None
        if spec.multiply is None
        else _numeric(spec, "multiply", spec.multiply, allow_none=False),
        pin=spec.pin,
        exclude=spec.exclude,
    )


def compile_rules(specs: Sequence[RuleSpec]) -> Ruleset:
    """Validate and compile rules, in file order, into a :class:`Ruleset`.

    Everything that can be checked without an item is checked here, so a broken rules file is
    rejected when it is loaded, never halfway through a scoring run.

    Raises:
        RuleSyntaxError: the first bad rule, with its name, line and the reason.
    """
    seen: dict[str, RuleSpec] = {}
    compiled: list[CompiledRule] = []
    for spec in specs:
        key = spec.name.strip().casefold()
        if key in seen:
            first = seen[key].line
            where = f" (line {first})" if first is not None else ""
            reason = f"another rule has the same name{where}; rule names must be unique"
            raise RuleSyntaxError(spec.name, reason, spec.line)
        seen[key] = spec
        compiled.append(compile_rule(spec))
    return Ruleset(compiled)
