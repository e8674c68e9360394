"""A stateful fake Jira (Cloud or Data Center) over real HTTP, for end-to-end runs.

``with FakeJiraServer() as jira:`` serves on ``jira.url`` (127.0.0.1, a random port) from a
background :class:`~http.server.ThreadingHTTPServer`, so Northstar's connector runs exactly as
in production: the ``jira`` package's session, auth headers, paging, retries and error handling.
Unlike ``responses`` stubs, the fake keeps state: issues with custom fields, boards with a rank
order (LexoRank-like values on a ``Rank`` field), sprints, ``updated`` stamps that move on every
change, so a sync, a score write, a reorder and an undo see each other's effects.

Response shapes follow Atlassian's published OpenAPI specs (``shared/vendor/jira``). Anything
the fake does not understand (a JQL clause, a body key, a field id) is answered with a 400 in
Jira's ``{"errorMessages": [...], "errors": {...}}`` shape, so a connector bug is loud instead of
quietly returning everything. Every request is recorded (``state.requests``) with the status it
got, and faults can be injected: 429/503 storms, dropped connections, rank calls failing after
the k-th (a run killed half-way) and per-issue 207 failures; ``state.latency`` delays every
answer (outside the state lock, so concurrent requests overlap as they would on a real site).

The fake imports no product code beyond the ``rules`` models it loads: its rank order keys
are its own (:func:`order_keys`), so a bug in the connectors' order keys shows up end to end
instead of being shared by the fake.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

from rules.model import Item, Sprint
from tests.fakes.local_server import LocalServer

Deployment = Literal["Cloud", "Server", "DataCenter"]
FaultKind = Literal["429", "503", "drop"]

EMAIL = "northstar@example.com"
API_TOKEN = "fake-api-token"
PAT = "fake-personal-access-token"

RANK_FIELD_ID = 10019
SPRINT_FIELD = "customfield_10020"
RANK_FIELD = f"customfield_{RANK_FIELD_ID}"
#: At most this many issues in one rank call (the Agile API's documented limit).
RANK_LIMIT = 50
#: At most this many ids in ``reconcileIssues`` (enhanced search).
RECONCILE_LIMIT = 50
#: A board's filter id is this plus the board id.
FILTER_BASE = 10000

_NUMBER = "com.atlassian.jira.plugin.system.customfieldtypes:float"
_SELECT = "com.atlassian.jira.plugin.system.customfieldtypes:select"


def _custom(
    field_id: str, name: str, kind: str, custom: str, items: str | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, "custom": custom, "customId": int(field_id[12:])}
    if items is not None:
        schema["items"] = items
    clause = f"cf[{field_id[12:]}]"
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "untranslatedName": name,
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [clause, name],
        "schema": schema,
    }


def _system(field_id: str, name: str, kind: str, items: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, "system": field_id}
    if items is not None:
        schema["items"] = items
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [field_id],
        "schema": schema,
    }


#: ``GET /rest/api/3/field``: system fields plus the custom fields a Jira Cloud site with
#: Jira Software and a SAFe-style value scheme has (ids as such sites number them).
FIELDS: tuple[dict[str, Any], ...] = (
    _system("summary", "Summary", "string"),
    _system("issuetype", "Issue Type", "issuetype"),
    _system("status", "Status", "status"),
    _system("priority", "Priority", "priority"),
    _system("labels", "Labels", "array", "string"),
    _system("components", "Components", "array", "component"),
    _system("created", "Created", "datetime"),
    _system("updated", "Updated", "datetime"),
    _system("resolutiondate", "Resolved", "datetime"),
    _system("duedate", "Due date", "date"),
    _system("parent", "Parent", "issuelink"),
    _system("issuelinks", "Linked Issues", "array", "issuelinks"),
    _system("project", "Project", "project"),
    _custom(
        "customfield_10016",
        "Story point estimate",
        "number",
        "com.pyxis.greenhopper.jira:jsw-story-points",
    ),
    _custom("customfield_10026", "Story Points", "number", _NUMBER),
    _custom(RANK_FIELD, "Rank", "any", "com.pyxis.greenhopper.jira:gh-lexo-rank"),
    _custom(SPRINT_FIELD, "Sprint", "array", "com.pyxis.greenhopper.jira:gh-sprint", "json"),
    _custom("customfield_10100", "Business Value", "number", _NUMBER),
    _custom("customfield_10101", "Time Criticality", "number", _NUMBER),
    _custom("customfield_10102", "Risk Reduction", "number", _NUMBER),
    _custom("customfield_10103", "Benefit Category", "option", _SELECT),
    _custom("customfield_10104", "Value Score", "number", _NUMBER),
)
FIELD_IDS: dict[str, str] = {f["name"]: f["id"] for f in FIELDS}
_FIELD_SCHEMA: dict[str, dict[str, Any]] = {f["id"]: f["schema"] for f in FIELDS}
#: Fields a person or an app can set with ``PUT /issue/{key}``.
_EDITABLE = frozenset(
    {"summary", "priority", "labels", "duedate"}
    | {f["id"] for f in FIELDS if f["custom"] and f["id"] not in (RANK_FIELD, SPRINT_FIELD)}
)
_OPTIONS = {"Financial": "10200", "Operational": "10201", "Customer": "10202", "Strategic": "10203"}
#: Item attribute -> field name, for loading ``rules`` items into the fake.
_INPUT_FIELDS = {
    "cost": "Story point estimate",
    "business_value": "Business Value",
    "time_criticality": "Time Criticality",
    "risk_reduction": "Risk Reduction",
    "score": "Value Score",
}

_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
PERMISSIONS: dict[str, tuple[str, str, str]] = {  # key -> (id, name, type)
    "BROWSE_PROJECTS": ("10", "Browse Projects", "PROJECT"),
    "CREATE_ISSUES": ("11", "Create Issues", "PROJECT"),
    "EDIT_ISSUES": ("12", "Edit Issues", "PROJECT"),
    "ADMINISTER_PROJECTS": ("23", "Administer Projects", "PROJECT"),
    "SCHEDULE_ISSUES": ("28", "Schedule Issues", "PROJECT"),
    "ADMINISTER": ("0", "Administer Jira", "GLOBAL"),
}


class JiraHTTPError(Exception):
    """Answer the current request with ``status`` and Jira's error body."""

    def __init__(self, status: int, *messages: str, errors: dict[str, str] | None = None):
        super().__init__(status, messages)
        self.status = status
        self.body = {"errorMessages": list(messages), "errors": dict(errors or {})}


