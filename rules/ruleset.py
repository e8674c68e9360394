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

Everything is validated by :func:`compile_rules` at load time. :meth:`Ruleset.apply` is the
plain interpreter of the rules, one expression at a time, with every change described in
words; scoring a backlog runs the same rules fused with the model into one generated function
(:mod:`rules.compiled`), and a property test keeps the two in agreement.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Final

from rules.config import RuleSpec
from rules.errors import RuleEvaluationError, RuleSyntaxError
from rules.expressions import (
    EVALUATION_ERRORS,
    Expression,
    compile_expression,
    describe_failure,
    item_env,
)
from rules.model import INPUT_NAMES, Item, Pin, RuleEffect

#: The multiplication sign used in readable effects and formulas.
TIMES: Final = "\u00d7"

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


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """An item after the rules: its inputs changed, and what else the rules decided.

    Attributes:
        item: the item with the inputs the rules changed (the item itself when none did).
        multiplier: product of the ``multiply`` effects that applied (1.0 when none).
        pin: the last pin that applied; ``pinned_by`` names its rule.
        excluded: whether an ``exclude`` rule applied; ``excluded_by`` names the first.
        effects: readable changes, in rule order; rules that failed appear as
            ``"not applied: <reason>"``.
        errors: the full message of each rule that failed on this item.
        sources: for each input a rule wrote, the last rule that wrote it (``"rule 'X'"``).
        fired: the names of the rules that applied, in rule order.
        failed: the names of the rules that failed on the item, in rule order.
    """

    item: Item
    multiplier: float = 1.0
    pin: Pin | None = None
    excluded: bool = False
    effects: tuple[RuleEffect, ...] = ()
    errors: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)
    pinned_by: str | None = None
    excluded_by: str | None = None
    fired: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


# --- runtime checks, shared with the generated scoring function (rules.compiled) ----------


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


def constant_factor(rule: CompiledRule) -> float | None:
    """The rule's factor when it is known without an item (1.0 without ``multiply``)."""
    if rule.multiply is None:
        return 1.0
    return None if rule.multiply.names else float(rule.multiply.function())


class Ruleset:
    """Compiled rules, applied to one item at a time in file order.

    Build it with :func:`compile_rules`; it is immutable and safe to share between threads.
    """

    __slots__ = ("rules",)

    def __init__(self, rules: Sequence[CompiledRule] = ()) -> None:
        self.rules: tuple[CompiledRule, ...] = tuple(rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __repr__(self) -> str:
        return f"Ruleset({[rule.name for rule in self.rules]!r})"

    def apply(self, item: Item, today: date, applied: int | None = None) -> RuleOutcome:
        """Apply every rule to ``item``: the item with its inputs changed, and the rest.

        The straightforward interpreter, one expression at a time: what ``why`` and the other
        explanations show, and the reference the generated scoring function is tested against.
        ``applied``, when given, is the record of an earlier run on the same item and date
        (bit ``i`` set when rule ``i`` applied, no rule failed): conditions are then not
        evaluated again, only the effects of the rules that applied, to describe them.
        """
        if not self.rules or applied == 0:
            return RuleOutcome(item=item)
        env = item_env(item, today)
        effects: list[RuleEffect] = []
        errors: list[str] = []
        sources: dict[str, str] = {}
        fired: list[str] = []
        failed: list[str] = []
        multiplier = 1.0
        pin: Pin | None = None
        pinned_by: str | None = None
        excluded_by: str | None = None
        for index, rule in enumerate(self.rules):
            try:
                if not (rule.when.evaluate(env) if applied is None else applied >> index & 1):
                    continue
                new = _new_values(rule, env)
                factor = _factor(rule.multiply.evaluate(env)) if rule.multiply else 1.0
            except (RuleEvaluationError, *EVALUATION_ERRORS) as e:
                values = tuple(env[name] for name in rule.names)
                reason = _failure(rule, e, values)
                effects.append(_effect(rule.name, f"not applied: {reason}"))
                errors.append(str(RuleEvaluationError(rule.name, item.key, reason)))
                failed.append(rule.name)
                continue
            for name, after in zip(rule.touched, new, strict=True):
                change = _change(name, env[name], after, rule)  # type: ignore[arg-type]
                effects.append(_effect(rule.name, change))
                env[name] = after
                sources[name] = rule.source
            decisions = _decisions(rule, factor)
            effects += (_effect(rule.name, text) for text in decisions)
            fired.append(rule.name)
            multiplier *= factor
            if rule.pin is not None:
                pin, pinned_by = rule.pin, rule.name
            if rule.exclude and excluded_by is None:
                excluded_by = rule.name
        update = {name: env[name] for name in sources if env[name] != item.input(name)}
        return RuleOutcome(
            item=item.model_copy(update=update) if update else item,
            multiplier=multiplier,
            pin=pin,
            excluded=excluded_by is not None,
            effects=tuple(effects),
            errors=tuple(errors),
            sources=sources,
            pinned_by=pinned_by,
            excluded_by=excluded_by,
            fired=tuple(fired),
            failed=tuple(failed),
        )


@lru_cache(maxsize=4096)
def _effect(rule: str, change: str) -> RuleEffect:
    """Effects repeat across a backlog ("pinned to the top"): validate each once."""
    return RuleEffect(rule=rule, change=change)


def _new_values(rule: CompiledRule, env: Mapping[str, Any]) -> list[float | None]:
    """The values ``rule`` writes, all computed from the values before the rule."""
    new: list[float | None] = [
        _set_value(expr.evaluate(env), f"set {name}") for name, expr in rule.set
    ]
    new += [
        _adjust_value(env[name], expr.evaluate(env), f"adjust {name}") for name, expr in rule.adjust
    ]
    return new


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
