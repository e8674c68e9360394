"""The Jira connector: one team's backlog on Jira Cloud or Data Center, through the port.

Discovery (deployment type and the ``/field`` list) is fetched lazily once per instance and can
be handed in (``discovery=``) by a caller that persisted :attr:`JiraConnector.discovery`, so a
fresh process need not ask again. What a fetch returns is the team's backlog and, for a board,
the board's issues in open sprints and those done in the last nine weeks, in rank order (the
digest and the sprint reminder need them; only the backlog is ever reordered). An incremental
fetch makes two searches: the changed issues of the team (full fields) and every changed issue,
keys only, so issues that left the team (done long ago, moved to another project or board) are
reported in ``removed``. A scrum board's issues on Cloud are read through the enhanced search
over the board's filter (100 a page or more, against the Agile board endpoint's 50); other
boards and Data Center use the Agile board endpoint.

The backlog order (:meth:`JiraConnector.read_order`, read before and after every reorder) is
read with the cheapest request that gives exactly the board's backlog: on Jira Cloud, a scrum
board's backlog is its filter's issues that are not done (not in the board's last column) and
in no open sprint, which the enhanced search serves 5,000 keys a page; the board's filter JQL
and columns are read once (board configuration, then the filter) and kept with the
discovery. Kanban and team-managed boards (whose backlog is a board column, not a query) and
Data Center use the Agile backlog endpoint, asking for the largest page Jira serves. Changed
scores are written by a small pool of threads
(:attr:`~connectors.jira.config.JiraConfig.write_concurrency`): a score write is bounded by
latency, not by count, and Jira has no bulk field write for an API-token client.

Longer than 400 lines: one class holds one team's Jira session, discovery and board filter, and
every port method shares them; the pure parts are in :mod:`connectors.jira.mapping`, the HTTP
and retries in :mod:`connectors.jira.http`. Splitting the class further is the next clean-up.
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from connectors.base import (
    ConnectorConfigError,
    ConnectorError,
    FetchResult,
    MoveFailedError,
    check_inputs,
)
from connectors.jira.config import JiraConfig
from connectors.jira.http import JiraHttp, JiraNotFoundError, JiraRequestError, RequestHook
from connectors.jira.mapping import FieldMap, JiraField, issue_to_item, parse_fields, parse_sprint
from connectors.jira.mapping import resolve_fields as resolve_field_map
from rules.model import Item, RankMove, Sprint

logger = logging.getLogger(__name__)

#: What every enhanced search asks for: the spec's maximum ("It returns max 5000 issues"). Cloud
#: serves that many ids/keys a page, and fewer (100 at the time of writing) "where a large
#: number of fields are requested", so asking for the most costs nothing and takes whatever
#: larger page Jira serves for the fields scoring needs. Data Center's default cap
#: (jira.search.views.default.max) is 1000.
CLOUD_PAGE = 5000
DC_PAGE = 1000
#: What the Agile backlog is asked for; the server caps it and says so in ``maxResults``.
AGILE_PAGE = 1000
#: A long fetch reports its running count every this many issues.
PROGRESS_STEP = 50
#: ``reconcileIssues`` takes at most 50 ids.
RECONCILE_MAX = 50
#: Keys per ``key in (...)`` lookup when reading scores of issues this instance has not fetched.
KEYS_PER_LOOKUP = 100

RANK = "/rest/agile/1.0/issue/rank"
BOARD = "/rest/agile/1.0/board/{boardId}"
BOARD_CONFIGURATION = "/rest/agile/1.0/board/{boardId}/configuration"
FILTER = "/rest/api/3/filter/{id}"
BACKLOG = "/rest/agile/1.0/board/{boardId}/backlog"
BOARD_ISSUES = "/rest/agile/1.0/board/{boardId}/issue"
#: What a board team's snapshot holds beside the backlog: the items of open sprints (sprint
#: reminders, value committed) and the work done in the weeks the digest and its burn-up
#: chart look back on (value delivered, planned against realised benefit).
OPEN_OR_RECENTLY_DONE = f"statusCategory != Done OR resolved >= -{9 * 7}d"
SPRINTS = "/rest/agile/1.0/board/{boardId}/sprint"
#: What a scrum board shows in its backlog besides being undone: no active or future sprint
#: (``not in`` alone would drop the issues that were never in a sprint).
NO_OPEN_SPRINT = "sprint is EMPTY OR sprint not in openSprints()"
#: "Not done" when the board configuration names no columns.
NOT_DONE = "statusCategory != Done"
SERVER_INFO = "/rest/api/2/serverInfo"
MYSELF = "/rest/api/2/myself"
MY_PERMISSIONS = "/rest/api/2/mypermissions"

_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)
_ISSUE_KEY = re.compile(r"\b[A-Z][A-Z0-9_]*-\d+\b")
_PERMISSIONS = {
    "BROWSE_PROJECTS": "Browse projects (to read the backlog)",
    "EDIT_ISSUES": "Edit issues (to write the score field)",
    "SCHEDULE_ISSUES": "Schedule issues (to rank the backlog)",
}


@dataclass(frozen=True)
class AccessCheck:
    """One line of ``northstar doctor``: what was checked, whether it passed, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