def jira_time(moment: datetime) -> str:
    """Jira's timestamp format: ``2026-11-02T10:15:30.123+0000``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def order_keys(low: str, high: str | None, count: int) -> list[str]:
    """``count`` increasing rank keys strictly between ``low`` ("" = first) and ``high``.

    A key is the digits of a decimal fraction in (0, 1) without trailing zeros, so keys sort
    as strings. Both bounds are read as integers of one width (at least 6 digits), widened
    until ``count`` keys fit in the gap; keys between two issues are spread evenly across it,
    keys at the bottom (``high`` None) follow ``low`` one step apart, so appending issue after
    issue does not halve the room left each time and grow the keys by a digit every few.
    """
    width = max(len(low), len(high or ""), 6)
    while True:
        bottom = int(low.ljust(width, "0")) if low else 0
        top = int(high.ljust(width, "0")) if high is not None else 10**width
        if top - bottom > count:
            break
        width += 1
    if high is None:
        values: Iterable[int] = range(bottom + 1, bottom + count + 1)
    else:
        gap = top - bottom
        values = (bottom + gap * step // (count + 1) for step in range(1, count + 1))
    return [f"{value:0{width}d}".rstrip("0") for value in values]


def lexo_rank(order_key: str) -> str:
    """A LexoRank-looking rendering (``0|500000:1``) that sorts like ``order_key`` itself."""
    return "0|" + order_key[:6].ljust(6, "0") + ":" + order_key[6:]


# --------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class JiraRequest:
    """One request the fake answered; ``status`` 0 means the connection was dropped."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    auth: str  # "basic", "bearer" or "none"


@dataclass(frozen=True)
class RankCall:
    """One ``PUT /rest/agile/1.0/issue/rank``, with what actually moved."""

    issues: tuple[str, ...]
    before: str | None
    after: str | None
    status: int
    moved: tuple[str, ...]
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldWrite:
    """One accepted ``PUT /rest/api/{2,3}/issue/{key}`` (fields by id, as sent)."""

    key: str
    fields: dict[str, Any]
    notify_users: bool
    api: str


@dataclass
class FakeIssue:
    id: int
    key: str
    project: str
    fields: dict[str, Any]
    order_key: str
    created: datetime
    updated: datetime
    sprint_ids: list[int] = field(default_factory=list)

    @property
    def category(self) -> str:
        return str(self.fields["status"]["statusCategory"]["key"])


@dataclass
class FakeBoard:
    id: int
    name: str
    project: str
    filter_jql: str
    type: str = "scrum"


@dataclass
class FakeSprint:
    id: int
    board: int
    name: str
    state: str
    goal: str = ""
    start: datetime | None = None
    end: datetime | None = None

    def json(self, base: str, *, agile: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "name": self.name, "state": self.state}
        if agile:
            data["self"] = f"{base}/rest/agile/1.0/sprint/{self.id}"
            data["originBoardId"] = self.board
        else:
            data["boardId"] = self.board
        if self.goal:
            data["goal"] = self.goal
        if self.start is not None:
            data["startDate"] = jira_time(self.start)
        if self.end is not None:
            data["endDate"] = jira_time(self.end)
        return data


@dataclass
class _Fault:
    kind: FaultKind
    remaining: int
    prefix: str
    retry_after: int


# --------------------------------------------------------------------------------- JQL

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>!=|>=|<=|!~|[=<>~(),])"""
    r"""|(?P<word>[A-Za-z0-9_.\-\[\]/:]+))"""
)
_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")

Predicate = Callable[[FakeIssue], bool]


def _jql_error(message: str) -> JiraHTTPError:
    return JiraHTTPError(400, f"Error in the JQL Query: {message}")


@dataclass
class _Token:
    kind: str  # "str", "op", "word"
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


def _tokenize(jql: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(jql):
        if jql[position:].strip() == "":
            break
        match = _TOKEN.match(jql, position)
        if match is None or match.end() == position:
            raise _jql_error(f"the character {jql[position:].lstrip()[:1]!r} is a reserved char")
        kind = match.lastgroup or "word"
        text = match.group(kind)
        if kind == "str":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append(_Token(kind, text))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class Query:
    """A parsed JQL query: which issues match, and the ORDER BY (None: rank order)."""

    where: Predicate | None
    order: tuple[tuple[str, bool], ...]  # (field, descending)

    def select(self, issues: Iterable[FakeIssue]) -> list[FakeIssue]:
        chosen = [issue for issue in issues if self.where is None or self.where(issue)]
        chosen.sort(key=lambda issue: issue.order_key)
        for name, descending in reversed(self.order):
            chosen.sort(key=_ORDER_KEYS[name], reverse=descending)
        return chosen


_ORDER_KEYS: dict[str, Callable[[FakeIssue], Any]] = {
    "rank": lambda issue: issue.order_key,
    "key": lambda issue: (issue.project, int(issue.key.rsplit("-", 1)[1])),
    "updated": lambda issue: issue.updated,
    "created": lambda issue: issue.created,
}


class _Parser:
    """Recursive descent over the JQL subset the fake understands; anything else is a 400."""

    def __init__(self, jql: str, state: FakeJiraState):
        self.tokens = _tokenize(jql)
        self.at = 0
        self.state = state

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _jql_error("the query ended unexpectedly")
        self.at += 1
        return token

    def accept(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind in ("word", "op") and token.upper == words[0]:
            for offset, word in enumerate(words[1:], start=1):
                following = self.peek(offset)
                if following is None or following.upper != word:
                    return False
            self.at += len(words)
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.accept(word):
            token = self.peek()
            got = token.text if token is not None else "the end of the query"
            raise _jql_error(f"expecting {word!r} but got {got!r}")

    def parse(self) -> Query:
        where = None
        if self.peek() is not None and not self._at_order_by():
            where = self.expression()
        order: list[tuple[str, bool]] = []
        if self.accept("ORDER", "BY"):
            while True:
                name = self.take().text.lower()
                if name not in _ORDER_KEYS:
                    raise _jql_error(f"the fake Jira cannot ORDER BY {name!r}")
                descending = False
                if self.accept("DESC"):
                    descending = True
                else:
                    self.accept("ASC")
                order.append((name, descending))
                if not self.accept(","):
                    break
        if self.peek() is not None:
            raise _jql_error(f"unexpected {self.take().text!r}")
        return Query(where=where, order=tuple(order))

    def _at_order_by(self) -> bool:
        first, second = self.peek(), self.peek(1)
        return (
            first is not None
            and second is not None
            and first.upper == "ORDER"
            and second.upper == "BY"
        )

    def expression(self) -> Predicate:
        terms = [self.term()]
        while self.accept("OR"):
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]
        return lambda issue: any(term(issue) for term in terms)

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.accept("AND"):
            factors.append(self.factor())
        if len(factors) == 1:
            return factors[0]
        return lambda issue: all(factor(issue) for factor in factors)

    def factor(self) -> Predicate:
        if self.accept("NOT"):
            inner = self.factor()
            return lambda issue: not inner(issue)
        if self.accept("("):
            inner = self.expression()
            self.expect(")")
            return inner
        return self.clause()

    def values(self) -> list[str]:
        """A single value or a parenthesised list of them."""
        if self.accept("("):
            values = [self.take().text]
            while self.accept(","):
                values.append(self.take().text)
            self.expect(")")
            return values
        token = self.take()
        if token.kind == "op":
            raise _jql_error(f"expecting a value but got {token.text!r}")
        return [token.text]

    def operator(self) -> str:
        if self.accept("NOT", "IN"):
            return "not in"
        if self.accept("IS", "NOT"):
            return "is not"
        for word in ("IN", "IS"):
            if self.accept(word):
                return word.lower()
        token = self.take()
        if token.kind != "op" or token.text in "(),":
            raise _jql_error(f"expecting an operator but got {token.text!r}")
        return token.text

    def clause(self) -> Predicate:
        token = self.take()
        if token.kind != "word":
            raise _jql_error(f"expecting a field name but got {token.text!r}")
        name = token.text.lower()
        operator = self.operator()
        handler = _CLAUSES.get(name)
        if handler is None:
            raise _jql_error(
                f"Field {token.text!r} does not exist or you do not have permission to view it "
                "(the fake Jira understands project, key, updated, created, resolved, status, "
                "statusCategory, issuetype and sprint)"
            )
        return handler(self, name, operator)


def _membership(operator: str, wanted: set[str], of: Callable[[FakeIssue], str]) -> Predicate:
    if operator in ("=", "in"):
        return lambda issue: of(issue) in wanted
    if operator in ("!=", "not in"):
        return lambda issue: of(issue) not in wanted
    raise _jql_error(f"the operator {operator!r} is not supported by this field in the fake")


def _project_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    wanted = {value.upper() for value in parser.values()}
    unknown = wanted - set(parser.state.projects)
    if unknown:
        raise _jql_error(
            f"The value '{sorted(unknown)[0]}' does not exist for the field 'project'."
        )
    return _membership(operator, wanted, lambda issue: issue.project)


def _key_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    wanted = {value.upper() for value in parser.values()}
    return _membership(operator, wanted, lambda issue: issue.key)


def _status_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    """``status`` compared by name or by id, as Jira accepts either."""
    wanted = {value.lower() for value in parser.values()}

    def matches(issue: FakeIssue) -> bool:
        status = issue.fields["status"]
        return str(status["name"]).lower() in wanted or str(status["id"]) in wanted

    if operator in ("=", "in"):
        return matches
    if operator in ("!=", "not in"):
        return lambda issue: not matches(issue)
    raise _jql_error(f"the operator {operator!r} is not supported by 'status' in the fake")


def _type_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    wanted = {value.lower() for value in parser.values()}
    return _membership(
        operator, wanted, lambda issue: str(issue.fields["issuetype"]["name"]).lower()
    )


def _category_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    wanted: set[str] = set()
    for value in parser.values():
        found = next(
            (
                key
                for key, category in _CATEGORIES.items()
                if value.lower() in (key, str(category["name"]).lower(), str(category["id"]))
            ),
            None,
        )
        if found is None:
            raise _jql_error(f"The value '{value}' does not exist for the field 'statusCategory'.")
        wanted.add(found)
    return _membership(operator, wanted, lambda issue: issue.category)


_PERIOD = re.compile(r"-(?P<count>\d+)(?P<unit>[mhdw])")
_PERIOD_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _date_bound(parser: _Parser, name: str, text: str) -> datetime:
    """A JQL date: an absolute one in the user's zone, or a period back from now (``-9w``)."""
    period = _PERIOD.fullmatch(text)
    if period is not None:
        unit = _PERIOD_UNITS[period["unit"]]
        return parser.state.clock() - timedelta(**{unit: int(period["count"])})
    for pattern in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, pattern)  # noqa: DTZ007 - the user's zone, below
        except ValueError:
            continue
        return moment.replace(tzinfo=parser.state.user_zone)
    raise _jql_error(
        f"Date value '{text}' for field '{name}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
        "format e.g. '-5d', '4w 2d'."
    )


