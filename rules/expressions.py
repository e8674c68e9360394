"""A small, safe expression language for rule conditions, rule effects and custom formulas.

Rules come from a config file that product owners edit, so an expression must never reach
Python's full power (no attribute access, no imports, no calls but a fixed set of functions).
The source is parsed with :mod:`ast`, every node is checked against a whitelist, a light type
check rejects obvious mistakes (``summary * 2``, ``due > 30``) at load time, and the checked tree
is compiled ONCE into a plain Python function. Evaluating it is then a single function call
(the issue measured 0.25 us for this approach against 2.8 us for simpleeval, which walks the
tree on every call, and 6 us for CEL). :mod:`rules.ruleset` goes further and inlines all of a
ruleset's expressions into one function.

Missing inputs are ``None``. ``min``/``max`` skip ``None`` arguments, so
``max(time_criticality, 13)`` works for an item with no time criticality; any other arithmetic
or ordering on ``None`` fails at evaluation with :class:`~rules.errors.RuleEvaluationError`,
which the rule engine reports as "not applied" instead of crashing the scoring run.

Longer than 400 lines: the whitelist, the type check and the compiler walk the same node types
and must change together, so they stay in one module.
"""

from __future__ import annotations

import ast
import difflib
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any, Final, Literal, cast

from rules.errors import RuleEvaluationError, RuleSyntaxError
from rules.model import INPUT_NAMES, Item

Kind = Literal["number", "text", "list", "date", "bool", "none", "any"]

#: Item facts an expression may read, with their kind (inputs are added below).
FIELD_KINDS: Final[Mapping[str, Kind]] = {
    "key": "text",
    "summary": "text",
    "type": "text",
    "status": "text",
    "status_category": "text",
    "labels": "list",
    "components": "list",
    "priority": "text",
    "due": "date",
    "created": "date",
    "updated": "date",
    "resolved": "date",
    "parent": "text",
    "team": "text",
    "sprint_state": "text",
    "benefit_category": "text",
    "blocks": "list",
    "blocked_by": "list",
}

NAME_KINDS: Final[Mapping[str, Kind]] = {
    **FIELD_KINDS,
    **dict.fromkeys(INPUT_NAMES, "number"),
    "today": "date",
}

#: Every name an expression may read: item facts, value inputs and ``today``.
NAMES: Final[tuple[str, ...]] = tuple(NAME_KINDS)

#: One line per name, for help texts and error messages.
NAME_HELP: Final[Mapping[str, str]] = {
    "key": "the issue key, e.g. 'PAY-12'",
    "summary": "the issue's title",
    "type": "the issue type, e.g. 'Story', 'Bug', 'Incident'",
    "status": "the workflow status, e.g. 'In Review'",
    "status_category": "'new', 'indeterminate' or 'done' (stable across workflows)",
    "labels": "the issue's labels, e.g. 'security' in labels",
    "components": "the issue's components",
    "priority": "the priority name, e.g. 'High' (None if unset)",
    "due": "the due date (None if unset)",
    "created": "when the issue was created",
    "updated": "when the issue last changed",
    "resolved": "when the issue was resolved (None while open)",
    "parent": "the parent (epic) key, or None",
    "team": "the team field, or None",
    "sprint_state": "'future', 'active' or 'closed' for the issue's sprint, or None",
    "benefit_category": "'financial', 'operational', 'customer' or 'strategic', or None",
    "blocks": "keys of the issues this one blocks",
    "blocked_by": "keys of the issues blocking this one",
    "today": "today's date in the team's time zone",
    **dict.fromkeys(INPUT_NAMES, "value input (None when not given)"),
}

#: The only functions an expression may call.
FUNCTIONS: Final[Mapping[str, str]] = {
    "min": "min(a, b, ...): the smallest argument, skipping None",
    "max": "max(a, b, ...): the largest argument, skipping None",
    "abs": "abs(x): x without its sign",
    "round": "round(x) or round(x, digits)",
    "days_until": "days_until(d): days from today to d (negative if past; None if d is None)",
    "days_since": "days_since(d): days from d to today (None if d is None)",
    "coalesce": "coalesce(a, b, ...): the first argument that is not None",
    "len": "len(x): how many labels, components, characters...",
    "log": "log(x) or log(x, base): the logarithm (natural by default)",
}