class BoardFilter(BaseModel):
    """A board's type and its filter's JQL: whether one search can read the board's backlog."""

    model_config = ConfigDict(frozen=True)

    board: int
    type: str
    jql: str
    #: ids of the statuses mapped to the board's columns but the last; None: no column config
    open_statuses: tuple[str, ...] | None = None
    #: ids of the statuses mapped to any column (an issue is on the board only in one of
    #: them); None: no column config (or saved before this was kept)
    statuses: tuple[str, ...] | None = None

    def issues_jql(self, extra_jql: str, *conditions: str) -> str | None:
        """The board's issues (as the Agile board issue endpoint serves them) as one JQL.

        A scrum board's issues are its filter's issues in a status mapped to a column, in rank
        order (the vendor spec adds that epics "do not belong to" scrum boards; the backlog
        order read over the same filter keeps them too, so the snapshot and the order agree);
        None where the board endpoint must be asked (another board type, a filter this account
        cannot read, or no column statuses known).
        """
        if self.type != "scrum" or not self.jql.strip() or not self.statuses:
            return None
        where, _ = split_order_by(self.jql)
        on_board = f"status in ({', '.join(self.statuses)})"
        return f"{and_jql(where, extra_jql, on_board, *conditions)} ORDER BY Rank ASC"

    def backlog_jql(self, extra_jql: str) -> str | None:
        """The backlog as one ranked JQL, or None where no query selects exactly the backlog.

        Only a scrum board's backlog is a query: its filter's issues in a status mapped to a
        column but the last (the last column is what a scrum board counts as done; unmapped
        statuses are on neither board nor backlog) and in no open sprint. A kanban board's
        backlog is its first column and a team-managed ("simple") board's depends on whether
        sprints are switched on, so those are read from the Agile backlog endpoint.
        """
        if self.type != "scrum" or not self.jql.strip() or self.open_statuses == ():
            return None
        where, order = split_order_by(self.jql)
        not_done = (
            NOT_DONE
            if self.open_statuses is None
            else f"status in ({', '.join(self.open_statuses)})"
        )
        return f"{and_jql(where, extra_jql, not_done, NO_OPEN_SPRINT)} {order}"


class Discovery(BaseModel):
    """What a Jira site is and which fields it has; persist it to skip asking in a new process."""

    model_config = ConfigDict(frozen=True)

    deployment: Literal["Cloud", "Server", "DataCenter"]
    fields: tuple[JiraField, ...]
    #: the team board's filter, read on the first read of the backlog order (Cloud only)
    board: BoardFilter | None = None

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "Cloud"


def split_order_by(jql: str) -> tuple[str, str]:
    """``(condition, "ORDER BY ...")`` of a JQL; the order is ``ORDER BY Rank ASC`` if absent."""
    matches = list(_ORDER_BY.finditer(jql))
    if not matches:
        return jql.strip(), "ORDER BY Rank ASC"
    start = matches[-1].start()
    return jql[:start].strip(), jql[start:].strip()


def and_jql(*parts: str) -> str:
    """The non-empty JQL conditions ANDed, each in parentheses."""
    return " AND ".join(f"({part})" for part in parts if part.strip())


def updated_since(since: datetime) -> str:
    """``updated >= "yyyy/MM/dd HH:mm"`` in UTC, floored to the minute so nothing is missed.

    JQL reads the time in the Jira user's time zone; this assumes that profile is set to UTC
    (the recommended set-up for a service account). East of UTC the query just returns more.
    """
    moment = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
    return f'updated >= "{moment:%Y/%m/%d %H:%M}"'


