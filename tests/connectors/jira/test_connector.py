"""The Jira connector through its public interface, against Jira's answers at the HTTP boundary."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import responses

from connectors.base import ConnectorConfigError, ConnectorError, MoveFailedError
from connectors.jira.connector import (
    AccessCheck,
    BoardFilter,
    Discovery,
    JiraConnector,
    retry_moves,
)
from connectors.jira.mapping import parse_fields
from rules.model import RankMove, SprintState
from tests.connectors.jira.support import (
    BASE,
    BV_ID,
    DC_BASE,
    FIELDS_JSON,
    SCORE_ID,
    FakeTime,
    body_of,
    cloud_config,
    dc_config,
    issue_json,
    make_connector,
    page_cloud,
    page_offset,
    register_board,
    register_discovery,
)

SEARCH = f"{BASE}/rest/api/3/search/jql"
DC_SEARCH = f"{DC_BASE}/rest/api/2/search"
BACKLOG = f"{BASE}/rest/agile/1.0/board/42/backlog"
BOARD_ISSUES = f"{BASE}/rest/agile/1.0/board/42/issue"
OPEN_OR_RECENT = "(statusCategory != Done OR resolved >= -63d)"
RANK = f"{BASE}/rest/agile/1.0/issue/rank"
SINCE = datetime(2026, 11, 30, 8, 15, 42, tzinfo=UTC)
CLOUD_DISCOVERY = Discovery(deployment="Cloud", fields=parse_fields(FIELDS_JSON))


def issues(count: int, start: int = 1, **kwargs):
    return [
        issue_json(f"PAY-{n}", 10000 + n, f"0|i{n:04d}:", **kwargs)
        for n in range(start, start + count)
    ]


#: the board filter learnt (configuration, then the saved filter), then two searches over it
FILTER_THEN_TWO_SEARCHES = [
    "/rest/agile/1.0/board/42/configuration",
    "/rest/api/3/filter/10042",
    "/rest/api/3/search/jql",
    "/rest/api/3/search/jql",
]


def paths_of(mock: responses.RequestsMock) -> list[str]:
    return [call.request.path_url.split("?")[0] for call in mock.calls]


def board(fake_time: FakeTime, **overrides: Any) -> JiraConnector:
    config = cloud_config(board=42, jql=None, **overrides)
    return make_connector(config, fake_time, discovery=CLOUD_DISCOVERY)


def test_cloud_search_follows_next_page_tokens(jira_http, fake_time):
    register_discovery(jira_http)
    jira_http.post(SEARCH, json=page_cloud(issues(2), token="tok-2"))
    jira_http.post(SEARCH, json=page_cloud(issues(1, start=3)))

    result = make_connector(cloud_config(), fake_time).fetch_items()

    assert [item.key for item in result.items] == ["PAY-1", "PAY-2", "PAY-3"]
    assert result.complete
    first, second = (body_of(call) for call in jira_http.calls[2:])
    assert first["jql"] == "(project = PAY AND statusCategory != Done) ORDER BY Rank ASC"
    assert first["maxResults"] == 5000  # the spec's maximum; Jira serves fewer with many fields
    assert "nextPageToken" not in first
    assert second["nextPageToken"] == "tok-2"
    assert result.requests == 4  # serverInfo, field list, two pages


def test_data_center_search_pages_with_start_at(jira_http, fake_time):
    register_discovery(jira_http, cloud=False)
    jira_http.post(DC_SEARCH, json=page_offset(issues(2), 0, 3, size=2))
    jira_http.post(DC_SEARCH, json=page_offset(issues(1, start=3), 2, 3, size=2))

    result = make_connector(dc_config(), fake_time).fetch_items()

    assert [item.key for item in result.items] == ["PAY-1", "PAY-2", "PAY-3"]
    starts = [body_of(call)["startAt"] for call in jira_http.calls[2:]]
    assert starts == [0, 2]
    assert body_of(jira_http.calls[2])["maxResults"] == 1000


def test_a_kanban_board_fetch_keeps_rank_order_with_open_sprints_and_recent_work(
    jira_http, fake_time
):
    register_board(jira_http, board_type="kanban")
    ranked = [issue_json("PAY-9", 9, "0|a:"), issue_json("PAY-2", 2, "0|b:")]
    jira_http.get(BOARD_ISSUES, json=page_offset(ranked, 0, 3, size=2))
    jira_http.get(BOARD_ISSUES, json=page_offset([issue_json("PAY-5", 5, "0|c:")], 2, 3, size=2))

    result = board(fake_time, extra_jql="issuetype != Sub-task").fetch_items()

    assert [item.key for item in result.items] == ["PAY-9", "PAY-2", "PAY-5"]
    assert [item.order_key for item in result.items] == ["0|a:", "0|b:", "0|c:"]
    first = jira_http.calls[1].request  # after the board configuration
    assert first.params["jql"] == f"(issuetype != Sub-task) AND {OPEN_OR_RECENT} ORDER BY Rank ASC"
    assert first.params["startAt"] == "0"
    assert jira_http.calls[2].request.params["startAt"] == "2"
    assert SCORE_ID in first.params["fields"].split(",")


SCRUM_BACKLOG = "(statusCategory != Done) AND (sprint is EMPTY OR sprint not in openSprints())"


def test_a_scrum_boards_order_is_one_keys_only_search_over_its_filter(jira_http, fake_time):
    register_board(jira_http, jql="project = PAY AND labels = web ORDER BY Rank ASC")
    jira_http.post(SEARCH, json=page_cloud([issue_json("PAY-9", 9, "0|a:")]))
    jira_http.post(SEARCH, json=page_cloud([issue_json("PAY-9", 9, "0|a:")]))
    saved: list[Discovery] = []
    connector = make_connector(
        cloud_config(board=42, jql=None, extra_jql="issuetype != Sub-task"),
        fake_time,
        discovery=CLOUD_DISCOVERY,
        on_discovery=saved.append,
    )

    assert connector.read_order() == ["PAY-9"]
    assert connector.read_order() == ["PAY-9"]

    assert paths_of(jira_http) == FILTER_THEN_TWO_SEARCHES
    body = body_of(jira_http.calls[2])
    assert body["jql"] == (
        f"(project = PAY AND labels = web) AND (issuetype != Sub-task) AND {SCRUM_BACKLOG} "
        "ORDER BY Rank ASC"
    )
    assert body["fields"] == ["key"]
    assert body["maxResults"] == 5000
    [kept] = saved
    assert kept.board == BoardFilter(
        board=42, type="scrum", jql="project = PAY AND labels = web ORDER BY Rank ASC"
    )


def test_a_scrum_board_with_columns_counts_its_last_column_as_done(jira_http, fake_time):
    register_board(
        jira_http,
        columns=[("To Do", ["1", "10000"]), ("Review", ["10400"]), ("Shipped", ["10001", "6"])],
    )
    jira_http.post(SEARCH, json=page_cloud([]))

    assert board(fake_time).read_order() == []

    jql = body_of(jira_http.calls[2])["jql"]
    assert jql == (
        "(project = PAY) AND (status in (1, 10000, 10400)) AND "
        "(sprint is EMPTY OR sprint not in openSprints()) ORDER BY Rank ASC"
    )


def test_a_board_filter_this_account_cannot_read_leaves_the_agile_backlog(jira_http, fake_time):
    jira_http.get(
        f"{BASE}/rest/agile/1.0/board/42/configuration",
        json={"id": 42, "type": "scrum", "filter": {"id": "10042"}},
    )
    jira_http.get(
        f"{BASE}/rest/api/3/filter/10042",
        status=400,
        json={"errorMessages": ["The selected filter is not available to you"], "errors": {}},
    )
    jira_http.get(BACKLOG, json=page_offset([issue_json("PAY-9", 9, "0|a:")], 0, 1))
    connector = board(fake_time)

    assert connector.read_order() == ["PAY-9"]
    assert connector.read_order() == ["PAY-9"]

    paths = [call.request.path_url.split("?")[0] for call in jira_http.calls]
    assert paths == [  # what was learnt is kept: the filter is not asked for again
        "/rest/agile/1.0/board/42/configuration",
        "/rest/api/3/filter/10042",
        "/rest/agile/1.0/board/42/backlog",
        "/rest/agile/1.0/board/42/backlog",
    ]


def test_a_saved_board_filter_makes_the_order_one_request(jira_http, fake_time):
    jira_http.post(SEARCH, json=page_cloud([issue_json("PAY-2", 2, "0|a:")]))
    kept = BoardFilter(board=42, type="scrum", jql="project = PAY ORDER BY Rank ASC")
    discovery = CLOUD_DISCOVERY.model_copy(update={"board": kept})
    connector = make_connector(cloud_config(board=42, jql=None), fake_time, discovery=discovery)

    assert connector.read_order() == ["PAY-2"]
    assert len(jira_http.calls) == 1


def test_a_filter_saved_for_another_board_is_read_again(jira_http, fake_time):
    register_board(jira_http)
    jira_http.post(SEARCH, json=page_cloud([]))
    kept = BoardFilter(board=7, type="scrum", jql="project = OLD ORDER BY Rank ASC")
    discovery = CLOUD_DISCOVERY.model_copy(update={"board": kept})
    connector = make_connector(cloud_config(board=42, jql=None), fake_time, discovery=discovery)

    assert connector.read_order() == []
    assert "project = PAY" in body_of(jira_http.calls[2])["jql"]


def test_a_kanban_boards_order_is_read_from_its_agile_backlog_keys_only(jira_http, fake_time):
    register_board(jira_http, board_type="kanban")
    ranked = [issue_json("PAY-9", 9, "0|a:"), issue_json("PAY-2", 2, "0|b:")]
    jira_http.get(BACKLOG, json=page_offset(ranked, 0, 2, size=2))

    assert board(fake_time).read_order() == ["PAY-9", "PAY-2"]
    backlog = jira_http.calls[1].request
    assert backlog.params["fields"] == "key"
    assert backlog.params["maxResults"] == "1000"  # Jira caps it and says so in maxResults


def test_a_data_center_boards_order_is_read_from_its_agile_backlog(jira_http, fake_time):
    ranked = [issue_json("PAY-9", 9, "0|a:")]
    jira_http.get(f"{DC_BASE}/rest/agile/1.0/board/42/backlog", json=page_offset(ranked, 0, 1))
    discovery = Discovery(deployment="DataCenter", fields=parse_fields(FIELDS_JSON))
    connector = make_connector(dc_config(board=42, jql=None), fake_time, discovery=discovery)

    assert connector.read_order() == ["PAY-9"]
    assert len(jira_http.calls) == 1


def test_an_unknown_field_name_is_a_config_error_naming_the_closest(jira_http, fake_time):
    register_discovery(jira_http)
    connector = make_connector(cloud_config(score_field="Value Scor"), fake_time)
    with pytest.raises(ConnectorConfigError, match=r"'Value Scor'.*closest names: 'Value Score'"):
        connector.fetch_items()


def test_read_order_asks_only_for_keys(jira_http, fake_time):
    jira_http.post(SEARCH, json=page_cloud(issues(3)))
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)
    assert connector.read_order() == ["PAY-1", "PAY-2", "PAY-3"]
    body = body_of(jira_http.calls[0])
    assert body["fields"] == ["key"]
    assert body["maxResults"] == 5000


KEPT_SCRUM = BoardFilter(
    board=42,
    type="scrum",
    jql="project = PAY ORDER BY Rank ASC",
    open_statuses=("10000", "3"),
    statuses=("10000", "3", "10001"),
)
ON_BOARD = "(status in (10000, 3, 10001))"


def kept_board(fake_time: FakeTime, kept: BoardFilter) -> JiraConnector:
    """Board 42's connector in a process that has the board's filter from an earlier one."""
    discovery = CLOUD_DISCOVERY.model_copy(update={"board": kept})
    return make_connector(cloud_config(board=42, jql=None), fake_time, discovery=discovery)


def test_an_unchanged_backlog_syncs_incrementally_in_two_requests(jira_http, fake_time):
    jira_http.post(SEARCH, json=page_cloud([]))
    jira_http.post(SEARCH, json=page_cloud([]))
    result = kept_board(fake_time, KEPT_SCRUM).fetch_items(since=SINCE)

    assert result.items == ()
    assert result.removed == ()
    assert not result.complete
    assert result.requests == 2
    assert len(jira_http.calls) == 2
    assert body_of(jira_http.calls[0])["jql"] == (
        f"(project = PAY) AND {ON_BOARD} AND {OPEN_OR_RECENT} "
        'AND (updated >= "2026/11/30 08:15") ORDER BY Rank ASC'
    )


def test_incremental_fetch_reports_issues_that_left_the_team(jira_http, fake_time):
    # full fetch: PAY-1..PAY-4 are the team's
    register_board(jira_http, board_type="kanban")
    jira_http.get(BOARD_ISSUES, json=page_offset(issues(4), 0, 4))
    connector = board(fake_time)
    connector.fetch_items()
    jira_http.reset()
    # since then: PAY-1 changed but stays; PAY-2 left the board's filter; PAY-3 moved to OPS
    changed = [issue_json("PAY-1", 10001, "0|i0001:", business_value=21)]
    jira_http.get(BOARD_ISSUES, json=page_offset(changed, 0, 1))
    keys = [
        {"id": "10001", "key": "PAY-1"},
        {"id": "10002", "key": "PAY-2"},
        {"id": "10003", "key": "OPS-77"},
        {"id": "55555", "key": "HR-5"},  # another team's issue: not ours to remove
    ]
    jira_http.post(SEARCH, json=page_cloud(keys))

    result = connector.fetch_items(since=SINCE)

    assert [item.key for item in result.items] == ["PAY-1"]
    assert result.items[0].business_value == 21
    assert sorted(result.removed) == ["PAY-2", "PAY-3"]
    body = body_of(jira_http.calls[1])
    assert body["jql"] == 'updated >= "2026/11/30 08:15"'
    assert body["fields"] == ["key"]


def test_a_fresh_process_needs_four_requests_without_and_two_with_stored_discovery(
    jira_http, fake_time
):
    register_discovery(jira_http)
    jira_http.post(SEARCH, json=page_cloud([]))
    fresh = make_connector(cloud_config(), fake_time)
    assert fresh.fetch_items(since=SINCE).requests == 4

    stored = Discovery.model_validate_json(fresh.discovery.model_dump_json())
    again = make_connector(cloud_config(), fake_time, discovery=stored)
    assert again.fetch_items(since=SINCE).requests == 2


def test_a_fetched_discovery_is_handed_to_the_caller_to_keep(jira_http, fake_time):
    register_discovery(jira_http)
    jira_http.post(SEARCH, json=page_cloud([]))
    kept: list[Discovery] = []
    connector = make_connector(cloud_config(), fake_time, on_discovery=kept.append)
    connector.fetch_items(since=SINCE)
    assert kept == [connector.discovery]
    assert kept[0].is_cloud


def test_a_stored_discovery_that_no_longer_resolves_the_mapping_is_fetched_again(
    jira_http, fake_time
):
    register_discovery(jira_http)
    jira_http.post(SEARCH, json=page_cloud([]))
    renamed = tuple(
        field.model_copy(update={"name": "Old name"}) if field.name == "Business Value" else field
        for field in CLOUD_DISCOVERY.fields
    )
    stale = CLOUD_DISCOVERY.model_copy(update={"fields": renamed})
    kept: list[Discovery] = []
    connector = make_connector(cloud_config(), fake_time, discovery=stale, on_discovery=kept.append)
    result = connector.fetch_items(since=SINCE)
    assert result.requests == 4  # serverInfo and /field again, then the two searches
    assert [field.name for field in kept[0].fields] == [
        field.name for field in CLOUD_DISCOVERY.fields
    ]


def test_write_scores_writes_only_changed_values_at_two_decimals(jira_http, fake_time):
    backlog = [
        issue_json("PAY-1", 10001, "0|a:", score=4.32),
        issue_json("PAY-2", 10002, "0|b:", score=None),
    ]
    jira_http.post(SEARCH, json=page_cloud(backlog))
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)
    connector.fetch_items()
    jira_http.reset()
    put = jira_http.put(re.compile(rf"{BASE}/rest/api/3/issue/PAY-\d+"), status=204)

    written = connector.write_scores({"PAY-1": 4.3249, "PAY-2": 7.005})

    assert written == ["PAY-2"]
    assert put.call_count == 1
    call = jira_http.calls[0]
    assert call.request.path_url == "/rest/api/3/issue/PAY-2?notifyUsers=false"
    assert body_of(call) == {"fields": {SCORE_ID: 7.0}}  # only the score field, rounded
    assert connector.write_scores({"PAY-2": 7.0}) == []


def test_scores_of_issues_not_fetched_are_read_by_key_first(jira_http, fake_time):
    unknown = {
        "errorMessages": ["An issue with key 'GONE-1' does not exist for field 'key'."],
        "errors": {},
    }
    jira_http.post(SEARCH, status=400, json=unknown)
    jira_http.post(SEARCH, json=page_cloud([issue_json("PAY-8", 10008, "0|a:", score=3.0)]))
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)

    assert connector.write_scores({"PAY-8": 3.0, "GONE-1": 2.0}) == []

    lookups = [body_of(call) for call in jira_http.calls]
    assert [lookup["jql"] for lookup in lookups] == ["key in (PAY-8, GONE-1)", "key in (PAY-8)"]
    assert lookups[0]["fields"] == [SCORE_ID]
    assert len(jira_http.calls) == 2  # the unchanged score of PAY-8 was not written


def test_written_ids_are_reconciled_by_the_next_cloud_search(jira_http, fake_time):
    jira_http.post(SEARCH, json=page_cloud([issue_json("PAY-1", 10001, "0|a:", score=1.0)]))
    jira_http.put(f"{BASE}/rest/api/3/issue/PAY-1", status=204)
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)
    connector.fetch_items()
    connector.write_scores({"PAY-1": 2.0})
    connector.fetch_items()
    assert body_of(jira_http.calls[2])["reconcileIssues"] == [10001]
    connector.fetch_items()
    assert "reconcileIssues" not in body_of(jira_http.calls[3])


def test_when_jira_refuses_notify_users_the_write_is_retried_without_it(jira_http, fake_time):
    jira_http.post(SEARCH, json=page_cloud(issues(2, score=None)))
    refusal = {
        "errorMessages": [
            "To discard the user notification either admin or project admin permissions are "
            "required."
        ],
        "errors": {},
    }
    jira_http.put(f"{BASE}/rest/api/3/issue/PAY-1", status=403, json=refusal)
    jira_http.put(f"{BASE}/rest/api/3/issue/PAY-1", status=204)
    jira_http.put(f"{BASE}/rest/api/3/issue/PAY-2", status=204)
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)
    connector.fetch_items()

    assert connector.write_scores({"PAY-1": 5.0, "PAY-2": 6.0}) == ["PAY-1", "PAY-2"]

    paths = [call.request.path_url for call in jira_http.calls[1:]]
    assert paths == [
        "/rest/api/3/issue/PAY-1?notifyUsers=false",
        "/rest/api/3/issue/PAY-1",
        "/rest/api/3/issue/PAY-2",  # remembered: not sent again
    ]


def test_scores_are_not_written_unless_score_is_writable(jira_http, fake_time):
    connector = make_connector(
        cloud_config(writable=frozenset()), fake_time, discovery=CLOUD_DISCOVERY
    )
    with pytest.raises(ConnectorError, match=r"may not write score.*`writable`"):
        connector.write_scores({"PAY-1": 1.0})
    assert len(jira_http.calls) == 0


def test_a_writable_input_is_written_to_its_mapped_field(jira_http, fake_time):
    jira_http.put(f"{BASE}/rest/api/3/issue/PAY-1", status=204)
    config = cloud_config(writable=frozenset({"score", "business_value"}))
    make_connector(config, fake_time, discovery=CLOUD_DISCOVERY).write_inputs(
        "PAY-1", {"business_value": 13}
    )
    assert body_of(jira_http.calls[0]) == {"fields": {BV_ID: 13.0}}


def test_a_non_writable_input_is_refused_naming_it_and_how_to_allow_it(jira_http, fake_time):
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)
    with pytest.raises(ConnectorError, match=r"may not write cost.*add it to `writable`"):
        connector.write_inputs("PAY-1", {"cost": 3})
    assert len(jira_http.calls) == 0


def test_a_rank_call_answered_204_moves_everything(jira_http, fake_time):
    jira_http.put(RANK, status=204)
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)
    connector.apply_move(RankMove(issues=("PAY-3", "PAY-4"), after="PAY-1"))
    assert body_of(jira_http.calls[0]) == {
        "issues": ["PAY-3", "PAY-4"],
        "rankAfterIssue": "PAY-1",
        "rankCustomFieldId": 10019,
    }


def _entries(*statuses: tuple[str, int]) -> dict[str, Any]:
    entries = []
    for n, (key, status) in enumerate(statuses):
        entry: dict[str, Any] = {"issueId": 10000 + n, "issueKey": key, "status": status}
        if status != 200:
            entry["errors"] = [
                "JIRA Agile cannot execute the rank operation at this time. Please try again later."
            ]
        entries.append(entry)
    return {"entries": entries}


def test_failed_entries_of_a_207_are_retried_beside_the_issues_that_did_move(jira_http, fake_time):
    jira_http.put(RANK, status=207, json=_entries(("PAY-2", 503), ("PAY-3", 200), ("PAY-4", 503)))
    jira_http.put(RANK, status=204)
    jira_http.put(RANK, status=204)
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)

    connector.apply_move(RankMove(issues=("PAY-2", "PAY-3", "PAY-4"), before="PAY-1"))

    # PAY-3 moved before PAY-1; PAY-2 belongs just before it and PAY-4 just after it
    retries = [body_of(call) for call in jira_http.calls[1:]]
    assert [
        (body["issues"], body.get("rankBeforeIssue"), body.get("rankAfterIssue"))
        for body in retries
    ] == [
        (["PAY-2"], "PAY-3", None),
        (["PAY-4"], None, "PAY-3"),
    ]


@pytest.mark.parametrize(
    ("move", "failed", "expected"),
    [
        (
            RankMove(issues=("A", "B", "C", "D"), after="X"),
            {"A", "B"},
            [RankMove(issues=("A", "B"), before="C")],
        ),
        (
            RankMove(issues=("A", "B", "C"), before="X"),
            {"C"},
            [RankMove(issues=("C",), after="B")],
        ),
        (
            RankMove(issues=("A", "B"), before="X"),
            {"A", "B"},
            [RankMove(issues=("A", "B"), before="X")],
        ),
    ],
    ids=["run_at_the_start", "run_at_the_end", "nothing_moved"],
)
def test_retry_moves_anchor_each_failed_run_on_a_moved_neighbour(move, failed, expected):
    assert retry_moves(move, dict.fromkeys(failed, "busy")) == expected


def test_entries_that_fail_twice_raise_move_failed_with_the_reason(jira_http, fake_time):
    jira_http.put(RANK, status=207, json=_entries(("PAY-2", 503), ("PAY-3", 200)))
    jira_http.put(RANK, status=207, json=_entries(("PAY-2", 503)))
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)

    with pytest.raises(MoveFailedError) as failed:
        connector.apply_move(RankMove(issues=("PAY-2", "PAY-3"), before="PAY-1"))

    assert list(failed.value.failures) == ["PAY-2"]
    assert "cannot execute the rank operation" in failed.value.failures["PAY-2"]
    assert len(jira_http.calls) == 2


def test_sprints_of_a_board_are_paged_until_is_last(jira_http, fake_time):
    url = f"{BASE}/rest/agile/1.0/board/42/sprint"
    first = {
        "maxResults": 1,
        "startAt": 0,
        "isLast": False,
        "values": [
            {
                "id": 36,
                "state": "closed",
                "name": "PAY Sprint 6",
                "startDate": "2026-11-02T09:00:00.000+01:00",
                "endDate": "2026-11-13T17:00:00.000+01:00",
                "originBoardId": 42,
                "goal": "Refunds",
            }
        ],
    }
    second = {
        "maxResults": 1,
        "startAt": 1,
        "isLast": True,
        "values": [{"id": 37, "state": "active", "name": "PAY Sprint 7", "originBoardId": 42}],
    }
    jira_http.get(url, json=first)
    jira_http.get(url, json=second)

    sprints = board(fake_time).list_sprints()

    assert [(s.id, s.state) for s in sprints] == [
        (36, SprintState.CLOSED),
        (37, SprintState.ACTIVE),
    ]
    assert sprints[0].goal == "Refunds"
    assert jira_http.calls[1].request.params["startAt"] == "1"


def test_a_jql_team_without_a_board_has_no_sprints(jira_http, fake_time):
    assert make_connector(cloud_config(), fake_time).list_sprints() == []
    assert len(jira_http.calls) == 0


def _register_access(mock: responses.RequestsMock, *, schedule: bool) -> None:
    register_discovery(mock)
    mock.get(
        f"{BASE}/rest/api/2/myself", json={"accountId": "5b10", "displayName": "Northstar Bot"}
    )
    mock.get(
        f"{BASE}/rest/agile/1.0/board/42",
        json={"id": 42, "name": "PAY board", "type": "scrum", "location": {"projectKey": "PAY"}},
    )
    permissions = {
        key: {
            "id": str(n),
            "key": key,
            "name": key.title(),
            "type": "PROJECT",
            "havePermission": have,
        }
        for n, (key, have) in enumerate(
            [("BROWSE_PROJECTS", True), ("EDIT_ISSUES", True), ("SCHEDULE_ISSUES", schedule)]
        )
    }
    mock.get(f"{BASE}/rest/api/2/mypermissions", json={"permissions": permissions})


def test_check_access_passes_every_check_on_a_well_set_up_site(jira_http, fake_time):
    _register_access(jira_http, schedule=True)
    checks = make_connector(cloud_config(board=42, jql=None), fake_time).check_access()
    assert all(isinstance(check, AccessCheck) for check in checks)
    assert all(check.ok for check in checks), checks
    names = [check.name for check in checks]
    assert names[:3] == ["jira", "jira auth", "jira board"]
    assert "jira fields" in names
    permissions_call = next(c for c in jira_http.calls if "mypermissions" in c.request.url)
    assert permissions_call.request.params == {
        "permissions": "BROWSE_PROJECTS,EDIT_ISSUES,SCHEDULE_ISSUES",
        "projectKey": "PAY",
    }


def test_check_access_reports_a_missing_schedule_permission_with_the_fix(jira_http, fake_time):
    _register_access(jira_http, schedule=False)
    checks = make_connector(cloud_config(board=42, jql=None), fake_time).check_access()
    failed = [check for check in checks if not check.ok]
    assert [check.name for check in failed] == ["jira permission SCHEDULE_ISSUES"]
    assert "Schedule issues" in failed[0].fix
    assert "PAY" in failed[0].fix


def test_check_access_refuses_a_score_field_that_is_not_a_number(jira_http, fake_time):
    text_score = [
        {**f, "schema": {"type": "string", "custom": "textfield"}} if f["id"] == SCORE_ID else f
        for f in FIELDS_JSON
    ]
    _register_access(jira_http, schedule=True)
    jira_http.replace(responses.GET, f"{BASE}/rest/api/3/field", json=text_score)
    checks = make_connector(cloud_config(board=42, jql=None), fake_time).check_access()
    fields = next(check for check in checks if check.name == "jira fields")
    assert not fields.ok
    assert "Number" in fields.fix


def test_check_access_stops_at_bad_credentials(jira_http, fake_time):
    register_discovery(jira_http)
    jira_http.get(f"{BASE}/rest/api/2/myself", status=401, json={"errorMessages": ["Unauthorized"]})
    checks = make_connector(cloud_config(), fake_time).check_access()
    assert [(check.name, check.ok) for check in checks] == [("jira", True), ("jira auth", False)]
    assert "NORTHSTAR_JIRA_API_TOKEN" in checks[1].fix


def test_the_connector_satisfies_the_port_and_is_registered(fake_time):
    from connectors.base import Connector
    from connectors.registry import load_connector_class

    assert load_connector_class("jira") is JiraConnector
    assert isinstance(make_connector(cloud_config(), fake_time), Connector)


def test_a_full_sync_reads_the_board_filter_again_so_an_edited_one_is_used(jira_http, fake_time):
    register_board(jira_http, jql="project = PAY AND labels = web", columns=COLUMNS)
    jira_http.post(SEARCH, json=page_cloud([]))
    saved: list[Discovery] = []
    connector = make_connector(
        cloud_config(board=42, jql=None),
        fake_time,
        discovery=CLOUD_DISCOVERY.model_copy(update={"board": KEPT_SCRUM}),
        on_discovery=saved.append,
    )

    connector.fetch_items()

    assert saved[-1].board is not None
    assert saved[-1].board.jql == "project = PAY AND labels = web"
    assert saved[-1].fields == CLOUD_DISCOVERY.fields
    assert body_of(jira_http.calls[2])["jql"].startswith("(project = PAY AND labels = web) AND")


def test_linked_issues_are_fetched_by_key_done_or_not_and_unknown_keys_are_left_out(
    jira_http, fake_time
):
    unknown = {
        "errorMessages": ["An issue with key 'PAY-404' does not exist for field 'key'."],
        "errors": {},
    }
    done = issue_json("PAY-7", 10007, "0|a:", status=("Done", "done"))
    done["fields"]["resolutiondate"] = "2025-03-14T12:00:00.000+0000"
    jira_http.post(SEARCH, status=400, json=unknown)
    jira_http.post(SEARCH, json=page_cloud([done]))
    connector = make_connector(cloud_config(), fake_time, discovery=CLOUD_DISCOVERY)

    items = connector.fetch_by_keys(["PAY-7", "PAY-404"])

    assert [(item.key, item.is_done, item.resolved and item.resolved.date()) for item in items] == [
        ("PAY-7", True, date(2025, 3, 14))
    ]
    lookups = [body_of(call)["jql"] for call in jira_http.calls]
    assert lookups == ["key in (PAY-7, PAY-404)", "key in (PAY-7)"]


COLUMNS = [("To Do", ["10000"]), ("In Progress", ["3"]), ("Done", ["10001"])]


def test_a_scrum_boards_issues_are_searched_over_its_filter(jira_http, fake_time):
    register_board(jira_http, jql="project = PAY ORDER BY Rank ASC", columns=COLUMNS)
    ranked = [
        issue_json(f"PAY-{n}", 10000 + n, f"0|{c}:") for n, c in ((9, "a"), (7, "b"), (2, "c"))
    ]
    jira_http.post(SEARCH, json=page_cloud(ranked[:2], token="tok-2"))
    jira_http.post(SEARCH, json=page_cloud(ranked[2:]))
    connector = board(fake_time, extra_jql="issuetype != Sub-task")

    result = connector.fetch_items()

    assert [item.key for item in result.items] == ["PAY-9", "PAY-7", "PAY-2"]
    assert paths_of(jira_http) == FILTER_THEN_TWO_SEARCHES
    first = body_of(jira_http.calls[2])
    assert first["jql"] == (
        f"(project = PAY) AND (issuetype != Sub-task) AND {ON_BOARD} AND {OPEN_OR_RECENT} "
        "ORDER BY Rank ASC"
    )
    assert first["maxResults"] == 5000
    assert SCORE_ID in first["fields"]


def test_a_board_filter_saved_without_its_column_statuses_syncs_from_the_agile_api(
    jira_http, fake_time
):
    kept = KEPT_SCRUM.model_copy(update={"statuses": None})
    jira_http.get(BOARD_ISSUES, json=page_offset([issue_json("PAY-1", 10001, "0|a:")], 0, 1))
    jira_http.post(SEARCH, json=page_cloud([]))
    result = kept_board(fake_time, kept).fetch_items(since=SINCE)

    assert [item.key for item in result.items] == ["PAY-1"]
    assert jira_http.calls[0].request.path_url.startswith("/rest/agile/1.0/board/42/issue")