def _resolved_at(issue: FakeIssue) -> datetime | None:
    stamp = issue.fields.get("resolutiondate")
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z") if stamp else None


_STAMPS: dict[str, Callable[[FakeIssue], datetime | None]] = {
    "updated": lambda issue: issue.updated,
    "created": lambda issue: issue.created,
    "resolved": _resolved_at,
    "resolutiondate": _resolved_at,
}


def _date_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    if operator not in (">=", ">", "<=", "<"):
        raise _jql_error(f"the fake supports only >=, >, <= and < on {name!r}")
    bound = _date_bound(parser, name, parser.take().text)
    stamp = _STAMPS[name]
    compare: dict[str, Callable[[datetime], bool]] = {
        ">=": lambda at: at >= bound,
        ">": lambda at: at > bound,
        "<=": lambda at: at <= bound,
        "<": lambda at: at < bound,
    }
    test = compare[operator]

    def predicate(issue: FakeIssue) -> bool:
        at = stamp(issue)
        return at is not None and test(at)  # an empty date matches no comparison, as in Jira

    return predicate


def _sprint_clause(parser: _Parser, name: str, operator: str) -> Predicate:
    state = parser.state
    if operator in ("is", "is not"):
        if not parser.accept("NULL"):
            parser.expect("EMPTY")
        if operator == "is":
            return lambda issue: not issue.sprint_ids
        return lambda issue: bool(issue.sprint_ids)
    if operator in ("in", "not in") and parser.accept("OPENSPRINTS", "(", ")"):

        def is_open(issue: FakeIssue) -> bool:
            return any(state.sprints[sid].state in ("active", "future") for sid in issue.sprint_ids)

        return is_open if operator == "in" else (lambda issue: not is_open(issue))
    wanted = set()
    for value in parser.values():
        if not value.isdigit():
            raise _jql_error(f"the fake compares sprint only with ids, not {value!r}")
        wanted.add(int(value))
    if operator in ("=", "in"):
        return lambda issue: bool(wanted & set(issue.sprint_ids))
    if operator in ("!=", "not in"):
        return lambda issue: not wanted & set(issue.sprint_ids)
    raise _jql_error(f"the operator {operator!r} is not supported by 'sprint' in the fake")


_CLAUSES: dict[str, Callable[[_Parser, str, str], Predicate]] = {
    "project": _project_clause,
    "key": _key_clause,
    "issuekey": _key_clause,
    "status": _status_clause,
    "issuetype": _type_clause,
    "type": _type_clause,
    "statuscategory": _category_clause,
    "updated": _date_clause,
    "created": _date_clause,
    "resolved": _date_clause,
    "resolutiondate": _date_clause,
    "sprint": _sprint_clause,
}


# --------------------------------------------------------------------------------- state


