"""Northstar against a stateful fake Jira over real HTTP, driven through the CLI only.

Each test runs the commands an admin would (``sync``, ``score``, ``reorder``, ``undo``,
``doctor``) and checks the result where it matters: in Jira. The board order after a reorder
is read from the fake, request counts come from the fake's log, and failures must reach the
user as one clear line, never a traceback.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage import Store
from rules.model import Item, RankMove
from rules.reorder import apply_moves
from tests.e2e.conftest import (
    BOARD,
    Northstar,
    Run,
    data_center_settings,
    load_sample,
    runner,
    set_env,
    write_config,
)
from tests.fakes.jira_server import FakeJiraServer

#: multi-second runs against the fake Jira: `pytest -m "not slow"` leaves them out
pytestmark = pytest.mark.slow


def ok(run: Run) -> Run:
    assert run.code == 0, f"exit {run.code}\nstdout:\n{run.out}\nstderr:\n{run.err}"
    assert "Traceback" not in run.printed
    return run


def planned_moves(run: Run) -> list[RankMove]:
    """The moves ``reorder --json`` printed, in their documented shape."""
    return [
        RankMove(issues=tuple(move["issues"]), before=move.get("before"), after=move.get("after"))
        for move in run.json()["moves"]
    ]


def successful_rank_calls(jira: FakeJiraServer) -> list[tuple[tuple[str, ...], str | None]]:
    return [
        (call.issues, call.before or call.after) for call in jira.state.rank_calls if call.moved
    ]


def plan(
    northstar: Northstar, jira: FakeJiraServer, *, board: bool = True
) -> tuple[list[RankMove], list[str]]:
    """Sync and score, then the dry-run plan and the order it will produce.

    With a board the order is the board's backlog; with a JQL backlog it is every open issue.
    """
    ok(northstar("sync"))
    ok(northstar("score"))
    moves = planned_moves(ok(northstar("reorder", "--json")))
    current = jira.state.backlog(BOARD) if board else jira.state.order(BOARD)
    return moves, apply_moves(current, moves)


def ranked_keys(northstar: Northstar) -> list[str]:
    rows: list[dict[str, Any]] = ok(northstar("score", "--json")).json()["ranking"]
    return [row["key"] for row in rows]


def test_reorder_apply_leaves_the_board_in_the_planned_order(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    moves, target = plan(northstar, jira)
    assert len(moves) >= 2, "the sample backlog should need a real reorder"
    before = jira.state.backlog(BOARD)

    applied = ok(northstar("reorder", "--apply"))

    after = jira.state.backlog(BOARD)
    assert after == target != before
    assert [key for key in ranked_keys(northstar) if key in set(after)] == after
    assert successful_rank_calls(jira) == [(m.issues, m.anchor) for m in moves]
    assert f"Applied {len(moves)} rank call(s)" in applied.out
    assert "Read back: the backlog order equals the target." in applied.out


def test_a_second_score_and_reorder_write_nothing_and_rank_nothing(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    plan(northstar, jira)
    ok(northstar("reorder", "--apply"))
    jira.state.clear_log()

    ok(northstar("score"))
    scoring_requests = list(jira.state.requests)
    again = ok(northstar("reorder", "--apply"))

    assert scoring_requests == [], "scores are unchanged: scoring needs no Jira request"
    assert jira.state.writes == []
    assert jira.state.rank_calls == []
    assert "Applied 0 rank call(s)" in again.out


def test_a_run_killed_half_way_resumes_without_repeating_a_move(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    moves, target = plan(northstar, jira)
    assert len(moves) >= 2
    done_first = len(moves) // 2
    jira.state.fail_rank_calls_after(done_first)

    killed = northstar("reorder", "--apply")

    assert killed.code != 0
    assert "Traceback" not in killed.printed
    error_lines = [line for line in killed.err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, killed.err
    assert "/rest/agile/1.0/issue/rank" in error_lines[0]
    assert "500" in error_lines[0]
    assert "run `northstar reorder --apply` again" in error_lines[0]
    first_run = successful_rank_calls(jira)
    assert first_run == [(m.issues, m.anchor) for m in moves[:done_first]]

    jira.state.clear_faults()
    jira.state.clear_log()
    resumed = ok(northstar("reorder", "--apply"))

    assert successful_rank_calls(jira) == [(m.issues, m.anchor) for m in moves[done_first:]]
    assert jira.state.backlog(BOARD) == target
    assert "Resumed" in resumed.out


@pytest.mark.parametrize("which", [0, -1], ids=["first_of_a_call", "last_of_a_call"])
def test_issues_jira_could_not_rank_in_a_207_are_retried_until_the_order_is_right(
    northstar: Northstar, jira: FakeJiraServer, which: int
) -> None:
    moves, target = plan(northstar, jira)
    stubborn = moves[0].issues[which]
    jira.state.fail_rank_for([stubborn], times=1)

    ok(northstar("reorder", "--apply"))

    assert jira.state.backlog(BOARD) == target
    partial = [call for call in jira.state.rank_calls if call.status == 207]
    assert [call.failed for call in partial] == [(stubborn,)]
    retried = jira.state.rank_calls[jira.state.rank_calls.index(partial[0]) + 1]
    assert (retried.issues, retried.status) == ((stubborn,), 204)


def test_undo_restores_the_order_before_the_reorder(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    plan(northstar, jira)
    before = jira.state.backlog(BOARD)
    ok(northstar("reorder", "--apply"))
    assert jira.state.backlog(BOARD) != before

    undone = ok(northstar("undo"))

    assert jira.state.backlog(BOARD) == before
    assert "Restored the previous order" in undone.out


def test_rate_limits_unavailability_and_a_dropped_connection_are_retried(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    jira.state.inject("429", times=3, path="/rest/agile/1.0/board/")
    jira.state.inject("503", times=3, path="/rest/api/")
    ok(northstar("sync"))
    jira.state.inject("429", times=2, path="/rest/api/3/search/jql")
    jira.state.inject("503", times=2, path="/rest/api/3/issue/")
    ok(northstar("score"))
    moves = planned_moves(ok(northstar("reorder", "--json")))
    target = apply_moves(jira.state.backlog(BOARD), moves)
    # the drop comes first: the connector's backoff after a dropped connection grows with the
    # attempts before it, and a test should not sleep for seconds
    jira.state.inject("drop", times=1, path="/rest/agile/1.0/issue/rank")
    jira.state.inject("429", times=4, path="/rest/agile/1.0/issue/rank")
    jira.state.inject("503", times=2, path="/rest/agile/1.0/issue/rank")

    ok(northstar("reorder", "--apply"))

    assert jira.state.backlog(BOARD) == target
    statuses = [request.status for request in jira.state.requests]
    assert statuses.count(429) == 3 + 2 + 4
    assert statuses.count(503) == 3 + 2 + 2
    assert statuses.count(0) == 1
    assert successful_rank_calls(jira) == [(m.issues, m.anchor) for m in moves]


def test_an_incremental_sync_with_nothing_changed_makes_at_most_two_requests(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    ok(northstar("sync"))
    jira.state.clear_log()

    ok(northstar("sync"))

    made = [f"{r.method} {r.path} -> {r.status}" for r in jira.state.requests]
    assert len(made) <= 2, made


def test_doctor_reports_a_missing_schedule_issues_permission_with_the_fix(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    jira.state.granted.discard("SCHEDULE_ISSUES")

    report = northstar("doctor")
    checks = northstar("doctor", "--json")

    assert (report.code, checks.code) == (1, 1)
    assert "Traceback" not in report.printed + checks.printed
    failed = [check for check in checks.json() if not check["ok"]]
    assert [check["name"] for check in failed] == ["payments: jira permission SCHEDULE_ISSUES"]
    assert "Schedule issues" in failed[0]["fix"]
    shown = " ".join(report.out.split())  # the table wraps at the console's width
    assert f"FAIL {failed[0]['name']}: {failed[0]['detail']}" in shown
    assert f"fix: {failed[0]['fix']}" in shown


def test_data_center_with_a_personal_access_token_works_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeJiraServer(deployment="DataCenter") as jira:
        load_sample(jira)
        set_env(monkeypatch, data_center_settings(jira, tmp_path))
        config = write_config(tmp_path, backlog='jql = "project = PAY ORDER BY Rank ASC"')
        northstar = runner(config)

        moves, target = plan(northstar, jira, board=False)
        ok(northstar("reorder", "--apply"))

        assert len(moves) >= 2
        assert jira.state.order(BOARD) == target
        paths = {request.path for request in jira.state.requests}
        assert "/rest/api/2/search" in paths
        assert not any(path.startswith("/rest/api/3/") for path in paths)
        assert {request.auth for request in jira.state.requests} == {"bearer"}
        assert jira.state.writes, "scores should have been written through /rest/api/2/issue"
        assert {write.api for write in jira.state.writes} == {"2"}


def test_scores_are_written_with_notifications_when_jira_refuses_silent_edits(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    jira.state.refuse_silent_edits = 403  # a non-admin account, as Jira Cloud answers it
    ok(northstar("sync"))

    scored = ok(northstar("score", "--json")).json()

    assert scored["written"], "the first score run writes every score"
    assert {write.key for write in jira.state.writes} == set(scored["written"])
    assert all(write.notify_users for write in jira.state.writes)


def test_sprint_items_are_synced_the_active_ones_ranked_first_and_none_moved(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    def in_sprint(state: str) -> set[str]:
        return {
            key
            for key, issue in jira.state.issues.items()
            if (sprint := jira.state.open_sprint(issue)) is not None
            and sprint.state == state
            and issue.category != "done"
        }

    active, future = in_sprint("active"), in_sprint("future")
    assert active, "the sample backlog has an active sprint"
    ok(northstar("sync"))
    ranking = ok(northstar("score", "--json", "--limit", "1000")).json()["ranking"]
    moves = planned_moves(ok(northstar("reorder", "--json")))

    ranked = [row["key"] for row in ranking]
    # synced, though the board's backlog leaves them out; the active sprint is locked on top
    assert active | future <= set(ranked)
    assert set(ranked[: len(active)]) == active
    # a rank call moves backlog items only: sprints are planned by people
    assert not {key for move in moves for key in move.issues} & (active | future)


def test_a_score_failing_half_way_is_finished_by_the_next_without_writing_twice(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    ok(northstar("sync"))
    ok(northstar("score"))
    jira.state.age(timedelta(hours=1))  # the next sync does not see these writes as changes
    for key in jira.state.backlog(BOARD):  # every open issue's score is now out of date
        jira.state.set_field(key, "Value Score", 0.01)
    ok(northstar("sync"))
    jira.state.clear_log()
    stuck = jira.state.backlog(BOARD)[20]
    jira.state.inject("503", times=5, path=f"/rest/api/3/issue/{stuck}", retry_after=600)

    failed = northstar("score")

    assert failed.code != 0
    assert "Traceback" not in failed.printed
    assert "still unavailable" in failed.printed
    first = {write.key for write in jira.state.writes}
    assert first
    assert stuck not in first
    jira.state.clear_faults()
    jira.state.clear_log()

    ok(northstar("score"))

    second = {write.key for write in jira.state.writes}
    assert stuck in second
    assert not first & second  # what Jira had from the failed run was not sent again
    # the interrupted run left the snapshot short of what Jira has: its scores were read
    assert any(r.path == "/rest/api/3/search/jql" for r in jira.state.requests)


def test_the_order_is_read_with_one_keys_only_search_and_the_board_filter_once(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    ok(northstar("sync"))
    ok(northstar("reorder"))  # the first read of the order learns the board's filter
    jira.state.clear_log()

    ok(northstar("reorder"))

    paths = [request.path for request in jira.state.requests]
    assert "/rest/agile/1.0/board/42/configuration" not in paths  # kept from the last process
    assert "/rest/agile/1.0/board/42/backlog" not in paths
    searches = [r for r in jira.state.requests if r.path == "/rest/api/3/search/jql"]
    orders = [
        r for r in searches if r.body.get("fields") == ["key"] and "openSprints" in r.body["jql"]
    ]
    assert len(orders) == 1


SEARCH = "/rest/api/3/search/jql"


def snapshot_of(folder: Path, key: str) -> Item:
    """The stored snapshot's item (what the next score and reorder plan on)."""
    store = Store(f"sqlite:///{folder / 'northstar.db'}")
    return next(item for item in store.load_snapshot("payments") if item.key == key)


