"""The rule expression language: what it accepts, what it refuses, and how it fails."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.errors import RuleEvaluationError, RuleSyntaxError
from rules.expressions import (
    FUNCTIONS,
    MAX_SOURCE_LENGTH,
    NAMES,
    compile_expression,
    item_env,
)
from rules.model import INPUT_NAMES, Item, Sprint, SprintState

TODAY = date(2026, 5, 4)


def evaluate(source: str, **env: object) -> object:
    return compile_expression(source, rule="test").evaluate({"today": TODAY, **env})


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        ("1 + 2 * 3 - 4 / 2", {}, 5.0),
        ("7 // 2 + 7 % 2", {}, 4),
        ("-cost + +cost", {"cost": 3.0}, 0.0),
        ("2 ** 10", {}, 1024.0),
        ("1 < cost <= 5", {"cost": 5.0}, True),
        ("'security' in labels", {"labels": ("security", "ux")}, True),
        ("'security' not in labels", {"labels": ()}, True),
        ("priority in ('High', 'Highest')", {"priority": "High"}, True),
        ("type in ['Bug', 'Incident']", {"type": "Story"}, False),
        ("due is None", {"due": None}, True),
        ("due is not None and due < today", {"due": date(2026, 5, 1)}, True),
        ("cost > 3 or not labels", {"cost": 1.0, "labels": ()}, True),
        ("13 if type == 'Bug' else 1", {"type": "Bug"}, 13),
        ("min(cost, 3)", {"cost": 8.0}, 3),
        ("max(time_criticality, 13)", {"time_criticality": 20.0}, 20.0),
        ("abs(cost - 10)", {"cost": 3.0}, 7.0),
        ("round(cost / 3, 2)", {"cost": 10.0}, 3.33),
        ("round(cost)", {"cost": 2.6}, 3),
        ("days_until(due)", {"due": date(2026, 5, 14)}, 10),
        ("days_since(created)", {"created": datetime(2026, 4, 4, 23, 0, tzinfo=UTC)}, 30),
        ("coalesce(reach, impact, 7)", {"reach": None, "impact": None}, 7),
        ("len(labels) + len(summary)", {"labels": ("a", "b"), "summary": "abc"}, 5),
        ("round(log(100, 10))", {}, 2),
        ("status_category == 'done'", {"status_category": "done"}, True),
    ],
    ids=[
        "arithmetic",
        "floor_division_and_remainder",
        "unary_signs",
        "power",
        "chained_comparison",
        "label_present",
        "label_absent",
        "in_a_tuple",
        "in_a_list",
        "is_none",
        "date_comparison",
        "or_and_not",
        "conditional",
        "min",
        "max",
        "abs",
        "round_to_digits",
        "round_to_whole",
        "days_until",
        "days_since_a_datetime",
        "coalesce",
        "len",
        "log_with_a_base",
        "status_category",
    ],
)
def test_allowed_expressions_evaluate_like_python(source, env, expected):
    assert evaluate(source, **env) == expected


def test_the_example_rules_from_the_design_compile():
    for source in (
        "'security' in labels",
        "max(time_criticality, 13)",
        "type == 'Incident'",
        "due is not None and days_until(due) <= 30",
    ):
        compile_expression(source, rule="example")


def test_min_and_max_skip_missing_inputs():
    """`max(time_criticality, 13)` must work for an item that has no time criticality."""
    assert evaluate("max(time_criticality, 13)", time_criticality=None) == 13
    assert evaluate("min(time_criticality, reach, 5)", time_criticality=None, reach=2.0) == 2.0
    assert evaluate("max(time_criticality, reach)", time_criticality=None, reach=None) is None


def test_days_until_and_days_since_are_none_for_a_missing_date():
    assert evaluate("days_until(due)", due=None) is None
    assert evaluate("days_since(updated)", updated=None) is None


def test_days_until_is_negative_for_a_date_in_the_past():
    assert evaluate("days_until(due)", due=date(2026, 5, 1)) == -3


def test_arithmetic_on_a_missing_input_fails_at_evaluation_naming_the_input():
    expr = compile_expression("time_criticality + 1", rule="Boost")
    with pytest.raises(RuleEvaluationError) as caught:
        expr.evaluate({"time_criticality": None, "key": "PAY-7"})
    assert caught.value.name == "Boost"
    assert caught.value.key == "PAY-7"
    assert "time_criticality is not set" in caught.value.reason
    assert "coalesce(time_criticality, 0)" in caught.value.reason


def test_ordering_a_missing_date_fails_at_evaluation():
    with pytest.raises(RuleEvaluationError, match="due is not set"):
        evaluate("due <= today", due=None)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("cost / 0", "division by zero"),
        ("log(0)", "math domain error"),
        ("(0 - 8) ** 0.5", "not a real number"),
        ("10.0 ** 400", "Numerical result out of range"),
        ("coalesce(summary, 1) * 3", "* needs numbers"),
        ("coalesce(summary, 1) % 5", "% needs numbers"),
        ("days_until(coalesce(summary, 1))", "days_until() needs a date"),
        ("abs(coalesce(summary, 1))", "bad operand type"),
    ],
    ids=[
        "division_by_zero",
        "log_of_zero",
        "complex_power",
        "float_overflow",
        "text_repetition",
        "text_formatting",
        "days_until_of_text",
        "abs_of_text",
    ],
)
def test_bad_data_fails_at_evaluation_with_a_rule_evaluation_error(source, reason):
    with pytest.raises(RuleEvaluationError, match=re.escape(reason)):
        evaluate(source, cost=3.0, summary="Fix login")


def test_round_keeps_its_digit_count_bounded():
    """`round(1, -10**9)` would compute a billion-digit power of ten; the count is clamped."""
    assert evaluate("round(123456, -100000000000)") == 0


def test_evaluate_reports_a_name_missing_from_the_environment():
    expr = compile_expression("cost + reach", rule="Sum")
    with pytest.raises(RuleEvaluationError, match="no value given for 'reach'"):
        expr.evaluate({"cost": 1.0, "key": "PAY-1"})


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("summary.upper()", "attribute access"),
        ("labels[0]", "indexing"),
        ("__import__('os')", "calling '__import__' is not allowed"),
        ("__builtins__", "names starting with '_'"),
        ("(lambda: 1)()", "lambda is not allowed"),
        ("[x for x in labels]", "comprehensions are not allowed"),
        ("(x := 3)", "assignment"),
        ("f'{cost}'", "f-strings are not allowed"),
        ("{'a': 1}", "dicts are not allowed"),
        ("{1, 2}", "sets are not allowed"),
        ("max(*labels)", "unpacking is not allowed"),
        ("cost << 10", "bitwise"),
        ("~cost", "bitwise"),
        ("round(cost, ndigits=2)", "no keyword arguments"),
        ("labels(1)", "'labels' is not a function"),
        ("open('/etc/passwd')", "calling 'open' is not allowed"),
        ("eval('1')", "calling 'eval' is not allowed"),
        ("max", "max is a function"),
        ("cost is 1", "use 'is' only with None"),
        ("summary * 3", "* needs numbers, not text"),
        ("labels + 1", "+ needs numbers, not a list"),
        ("due > 30", "cannot compare a date with a number"),
        ("'a' in cost", "'in' needs a list or text on its right"),
        ("days_until(cost)", "days_until() needs a date"),
        ("len(cost)", "len() needs a list or text"),
        ("cost < None", "None cannot be ordered"),
        ("max(labels, 1)", "compares single values"),
        ("abs()", "wrong number of arguments"),
        ("b'bytes'", "bytes literals are not allowed"),
        ("1j", "complex literals are not allowed"),
        ("...", "ellipsis literals are not allowed"),
    ],
    ids=[
        "attribute_access",
        "subscript",
        "import_through_dunder",
        "dunder_name",
        "lambda",
        "comprehension",
        "walrus",
        "f_string",
        "dict",
        "set",
        "starred",
        "shift",
        "invert",
        "keyword_argument",
        "calling_a_field",
        "calling_open",
        "calling_eval",
        "function_without_call",
        "is_with_a_number",
        "text_repetition",
        "list_arithmetic",
        "date_against_number",
        "in_a_number",
        "days_until_of_a_number",
        "len_of_a_number",
        "ordering_none",
        "max_of_a_list",
        "wrong_arity",
        "bytes",
        "complex",
        "ellipsis",
    ],
)
def test_forbidden_constructs_are_rejected_at_compile_time(source, reason):
    with pytest.raises(RuleSyntaxError) as caught:
        compile_expression(source, rule="Sneaky", line=14)
    assert reason.lower() in caught.value.reason.lower()
    assert caught.value.name == "Sneaky"
    assert caught.value.line == 14


def test_an_unknown_name_suggests_the_closest_known_name():
    with pytest.raises(RuleSyntaxError) as caught:
        compile_expression("risk_reduktion > 3", rule="boost-security", line=14)
    assert str(caught.value) == (
        "rule 'boost-security' (defined at line 14): "
        "unknown name 'risk_reduktion'; did you mean 'risk_reduction'? (column 1 of the expression)"
    )


def test_an_unknown_function_suggests_the_closest_function():
    with pytest.raises(RuleSyntaxError, match="did you mean 'days_until'"):
        compile_expression("days_untill(due) < 3", rule="Soon")


def test_the_column_points_at_the_offending_part():
    with pytest.raises(RuleSyntaxError) as caught:
        compile_expression("cost > 3 and summary.lower() == 'x'", rule="r", line=3)
    assert caught.value.column == 14


def test_a_syntax_error_names_the_part_and_the_column():
    with pytest.raises(RuleSyntaxError) as caught:
        compile_expression("cost >", rule="Big", line=9, part="when")
    assert caught.value.reason.startswith("when: ")
    assert caught.value.line == 9
    assert caught.value.column == 7  # just past the end: where Python expected more


@pytest.mark.parametrize("source", ["", "   ", "cost + " * MAX_SOURCE_LENGTH + "1"])
def test_empty_and_overlong_expressions_are_rejected(source):
    with pytest.raises(RuleSyntaxError):
        compile_expression(source, rule="r")


def test_deeply_nested_expressions_are_rejected_not_crashed_on():
    with pytest.raises(RuleSyntaxError):
        compile_expression("(" * 300 + "1" + ")" * 300, rule="r")


def test_names_lists_every_item_fact_input_and_today():
    assert set(INPUT_NAMES) <= set(NAMES)
    assert {"labels", "type", "due", "sprint_state", "benefit_category", "today"} <= set(NAMES)
    assert set(FUNCTIONS) == {
        "min",
        "max",
        "abs",
        "round",
        "days_until",
        "days_since",
        "coalesce",
        "len",
        "log",
    }


def test_an_item_env_gives_every_name_an_expression_may_read():
    sprint = Sprint(id=1, name="S1", state=SprintState.ACTIVE)
    item = Item(key="PAY-1", labels=("ux",), sprint=sprint, cost=3)
    env = item_env(item, TODAY)
    assert set(env) == set(NAMES)
    assert env["sprint_state"] == "active"
    assert env["today"] == TODAY
    compiled = compile_expression("sprint_state == 'active' and cost == 3", rule="r")
    assert compiled.evaluate_item(item, TODAY) is True


def test_compiled_code_runs_without_builtins():
    expr = compile_expression("max(cost, 1)", rule="r")
    assert expr.function.__globals__["__builtins__"] == {}
    assert expr.names == ("cost",)


# --- safety properties ----------------------------------------------------------------------

TOKENS = st.sampled_from(
    [
        *NAMES,
        *FUNCTIONS,
        "(",
        ")",
        ",",
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "**",
        "<",
        "<=",
        "==",
        "!=",
        " in ",
        " not in ",
        " is ",
        " is not ",
        " and ",
        " or ",
        " not ",
        " if ",
        " else ",
        "None",
        "True",
        "0",
        "1",
        "13",
        "2.5",
        "1e308",
        "'security'",
        "[",
        "]",
        ".",
        "__import__",
        "lambda",
        ":",
    ]
)

SAMPLE_ENV: dict[str, object] = {
    **item_env(
        Item(
            key="PAY-1",
            labels=("security",),
            due=date(2026, 6, 1),
            created=datetime(2025, 1, 1, tzinfo=UTC),
            cost=0.0,
            business_value=8,
        ),
        TODAY,
    )
}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_anything_but_a_rule_syntax_error(source):
    with contextlib.suppress(RuleSyntaxError):
        compile_expression(source, rule="fuzz")


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, min_size=1, max_size=25).map("".join))
def test_token_soup_compiles_or_is_refused_and_evaluation_fails_only_cleanly(source):
    """Every expression that compiles, evaluated on a real item, returns or raises
    RuleEvaluationError: never TypeError, AttributeError or anything else."""
    try:
        expr = compile_expression(source, rule="fuzz")
    except RuleSyntaxError:
        return
    with contextlib.suppress(RuleEvaluationError):
        expr.evaluate(SAMPLE_ENV)


ATOMS = st.one_of(
    st.sampled_from(NAMES),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["None", "True", "False", "'security'", "''", "1e308", "-1e308"]),
)


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operators = ["+", "-", "*", "/", "//", "%", "**", "<", ">=", "==", "!=", "in", "not in"]
    return st.one_of(
        st.tuples(children, st.sampled_from(operators), children).map(
            "({0[0]} {0[1]} {0[2]})".format
        ),
        st.tuples(st.sampled_from(["-", "not "]), children).map("({0[0]}{0[1]})".format),
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(
            "({0[0]} {0[1]} {0[2]})".format
        ),
        st.tuples(children, st.sampled_from(["is None", "is not None"])).map(
            "({0[0]} {0[1]})".format
        ),
        st.tuples(children, children, children).map("({0[0]} if {0[1]} else {0[2]})".format),
        st.tuples(st.sampled_from(list(FUNCTIONS)), st.lists(children, min_size=1, max_size=3)).map(
            lambda call: f"{call[0]}({', '.join(call[1])})"
        ),
        st.lists(children, min_size=0, max_size=3).map(lambda items: f"({', '.join(items)},)"),
    )


WELL_FORMED = st.recursive(ATOMS, _compound, max_leaves=12)

EMPTY_ENV: dict[str, object] = {
    **item_env(Item(key="PAY-2"), TODAY),
}


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(WELL_FORMED)
@pytest.mark.slow
def test_well_formed_expressions_evaluate_or_fail_only_with_a_rule_evaluation_error(source):
    """Grammar-built expressions reach evaluation far more often than token soup does."""
    try:
        expr = compile_expression(source, rule="fuzz")
    except RuleSyntaxError:
        return
    for env in (SAMPLE_ENV, EMPTY_ENV):
        with contextlib.suppress(RuleEvaluationError):
            expr.evaluate(env)
