"""The fake Jira itself, over raw HTTP: shapes, paging, JQL, ranking, writes, auth and faults.

End-to-end tests trust the fake to behave like Jira, so its behaviour is pinned here with plain
``requests`` calls, independent of Northstar's connector.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from rules.model import BenefitCategory, Item, Sprint, SprintState, StatusCategory
from tests.fakes.jira_server import (
    API_TOKEN,
    EMAIL,
    FIELD_IDS,
    PAT,
    RANK_FIELD,
    RANK_FIELD_ID,
    SPRINT_FIELD,
    FakeJiraServer,
    order_keys,
)

BOARD = 7
CLOUD_AUTH = (EMAIL, API_TOKEN)
BV = FIELD_IDS["Business Value"]


@pytest.fixture
def jira() -> Iterator[FakeJiraServer]:
    """120 issues ABC-1..ABC-120 in key order on board 7; ABC-3 done, ABC-1/2 in the sprint."""
    with FakeJiraServer() as server:
        state = server.state
        state.add_board(BOARD, "ABC")
        sprint = state.add_sprint(BOARD, "Sprint 9", "active", goal="Ship checkout")
        state.add_sprint(BOARD, "Sprint 8", "closed")
        long_ago = datetime.now(tz=UTC) - timedelta(days=3)
        for number in range(1, 121):
            state.add_issue(
                f"ABC-{number}",
                summary=f"Story {number}",
                values={"Business Value": number % 13, "Story point estimate": 3},
                sprint=sprint.id if number <= 2 else None,
                created=long_ago,
            )
        state.set_status("ABC-3", "Done", "done")
        state.issues["ABC-3"].updated = long_ago
        yield server


def call(
    server: FakeJiraServer,
    method: str,
    path: str,
    *,
    auth: Any = CLOUD_AUTH,
    **kwargs: Any,
) -> requests.Response:
    return requests.request(method, server.url + path, auth=auth, timeout=5, **kwargs)


def search(server: FakeJiraServer, jql: str, **body: Any) -> requests.Response:
    return call(server, "POST", "/rest/api/3/search/jql", json={"jql": jql, **body})


def all_keys(server: FakeJiraServer, jql: str, page: int = 40) -> tuple[list[str], int]:
    """Every key a paged enhanced search returns, and how many requests it took."""
    keys: list[str] = []
    body: dict[str, Any] = {"jql": jql, "fields": ["summary"], "maxResults": page}
    requests_made = 0
    while True:
        answer = call(server, "POST", "/rest/api/3/search/jql", json=body).json()
        requests_made += 1
        keys += [issue["key"] for issue in answer["issues"]]
        if answer["isLast"]:
            assert "nextPageToken" not in answer
            return keys, requests_made
        body["nextPageToken"] = answer["nextPageToken"]


# --- identity, auth, fields ---------------------------------------------------------------------


@pytest.mark.parametrize("deployment", ["Cloud", "DataCenter"], ids=["cloud", "data_center"])
def test_server_info_reports_the_configured_deployment_type(deployment: str) -> None:
    with FakeJiraServer(deployment=deployment) as server:  # type: ignore[arg-type]
        info = call(server, "GET", "/rest/api/2/serverInfo").json()
    assert info["deploymentType"] == deployment
    assert info["baseUrl"] == server.url


def test_requests_without_valid_credentials_get_401_and_are_recorded(
    jira: FakeJiraServer,
) -> None:
    assert call(jira, "GET", "/rest/api/3/myself", auth=None).status_code == 401
    assert call(jira, "GET", "/rest/api/3/myself", auth=(EMAIL, "wrong")).status_code == 401
    assert [r.status for r in jira.state.requests] == [401, 401]
    assert call(jira, "GET", "/rest/api/3/myself").json()["emailAddress"] == EMAIL


def test_a_personal_access_token_is_accepted_as_bearer_auth() -> None:
    with FakeJiraServer(deployment="DataCenter") as server:
        answer = call(
            server,
            "GET",
            "/rest/api/2/myself",
            auth=None,
            headers={"Authorization": f"Bearer {PAT}"},
        )
        assert answer.status_code == 200
        assert answer.json()["name"] == "northstar"
        assert server.state.requests[-1].auth == "bearer"


def test_field_list_has_rank_and_sprint_with_greenhopper_schemas(jira: FakeJiraServer) -> None:
    for version in ("2", "3"):
        fields = {f["name"]: f for f in call(jira, "GET", f"/rest/api/{version}/field").json()}
        assert fields["Rank"]["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-lexo-rank"
        assert fields["Sprint"]["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-sprint"
        assert fields["Story point estimate"]["id"] == "customfield_10016"
        assert fields["Benefit Category"]["schema"]["type"] == "option"
        assert fields["Value Score"]["schema"]["type"] == "number"


def test_my_permissions_answers_for_the_keys_asked_and_reports_refusals(
    jira: FakeJiraServer,
) -> None:
    jira.state.granted.discard("SCHEDULE_ISSUES")
    answer = call(
        jira,
        "GET",
        "/rest/api/3/mypermissions",
        params={"projectKey": "ABC", "permissions": "SCHEDULE_ISSUES,EDIT_ISSUES"},
    ).json()
    assert set(answer["permissions"]) == {"SCHEDULE_ISSUES", "EDIT_ISSUES"}
    assert answer["permissions"]["SCHEDULE_ISSUES"]["havePermission"] is False
    assert answer["permissions"]["SCHEDULE_ISSUES"]["name"] == "Schedule Issues"
    assert answer["permissions"]["EDIT_ISSUES"]["havePermission"] is True
    assert call(jira, "GET", "/rest/api/3/mypermissions").status_code == 400


# --- search -------------------------------------------------------------------------------------


def test_enhanced_search_pages_with_next_page_token_in_rank_order(jira: FakeJiraServer) -> None:
    keys, pages = all_keys(jira, "project = ABC ORDER BY Rank ASC")
    assert keys == [f"ABC-{n}" for n in range(1, 121)]
    assert pages == 3


def test_enhanced_search_returns_only_ids_when_no_fields_are_asked_for(
    jira: FakeJiraServer,
) -> None:
    answer = search(jira, "key in (ABC-5, ABC-6)").json()
    assert answer == {
        "issues": [
            {"id": str(jira.state.issues["ABC-5"].id)},
            {"id": str(jira.state.issues["ABC-6"].id)},
        ],
        "isLast": True,
    }


def test_enhanced_search_returns_the_fields_asked_for_by_id(jira: FakeJiraServer) -> None:
    answer = search(jira, "key in (ABC-5)", fields=["summary", BV, RANK_FIELD]).json()
    fields = answer["issues"][0]["fields"]
    assert set(fields) == {"summary", BV, RANK_FIELD}
    assert fields[BV] == 5
    assert fields[RANK_FIELD].startswith("0|")


@pytest.mark.parametrize(
    "jql",
    [
        "assignee = currentUser()",
        "project = ABC AND summary ~ checkout",
        "project = ABC ORDER BY priority",
        "project = ABC AND updated >= yesterday",
        "project = NOPE",
        "project = ABC AND",
    ],
    ids=["unknown_field", "unknown_clause", "unknown_order", "bad_date", "no_project", "dangling"],
)
def test_jql_the_fake_does_not_understand_is_refused_with_jiras_error_shape(
    jira: FakeJiraServer, jql: str
) -> None:
    answer = search(jira, jql)
    assert answer.status_code == 400
    assert answer.json()["errorMessages"][0].startswith("Error in the JQL Query")
    assert answer.json()["errors"] == {}


def test_unbounded_jql_is_refused_by_the_enhanced_search(jira: FakeJiraServer) -> None:
    answer = search(jira, "ORDER BY Rank ASC")
    assert answer.status_code == 400
    assert "Unbounded JQL" in answer.json()["errorMessages"][0]


def test_jql_subset_filters_by_status_category_sprint_and_key(jira: FakeJiraServer) -> None:
    keys, _ = all_keys(jira, "project = ABC AND statusCategory != Done AND sprint is EMPTY")
    assert keys == [f"ABC-{n}" for n in range(4, 121)]
    keys, _ = all_keys(jira, "(key in (ABC-9, ABC-2, ABC-3)) AND statusCategory = Done")
    assert keys == ["ABC-3"]


def test_updated_since_finds_only_issues_changed_after_the_cursor(jira: FakeJiraServer) -> None:
    cursor = datetime.now(tz=UTC) - timedelta(minutes=1)
    jira.state.set_field("ABC-77", "Business Value", 8)
    keys, _ = all_keys(jira, f'project = ABC AND updated >= "{cursor:%Y/%m/%d %H:%M}"')
    assert keys == ["ABC-77"]


def test_reconcile_issues_takes_at_most_50_ids(jira: FakeJiraServer) -> None:
    ok = search(jira, "project = ABC", reconcileIssues=list(range(50)))
    too_many = search(jira, "project = ABC", reconcileIssues=list(range(51)))
    assert (ok.status_code, too_many.status_code) == (200, 400)


def test_unknown_search_body_keys_are_refused(jira: FakeJiraServer) -> None:
    assert search(jira, "project = ABC", startAt=0).status_code == 400


def test_data_center_search_pages_with_start_at_and_cloud_has_retired_it() -> None:
    with FakeJiraServer(deployment="DataCenter") as server:
        server.state.add_board(1, "DC")
        for number in range(1, 8):
            server.state.add_issue(f"DC-{number}")
        pages = [
            call(
                server,
                "GET",
                "/rest/api/2/search",
                params={"jql": "project = DC ORDER BY Rank", "startAt": start, "maxResults": 5},
            ).json()
            for start in (0, 5)
        ]
        assert [page["total"] for page in pages] == [7, 7]
        assert [i["key"] for page in pages for i in page["issues"]] == [
            f"DC-{n}" for n in range(1, 8)
        ]
        assert call(server, "POST", "/rest/api/3/search/jql", json={"jql": "x"}).status_code == 404
    with FakeJiraServer() as cloud:
        assert call(cloud, "GET", "/rest/api/2/search", params={"jql": "x"}).status_code == 410


# --- agile --------------------------------------------------------------------------------------


def test_backlog_is_in_rank_order_without_sprint_or_done_issues(jira: FakeJiraServer) -> None:
    keys: list[str] = []
    for start in (0, 50, 100):
        page = call(
            jira,
            "GET",
            f"/rest/agile/1.0/board/{BOARD}/backlog",
            params={"startAt": start, "maxResults": 100, "fields": "summary"},
        ).json()
        assert page["maxResults"] == 50  # the Agile API caps pages at 50
        assert page["total"] == 117
        keys += [issue["key"] for issue in page["issues"]]
    assert keys == [f"ABC-{n}" for n in range(4, 121)]
    assert keys == [key for key in jira.state.order(BOARD) if key not in ("ABC-1", "ABC-2")]


def test_board_issues_carry_the_open_sprint_as_an_agile_field(jira: FakeJiraServer) -> None:
    page = call(
        jira, "GET", f"/rest/agile/1.0/board/{BOARD}/issue", params={"jql": "key = ABC-1"}
    ).json()
    assert page["issues"][0]["fields"]["sprint"]["name"] == "Sprint 9"
    assert page["issues"][0]["fields"]["sprint"]["state"] == "active"


def test_board_sprints_filter_by_state(jira: FakeJiraServer) -> None:
    path = f"/rest/agile/1.0/board/{BOARD}/sprint"
    every = call(jira, "GET", path).json()
    active = call(jira, "GET", path, params={"state": "active"}).json()
    assert [s["name"] for s in every["values"]] == ["Sprint 9", "Sprint 8"]
    assert [s["goal"] for s in active["values"]] == ["Ship checkout"]
    assert active["isLast"] is True
    assert call(jira, "GET", "/rest/agile/1.0/board/999/sprint").status_code == 404


def test_board_names_its_project(jira: FakeJiraServer) -> None:
    board = call(jira, "GET", f"/rest/agile/1.0/board/{BOARD}").json()
    assert board["location"]["projectKey"] == "ABC"


# --- ranking ------------------------------------------------------------------------------------


def rank(server: FakeJiraServer, **body: Any) -> requests.Response:
    return call(server, "PUT", "/rest/agile/1.0/issue/rank", json=body)


def test_rank_puts_the_issues_in_order_right_before_the_anchor(jira: FakeJiraServer) -> None:
    answer = rank(jira, issues=["ABC-9", "ABC-7"], rankBeforeIssue="ABC-5")
    assert answer.status_code == 204
    assert jira.state.order(BOARD)[:8] == [
        "ABC-1", "ABC-2", "ABC-4", "ABC-9", "ABC-7", "ABC-5", "ABC-6", "ABC-8"
    ]  # fmt: skip


def test_rank_after_the_last_issue_moves_to_the_bottom(jira: FakeJiraServer) -> None:
    answer = rank(jira, issues=["ABC-1"], rankAfterIssue="ABC-120", rankCustomFieldId=RANK_FIELD_ID)
    assert answer.status_code == 204
    assert jira.state.order(BOARD)[-2:] == ["ABC-120", "ABC-1"]


def test_rank_changes_the_rank_field_and_updated_only_of_the_moved_issues(
    jira: FakeJiraServer,
) -> None:
    ranks = {key: jira.state.rank(key) for key in jira.state.issues}
    stamps = {key: issue.updated for key, issue in jira.state.issues.items()}
    rank(jira, issues=["ABC-50"], rankBeforeIssue="ABC-10")
    changed = {key for key in ranks if jira.state.rank(key) != ranks[key]}
    touched = {key for key, issue in jira.state.issues.items() if issue.updated != stamps[key]}
    assert changed == touched == {"ABC-50"}
    assert ranks["ABC-9"] < jira.state.rank("ABC-50") < ranks["ABC-10"]


def test_rank_refuses_more_than_50_issues(jira: FakeJiraServer) -> None:
    answer = rank(jira, issues=[f"ABC-{n}" for n in range(10, 61)], rankAfterIssue="ABC-100")
    assert answer.status_code == 400
    assert "At most 50" in answer.json()["errorMessages"][0]
    assert jira.state.rank_calls == []


def test_rank_reports_issues_that_failed_in_a_207(jira: FakeJiraServer) -> None:
    jira.state.fail_rank_for(["ABC-12"])
    answer = rank(jira, issues=["ABC-11", "ABC-12"], rankBeforeIssue="ABC-4")
    assert answer.status_code == 207
    entries = {entry["issueKey"]: entry["status"] for entry in answer.json()["entries"]}
    assert entries == {"ABC-11": 200, "ABC-12": 503}
    assert jira.state.order(BOARD)[2:4] == ["ABC-11", "ABC-4"]
    assert jira.state.rank_calls[-1].failed == ("ABC-12",)


def test_rank_calls_fail_after_the_kth_until_faults_are_cleared(jira: FakeJiraServer) -> None:
    jira.state.fail_rank_calls_after(2)
    statuses = [rank(jira, issues=[f"ABC-{n}"], rankBeforeIssue="ABC-4").status_code
                for n in (10, 11, 12, 13)]  # fmt: skip
    jira.state.clear_faults()
    statuses.append(rank(jira, issues=["ABC-14"], rankBeforeIssue="ABC-4").status_code)
    assert statuses == [204, 204, 500, 500, 204]
    assert [c.moved for c in jira.state.rank_calls] == [
        ("ABC-10",),
        ("ABC-11",),
        (),
        (),
        ("ABC-14",),
    ]


def test_rank_without_the_schedule_issues_permission_is_forbidden(jira: FakeJiraServer) -> None:
    jira.state.granted.discard("SCHEDULE_ISSUES")
    assert rank(jira, issues=["ABC-9"], rankBeforeIssue="ABC-5").status_code == 403


def test_rank_needs_exactly_one_anchor(jira: FakeJiraServer) -> None:
    both = rank(jira, issues=["ABC-9"], rankBeforeIssue="ABC-5", rankAfterIssue="ABC-6")
    neither = rank(jira, issues=["ABC-9"])
    assert (both.status_code, neither.status_code) == (400, 400)


# --- edits --------------------------------------------------------------------------------------


def test_edit_writes_the_field_records_it_and_stamps_updated(jira: FakeJiraServer) -> None:
    before = jira.state.issues["ABC-8"].updated
    score = FIELD_IDS["Value Score"]
    answer = call(
        jira,
        "PUT",
        "/rest/api/3/issue/ABC-8",
        params={"notifyUsers": "false"},
        json={"fields": {score: 4.25}},
    )
    assert answer.status_code == 204
    assert jira.state.value("ABC-8", "Value Score") == 4.25
    assert jira.state.issues["ABC-8"].updated > before
    assert [(w.key, w.fields, w.notify_users) for w in jira.state.writes] == [
        ("ABC-8", {score: 4.25}, False)
    ]
    got = call(jira, "GET", "/rest/api/3/issue/ABC-8", params={"fields": score}).json()
    assert got["fields"] == {score: 4.25}


def test_silent_edits_by_a_non_admin_are_refused_when_configured(jira: FakeJiraServer) -> None:
    jira.state.refuse_silent_edits = 403
    score = FIELD_IDS["Value Score"]
    silent = call(
        jira,
        "PUT",
        "/rest/api/2/issue/ABC-8",
        params={"notifyUsers": "false"},
        json={"fields": {score: 1.0}},
    )
    loud = call(jira, "PUT", "/rest/api/2/issue/ABC-8", json={"fields": {score: 1.0}})
    assert (silent.status_code, loud.status_code) == (403, 204)
    assert "admin" in silent.json()["errorMessages"][0]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({RANK_FIELD: "0|x"}, "cannot be set"),
        ({"customfield_99999": 1}, "cannot be set"),
        ({FIELD_IDS["Value Score"]: "high"}, "must be a number"),
    ],
    ids=["rank_field", "unknown_field", "not_a_number"],
)
def test_bad_edits_get_400_with_the_field_named(
    jira: FakeJiraServer, fields: dict[str, Any], problem: str
) -> None:
    answer = call(jira, "PUT", "/rest/api/3/issue/ABC-8", json={"fields": fields})
    assert answer.status_code == 400
    [(field_id, message)] = answer.json()["errors"].items()
    assert field_id in fields
    assert problem in message
    assert jira.state.writes == []


def test_unknown_issue_is_404(jira: FakeJiraServer) -> None:
    answer = call(jira, "GET", "/rest/api/3/issue/ABC-999")
    assert answer.status_code == 404
    assert answer.json()["errorMessages"]


# --- faults -------------------------------------------------------------------------------------


def test_injected_429s_hit_only_the_path_prefix_and_carry_retry_after(
    jira: FakeJiraServer,
) -> None:
    jira.state.inject("429", times=2, path="/rest/agile/")
    field_list = call(jira, "GET", "/rest/api/3/field")
    limited = [call(jira, "GET", f"/rest/agile/1.0/board/{BOARD}") for _ in range(3)]
    assert field_list.status_code == 200
    assert [answer.status_code for answer in limited] == [429, 429, 200]
    assert limited[0].headers["Retry-After"] == "0"
    assert [r.status for r in jira.state.requests_to("/rest/agile/")] == [429, 429, 200]


def test_injected_503_then_success(jira: FakeJiraServer) -> None:
    jira.state.inject("503")
    assert call(jira, "GET", "/rest/api/3/myself").status_code == 503
    assert call(jira, "GET", "/rest/api/3/myself").status_code == 200


def test_a_dropped_connection_gets_no_answer_at_all(jira: FakeJiraServer) -> None:
    jira.state.inject("drop")
    with pytest.raises(requests.ConnectionError):
        call(jira, "GET", "/rest/api/3/myself")
    assert call(jira, "GET", "/rest/api/3/myself").status_code == 200
    assert [r.status for r in jira.state.requests] == [0, 200]


def test_clear_log_starts_counting_afresh(jira: FakeJiraServer) -> None:
    call(jira, "GET", "/rest/api/3/myself")
    rank(jira, issues=["ABC-9"], rankBeforeIssue="ABC-5")
    jira.state.clear_log()
    assert (jira.state.requests, jira.state.rank_calls, jira.state.writes) == ([], [], [])


# --- loading and time ---------------------------------------------------------------------------


def test_add_items_loads_rules_items_with_fields_sprints_and_order() -> None:
    sprint = Sprint(id=5, name="Sprint 5", state=SprintState.ACTIVE, goal="Refunds")
    items = [
        Item(key="PAY-1", summary="Refunds", sprint=sprint, business_value=8, cost=3),
        Item(key="PAY-2", benefit_category=BenefitCategory.CUSTOMER, priority="High"),
        Item(key="PAY-3", status="Done", status_category=StatusCategory.DONE),
    ]
    with FakeJiraServer() as server:
        server.state.add_board(BOARD, "PAY")
        server.state.add_items(items, board=BOARD)
        assert server.state.order(BOARD, include_done=True) == ["PAY-1", "PAY-2", "PAY-3"]
        assert server.state.backlog(BOARD) == ["PAY-2"]
        assert server.state.value("PAY-1", "Business Value") == 8
        assert server.state.value("PAY-1", "Story point estimate") == 3
        assert server.state.value("PAY-2", "Benefit Category") == "Customer"
        answer = call(server, "GET", "/rest/api/3/issue/PAY-1").json()["fields"]
        assert answer[SPRINT_FIELD] == [
            {"id": 5, "name": "Sprint 5", "state": "active", "boardId": BOARD, "goal": "Refunds"}
        ]


def test_age_puts_every_change_further_in_the_past(jira: FakeJiraServer) -> None:
    jira.state.set_field("ABC-77", "Business Value", 8)
    cursor = datetime.now(tz=UTC) - timedelta(minutes=1)
    jira.state.age(timedelta(hours=1))
    keys, _ = all_keys(jira, f'project = ABC AND updated >= "{cursor:%Y/%m/%d %H:%M}"')
    assert keys == []


# --- order keys, board filters, latency ---------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "count"),
    [("", None, 1), ("", None, 10_000), ("5", "51", 3), ("", "0001", 40), ("99", None, 7)],
)
def test_order_keys_fall_strictly_between_their_bounds_and_sort_as_strings(
    low: str, high: str | None, count: int
) -> None:
    keys = order_keys(low, high, count)
    assert len(keys) == count
    assert keys == sorted(keys)
    assert len(set(keys)) == count
    assert all(key > low and (high is None or key < high) for key in keys)
    assert all(key and not key.endswith("0") for key in keys)


def test_repeated_moves_into_one_gap_keep_the_order(jira: FakeJiraServer) -> None:
    for _ in range(30):  # always the last issue, right before ABC-5: one gap keeps being split
        body = {"issues": [jira.state.order(BOARD)[-1]], "rankBeforeIssue": "ABC-5"}
        assert call(jira, "PUT", "/rest/agile/1.0/issue/rank", json=body).status_code == 204
    order = jira.state.order(BOARD)
    at = order.index("ABC-5")
    assert order[at - 30 : at] == [f"ABC-{n}" for n in range(120, 90, -1)]
    assert order[at + 1 : at + 3] == ["ABC-6", "ABC-7"]


def test_a_boards_configuration_names_its_filter_and_the_filter_its_jql(
    jira: FakeJiraServer,
) -> None:
    configuration = call(jira, "GET", f"/rest/agile/1.0/board/{BOARD}/configuration").json()
    assert configuration["type"] == "scrum"
    last = configuration["columnConfig"]["columns"][-1]
    assert last["statuses"] == [{"id": jira.state.issues["ABC-3"].fields["status"]["id"]}]
    saved = call(jira, "GET", f"/rest/api/3/filter/{configuration['filter']['id']}").json()
    assert saved["jql"] == "project = ABC ORDER BY Rank ASC"
    assert call(jira, "GET", "/rest/api/3/filter/99999").status_code == 400


def test_a_kanban_board_says_so_in_its_configuration(jira: FakeJiraServer) -> None:
    jira.state.add_board(8, "ABC", type="kanban")
    configuration = call(jira, "GET", "/rest/agile/1.0/board/8/configuration").json()
    assert configuration["type"] == "kanban"


def test_the_scrum_backlog_as_jql_is_exactly_the_agile_backlog(jira: FakeJiraServer) -> None:
    jira.state.add_sprint(BOARD, "Sprint 10", "future")
    jira.state.issues["ABC-9"].sprint_ids = [3]  # planned into the future sprint
    jira.state.issues["ABC-10"].sprint_ids = [2]  # only in the closed sprint: still backlog
    for not_done in ("statusCategory != Done", "status in (10000, 3)"):
        jql = (
            f"(project = ABC) AND ({not_done}) AND (sprint is EMPTY OR sprint not in "
            "openSprints()) ORDER BY Rank ASC"
        )
        answer = search(jira, jql, fields=["key"], maxResults=5000).json()
        assert [issue["key"] for issue in answer["issues"]] == jira.state.backlog(BOARD)
    assert "ABC-9" not in jira.state.backlog(BOARD)
    assert "ABC-10" in jira.state.backlog(BOARD)


def test_keys_only_searches_serve_5000_a_page() -> None:
    with FakeJiraServer() as server:
        server.state.add_board(BOARD, "BIG")
        for number in range(1, 5002):
            server.state.add_issue(f"BIG-{number}")
        body = {"jql": "project = BIG ORDER BY Rank ASC", "fields": ["key"], "maxResults": 9000}
        first = call(server, "POST", "/rest/api/3/search/jql", json=body).json()
        assert len(first["issues"]) == 5000
        assert not first["isLast"]


def test_latency_delays_every_answer(jira: FakeJiraServer) -> None:
    jira.state.latency = 0.2
    started = time.monotonic()
    assert call(jira, "GET", "/rest/api/3/myself").status_code == 200
    assert time.monotonic() - started >= 0.2  # a lower bound: sleeping never ends early