def test_a_reorder_right_after_a_sync_reads_only_the_order(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    plan(northstar, jira)
    ok(northstar("reorder", "--apply"))
    ok(northstar("sync"))
    jira.state.clear_log()

    preview = ok(northstar("reorder", "--json"))

    assert preview.json()["calls"] == 0
    made = [(r.method, r.path, r.body.get("fields")) for r in jira.state.requests]
    assert made == [("POST", SEARCH, ["key"])]  # the live order, keys only; no second sync


def test_a_persons_edit_in_the_window_of_northstars_writes_is_synced_after_the_reorder(
    northstar: Northstar, jira: FakeJiraServer, tmp_path: Path
) -> None:
    plan(northstar, jira)
    ok(northstar("reorder", "--apply"))
    jira.state.age(timedelta(hours=1))
    edited = jira.state.backlog(BOARD)[5]
    jira.state.set_field(edited, "Value Score", 0.01)  # out of date: `score` will write it
    ok(northstar("sync"))
    old_value = jira.state.value(edited, "Business Value")
    new_value = next(v for v in (1, 2, 3, 5, 8, 13, 20) if v != old_value)
    jira.state.set_field(edited, "Business Value", new_value)  # a person, after the sync
    jira.state.clear_log()

    ok(northstar("score"))  # Northstar's write stamps `updated` after the person's edit
    assert edited in {write.key for write in jira.state.writes}
    ok(northstar("reorder", "--apply"))  # right after the sync: plans on the snapshot
    assert snapshot_of(tmp_path, edited).business_value == old_value
    ok(northstar("sync"))

    assert snapshot_of(tmp_path, edited).business_value == new_value


def test_a_score_after_a_finished_run_sends_only_the_writes(
    northstar: Northstar, jira: FakeJiraServer
) -> None:
    plan(northstar, jira)  # sync and a first score, which reads Jira's scores (no run recorded)
    jira.state.age(timedelta(hours=1))
    for key in jira.state.backlog(BOARD)[:3]:
        jira.state.set_field(key, "Business Value", 21)
    ok(northstar("sync"))
    jira.state.clear_log()

    ok(northstar("score"))

    assert jira.state.writes
    assert [r.method for r in jira.state.requests] == ["PUT"] * len(jira.state.writes)