_ARITY: Final[Mapping[str, tuple[int, int | None]]] = {
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "round": (1, 2),
    "days_until": (1, 1),
    "days_since": (1, 1),
    "coalesce": (1, None),
    "len": (1, 1),
    "log": (1, 2),
}

#: Longer sources are refused: a rule is a line, and this bounds parsing and evaluation work.
MAX_SOURCE_LENGTH: Final = 1000

#: What a compiled expression may raise for bad data; anything else is a bug in Northstar.
EVALUATION_ERRORS: Final = (TypeError, ValueError, ArithmeticError)

_KIND_WORDS: Final[Mapping[Kind, str]] = {
    "number": "a number",
    "text": "text",
    "list": "a list",
    "date": "a date",
    "bool": "True/False",
    "none": "None",
    "any": "a value",
}

_NUMERIC: Final[frozenset[Kind]] = frozenset({"number", "bool"})


# --- runtime helpers the compiled code calls ------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float)


def _fn_min(*args: Any) -> Any:
    best = None
    for arg in args:
        if arg is not None and (best is None or arg < best):
            best = arg
    return best


def _fn_max(*args: Any) -> Any:
    best = None
    for arg in args:
        if arg is not None and (best is None or arg > best):
            best = arg
    return best


def _fn_round(value: Any, digits: Any = None) -> Any:
    if not _is_number(value):
        raise TypeError(f"round() needs a number, got {value!r}")
    if digits is None:
        return round(value)
    if not isinstance(digits, int):
        raise TypeError(f"round()'s digits must be a whole number, got {digits!r}")
    # int rounding to a huge negative digit count computes 10**n: keep it bounded
    return round(value, max(-20, min(20, digits)))


def _fn_days_until(value: Any, today: date) -> int | None:
    if value is None:
        return None
    try:  # date and datetime both count whole days by their ordinal
        return int(value.toordinal() - today.toordinal())
    except AttributeError:
        raise TypeError(f"days_until() needs a date, got {value!r}") from None


def _fn_days_since(value: Any, today: date) -> int | None:
    if value is None:
        return None
    try:
        return int(today.toordinal() - value.toordinal())
    except AttributeError:
        raise TypeError(f"days_since() needs a date, got {value!r}") from None


def _fn_coalesce(*args: Any) -> Any:
    for arg in args:
        if arg is not None:
            return arg
    return None


def _fn_log(value: Any, base: Any = None) -> float:
    if not _is_number(value) or (base is not None and not _is_number(base)):
        raise TypeError(f"log() needs numbers, got {value!r}")
    return math.log(value) if base is None else math.log(value, base)


def _pow(base: Any, exponent: Any) -> float:
    """``**`` in float arithmetic: overflow raises instead of building a huge integer."""
    if not (_is_number(base) and _is_number(exponent)):
        raise TypeError(f"** needs numbers, got {base!r} and {exponent!r}")
    result: object = float(base) ** float(exponent)
    if not isinstance(result, float):  # a negative number to a fractional power is complex
        raise ValueError(f"{base!r} ** {exponent!r} is not a real number")
    return result


def _mul(left: Any, right: Any) -> Any:
    """``*`` when an operand may not be a number: repeating text or lists is refused."""
    if not (_is_number(left) and _is_number(right)):
        raise TypeError(f"* needs numbers, got {left!r} and {right!r}")
    return left * right


def _mod(left: Any, right: Any) -> Any:
    """``%`` when an operand may not be a number: text formatting is refused."""
    if not (_is_number(left) and _is_number(right)):
        raise TypeError(f"% needs numbers, got {left!r} and {right!r}")
    return left % right


_HELPERS: Final[Mapping[str, object]] = {
    "_f_min": _fn_min,
    "_f_max": _fn_max,
    "_f_abs": abs,  # the builtins raise TypeError for anything but numbers (abs), text and
    "_f_len": len,  # lists (len), which is all a checked expression can hand them
    "_f_round": _fn_round,
    "_f_days_until": _fn_days_until,
    "_f_days_since": _fn_days_since,
    "_f_coalesce": _fn_coalesce,
    "_f_log": _fn_log,
    "_pow": _pow,
    "_mul": _mul,
    "_mod": _mod,
}