class JiraConnector:
    """One team's Jira backlog, satisfying :class:`~connectors.base.Connector`.

    Args:
        config: Site, auth, team backlog and field mapping.
        discovery: Deployment type and field list from an earlier instance, or None to fetch
            them (two requests) on first use.
        on_discovery: Called with the discovery whenever it is fetched, so the caller can
            persist it and hand it in next time.
        on_progress: Called with the number of issues fetched (or scores written) so far,
            every :data:`PROGRESS_STEP` and at the end, so a caller can show a progress bar on
            a long sync or a first score.
        on_request: ``on_request(endpoint_template, status)`` after every HTTP attempt.
        sleep: Waits between retries; tests pass a fake.
        rng: Source of the retry jitter.
        clock: Monotonic clock for the retry budget.
        http: A ready :class:`JiraHttp` (tests); built from the arguments above when None.
    """

    def __init__(
        self,
        config: JiraConfig,
        *,
        discovery: Discovery | None = None,
        on_discovery: Callable[[Discovery], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
        on_request: RequestHook | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        http: JiraHttp | None = None,
    ) -> None:
        self.config = config
        self.name = f"jira:{config.team}"
        self._http = http or JiraHttp(
            config, on_request=on_request, sleep=sleep, rng=rng, clock=clock
        )
        self._discovery = discovery
        #: a handed-in discovery may be out of date: it is fetched again when it fails to
        #: resolve the mapping, and by check_access
        self._discovery_handed_in = discovery is not None
        self._on_discovery = on_discovery
        self._on_progress = on_progress
        self._field_map: FieldMap | None = None
        self._scores: dict[str, float | None] = {}
        self._ids: dict[str, int] = {}
        self._written_ids: list[int] = []
        self._notify_users = True

    # --- discovery --------------------------------------------------------------------------

    @property
    def discovery(self) -> Discovery:
        """Deployment type and fields, fetched once (``serverInfo`` and ``/field``)."""
        if self._discovery is None:
            info = self._http.call("GET", SERVER_INFO).json()
            deployment = info.get("deploymentType") or "Server"
            api = "3" if deployment == "Cloud" else "2"
            payload = self._http.call("GET", f"/rest/api/{api}/field").json()
            self._discovery = Discovery(deployment=deployment, fields=parse_fields(payload))
            self._discovery_handed_in = False
            if self._on_discovery is not None:
                self._on_discovery(self._discovery)
        return self._discovery

    def _rediscover(self) -> None:
        """Forget a handed-in discovery, so the next use asks Jira again."""
        if self._discovery_handed_in:
            self._discovery = None
            self._field_map = None

    @property
    def field_map(self) -> FieldMap:
        """The team's fields resolved by name; a wrong name fails with the closest ones."""
        if self._field_map is None:
            try:
                self._field_map = resolve_field_map(
                    self.discovery.fields, self.config.fields, self.config.score_field
                )
            except ConnectorConfigError:
                if not self._discovery_handed_in:
                    raise
                self._rediscover()  # a field added or renamed since it was saved
                return self.field_map
        return self._field_map

    def _board_filter(self, board: int) -> BoardFilter:
        """The board's type and filter JQL: kept in the discovery, else read (two requests)."""
        discovery = self.discovery
        if discovery.board is not None and discovery.board.board == board:
            return discovery.board
        hints = {404: self._board_missing()}
        configuration = self._http.call(
            "GET", BOARD_CONFIGURATION, path={"boardId": board}, hints=hints
        ).json()
        filter_id = (configuration.get("filter") or {}).get("id")
        board_type = str(configuration.get("type") or "")
        jql = ""
        if filter_id is not None and board_type == "scrum":
            try:
                saved = self._http.call("GET", FILTER, path={"id": filter_id}).json()
                jql = str(saved.get("jql") or "")
            except JiraRequestError as e:
                # a filter not shared with this account: the Agile backlog still serves it
                if e.status not in (400, 403, 404):
                    raise
                logger.info(
                    "%s: cannot read the filter of board %d (%s); reading its backlog from the "
                    "Agile API",
                    self.name,
                    board,
                    e.said or e.status,
                )
        found = BoardFilter(
            board=board,
            type=board_type,
            jql=jql,
            open_statuses=_column_statuses(configuration, last=False),
            statuses=_column_statuses(configuration, last=True),
        )
        self._discovery = discovery.model_copy(update={"board": found})
        if self._on_discovery is not None:
            self._on_discovery(self._discovery)
        return found

    def _forget_board_filter(self) -> None:
        """A full sync reads the board filter again, so an edited filter is picked up."""
        if self._discovery is not None and self._discovery.board is not None:
            self._discovery = self._discovery.model_copy(update={"board": None})
            if self._on_discovery is not None:
                self._on_discovery(self._discovery)  # so the next process reads it again too

    @property
    def _api(self) -> str:
        return "/rest/api/3" if self.discovery.is_cloud else "/rest/api/2"

    # --- the Connector port -------------------------------------------------------------------

    def fetch_items(self, since: datetime | None = None) -> FetchResult:
        """The backlog in rank order, or (with ``since``) what changed and what left it."""
        before = self._http.requests
        field_ids = self.field_map.request_fields()
        if since is None:
            self._forget_board_filter()
            issues = self._fetched(self._team_issues(field_ids))
            items = self._remember(issues)
            self._written_ids = []
            return FetchResult(items=tuple(items), requests=self._http.requests - before)
        changed = updated_since(since)
        issues = self._fetched(self._team_issues(field_ids, changed))
        items = self._remember(issues)
        in_snapshot = {item.key for item in items}
        removed: list[str] = []
        known_by_id = {issue_id: key for key, issue_id in self._ids.items()}
        for issue in self._search(changed, ["key"]):
            key, issue_id = str(issue["key"]), int(issue["id"])
            old = known_by_id.get(issue_id)
            if (
                old is not None and old != key
            ):  # moved to another project: the old key left the backlog
                removed.append(old)
            if key not in in_snapshot and (not self._ids or key in self._ids):
                removed.append(key)
        for key in removed:
            self._ids.pop(key, None)
            self._scores.pop(key, None)
        self._written_ids = []
        return FetchResult(
            items=tuple(items),
            removed=tuple(dict.fromkeys(removed)),
            complete=False,
            requests=self._http.requests - before,
        )

    def read_order(self) -> list[str]:
        """The backlog keys in rank order, with the cheapest read that gives exactly them.

        One keys-only search (5,000 a page) where a JQL selects exactly the backlog (a JQL
        team, a scrum board on Cloud); the Agile backlog endpoint otherwise.
        """
        board = self.config.board
        if board is None:
            pages = self._search(self._jql_backlog(), ["key"])
        else:
            jql = (
                self._board_filter(board).backlog_jql(self.config.extra_jql)
                if self.discovery.is_cloud
                else None
            )
            if jql is None:
                pages = self._board_pages(BACKLOG, ["key"], and_jql(self.config.extra_jql))
            else:
                pages = self._search(jql, ["key"])
        return [str(issue["key"]) for issue in pages]

    def write_scores(
        self, scores: Mapping[str, float], *, known: Mapping[str, float | None] | None = None
    ) -> list[str]:
        """Write scores (2 decimals) where they differ from Jira's; return the keys written.

        Scores of issues this instance has not fetched are read first, by key, in batches,
        unless the caller vouches for them in ``known`` (a synced snapshot no write run left
        half-recorded): one request per 100 issues saved.
        """
        self._require_writable(["score"])
        for key, value in scores.items():
            if not math.isfinite(value):
                raise ConnectorError(f"{self.name}: score of {key} is {value}, not a number")
        score_field = self.field_map.score
        for key, held in (known or {}).items():
            self._scores.setdefault(key, held)
        self._read_scores([key for key in scores if key not in self._scores])
        changed: dict[str, float] = {}
        for key, value in scores.items():
            if key not in self._scores:
                logger.warning("%s: no issue %s, its score was not written", self.name, key)
                continue
            new = round(float(value), 2)
            old = self._scores[key]
            if old is None or round(old, 2) != new:
                changed[key] = new
        return self._write_all(changed, score_field.id)

    def write_inputs(self, key: str, values: Mapping[str, float]) -> None:
        """Write value inputs of one issue; only fields the config marks writable."""
        check_inputs(self.name, key, values)
        self._require_writable(list(values))
        unmapped = [name for name in values if name not in self.field_map.inputs]
        if unmapped:
            raise ConnectorConfigError(
                f"{self.name}: {', '.join(unmapped)} is not mapped to a Jira field; add it "
                "under [jira.fields] in northstar.toml"
            )
        if values:
            fields = {self.field_map.inputs[name].id: float(v) for name, v in values.items()}
            self._update(key, fields)
            self._note_written(key)

    def apply_move(self, move: RankMove) -> None:
        """Rank up to 50 issues before or after the anchor; retry failed entries once.

        Raises:
            MoveFailedError: Issues Jira would not rank even on the retry, with its reasons.
        """
        failures = self._rank(list(move.issues), move)
        if failures:
            logger.info("%s: retrying %d issue(s) Jira did not rank", self.name, len(failures))
            retried: dict[str, str] = {}
            for retry in retry_moves(move, failures):
                retried.update(self._rank(list(retry.issues), retry))
            failures = retried
        for key in move.issues:
            if key not in failures:
                self._note_written(key)  # the order read that verifies sees the move
        if failures:
            raise MoveFailedError(failures)

    def list_sprints(self) -> list[Sprint]:
        """The board's sprints as Jira orders them (closed, active, future); [] without one."""
        if self.config.board is None:
            return []
        sprints: list[Sprint] = []
        start = 0
        while True:
            page = self._http.call(
                "GET",
                SPRINTS,
                path={"boardId": self.config.board},
                params={"startAt": start, "maxResults": 50},
                hints={404: self._board_missing()},
            ).json()
            values = page.get("values") or []
            sprints.extend(s for s in map(parse_sprint, values) if s is not None)
            start += len(values)
            if page.get("isLast", True) or not values:
                return sprints

    # --- doctor -------------------------------------------------------------------------------

    def check_access(self) -> list[AccessCheck]:
        """Reachability, deployment, auth, permissions, field mapping and board, each checked.

        Stops after a failure that makes the later checks meaningless (unreachable, bad auth).
        """
        self._rediscover()
        checks: list[AccessCheck] = []
        try:
            discovery = self.discovery
        except JiraRequestError as e:
            return [AccessCheck("jira", False, str(e), "check NORTHSTAR_JIRA_URL and credentials")]
        checks.append(
            AccessCheck("jira", True, f"{self.config.base_url} is Jira {discovery.deployment}")
        )
        try:
            me = self._http.call("GET", MYSELF).json()
        except JiraRequestError as e:
            checks.append(AccessCheck("jira auth", False, str(e), _auth_fix(discovery)))
            return checks
        who = me.get("displayName") or me.get("emailAddress") or me.get("name") or "?"
        checks.append(AccessCheck("jira auth", True, f"signed in as {who}"))
        project = self.config.project_key
        board_check, board_project = self._check_board()
        if board_check is not None:
            checks.append(board_check)
        checks.extend(self._check_permissions(project or board_project))
        checks.append(self._check_fields())
        return checks

    # --- helpers ------------------------------------------------------------------------------

    def _fetched(self, pages: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
        """All issues of ``pages``, reporting the running count as they arrive."""
        issues: list[dict[str, Any]] = []
        reported = 0
        for issue in pages:
            issues.append(issue)
            if self._on_progress is not None and len(issues) - reported >= PROGRESS_STEP:
                reported = len(issues)
                self._on_progress(reported)
        if self._on_progress is not None:
            self._on_progress(len(issues))
        return issues

    def _team_issues(self, fields: Sequence[str], condition: str = "") -> Iterator[dict[str, Any]]:
        """What the snapshot holds, in rank order, or what changed of it (``condition``).

        A board team's snapshot is more than its backlog: the board's issues in open sprints
        and those done lately, which reminders and digests need. A JQL team's is what the JQL
        selects.
        """
        board = self.config.board
        if board is not None:
            searched = (
                self._board_filter(board).issues_jql(
                    self.config.extra_jql, OPEN_OR_RECENTLY_DONE, condition
                )
                if self.discovery.is_cloud
                else None
            )
            if searched is not None:
                # the board endpoint's issues, at least twice as many a page
                yield from self._search(searched, fields)
                return
            jql = and_jql(self.config.extra_jql, OPEN_OR_RECENTLY_DONE, condition)
            yield from self._board_pages(BOARD_ISSUES, fields, f"{jql} ORDER BY Rank ASC")
            return
        yield from self._search(self._jql_backlog(condition), fields)

    def _jql_backlog(self, condition: str = "") -> str:
        """A JQL team's backlog (or what ``condition`` keeps of it), in the JQL's order."""
        where, order = split_order_by(self.config.jql or "")
        return f"{and_jql(where, self.config.extra_jql, condition)} {order}"

    def _board_pages(
        self, endpoint: str, fields: Sequence[str], jql: str
    ) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            params: dict[str, str | int] = {
                "startAt": start,
                "maxResults": AGILE_PAGE,
                "fields": ",".join(fields),
            }
            if jql:
                params["jql"] = jql
            page = self._http.call(
                "GET",
                endpoint,
                path={"boardId": self.config.board},
                params=params,
                hints={404: self._board_missing()},
            ).json()
            issues = page.get("issues") or []
            yield from issues
            start += len(issues)
            if not issues or start >= int(page.get("total", 0)):
                return

    def _search(self, jql: str, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """A JQL search, all pages: enhanced search on Cloud, startAt paging on Data Center."""
        if self.discovery.is_cloud:
            body: dict[str, Any] = {
                "jql": jql,
                "fields": list(fields),
                "maxResults": CLOUD_PAGE,
            }
            if self._written_ids:
                body["reconcileIssues"] = self._written_ids[-RECONCILE_MAX:]
            while True:
                page = self._http.call("POST", "/rest/api/3/search/jql", body=body).json()
                yield from page.get("issues") or []
                token = page.get("nextPageToken")
                if page.get("isLast", token is None) or not token:
                    return
                body = {**body, "nextPageToken": token}
        start = 0
        while True:
            dc_body = {"jql": jql, "fields": list(fields), "startAt": start, "maxResults": DC_PAGE}
            page = self._http.call("POST", "/rest/api/2/search", body=dc_body).json()
            issues = page.get("issues") or []
            yield from issues
            start += len(issues)
            if not issues or start >= int(page.get("total", 0)):
                return

    def _remember(self, issues: Sequence[Mapping[str, Any]]) -> list[Item]:
        items = []
        for issue in issues:
            item = issue_to_item(issue, self.field_map, self.config.team)
            items.append(item)
            self._scores[item.key] = item.score
            if "id" in issue:
                self._ids[item.key] = int(issue["id"])
        return items

    def _by_keys(self, keys: Sequence[str], fields: Sequence[str]) -> list[dict[str, Any]]:
        """The issues of ``keys`` (``key in (...)``, batched), skipping keys Jira does not know."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), KEYS_PER_LOOKUP):
            batch = list(keys[start : start + KEYS_PER_LOOKUP])
            while batch:
                try:
                    found.extend(self._search(f"key in ({', '.join(batch)})", fields))
                except JiraRequestError as e:
                    # JQL refuses the whole query over one unknown key and names it
                    missing = set(_ISSUE_KEY.findall(e.said)) & set(batch)
                    if e.status != 400 or not missing:
                        raise
                    batch = [key for key in batch if key not in missing]
                    continue
                break
        return found

    def _read_scores(self, keys: Sequence[str]) -> None:
        """Read the current scores of ``keys``, skipping keys Jira says do not exist."""
        for issue in self._by_keys(keys, [self.field_map.score.id]):
            item = issue_to_item(issue, self.field_map, self.config.team)
            self._scores[item.key] = item.score
            if "id" in issue:
                self._ids[item.key] = int(issue["id"])

    def fetch_by_keys(self, keys: Sequence[str]) -> list[Item]:
        """Issues by key wherever they are, done long ago or not (the benefit register's links).

        Keys Jira does not know are left out; the caller names them.
        """
        fields = self.field_map.request_fields()
        return [
            issue_to_item(issue, self.field_map, self.config.team)
            for issue in self._by_keys(keys, fields)
        ]

    def _write_all(self, scores: Mapping[str, float], field_id: str) -> list[str]:
        """Write ``scores`` with a bounded pool; the keys Jira accepted, in the given order.

        The first write goes alone, so the pool starts knowing whether Jira takes silent edits.
        A score is remembered only once Jira accepted it, and a failure stops the writes not
        yet started (those in flight finish): a rerun reads Jira's values and sends the rest.
        """
        keys = list(scores)
        if not keys:
            return []
        accepted: set[str] = set()

        def accept(key: str) -> None:
            self._scores[key] = scores[key]
            self._note_written(key)
            accepted.add(key)
            if self._on_progress is not None and (
                len(accepted) % PROGRESS_STEP == 0 or len(accepted) == len(keys)
            ):
                self._on_progress(len(accepted))

        self._update(keys[0], {field_id: scores[keys[0]]})
        accept(keys[0])
        pool = ThreadPoolExecutor(
            max_workers=self.config.write_concurrency, thread_name_prefix="jira-write"
        )
        try:
            futures: dict[Future[None], str] = {
                pool.submit(self._update, key, {field_id: scores[key]}): key for key in keys[1:]
            }
            for future in as_completed(futures):
                future.result()
                accept(futures[future])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return [key for key in keys if key in accepted]

    def _note_written(self, key: str) -> None:
        """Ask the next searches to reflect this write (the search index lags behind)."""
        if key in self._ids:
            issue_id = self._ids[key]
            self._written_ids = [i for i in self._written_ids if i != issue_id]
            self._written_ids.append(issue_id)

    def _update(self, key: str, fields: Mapping[str, float]) -> None:
        """``PUT issue/{key}`` without notifying watchers when Jira lets this account do so."""
        endpoint = self._api + "/issue/{issueIdOrKey}"
        body = {"fields": dict(fields)}
        hints = {404: f"issue {key} does not exist (deleted or moved?); run `northstar sync`"}
        if self._notify_users:
            try:
                self._http.call(
                    "PUT",
                    endpoint,
                    path={"issueIdOrKey": key},
                    params={"notifyUsers": "false"},
                    body=body,
                    hints=hints,
                )
            except JiraRequestError as e:
                if not _refuses_silent_edits(e):
                    raise
                logger.info(
                    "%s: Jira refuses notifyUsers=false; writing with notifications", self.name
                )
                self._notify_users = False
        if not self._notify_users:
            self._http.call("PUT", endpoint, path={"issueIdOrKey": key}, body=body, hints=hints)

    def _rank(self, issues: list[str], move: RankMove) -> dict[str, str]:
        """One rank call; the keys Jira did not rank, with its reasons."""
        body: dict[str, Any] = {"issues": issues}
        if move.before is not None:
            body["rankBeforeIssue"] = move.before
        else:
            body["rankAfterIssue"] = move.anchor
        rank_field = self.field_map.rank_custom_field_id
        if rank_field is not None:
            body["rankCustomFieldId"] = rank_field
        hints = {
            403: "ranking needs the 'Schedule issues' permission in the project; ask a Jira "
            "admin to grant it to the Northstar account",
        }
        try:
            response = self._http.call("PUT", RANK, body=body, hints=hints)
        except JiraRequestError as e:
            if e.status in (400, 404):  # an unknown anchor or issue: nothing of this call moved
                return dict.fromkeys(issues, e.said or f"Jira answered {e.status}")
            raise
        if response.status_code != 207:
            return {}
        failures: dict[str, str] = {}
        for entry in response.json().get("entries") or []:
            status = int(entry.get("status", 200))
            if 200 <= status < 300:
                continue
            key = str(entry.get("issueKey") or entry.get("issueId"))
            reason = "; ".join(str(e) for e in entry.get("errors") or ()) or f"status {status}"
            failures[key] = reason
        return failures

    def _require_writable(self, names: Sequence[str]) -> None:
        refused = [name for name in names if name not in self.config.writable]
        if refused:
            allowed = ", ".join(sorted(self.config.writable)) or "nothing"
            raise ConnectorError(
                f"{self.name}: Northstar may not write {', '.join(refused)} (writable: {allowed}); "
                "to allow it, add it to `writable` under [jira.fields] in northstar.toml"
            )

    def _board_missing(self) -> str:
        return (
            f"board {self.config.board} does not exist or this account cannot see it; check "
            f"`board` of team {self.config.team!r} in northstar.toml"
        )

    def _check_board(self) -> tuple[AccessCheck | None, str | None]:
        if self.config.board is None:
            return None, None
        try:
            board = self._http.call(
                "GET",
                BOARD,
                path={"boardId": self.config.board},
                hints={404: self._board_missing()},
            ).json()
        except JiraNotFoundError as e:
            return AccessCheck("jira board", False, str(e), "fix `board` in northstar.toml"), None
        except JiraRequestError as e:
            return AccessCheck("jira board", False, str(e), "see the message"), None
        project = (board.get("location") or {}).get("projectKey")
        detail = f"board {self.config.board} ({board.get('name', '?')})"
        return AccessCheck("jira board", True, detail), project

    def _check_permissions(self, project: str | None) -> list[AccessCheck]:
        params: dict[str, str | int] = {"permissions": ",".join(_PERMISSIONS)}
        if project:
            params["projectKey"] = project
        try:
            granted = self._http.call("GET", MY_PERMISSIONS, params=params).json()
        except JiraRequestError as e:
            return [AccessCheck("jira permissions", False, str(e), "see the message")]
        where = f"in project {project}" if project else "(no project known: site-wide)"
        checks = []
        for key, meaning in _PERMISSIONS.items():
            have = bool(((granted.get("permissions") or {}).get(key) or {}).get("havePermission"))
            name = f"jira permission {key}"
            if have:
                checks.append(AccessCheck(name, True, f"{meaning} {where}"))
            else:
                fix = f"ask a Jira admin to grant {meaning.split(' (')[0]!r} {where}"
                checks.append(AccessCheck(name, False, f"missing: {meaning} {where}", fix))
        return checks

    def _check_fields(self) -> AccessCheck:
        try:
            field_map = self.field_map
        except ConnectorConfigError as e:
            return AccessCheck("jira fields", False, str(e), "fix [jira.fields] in northstar.toml")
        if not field_map.score.is_number:
            return AccessCheck(
                "jira fields",
                False,
                f"the score field {field_map.score.name!r} is a {field_map.score.type} field",
                "point `score` under [jira.fields] at a Number custom field Northstar owns",
            )
        mapped = ", ".join(f"{role}={field.name}" for role, field in field_map.inputs.items())
        return AccessCheck("jira fields", True, f"score={field_map.score.name}, {mapped}")


def retry_moves(move: RankMove, failed: Mapping[str, str]) -> list[RankMove]:
    """Calls that put the issues Jira did not rank where ``move`` meant them to go.

    The others did move, so each run of failed issues is anchored on its moved neighbour: the
    next moved issue (rank before it) or else the previous one (rank after it). Only a run
    with no moved neighbour keeps the original anchor: re-sending a failed first issue
    "before X" would put it after the issues that did move.
    """
    issues = move.issues
    retries: list[RankMove] = []
    start = 0
    while start < len(issues):
        if issues[start] not in failed:
            start += 1
            continue
        end = start
        while end < len(issues) and issues[end] in failed:
            end += 1
        run = issues[start:end]
        if end < len(issues):
            retries.append(RankMove(issues=run, before=issues[end]))
        elif start > 0:
            retries.append(RankMove(issues=run, after=issues[start - 1]))
        else:
            retries.append(move.model_copy(update={"issues": run}))
        start = end
    return retries


def _column_statuses(configuration: Mapping[str, Any], *, last: bool) -> tuple[str, ...] | None:
    """Status ids mapped to the board's columns (``last``: the done column too); None: none."""
    columns = (configuration.get("columnConfig") or {}).get("columns")
    if not isinstance(columns, list) or not columns:
        return None
    return tuple(
        str(status["id"])
        for column in (columns if last else columns[:-1])
        for status in column.get("statuses") or ()
        if status.get("id") is not None
    )


def _refuses_silent_edits(error: JiraRequestError) -> bool:
    """Jira refuses ``notifyUsers=false`` to an account that is no (project) admin.

    Cloud answers 403 "To discard the user notification either admin or project admin
    permissions are required."; other versions 400 naming ``notifyUsers``.
    """
    said = error.said.casefold()
    return error.status in (400, 403) and ("notifyusers" in said or "notification" in said)


def _auth_fix(discovery: Discovery) -> str:
    if discovery.is_cloud:
        return "set NORTHSTAR_JIRA_EMAIL and a valid NORTHSTAR_JIRA_API_TOKEN"
    return "set a valid NORTHSTAR_JIRA_PAT (Data Center personal access token)"