@dataclass
class FakeJiraState:
    """Everything the fake holds; the handler threads and the test share it under ``lock``.

    Configure it directly (``deployment``, ``granted``, ``refuse_silent_edits``...) or through
    the helper methods; read what happened in ``requests``, ``rank_calls`` and ``writes``.
    """

    base_url: str = ""
    deployment: Deployment = "Cloud"
    email: str = EMAIL
    api_token: str = API_TOKEN
    pat: str = PAT
    user_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    granted: set[str] = field(default_factory=lambda: set(PERMISSIONS) - {"ADMINISTER"})
    #: status for edits with ``notifyUsers=false`` by a non-admin (Jira answers 403); None: allow
    refuse_silent_edits: int | None = None
    clock: Callable[[], datetime] = field(default_factory=lambda: lambda: datetime.now(tz=UTC))
    #: page caps: the Agile API serves at most 50 issues a page; the enhanced search 100 with
    #: fields (5000 ids/keys only); Data Center's search jira.search.views.default.max, 1000
    agile_page_limit: int = 50
    search_page_limit: int = 100
    dc_search_page_limit: int = 1000
    #: seconds every answer is delayed by, as a network round trip to Jira Cloud would
    latency: float = 0.0
    projects: dict[str, str] = field(default_factory=dict)
    issues: dict[str, FakeIssue] = field(default_factory=dict)
    boards: dict[int, FakeBoard] = field(default_factory=dict)
    sprints: dict[int, FakeSprint] = field(default_factory=dict)
    requests: list[JiraRequest] = field(default_factory=list)
    rank_calls: list[RankCall] = field(default_factory=list)
    writes: list[FieldWrite] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _faults: list[_Fault] = field(default_factory=list)
    _rank_fail_after: int | None = None
    _rank_fail_status: int = 500
    _rank_successes: int = 0
    _failing_rank_issues: dict[str, int] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(10001))
    #: at least the greatest order key given out, so an issue is added at the bottom without
    #: looking at every other issue (which made loading a large backlog quadratic)
    _bottom: str = ""

    # --- building the site -----------------------------------------------------------------

    def add_board(
        self,
        board_id: int,
        project: str,
        *,
        name: str | None = None,
        jql: str | None = None,
        type: str = "scrum",
    ) -> FakeBoard:
        """A board over ``project`` (its filter: ``project = KEY ORDER BY Rank ASC``).

        A scrum board's backlog is what its filter selects that is not done and in no open
        sprint; a kanban board's is served the same way here, but a real one's is a column.
        """
        with self.lock:
            self.projects.setdefault(project.upper(), project.title())
            board = FakeBoard(
                id=board_id,
                name=name or f"{project} board",
                project=project.upper(),
                filter_jql=jql or f"project = {project.upper()} ORDER BY Rank ASC",
                type=type,
            )
            self.boards[board_id] = board
            return board

    def add_sprint(
        self,
        board: int,
        name: str,
        state: str,
        *,
        sprint_id: int | None = None,
        goal: str = "",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> FakeSprint:
        with self.lock:
            sprint_id = sprint_id if sprint_id is not None else len(self.sprints) + 1
            sprint = FakeSprint(sprint_id, board, name, state, goal, start, end)
            self.sprints[sprint_id] = sprint
            return sprint

    def add_issue(
        self,
        key: str,
        *,
        summary: str = "",
        type: str = "Story",
        status: str = "To Do",
        category: str = "new",
        values: dict[str, Any] | None = None,
        sprint: int | None = None,
        labels: Sequence[str] = (),
        created: datetime | None = None,
        updated: datetime | None = None,
        before: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> FakeIssue:
        """Create an issue at the bottom of the rank order (or directly before ``before``).

        ``values`` maps field *names* ("Business Value", "Benefit Category"...) to plain values;
        ``extra`` sets raw fields by id in Jira's JSON shape (priority, duedate, issuelinks...).
        """
        with self.lock:
            project = key.rsplit("-", 1)[0].upper()
            self.projects.setdefault(project, project.title())
            now = self.clock()
            created = created or now - timedelta(days=30)
            issue_id = next(self._ids)
            fields: dict[str, Any] = {
                "summary": summary or f"Issue {key}",
                "issuetype": {"id": str(10000 + len(type)), "name": type, "subtask": False},
                "status": self._status(status, category),
                "labels": list(labels),
                "components": [],
                "priority": {"id": "3", "name": "Medium"},
                "resolutiondate": None,
                "duedate": None,
                "parent": None,
                "issuelinks": [],
                "project": {"id": str(10000 + len(self.projects)), "key": project},
            }
            for name, value in (values or {}).items():
                fields[self.field_id(name)] = self._field_value(self.field_id(name), value)
            fields.update(extra or {})
            if before is None:
                low, high = self._bottom, None
            else:
                order = self._ordered()
                index = order.index(self.issues[before])
                low = order[index - 1].order_key if index else ""
                high = order[index].order_key
            issue = FakeIssue(
                id=issue_id,
                key=key.upper(),
                project=project,
                fields=fields,
                order_key=self.keep_key(order_keys(low, high, 1)[0]),
                created=created,
                updated=updated or created,
                sprint_ids=[sprint] if sprint is not None else [],
            )
            self.issues[issue.key] = issue
            return issue

    def add_items(self, items: Iterable[Item], board: int) -> None:
        """Load ``rules`` items (the sample backlog, a dataset) in their order, as Jira issues.

        Value inputs go to the custom fields named in the example config, sprints become
        ``board``'s sprints, and ``updated`` stamps are kept (at least a day in the past, so a
        later incremental sync does not see them as changes).
        """
        with self.lock:
            items = list(items)
            newest = self.clock() - timedelta(days=1)
            for item, order_key in zip(items, order_keys("", None, len(items)), strict=True):
                sprint = item.sprint
                if sprint is not None and sprint.id not in self.sprints:
                    self._add_rules_sprint(board, sprint)
                created = min(item.created or newest, newest)
                issue = self.add_issue(
                    item.key,
                    summary=item.summary,
                    type=item.type,
                    status=item.status,
                    category=item.status_category.value,
                    values=_item_values(item),
                    sprint=sprint.id if sprint is not None else None,
                    labels=item.labels,
                    created=created,
                    updated=max(min(item.updated or created, newest), created),
                    extra=_item_extra(item),
                )
                issue.order_key = self.keep_key(order_key)

    def _add_rules_sprint(self, board: int, sprint: Sprint) -> None:
        self.add_sprint(
            board,
            sprint.name,
            sprint.state.value,
            sprint_id=sprint.id,
            goal=sprint.goal or "",
            start=sprint.start,
            end=sprint.end,
        )

    # --- changing it as a person would -----------------------------------------------------

    def field_id(self, name_or_id: str) -> str:
        if name_or_id in _FIELD_SCHEMA:
            return name_or_id
        try:
            return FIELD_IDS[name_or_id]
        except KeyError:
            raise KeyError(f"the fake Jira has no field named {name_or_id!r}") from None

    def set_field(self, key: str, name: str, value: Any) -> None:
        """Set one field (by name or id, a plain value) and stamp ``updated``."""
        with self.lock:
            issue = self.issues[key]
            field_id = self.field_id(name)
            issue.fields[field_id] = self._field_value(field_id, value)
            issue.updated = self.clock()

    def set_status(self, key: str, status: str, category: str) -> None:
        with self.lock:
            issue = self.issues[key]
            issue.fields["status"] = self._status(status, category)
            issue.fields["resolutiondate"] = jira_time(self.clock()) if category == "done" else None
            issue.updated = self.clock()

    def age(self, by: timedelta) -> None:
        """Move every stamp back by ``by``: as if that much time had passed since the changes.

        Northstar's sync cursor comes from the real clock, so this is how a test puts an hour
        between two runs without waiting: the next incremental sync sees only newer changes.
        """
        with self.lock:
            for issue in self.issues.values():
                issue.created -= by
                issue.updated -= by

    def value(self, key: str, name: str) -> Any:
        """A field's plain value: numbers as numbers, options by their ``value``."""
        with self.lock:
            raw = self.issues[key].fields.get(self.field_id(name))
            return raw["value"] if isinstance(raw, dict) and "value" in raw else raw

    def rank(self, key: str) -> str:
        """The issue's ``Rank`` field as Jira shows it."""
        with self.lock:
            return lexo_rank(self.issues[key].order_key)

    def order(self, board: int, *, include_done: bool = False) -> list[str]:
        """The board's issues in rank order, best first (open ones only, unless asked)."""
        with self.lock:
            return [
                issue.key
                for issue in self._board_query(board).select(self.issues.values())
                if include_done or issue.category != "done"
            ]

    def backlog(self, board: int) -> list[str]:
        """The board's backlog as the Agile API serves it: open, in no open sprint, ranked."""
        with self.lock:
            return [
                issue.key
                for issue in self._board_query(board).select(self.issues.values())
                if issue.category != "done" and self.open_sprint(issue) is None
            ]

    def open_sprint(self, issue: FakeIssue) -> FakeSprint | None:
        """The active or future sprint the issue is in, if any."""
        for sprint_id in issue.sprint_ids:
            sprint = self.sprints[sprint_id]
            if sprint.state in ("active", "future"):
                return sprint
        return None

    # --- faults ----------------------------------------------------------------------------

    def inject(
        self, kind: FaultKind, times: int = 1, *, path: str = "", retry_after: int = 0
    ) -> None:
        """Answer the next ``times`` requests (to paths starting with ``path``) with a fault.

        ``429`` and ``503`` carry ``Retry-After: retry_after``; ``drop`` closes the connection
        without an answer, as a load balancer resetting it would.
        """
        with self.lock:
            self._faults.append(_Fault(kind, times, path, retry_after))

    def fail_rank_calls_after(self, applied: int, status: int = 500) -> None:
        """Once ``applied`` rank calls have succeeded, answer every further one with ``status``."""
        with self.lock:
            self._rank_fail_after = self._rank_successes + applied
            self._rank_fail_status = status

    def fail_rank_for(self, keys: Iterable[str], times: int = 1) -> None:
        """These issues fail inside their next ``times`` rank calls (a 207 answer)."""
        with self.lock:
            for key in keys:
                self._failing_rank_issues[key] = times

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()
            self._rank_fail_after = None
            self._failing_rank_issues.clear()

    def clear_log(self) -> None:
        """Forget recorded requests, rank calls and writes (to count one command's traffic)."""
        with self.lock:
            self.requests.clear()
            self.rank_calls.clear()
            self.writes.clear()

    def requests_to(self, prefix: str, method: str | None = None) -> list[JiraRequest]:
        with self.lock:
            return [
                request
                for request in self.requests
                if request.path.startswith(prefix) and method in (None, request.method)
            ]

    # --- internals -------------------------------------------------------------------------

    def keep_key(self, order_key: str) -> str:
        """``order_key``, after noting it in :attr:`_bottom`."""
        self._bottom = max(self._bottom, order_key)
        return order_key

    def _status(self, name: str, category: str) -> dict[str, Any]:
        status_id = {"new": "10000", "indeterminate": "3", "done": "10001"}[category]
        return {
            "self": f"{self.base_url}/rest/api/2/status/{status_id}",
            "id": status_id,
            "name": name,
            "statusCategory": dict(_CATEGORIES[category]),
        }

    def _field_value(self, field_id: str, value: Any) -> Any:
        schema = _FIELD_SCHEMA[field_id]
        if schema["type"] == "option" and isinstance(value, str):
            return {"id": _OPTIONS.get(value, "10299"), "value": value}
        return value

    def _ordered(self) -> list[FakeIssue]:
        return sorted(self.issues.values(), key=lambda issue: issue.order_key)

    def _board(self, board_id: int) -> FakeBoard:
        board = self.boards.get(board_id)
        if board is None:
            raise JiraHTTPError(
                404, f"Board does not exist or you do not have permission to see it: {board_id}"
            )
        return board

    def _board_query(self, board_id: int) -> Query:
        return _Parser(self._board(board_id).filter_jql, self).parse()

    def parse_jql(self, jql: str) -> Query:
        return _Parser(jql, self).parse()

    def take_fault(self, path: str) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.remaining > 0 and path.startswith(fault.prefix):
                    fault.remaining -= 1
                    return fault
            return None


def _item_values(item: Item) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(item, attribute)
        for attribute, name in _INPUT_FIELDS.items()
        if getattr(item, attribute) is not None
    }
    if item.benefit_category is not None:
        values["Benefit Category"] = item.benefit_category.value.title()
    return values


def _item_extra(item: Item) -> dict[str, Any]:
    extra: dict[str, Any] = {"components": [{"name": name} for name in item.components]}
    if item.priority is not None:
        extra["priority"] = {"id": str(1 + len(item.priority)), "name": item.priority}
    if item.due is not None:
        extra["duedate"] = item.due.isoformat()
    if item.resolved is not None:
        extra["resolutiondate"] = jira_time(item.resolved)
    if item.parent is not None:
        extra["parent"] = {"key": item.parent}
    blocks = {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
    extra["issuelinks"] = [
        {"id": str(n), "type": blocks, "outwardIssue": {"key": key}}
        for n, key in enumerate(item.blocks, start=1)
    ] + [
        {"id": str(100 + n), "type": blocks, "inwardIssue": {"key": key}}
        for n, key in enumerate(item.blocked_by, start=1)
    ]
    return extra


# --------------------------------------------------------------------------------- handlers


@dataclass
class _Call:
    """The request being answered, parsed once."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    api: str  # "2", "3" or "agile"


class _Routes:
    """The REST endpoints; each returns (status, json body or None for an empty answer)."""

    def __init__(self, state: FakeJiraState):
        self.state = state

    @property
    def cloud(self) -> bool:
        return self.state.deployment == "Cloud"

    def route(self, call: _Call) -> tuple[int, Any]:
        table: list[tuple[str, str, Callable[[_Call, re.Match[str]], tuple[int, Any]]]] = [
            ("GET", r"/rest/api/[23]/serverInfo", self.server_info),
            ("GET", r"/rest/api/[23]/myself", self.myself),
            ("GET", r"/rest/api/[23]/mypermissions", self.my_permissions),
            ("GET", r"/rest/api/[23]/field", self.fields),
            ("GET", r"/rest/api/[23]/filter/(?P<filter>\d+)", self.filter),
            ("POST", r"/rest/api/3/search/jql", self.search_jql),
            ("GET", r"/rest/api/[23]/search", self.search_paged),
            ("POST", r"/rest/api/[23]/search", self.search_paged),
            ("GET", r"/rest/api/[23]/issue/(?P<key>[^/]+)", self.get_issue),
            ("PUT", r"/rest/api/[23]/issue/(?P<key>[^/]+)", self.edit_issue),
            ("GET", r"/rest/agile/1\.0/board/(?P<board>\d+)", self.board),
            ("GET", r"/rest/agile/1\.0/board/(?P<board>\d+)/configuration", self.board_config),
            ("GET", r"/rest/agile/1\.0/board/(?P<board>\d+)/backlog", self.backlog),
            ("GET", r"/rest/agile/1\.0/board/(?P<board>\d+)/issue", self.board_issues),
            ("GET", r"/rest/agile/1\.0/board/(?P<board>\d+)/sprint", self.board_sprints),
            ("PUT", r"/rest/agile/1\.0/issue/rank", self.rank),
        ]
        if call.api == "3" and not self.cloud:
            raise JiraHTTPError(404, "null for uri: " + call.path)
        for method, pattern, handler in table:
            match = re.fullmatch(pattern, call.path)
            if match is not None:
                if method != call.method:
                    continue
                return handler(call, match)
        raise JiraHTTPError(404, f"the fake Jira does not serve {call.method} {call.path}")

    # --- platform ----------------------------------------------------------------------------

    def server_info(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        cloud = self.cloud
        return 200, {
            "baseUrl": self.state.base_url,
            "displayUrl": self.state.base_url,
            "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
            "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
            "deploymentType": self.state.deployment,
            "buildNumber": 100275 if cloud else 9120002,
            "buildDate": "2026-11-20T00:00:00.000+0000",
            "serverTime": jira_time(self.state.clock()),
            "scmInfo": "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
            "serverTitle": "Fake Jira",
            "defaultLocale": {"locale": "en_US"},
            "serverTimeZone": str(self.state.user_zone),
        }

    def myself(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        user: dict[str, Any] = {
            "self": f"{self.state.base_url}/rest/api/{call.api}/myself",
            "emailAddress": self.state.email,
            "displayName": "Northstar Bot",
            "active": True,
            "timeZone": str(self.state.user_zone),
            "locale": "en_US",
            "groups": {"size": 1, "items": []},
            "applicationRoles": {"size": 1, "items": []},
        }
        if self.cloud:
            user.update(accountId="5b10a2844c20165700ede21g", accountType="atlassian")
        else:
            user.update(name="northstar", key="JIRAUSER10100")
        return 200, user

    def my_permissions(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        asked = [key for key in call.query.get("permissions", "").split(",") if key]
        if not asked and self.cloud:
            raise JiraHTTPError(400, "The permissions query parameter is required.")
        unknown = [key for key in asked if key not in PERMISSIONS]
        if unknown:
            raise JiraHTTPError(404, f"No permission with key '{unknown[0]}' found.")
        entries = {}
        for key in asked or list(PERMISSIONS):
            permission_id, name, kind = PERMISSIONS[key]
            entries[key] = {
                "id": permission_id,
                "key": key,
                "name": name,
                "type": kind,
                "description": f"Ability to {name.lower()}.",
                "havePermission": key in self.state.granted,
            }
        return 200, {"permissions": entries}

    def fields(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        return 200, [dict(f) for f in FIELDS]

    def get_issue(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        issue = self._issue(match["key"])
        return 200, self.issue_json(issue, _wanted_fields(call.query.get("fields")), call.api)

    def edit_issue(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        issue = self._issue(match["key"])
        body = call.body if isinstance(call.body, dict) else None
        if body is None or set(body) - {"fields", "update", "properties", "historyMetadata"}:
            raise JiraHTTPError(400, "Can not deserialize the request body.")
        if body.get("update"):
            raise JiraHTTPError(400, "the fake Jira accepts edits through 'fields' only")
        notify = call.query.get("notifyUsers", "true").lower() != "false"
        if not notify and self.state.refuse_silent_edits is not None:
            raise JiraHTTPError(
                self.state.refuse_silent_edits,
                "To discard the user notification either admin or project admin permissions "
                "are required.",
            )
        if "EDIT_ISSUES" not in self.state.granted:
            raise JiraHTTPError(403, "You do not have permission to edit issues in this project.")
        changes: dict[str, Any] = body.get("fields") or {}
        errors = {}
        for field_id, value in changes.items():
            problem = _edit_problem(field_id, value)
            if problem:
                errors[field_id] = problem
        if errors:
            raise JiraHTTPError(400, errors=errors)
        changed = False
        for field_id, value in changes.items():
            new = self.state._field_value(field_id, value)
            changed = changed or issue.fields.get(field_id) != new
            issue.fields[field_id] = new
        if changed:
            issue.updated = self.state.clock()
        self.state.writes.append(FieldWrite(issue.key, dict(changes), notify, call.api))
        if call.query.get("returnIssue", "").lower() == "true":
            return 200, self.issue_json(issue, None, call.api)
        return 204, None

    # --- search ------------------------------------------------------------------------------

    def search_jql(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        body = call.body if isinstance(call.body, dict) else None
        if body is None:
            raise JiraHTTPError(400, "The request body is required.")
        known = {"jql", "fields", "maxResults", "nextPageToken", "reconcileIssues", "expand"}
        known |= {"properties", "fieldsByKeys", "failFast"}
        extra = sorted(set(body) - known)
        if extra:
            raise JiraHTTPError(400, f'Unrecognized field "{extra[0]}" in the request body.')
        reconcile = body.get("reconcileIssues") or []
        if len(reconcile) > RECONCILE_LIMIT or not all(isinstance(i, int) for i in reconcile):
            raise JiraHTTPError(
                400, f"reconcileIssues takes at most {RECONCILE_LIMIT} issue ids (numbers)."
            )
        jql = str(body.get("jql", ""))
        query = self.state.parse_jql(jql)
        if query.where is None:
            raise JiraHTTPError(
                400,
                "Unbounded JQL queries are not allowed here. Please add a search restriction "
                "to your query.",
            )
        wanted = _wanted_fields(body.get("fields"), default=["id"])
        cap = (
            5000
            if wanted is not None and set(wanted) <= {"id", "key"}
            else self.state.search_page_limit
        )
        size = min(int(body.get("maxResults", 50)), cap)
        offset = _read_token(body.get("nextPageToken"), jql)
        found = query.select(self.state.issues.values())
        page = found[offset : offset + size]
        result: dict[str, Any] = {
            "issues": [self.issue_json(issue, wanted, "3") for issue in page],
            "isLast": offset + size >= len(found),
        }
        if not result["isLast"]:
            result["nextPageToken"] = _make_token(offset + size, jql)
        return 200, result

    def search_paged(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        if self.cloud:
            raise JiraHTTPError(
                410,
                "The requested API has been removed. Please migrate to the /rest/api/3/search/jql "
                "API. A full migration guideline is available at "
                "https://developer.atlassian.com/changelog/#CHANGE-2046",
            )
        params: dict[str, Any] = dict(call.query)
        if call.method == "POST" and isinstance(call.body, dict):
            params = dict(call.body)
        query = self.state.parse_jql(str(params.get("jql", "")))
        return 200, self._page(
            query.select(self.state.issues.values()),
            params,
            _wanted_fields(params.get("fields")),
            cap=self.state.dc_search_page_limit,
            api=call.api,
        )

    def _page(
        self,
        found: list[FakeIssue],
        params: dict[str, Any],
        wanted: list[str] | None,
        *,
        cap: int,
        api: str,
        agile: bool = False,
    ) -> dict[str, Any]:
        try:
            start = int(params.get("startAt", 0))
            size = min(int(params.get("maxResults", 50)), cap)
        except ValueError:
            raise JiraHTTPError(400, "startAt and maxResults must be numbers.") from None
        page = found[start : start + size]
        return {
            "expand": "names,schema",
            "startAt": start,
            "maxResults": size,
            "total": len(found),
            "issues": [self.issue_json(issue, wanted, api, agile=agile) for issue in page],
        }

    # --- agile -------------------------------------------------------------------------------

    def board(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        board = self.state._board(int(match["board"]))
        return 200, {
            "id": board.id,
            "self": f"{self.state.base_url}/rest/agile/1.0/board/{board.id}",
            "name": board.name,
            "type": board.type,
            "location": {
                "projectId": 10000,
                "projectKey": board.project,
                "projectName": self.state.projects[board.project],
                "projectTypeKey": "software",
                "displayName": f"{self.state.projects[board.project]} ({board.project})",
                "name": f"{self.state.projects[board.project]} ({board.project})",
            },
        }

    def board_config(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        board = self.state._board(int(match["board"]))
        return 200, {
            "id": board.id,
            "name": board.name,
            "type": board.type,
            "self": f"{self.state.base_url}/rest/agile/1.0/board/{board.id}/configuration",
            "filter": {
                "id": str(FILTER_BASE + board.id),
                "self": f"{self.state.base_url}/rest/api/2/filter/{FILTER_BASE + board.id}",
            },
            "estimation": {
                "type": "field",
                "field": {"fieldId": "customfield_10016", "displayName": "Story point estimate"},
            },
            "ranking": {"rankCustomFieldId": RANK_FIELD_ID},
            # every status of a category has its category's id here, so a column per category
            # maps every status, and the last one (Done) is what the board counts as done
            "columnConfig": {
                "columns": [
                    {"name": name, "statuses": [{"id": status_id}]}
                    for name, status_id in (
                        ("To Do", "10000"),
                        ("In Progress", "3"),
                        ("Done", "10001"),
                    )
                ],
                "constraintType": "issueCount",
            },
        }

    def filter(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        """A board's saved filter (the only filters the fake has), as ``/filter/{id}`` shows it."""
        filter_id = int(match["filter"])
        board = self.state.boards.get(filter_id - FILTER_BASE)
        if board is None:
            raise JiraHTTPError(
                400,
                f"The selected filter is not available to you, perhaps it has been deleted "
                f"or had its permissions changed. ({filter_id})",
            )
        return 200, {
            "self": f"{self.state.base_url}/rest/api/{call.api}/filter/{filter_id}",
            "id": str(filter_id),
            "name": f"Filter for {board.name}",
            "jql": board.filter_jql,
            "favourite": False,
        }

    def _agile_query(self, call: _Call, board_id: int) -> list[FakeIssue]:
        issues = self.state._board_query(board_id).select(self.state.issues.values())
        jql = call.query.get("jql")
        if jql:
            extra = self.state.parse_jql(jql)
            chosen = {id(issue) for issue in extra.select(issues)}
            issues = [issue for issue in issues if id(issue) in chosen]
            if extra.order:
                issues = Query(where=None, order=extra.order).select(issues)
        return issues

    def backlog(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        board_id = int(match["board"])
        issues = [
            issue
            for issue in self._agile_query(call, board_id)
            if issue.category != "done" and not self.state.open_sprint(issue)
        ]
        wanted = _wanted_fields(call.query.get("fields"))
        return 200, self._page(
            issues, dict(call.query), wanted, cap=self.state.agile_page_limit, api="2", agile=True
        )

    def board_issues(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        issues = self._agile_query(call, int(match["board"]))
        wanted = _wanted_fields(call.query.get("fields"))
        return 200, self._page(
            issues, dict(call.query), wanted, cap=self.state.agile_page_limit, api="2", agile=True
        )

    def board_sprints(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        board_id = self.state._board(int(match["board"])).id
        states = {s for s in call.query.get("state", "").split(",") if s}
        unknown = states - {"future", "active", "closed"}
        if unknown:
            raise JiraHTTPError(400, f"Unknown sprint state: {sorted(unknown)[0]}")
        sprints = [
            sprint.json(self.state.base_url, agile=True)
            for sprint in sorted(self.state.sprints.values(), key=lambda s: s.id)
            if sprint.board == board_id and (not states or sprint.state in states)
        ]
        start = int(call.query.get("startAt", 0))
        size = min(int(call.query.get("maxResults", 50)), 50)
        return 200, {
            "maxResults": size,
            "startAt": start,
            "isLast": start + size >= len(sprints),
            "values": sprints[start : start + size],
        }

    def rank(self, call: _Call, match: re.Match[str]) -> tuple[int, Any]:
        state = self.state
        body = call.body if isinstance(call.body, dict) else None
        allowed = {"issues", "rankBeforeIssue", "rankAfterIssue", "rankCustomFieldId"}
        if body is None or set(body) - allowed:
            raise JiraHTTPError(400, "Unrecognized field in the rank request body.")
        keys = body.get("issues")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise JiraHTTPError(400, "issues: a list of issue keys or ids is required.")
        if len(keys) > RANK_LIMIT:
            raise JiraHTTPError(400, f"At most {RANK_LIMIT} issues may be ranked at once.")
        before, after = body.get("rankBeforeIssue"), body.get("rankAfterIssue")
        if (before is None) == (after is None):
            raise JiraHTTPError(400, "Give exactly one of rankBeforeIssue and rankAfterIssue.")
        field_id = body.get("rankCustomFieldId")
        if field_id is not None and field_id != RANK_FIELD_ID:
            raise JiraHTTPError(400, f"The field {field_id} is not a rank field.")
        if "SCHEDULE_ISSUES" not in state.granted:
            raise JiraHTTPError(
                403, "You do not have the 'Schedule issues' permission to rank these issues."
            )
        issues = [self._issue(key) for key in keys]
        anchor = self._issue(str(before if before is not None else after))
        if anchor in issues or len({issue.key for issue in issues}) != len(issues):
            raise JiraHTTPError(400, "An issue cannot be ranked relative to itself or twice.")
        if state._rank_fail_after is not None and state._rank_successes >= state._rank_fail_after:
            status = state._rank_fail_status
            state.rank_calls.append(RankCall(tuple(keys), before, after, status, ()))
            raise JiraHTTPError(status, "Rank operation failed (injected by the fake).")
        failing = [issue for issue in issues if state._failing_rank_issues.get(issue.key, 0) > 0]
        for issue in failing:
            state._failing_rank_issues[issue.key] -= 1
        moving = [issue for issue in issues if issue not in failing]
        if moving:
            self._move(moving, anchor, before=before is not None)
        state._rank_successes += 1
        moved = tuple(issue.key for issue in moving)
        failed = tuple(issue.key for issue in failing)
        status = 207 if failing else 204
        state.rank_calls.append(RankCall(tuple(keys), before, after, status, moved, failed))
        if not failing:
            return 204, None
        return 207, {
            "entries": [
                {"issueId": issue.id, "issueKey": issue.key, "status": 200}
                if issue not in failing
                else {
                    "issueId": issue.id,
                    "issueKey": issue.key,
                    "status": 503,
                    "errors": [
                        "JIRA Agile cannot execute the rank operation at this time. Please try "
                        "again later."
                    ],
                }
                for issue in issues
            ]
        }

    def _move(self, moving: list[FakeIssue], anchor: FakeIssue, *, before: bool) -> None:
        """Jira's rank semantics: the issues, in the given order, right before/after the anchor."""
        rest = [issue for issue in self.state._ordered() if issue not in moving]
        index = rest.index(anchor) + (0 if before else 1)
        low = rest[index - 1].order_key if index else ""
        high = rest[index].order_key if index < len(rest) else None
        now = self.state.clock()
        for issue, order_key in zip(moving, order_keys(low, high, len(moving)), strict=True):
            issue.order_key = self.state.keep_key(order_key)
            issue.updated = now

    # --- shapes ------------------------------------------------------------------------------

    def _issue(self, key_or_id: str) -> FakeIssue:
        key_or_id = unquote(key_or_id)
        issue = self.state.issues.get(key_or_id.upper())
        if issue is None and key_or_id.isdigit():
            issue = next((i for i in self.state.issues.values() if i.id == int(key_or_id)), None)
        if issue is None:
            raise JiraHTTPError(
                404, "Issue does not exist or you do not have permission to see it."
            )
        return issue

    def issue_json(
        self, issue: FakeIssue, wanted: list[str] | None, api: str, *, agile: bool = False
    ) -> dict[str, Any]:
        base = self.state.base_url
        sprints = [self.state.sprints[sid] for sid in issue.sprint_ids]
        every: dict[str, Any] = {
            **issue.fields,
            "created": jira_time(issue.created),
            "updated": jira_time(issue.updated),
            RANK_FIELD: lexo_rank(issue.order_key),
            SPRINT_FIELD: [sprint.json(base, agile=False) for sprint in sprints] or None,
        }
        if agile:
            current = self.state.open_sprint(issue)
            every["sprint"] = current.json(base, agile=True) if current else None
            every["closedSprints"] = [
                sprint.json(base, agile=True) for sprint in sprints if sprint.state == "closed"
            ]
            every["flagged"] = False
        if wanted is not None:
            every = {name: value for name, value in every.items() if name in wanted}
        if wanted == ["id"]:  # what the enhanced search returns when asked for no fields
            return {"id": str(issue.id)}
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": str(issue.id),
            "self": f"{base}/rest/api/{api}/issue/{issue.id}",
            "key": issue.key,
            "fields": every,
        }


def _wanted_fields(raw: Any, default: list[str] | None = None) -> list[str] | None:
    """The ``fields`` parameter as a list; None means every field (``*all``, ``*navigable``)."""
    if raw is None:
        return default
    names = raw if isinstance(raw, list) else str(raw).split(",")
    names = [str(name).strip() for name in names if str(name).strip()]
    if not names or any(name in ("*all", "*navigable") for name in names):
        return None
    return names


def _edit_problem(field_id: str, value: Any) -> str | None:
    if field_id not in _EDITABLE:
        return f"Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."
    kind = _FIELD_SCHEMA[field_id]["type"]
    if kind == "number" and not (
        value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    ):
        return "Operation value must be a number"
    if kind == "option" and not (
        value is None or (isinstance(value, dict) and ({"value", "id"} & set(value)))
    ):
        return "Specify a valid value for " + field_id
    if kind == "date" and value is not None:
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return "Error parsing date string: " + str(value)
    return None


def _make_token(offset: int, jql: str) -> str:
    digest = hashlib.sha256(jql.encode()).hexdigest()[:12]
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": digest}).encode()).decode()


def _read_token(token: Any, jql: str) -> int:
    if token is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        offset = int(data["o"])
        same = data["q"] == hashlib.sha256(jql.encode()).hexdigest()[:12]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise JiraHTTPError(400, "The provided next page token is invalid or expired.") from None
    if not same:
        raise JiraHTTPError(400, "The next page token belongs to a different query.")
    return offset


class _Handler(BaseHTTPRequestHandler):
    """One connection; ``state`` and ``routes`` are set on a subclass per server."""

    protocol_version = "HTTP/1.1"
    state: ClassVar[FakeJiraState]
    routes: ClassVar[_Routes]

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        return

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == 204:
            self.end_headers()
            return
        data = json.dumps(payload).encode()
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _auth(self) -> str | None:
        """'basic' or 'bearer' when the credentials match, None when they are missing or wrong."""
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return "bearer" if header[7:] == self.state.pat else None
        if header.startswith("Basic "):
            try:
                user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, binascii.Error):
                return None
            return "basic" if (user, secret) == (self.state.email, self.state.api_token) else None
        return None

    def _parse(self) -> _Call:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query: dict[str, str] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            query[name] = f"{query[name]},{value}" if name in query else value
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        segments = path.split("/")  # "", "rest", "api", "3", ...
        api = "agile" if segments[2:3] == ["agile"] else "".join(segments[3:4])
        return _Call(self.command, path, query, body, api)

    def _record(self, call: _Call, status: int, auth: str | None) -> None:
        request = JiraRequest(call.method, call.path, call.query, call.body, status, auth or "none")
        with self.state.lock:
            self.state.requests.append(request)

    def _handle(self) -> None:
        call = self._parse()
        if self.state.latency > 0:
            time.sleep(self.state.latency)
        auth = self._auth()
        fault = self.state.take_fault(call.path)
        if fault is not None:
            self._record(call, 0 if fault.kind == "drop" else int(fault.kind), auth)
            if fault.kind == "drop":
                self.close_connection = True
                return
            message = "Rate limit exceeded." if fault.kind == "429" else "Service Unavailable"
            self._reply(
                int(fault.kind),
                {"errorMessages": [message], "errors": {}},
                {"Retry-After": str(fault.retry_after)},
            )
            return
        if auth is None:
            self._record(call, 401, auth)
            self._reply(
                401,
                {"errorMessages": ["Client must be authenticated to access this resource."]},
                {"WWW-Authenticate": 'Basic realm="protected-area"'},
            )
            return
        with self.state.lock:
            try:
                status, payload = self.routes.route(call)
            except JiraHTTPError as e:
                status, payload = e.status, e.body
            self._record(call, status, auth)
        self._reply(status, payload)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()


class FakeJiraServer(LocalServer):
    """``with FakeJiraServer(deployment="Cloud") as jira:`` a Jira on ``jira.url``.

    Credentials: basic auth with :data:`EMAIL` and :data:`API_TOKEN`, or a bearer
    :data:`PAT`; anything else gets a 401.
    """

    def __init__(self, deployment: Deployment = "Cloud") -> None:
        state = FakeJiraState(base_url="", deployment=deployment)
        handler = type("Handler", (_Handler,), {"state": state, "routes": _Routes(state)})
        super().__init__(handler)
        self.url = f"http://127.0.0.1:{self.port}"
        state.base_url = self.url
        self.state = state