def helper_namespace() -> dict[str, object]:
    """Globals for code compiled from checked expressions: the helpers and no builtins."""
    return {"__builtins__": {}, **_HELPERS}


# --- the checker/compiler -------------------------------------------------------------------


class _Rejected(Exception):
    def __init__(self, node: ast.AST | None, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


_FORBIDDEN: Final[Mapping[type[ast.AST], str]] = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "indexing and slicing (a[b]) are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Dict: "dicts are not allowed; use a tuple such as ('a', 'b')",
    ast.Set: "sets are not allowed; use a tuple such as ('a', 'b')",
    ast.Starred: "* unpacking is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Slice: "slicing is not allowed",
}

_BINOPS: Final[Mapping[type[ast.operator], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}

_ORDERING: Final = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _suggest(name: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# each handler takes the node type it is registered for
_Handler = Callable[["_Compiler", Any], tuple[ast.expr, Kind]]


class _Compiler:
    """Checks a parsed expression against the whitelist and rebuilds it as safe Python."""

    def __init__(self, names: Mapping[str, Kind]) -> None:
        self.allowed = names
        self.used: set[str] = set()

    def visit(self, node: ast.expr) -> tuple[ast.expr, Kind]:
        handler = self._HANDLERS.get(type(node))
        if handler is None:
            reason = _FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed")
            raise _Rejected(node, reason)
        return handler(self, node)

    def _constant(self, node: ast.Constant) -> tuple[ast.expr, Kind]:
        value = node.value
        if value is None:
            return ast.Constant(None), "none"
        if isinstance(value, bool):
            return ast.Constant(value), "bool"
        if isinstance(value, int | float):
            return ast.Constant(value), "number"
        if isinstance(value, str):
            return ast.Constant(value), "text"
        raise _Rejected(node, f"{type(value).__name__} literals are not allowed")

    def _sequence(self, node: ast.Tuple | ast.List) -> tuple[ast.expr, Kind]:
        elements = [self.visit(element)[0] for element in node.elts]
        # lists become tuples: immutable, and `x in (...)` is then a constant
        return ast.Tuple(elts=elements, ctx=ast.Load()), "list"

    def _name(self, node: ast.Name) -> tuple[ast.expr, Kind]:
        name = node.id
        if name in self.allowed:
            self.used.add(name)
            return ast.Name(id=name, ctx=ast.Load()), self.allowed[name]
        if name in FUNCTIONS:
            raise _Rejected(node, f"{name} is a function; call it, e.g. {FUNCTIONS[name]}")
        if name.startswith("_"):
            raise _Rejected(node, f"names starting with '_' such as {name!r} are not allowed")
        raise _Rejected(node, f"unknown name {name!r}{_suggest(name, list(self.allowed))}")

    def _unary(self, node: ast.UnaryOp) -> tuple[ast.expr, Kind]:
        operand, kind = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return ast.UnaryOp(op=ast.Not(), operand=operand), "bool"
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise _Rejected(node, "bitwise operators are not allowed")
        self._need_number(node, kind, "-" if isinstance(node.op, ast.USub) else "+")
        return ast.UnaryOp(op=node.op, operand=operand), "number"

    def _need_number(self, node: ast.AST, kind: Kind, symbol: str) -> None:
        if kind not in _NUMERIC and kind != "any":
            raise _Rejected(node, f"{symbol} needs numbers, not {_KIND_WORDS[kind]}")

    def _binop(self, node: ast.BinOp) -> tuple[ast.expr, Kind]:
        symbol = _BINOPS.get(type(node.op))
        if symbol is None:
            raise _Rejected(node, "bitwise operators and @ are not allowed")
        left, left_kind = self.visit(node.left)
        right, right_kind = self.visit(node.right)
        self._need_number(node, left_kind, symbol)
        self._need_number(node, right_kind, symbol)
        if symbol == "**":
            return _call("_pow", [left, right]), "number"
        if symbol in ("*", "%") and "any" in (left_kind, right_kind):
            # text * n repeats and text % n formats ('%999999999d'): both can build huge
            # strings from item data, so operands not known to be numbers are checked
            return _call("_mul" if symbol == "*" else "_mod", [left, right]), "number"
        return ast.BinOp(left=left, op=node.op, right=right), "number"

    def _boolop(self, node: ast.BoolOp) -> tuple[ast.expr, Kind]:
        values = [self.visit(value) for value in node.values]
        kinds = {kind for _, kind in values}
        kind: Kind = kinds.pop() if len(kinds) == 1 else "any"
        return ast.BoolOp(op=node.op, values=[value for value, _ in values]), kind

    def _compare(self, node: ast.Compare) -> tuple[ast.expr, Kind]:
        left, left_kind = self.visit(node.left)
        operands = [left]
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right, right_kind = self.visit(comparator)
            self._check_comparison(node, op, left_kind, right_kind, comparator, operands[-1])
            operands.append(right)
            left_kind = right_kind
        return ast.Compare(left=operands[0], ops=node.ops, comparators=operands[1:]), "bool"

    def _check_comparison(
        self,
        node: ast.AST,
        op: ast.cmpop,
        left: Kind,
        right: Kind,
        right_node: ast.expr,
        left_node: ast.expr,
    ) -> None:
        if isinstance(op, ast.Is | ast.IsNot):
            if not (_is_none(right_node) or _is_none(left_node)):
                raise _Rejected(node, "use 'is' only with None (x is None); compare with ==")
            return
        if isinstance(op, ast.In | ast.NotIn):
            if right not in ("list", "text", "any"):
                raise _Rejected(
                    node, f"'in' needs a list or text on its right, not {_KIND_WORDS[right]}"
                )
            return
        if isinstance(op, _ORDERING):
            if "none" in (left, right):
                raise _Rejected(node, "None cannot be ordered; use 'is None' or 'is not None'")
            known = {left, right} - {"any"}
            if len(known - {"bool"}) > 1 or (known == {"bool", "text"}):
                words = " with ".join(_KIND_WORDS[kind] for kind in (left, right))
                raise _Rejected(node, f"cannot compare {words}")

    def _ifexp(self, node: ast.IfExp) -> tuple[ast.expr, Kind]:
        test, _ = self.visit(node.test)
        body, body_kind = self.visit(node.body)
        orelse, else_kind = self.visit(node.orelse)
        kind: Kind = body_kind if body_kind == else_kind else "any"
        return ast.IfExp(test=test, body=body, orelse=orelse), kind

    def _callnode(self, node: ast.Call) -> tuple[ast.expr, Kind]:
        if not isinstance(node.func, ast.Name):
            self.visit(node.func)  # names what is wrong with a.b(), (lambda: 1)(), f[0]()
            raise _Rejected(node, f"only these functions can be called: {', '.join(FUNCTIONS)}")
        function = node.func.id
        if function not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            if function in self.allowed:
                raise _Rejected(node, f"{function!r} is not a function (functions: {allowed})")
            hint = _suggest(function, list(FUNCTIONS))
            raise _Rejected(
                node, f"calling {function!r} is not allowed{hint} (functions: {allowed})"
            )
        if node.keywords:
            raise _Rejected(node, f"{function}() takes no keyword arguments")
        low, high = _ARITY[function]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            raise _Rejected(node, f"wrong number of arguments: {FUNCTIONS[function]}")
        args = [self.visit(arg) for arg in node.args]
        return self._typed_call(node, function, args)

    def _typed_call(
        self, node: ast.AST, function: str, args: list[tuple[ast.expr, Kind]]
    ) -> tuple[ast.expr, Kind]:
        kinds = [kind for _, kind in args]
        values = [value for value, _ in args]
        result: Kind = "number"
        if function in ("days_until", "days_since"):
            if kinds[0] not in ("date", "any", "none"):
                raise _Rejected(node, f"{function}() needs a date, not {_KIND_WORDS[kinds[0]]}")
            self.used.add("today")
            values.append(ast.Name(id="today", ctx=ast.Load()))
        elif function == "len":
            if kinds[0] not in ("list", "text", "any"):
                raise _Rejected(node, f"len() needs a list or text, not {_KIND_WORDS[kinds[0]]}")
        elif function in ("min", "max", "coalesce"):
            if function != "coalesce" and "list" in kinds:
                raise _Rejected(node, f"{function}() compares single values, not lists")
            known = set(kinds) - {"none"}
            result = known.pop() if len(known) == 1 else "any"
        else:
            for kind in kinds:
                self._need_number(node, kind, f"{function}()")
        return _call(f"_f_{function}", values), result

    _HANDLERS: Final[Mapping[type[ast.AST], _Handler]] = {
        ast.Constant: _constant,
        ast.Tuple: _sequence,
        ast.List: _sequence,
        ast.Name: _name,
        ast.UnaryOp: _unary,
        ast.BinOp: _binop,
        ast.BoolOp: _boolop,
        ast.Compare: _compare,
        ast.IfExp: _ifexp,
        ast.Call: _callnode,
    }


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _call(function: str, args: list[ast.expr]) -> ast.expr:
    return ast.Call(func=ast.Name(id=function, ctx=ast.Load()), args=args, keywords=[])


def _column(source: str, node: ast.AST | None) -> int | None:
    """1-based character column of ``node`` in ``source`` (ast counts UTF-8 bytes)."""
    lineno = getattr(node, "lineno", None)
    offset = getattr(node, "col_offset", None)
    if lineno is None or offset is None:
        return None
    lines = source.splitlines() or [""]
    text = lines[min(lineno, len(lines)) - 1]
    return len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore")) + 1


@dataclass(frozen=True, slots=True, eq=False)
class Expression:
    """A checked expression, compiled once.

    Attributes:
        source: the text as written (surrounding whitespace removed).
        rule: the rule (or ``[scoring] formula``) it belongs to, for error messages.
        line: the rule's line in the config file, when known.
        names: the names it reads, in the order :attr:`function` takes them.
        kind: what it gives, as far as the load-time check can tell ("any" when unsure).
        code: the safe Python expression it compiled to (names are plain variables, functions
            are ``_f_<name>`` helpers); :mod:`rules.ruleset` inlines it into one function per
            ruleset.
        function: the compiled code as a function of :attr:`names`, positionally.
        arguments: picks the values of :attr:`names` out of an environment, in order.
    """

    source: str
    rule: str
    line: int | None
    names: tuple[str, ...]
    kind: Kind
    code: str
    function: Callable[..., Any]
    arguments: Callable[[Mapping[str, object]], tuple[object, ...]]

    def evaluate(self, env: Mapping[str, object]) -> object:
        """Evaluate with ``env`` giving a value for every name in :attr:`names`.

        Raises:
            RuleEvaluationError: a name is missing from ``env`` or the data does not fit
                (``None + 1``, a division by zero, ``log(0)``...).
        """
        try:
            args = self.arguments(env)
        except KeyError as e:
            raise RuleEvaluationError(
                self.rule, str(env.get("key", "?")), f"no value given for {e.args[0]!r}"
            ) from e
        try:
            return self.function(*args)
        except EVALUATION_ERRORS as e:
            reason = describe_failure(e, self.names, args)
            raise RuleEvaluationError(self.rule, str(env.get("key", "?")), reason) from e

    def evaluate_item(self, item: Item, today: date) -> object:
        """Evaluate against an item's facts and inputs (see :func:`item_env`)."""
        return self.evaluate(item_env(item, today))


def describe_failure(error: Exception, names: Sequence[str], values: Sequence[object]) -> str:
    """The reason an evaluation failed, naming the inputs that were not set.

    Most failures are arithmetic or comparisons on a missing input, and "'<' not supported
    between NoneType and int" alone does not tell a product owner which one.
    """
    reason = str(error) or type(error).__name__
    missing = [name for name, value in zip(names, values, strict=True) if value is None]
    if missing and "NoneType" in reason:
        verb = "is" if len(missing) == 1 else "are"
        first = missing[0]
        reason = (
            f"{', '.join(missing)} {verb} not set (None); guard with '{first} is not None' "
            f"or use coalesce({first}, 0) ({reason})"
        )
    return reason


def sprint_state(item: Item) -> str | None:
    """The state of the item's sprint, or None; expressions read it as ``sprint_state``."""
    return None if item.sprint is None else item.sprint.state


def item_env(item: Item, today: date) -> dict[str, object]:
    """Every name an expression may read, for one item."""
    values = item.__dict__
    env: dict[str, object] = {name: values[name] for name in NAMES if name in values}
    env["sprint_state"] = sprint_state(item)
    env["today"] = today
    return env


def compile_expression(
    source: str,
    *,
    rule: str,
    line: int | None = None,
    part: str | None = None,
    names: Mapping[str, Kind] | None = None,
) -> Expression:
    """Check ``source`` against the whitelist and compile it into a function.

    Args:
        source: the expression, e.g. ``"'security' in labels"``.
        rule: the rule's name, for the error message.
        line: the rule's line in the config file (its ``[[rules]]`` header).
        part: which part of the rule this is (``"when"``, ``"set time_criticality"``...),
            prefixed to the reason so the user knows where to look.
        names: the names it may read with their kinds (default :data:`NAME_KINDS`).

    Raises:
        RuleSyntaxError: the source is not an expression, uses something not allowed, or
            names something unknown (with the closest known name).
    """
    allowed = NAME_KINDS if names is None else names
    prefix = f"{part}: " if part else ""
    text = source.strip() if isinstance(source, str) else ""
    if not text:
        raise RuleSyntaxError(rule, f"{prefix}the expression is empty", line)
    if len(text) > MAX_SOURCE_LENGTH:
        reason = f"{prefix}the expression is longer than {MAX_SOURCE_LENGTH} characters"
        raise RuleSyntaxError(rule, reason, line)
    try:
        with warnings.catch_warnings():
            # escape sequences and the like warn during parsing; the test suite makes warnings
            # errors, and a rule's quirks are not ours to report as Python warnings
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        column = e.offset if e.lineno in (1, None) and e.offset else None
        if e.lineno in (1, None) and not e.offset:  # Python says 0 for "at the end"
            column = len(text.splitlines()[0]) + 1
        raise RuleSyntaxError(rule, f"{prefix}{e.msg}", line, column) from None
    except (ValueError, MemoryError, RecursionError):
        raise RuleSyntaxError(
            rule, f"{prefix}cannot be parsed (too deeply nested?)", line
        ) from None
    compiler = _Compiler(allowed)
    try:
        checked, kind = compiler.visit(tree.body)
        code = ast.unparse(checked)
    except _Rejected as e:
        raise RuleSyntaxError(rule, f"{prefix}{e.reason}", line, _column(text, e.node)) from None
    except RecursionError:
        raise RuleSyntaxError(rule, f"{prefix}the expression is too deeply nested", line) from None
    used = tuple(sorted(compiler.used))
    function = _compile_function(used, code, rule, line, prefix)
    return Expression(
        source=text,
        rule=rule,
        line=line,
        names=used,
        kind=kind,
        code=code,
        function=function,
        arguments=_picker(used),
    )


def _picker(names: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    """Itemgetter (C speed) that always returns a tuple, whatever the number of names."""
    if not names:
        return lambda _env: ()
    if len(names) == 1:
        single = itemgetter(names[0])
        return lambda env: (single(env),)
    many: Callable[[Mapping[str, object]], tuple[object, ...]] = itemgetter(*names)
    return many


def _compile_function(
    names: tuple[str, ...], code: str, rule: str, line: int | None, prefix: str
) -> Callable[..., Any]:
    namespace = helper_namespace()
    # `code` is ast.unparse of a tree rebuilt from whitelisted nodes only: its names are the
    # allowed names (the parameters) and the _f_ helpers, so it can reach nothing else
    source = f"def _expression({', '.join(names)}):\n    return {code}\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, f"<rule {rule!r}>", "exec"), namespace)  # noqa: S102
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise RuleSyntaxError(rule, f"{prefix}the expression is too complex", line) from None
    return cast("Callable[..., Any]", namespace["_expression"])
