"""``/value`` text in, a typed command out: the whole grammar of the slash command.

Parsing is pure and total: any text gives either a command or a :class:`ParseError` whose
message says what was wrong and shows the right form, so a typo never reaches a use case and
never becomes a stack trace. Close misspellings of sub-commands, inputs and teams are named
(``difflib``, as errbot does for commands).

Over 400 lines because the whole grammar of ``/value`` is read in one place, so its help and
its errors never drift from what it parses.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.chat import messages
from bot.errors import suggest
from rules.benefits import BENEFIT_ID, Confidence
from rules.model import INPUT_NAMES

#: Longest command text accepted; Slack allows more, but no valid command needs it.
MAX_TEXT_LENGTH = 500
#: ``top`` lists at most this many items (one message holds at most 50 blocks).
MAX_TOP = 50
DEFAULT_TOP = 10
#: Largest value an input may take; far beyond any real estimate, small enough to stay finite.
MAX_INPUT_VALUE = 1_000_000_000.0

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,49}-[1-9][0-9]{0,9}", re.ASCII)
_COUNT = re.compile(r"[0-9]{1,6}", re.ASCII)
_NUMBER = re.compile(r"\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_SPLIT = re.compile(r"[\s,;]+")
_AROUND_EQUALS = re.compile(r"\s*=\s*")
_SIGNED_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_GOAL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}", re.ASCII)
#: words the confidence of a measurement may be given in
CONFIDENCE_WORDS: dict[str, Confidence] = {
    word: confidence
    for confidence in Confidence
    for word in (confidence.value.replace(" ", "-"), confidence.value.replace(" ", "_"))
}

ALIASES: dict[str, str] = {"score": "why", "what-if": "whatif", "check-in": "checkin"}
SUBCOMMANDS: tuple[str, ...] = (
    "help",
    "top",
    "why",
    "score",
    "whatif",
    "set",
    "checkin",
    "reorder",
    "undo",
    "digest",
    "goals",
    "benefits",
    "benefit",
    "measure",
)
CHECKIN_FLAGS: tuple[str, ...] = ("anonymous", "hidden")


class ParseError(ValueError):
    """The text is not a valid command; ``message`` says why and ``example`` shows the form."""

    def __init__(self, message: str, example: str):
        self.message = message
        self.example = example
        super().__init__(message)

    def to_text(self) -> str:
        """The ephemeral reply: the problem and an example of the right form."""
        return messages.error_parse(self.message, self.example)


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Top:
    count: int = DEFAULT_TOP
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Why:
    key: str


@dataclass(frozen=True, slots=True)
class WhatIf:
    key: str
    changes: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetInputs:
    key: str
    changes: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Checkin:
    key: str | None = None
    team: str | None = None
    anonymous: bool = False
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Reorder:
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Undo:
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Goals:
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Benefits:
    team: str | None = None


@dataclass(frozen=True, slots=True)
class BenefitShow:
    benefit_id: str


@dataclass(frozen=True, slots=True)
class BenefitNew:
    """``/value benefit new``: open the form (needs the click's trigger id, so not queued)."""


@dataclass(frozen=True, slots=True)
class Measure:
    """An actual of a benefit (``BEN-3``) or of a value goal (its id, see ``goal_id``)."""

    subject: str
    value: float
    confidence: Confidence | None = None
    note: str = ""


Command = (
    Help
    | Top
    | Why
    | WhatIf
    | SetInputs
    | Checkin
    | Reorder
    | Undo
    | Digest
    | Goals
    | Benefits
    | BenefitShow
    | BenefitNew
    | Measure
)


#: Sub-commands whose only argument is an optional team.
_TEAM_COMMANDS: dict[str, type[Reorder | Undo | Digest | Goals | Benefits]] = {
    "reorder": Reorder,
    "undo": Undo,
    "digest": Digest,
    "goals": Goals,
    "benefits": Benefits,
}


def tokenize(text: str) -> list[str]:
    """Split command text into words; ``a = 1`` becomes ``a=1`` and commas separate too.

    Slack HTML-escapes ``&``, ``<`` and ``>`` in command text, so they are unescaped first.
    """
    cleaned = _AROUND_EQUALS.sub("=", html.unescape(text).strip())
    return [token for token in _SPLIT.split(cleaned) if token]


def parse_key(token: str | None, command: str) -> str:
    """An issue key, upper-cased (Jira keys are case-insensitive in search, upper in display)."""
    example = messages.example_for(command)
    if token is None:
        raise ParseError(messages.parse_empty_key(command), example)
    if not _KEY.fullmatch(token):
        raise ParseError(messages.parse_bad_key(command, token[:60]), example)
    return token.upper()


def is_key(token: str) -> bool:
    """Whether ``token`` looks like an issue key (``PAY-12``)."""
    return _KEY.fullmatch(token) is not None


def parse_changes(tokens: Sequence[str], command: str) -> dict[str, float]:
    """``input=value`` pairs as a dict; names checked against :data:`INPUT_NAMES`."""
    example = messages.example_for(command)
    if not tokens:
        raise ParseError(messages.parse_no_changes(command), example)
    changes: dict[str, float] = {}
    for token in tokens:
        name, equals, raw = token.partition("=")
        if not equals or not name or not raw:
            raise ParseError(messages.parse_bad_pair(token[:60]), example)
        name = name.lower().replace("-", "_")
        if name not in INPUT_NAMES:
            raise ParseError(
                messages.parse_unknown_input(name[:60], suggest(name, INPUT_NAMES), INPUT_NAMES),
                example,
            )
        if name in changes:
            raise ParseError(messages.parse_duplicate_input(name), example)
        changes[name] = _parse_value(name, raw, example)
    return changes


def _parse_value(name: str, raw: str, example: str) -> float:
    if not _NUMBER.fullmatch(raw):
        raise ParseError(messages.parse_bad_value(name, raw[:60]), example)
    value = float(raw)
    if not math.isfinite(value) or value > MAX_INPUT_VALUE:
        raise ParseError(messages.parse_value_too_large(name, MAX_INPUT_VALUE), example)
    if name == "cost" and value <= 0:
        raise ParseError(messages.parse_zero_cost(), example)
    return value


class _Parser:
    """Holds the known team names while one text is parsed."""

    def __init__(self, teams: Sequence[str]):
        self.teams = list(teams)
        self._by_lower = {team.lower(): team for team in teams}

    def team(self, token: str, command: str) -> str:
        """A team name as configured; any name is accepted when no teams are known."""
        if not self.teams:
            return token
        found = self._by_lower.get(token.lower())
        if found is None:
            suggestion = suggest(token.lower(), list(self._by_lower))
            raise ParseError(
                messages.parse_unknown_team(
                    token[:60], self._by_lower[suggestion] if suggestion else None, self.teams
                ),
                messages.example_for(command),
            )
        return found

    def optional_team(self, args: Sequence[str], command: str) -> str | None:
        if len(args) > 1:
            raise ParseError(
                messages.parse_unexpected(command, [a[:60] for a in args[1:]]),
                messages.example_for(command),
            )
        return self.team(args[0], command) if args else None

    def parse(self, command: str, args: list[str]) -> Command:
        if command == "help":
            return self.help(args)
        if command == "top":
            return self.top(args)
        if command == "why":
            if len(args) > 1:
                raise ParseError(
                    messages.parse_unexpected("why", [a[:60] for a in args[1:]]),
                    messages.example_for("why"),
                )
            return Why(parse_key(args[0] if args else None, "why"))
        if command in ("whatif", "set"):
            key = parse_key(args[0] if args else None, command)
            changes = parse_changes(args[1:], command)
            return WhatIf(key, changes) if command == "whatif" else SetInputs(key, changes)
        if command == "checkin":
            return self.checkin(args)
        if command in _TEAM_COMMANDS:
            return _TEAM_COMMANDS[command](self.optional_team(args, command))
        if command == "benefit":
            return self.benefit(args)
        raise AssertionError(command)  # pragma: no cover - SUBCOMMANDS lists every branch

    def help(self, args: list[str]) -> Help:
        if not args:
            return Help()
        topic = ALIASES.get(args[0].lower(), args[0].lower())
        if topic not in messages.USAGE or len(args) > 1:
            raise ParseError(
                messages.parse_unknown_topic(args[0][:60], suggest(topic, list(messages.USAGE))),
                messages.example_for("help"),
            )
        return Help(topic)

    def benefit(self, args: list[str]) -> BenefitShow | BenefitNew:
        example = messages.example_for("benefit")
        if not args:
            raise ParseError(messages.parse_no_benefit_id("benefit"), example)
        if len(args) > 1:
            raise ParseError(
                messages.parse_unexpected("benefit", [a[:60] for a in args[1:]]), example
            )
        if args[0].lower() == "new":
            return BenefitNew()
        return BenefitShow(parse_benefit_id(args[0], "benefit"))

    def top(self, args: list[str]) -> Top:
        count: int | None = None
        team: str | None = None
        for token in args:
            if _COUNT.fullmatch(token) and count is None:
                count = int(token)
                if not 1 <= count <= MAX_TOP:
                    raise ParseError(
                        messages.parse_bad_number("top", token, 1, MAX_TOP),
                        messages.example_for("top"),
                    )
            elif team is None and not token[:1].isdigit():
                team = self.team(token, "top")
            else:
                raise ParseError(
                    messages.parse_unexpected("top", [token[:60]]), messages.example_for("top")
                )
        return Top(count if count is not None else DEFAULT_TOP, team)

    def checkin(self, args: list[str]) -> Checkin:
        key: str | None = None
        team: str | None = None
        flags: set[str] = set()
        for token in args:
            lowered = token.lower()
            if lowered in CHECKIN_FLAGS:
                flags.add(lowered)
            elif key is None and team is None and is_key(token):
                key = token.upper()
            elif key is None and team is None:
                team = self.team(token, "checkin")
            else:
                raise ParseError(
                    messages.parse_unexpected("checkin", [token[:60]]),
                    messages.example_for("checkin"),
                )
        return Checkin(key=key, team=team, anonymous="anonymous" in flags, hidden="hidden" in flags)


def opens_form(text: str | None) -> bool:
    """Whether the text is ``benefit new``: a modal, opened before the 3-second trigger expires."""
    return [token.lower() for token in tokenize(text or "")] == ["benefit", "new"]


def parse_benefit_id(token: str, command: str) -> str:
    """A benefit id, upper-cased (``ben-3`` is ``BEN-3``)."""
    if not BENEFIT_ID.fullmatch(token.upper()):
        raise ParseError(
            messages.parse_bad_benefit_id(command, token[:60]), messages.example_for(command)
        )
    return token.upper()


def parse_measure(text: str) -> Measure:
    """``measure SUBJECT VALUE [confidence] [note ...]``; the note is kept as typed.

    Read from the raw text, not the tokens, so a note keeps its commas and ``=`` signs.
    """
    example = messages.example_for("measure")
    words = html.unescape(text).strip().split(None, 4)[1:]  # drop "measure"
    if not words:
        raise ParseError(messages.parse_no_benefit_id("measure"), example)
    subject = words[0]
    if subject.upper().startswith("BEN-"):
        subject = parse_benefit_id(subject, "measure")
    elif not _GOAL_ID.fullmatch(subject.lower()):
        raise ParseError(messages.parse_bad_benefit_id("measure", subject[:60]), example)
    if len(words) < 2:
        raise ParseError(messages.parse_no_measure_value(subject), example)
    raw = words[1].replace(",", "").replace("_", "")
    if not _SIGNED_NUMBER.fullmatch(raw):
        raise ParseError(messages.parse_measure_not_number(words[1][:60]), example)
    value = float(raw)
    if not math.isfinite(value) or abs(value) > MAX_INPUT_VALUE:
        raise ParseError(messages.parse_value_too_large("the value", MAX_INPUT_VALUE), example)
    rest = words[2:]
    confidence = CONFIDENCE_WORDS.get(rest[0].lower()) if rest else None
    if confidence is not None:
        rest = rest[1:]
    return Measure(
        subject.lower() if not subject.startswith("BEN-") else subject,
        value,
        confidence,
        " ".join(rest),
    )


def parse_command(text: str | None, *, teams: Sequence[str] = ()) -> Command:
    """Parse the text after ``/value``; ``teams`` (configured names) lets team typos be caught.

    Raises:
        ParseError: the text is not a command; the message names the problem and an example.
    """
    text = text or ""
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(
            messages.parse_too_long(len(text), MAX_TEXT_LENGTH), messages.example_for("help")
        )
    tokens = tokenize(text)
    if not tokens:
        return Help()
    word = tokens[0].lower()
    command = ALIASES.get(word, word)
    if command not in SUBCOMMANDS:
        raise ParseError(
            messages.parse_unknown_command(word[:60], suggest(word, SUBCOMMANDS)),
            messages.example_for("help"),
        )
    if command == "measure":
        return parse_measure(text)
    return _Parser(teams).parse(command, tokens[1:])


def command_name(command: Command) -> str:
    """The sub-command word of a parsed command (for logs and metrics)."""
    names: dict[type, str] = {
        Help: "help",
        Top: "top",
        Why: "why",
        WhatIf: "whatif",
        SetInputs: "set",
        Checkin: "checkin",
        Reorder: "reorder",
        Undo: "undo",
        Digest: "digest",
        Goals: "goals",
        Benefits: "benefits",
        BenefitShow: "benefit",
        BenefitNew: "benefit",
        Measure: "measure",
    }
    return names[type(command)]
