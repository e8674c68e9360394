"""``/value`` text → a typed command, or a ParseError saying what was wrong, with an example."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import messages
from bot.slack.commands import (
    DEFAULT_TOP,
    MAX_TEXT_LENGTH,
    MAX_TOP,
    SUBCOMMANDS,
    Checkin,
    Digest,
    Goals,
    Help,
    ParseError,
    Reorder,
    SetInputs,
    Top,
    Undo,
    WhatIf,
    Why,
    command_name,
    parse_command,
)
from rules.model import INPUT_NAMES

TEAMS = ["payments", "growth"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP whatif", Help("whatif")),
        ("help score", Help("why")),
        ("top", Top(DEFAULT_TOP, None)),
        ("top 5", Top(5, None)),
        ("top payments", Top(DEFAULT_TOP, "payments")),
        ("top 3 Payments", Top(3, "payments")),
        ("top growth 50", Top(50, "growth")),
        ("why pay-12", Why("PAY-12")),
        ("score PAY-12", Why("PAY-12")),
        ("whatif PAY-12 cost=3", WhatIf("PAY-12", {"cost": 3.0})),
        (
            "whatif PAY-12 cost = 3, business_value=8.5",
            WhatIf("PAY-12", {"cost": 3.0, "business_value": 8.5}),
        ),
        ("what-if PAY-12 Business-Value=2", WhatIf("PAY-12", {"business_value": 2.0})),
        ("set PAY-12 business_value=8", SetInputs("PAY-12", {"business_value": 8.0})),
        ("set PAY-12 risk_reduction=0", SetInputs("PAY-12", {"risk_reduction": 0.0})),
        ("checkin", Checkin()),
        ("checkin PAY-7", Checkin(key="PAY-7")),
        ("checkin payments", Checkin(team="payments")),
        (
            "checkin payments anonymous hidden",
            Checkin(team="payments", anonymous=True, hidden=True),
        ),
        ("check-in ANONYMOUS pay-3", Checkin(key="PAY-3", anonymous=True)),
        ("reorder", Reorder()),
        ("reorder growth", Reorder("growth")),
        ("undo payments", Undo("payments")),
        ("digest", Digest()),
        ("goals payments", Goals("payments")),
        ("whatif PAY-1 cost=1&amp;", None),
    ],
    ids=lambda value: repr(value) if isinstance(value, str) else "",
)
def test_valid_text_becomes_a_typed_command(text, expected):
    if expected is None:
        with pytest.raises(ParseError):
            parse_command(text, teams=TEAMS)
        return
    assert parse_command(text, teams=TEAMS) == expected


@pytest.mark.parametrize(
    ("text", "fragment", "example"),
    [
        ("tpo", "Did you mean `top`?", "/value help whatif"),
        ("dance", "There is no `/value dance` command", "/value help whatif"),
        ("why", "needs an issue key", "/value why PAY-12"),
        ("why 12", "`12` is not an issue key", "/value why PAY-12"),
        ("why PAY-1 PAY-2", "does not take `PAY-2`", "/value why PAY-12"),
        ("whatif PAY-12", "at least one `input=value`", "/value whatif PAY-12"),
        ("whatif PAY-12 cost", "`cost` is not `input=value`", "/value whatif PAY-12"),
        ("whatif PAY-12 busines_value=3", "Did you mean `business_value`?", "/value whatif"),
        ("whatif PAY-12 cost=abc", "needs a plain number", "/value whatif"),
        ("whatif PAY-12 cost=-1", "needs a plain number", "/value whatif"),
        ("whatif PAY-12 cost=nan", "needs a plain number", "/value whatif"),
        ("whatif PAY-12 cost=0", "`cost` must be more than 0", "/value whatif"),
        ("whatif PAY-12 cost=1 cost=2", "`cost` is given twice", "/value whatif"),
        ("whatif PAY-12 reach=1e999", "needs a plain number", "/value whatif"),
        ("whatif PAY-12 reach=99999999999", "may be at most", "/value whatif"),
        ("set PAY-12", "at least one `input=value`", "/value set PAY-12"),
        ("top 0", "from 1 to 50", "/value top 10 payments"),
        ("top 51", "from 1 to 50", "/value top 10 payments"),
        ("top paymnts", "Did you mean `payments`?", "/value top 10 payments"),
        ("top 5 6", "does not take `6`", "/value top 10 payments"),
        ("checkin PAY-1 payments", "does not take `payments`", "/value checkin payments"),
        ("reorder payments growth", "does not take `growth`", "/value reorder payments"),
        ("goals sales", "There is no team called `sales`", "/value goals payments"),
        ("help dance", "There is no help on `dance`", "/value help whatif"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value[:1] else None,
)
def test_bad_text_says_what_was_wrong_and_shows_the_right_form(text, fragment, example):
    with pytest.raises(ParseError) as caught:
        parse_command(text, teams=TEAMS)
    assert fragment in caught.value.message
    assert caught.value.example.startswith(example)
    reply = caught.value.to_text()
    assert fragment in reply
    assert "For example:" in reply


def test_text_over_the_limit_is_refused_before_parsing():
    with pytest.raises(ParseError, match="the limit is"):
        parse_command("top " + "x" * MAX_TEXT_LENGTH, teams=TEAMS)


def test_slack_html_escaping_is_undone():
    assert parse_command("whatif PAY-1 cost&#61;2", teams=TEAMS) == WhatIf("PAY-1", {"cost": 2.0})


def test_any_team_name_is_accepted_when_none_are_known():
    assert parse_command("top sales") == Top(DEFAULT_TOP, "sales")


def test_every_input_name_can_be_set():
    text = "whatif PAY-1 " + " ".join(f"{name}=2" for name in INPUT_NAMES)
    parsed = parse_command(text)
    assert isinstance(parsed, WhatIf)
    assert set(parsed.changes) == set(INPUT_NAMES)


def test_every_usage_example_parses():
    for name, (_, example) in messages.USAGE.items():
        parsed = parse_command(example.removeprefix("/value "), teams=TEAMS)
        assert command_name(parsed) == {"score": "why"}.get(name, name)


def test_top_count_is_capped_at_a_message_worth():
    assert parse_command(f"top {MAX_TOP}") == Top(MAX_TOP, None)


_WORDS = st.sampled_from(
    [
        *SUBCOMMANDS,
        "PAY-1",
        "pay-99",
        "payments",
        "growth",
        "cost=3",
        "cost=",
        "=3",
        "reach=1.5",
        "anonymous",
        "hidden",
        "50",
        "0",
        "-",
        "=",
        ",",
        "&amp;",
        "<@U123>",
        "é",
        "\u00a0",
        "\u0663",
        "1e5",
        "nan",
        "inf",
    ]
)


def _outcome(text: str) -> tuple[object | None, ParseError | None]:
    try:
        return parse_command(text, teams=TEAMS), None
    except ParseError as e:
        return None, e


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=600), st.lists(_WORDS, max_size=8).map(" ".join)))
@pytest.mark.slow
def test_any_text_gets_a_command_or_a_parse_error_never_a_crash(text):
    parsed, error = _outcome(text)
    if error is not None:
        assert error.message
        assert error.example.startswith("/value")
        assert "For example" in error.to_text()
        assert len(error.to_text()) < 3000
    else:
        assert command_name(parsed) in messages.USAGE
