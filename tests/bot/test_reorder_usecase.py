"""Reorder, apply, resume and undo through the use cases, on the sample backlog and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import NothingToUndoError
from bot.settings import Settings
from bot.usecases.reorder import apply_reorder, preview_reorder, undo_reorder
from bot.usecases.sync import FRESH_SYNC, sync_team
from bot.wiring import Services, build_services
from connectors.memory import MemoryConnector
from rules.model import RankMove
from rules.reorder import apply_moves


class Killed(BaseException):
    """Stands in for a kill: not an Exception, so nothing on the way may swallow it."""


class DyingConnector:
    """Delegates to the real in-memory backlog, and dies after a number of rank calls.

    ``after_write`` kills the process after the tool accepted the call (before Northstar could
    record it), the nastiest moment for a resume.
    """

    def __init__(self, inner: MemoryConnector, *, die_at: int, after_write: bool):
        self.inner = inner
        self.name = inner.name
        self.die_at = die_at
        self.after_write = after_write
        self.calls = 0

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def apply_move(self, move: RankMove) -> None:
        self.calls += 1
        if self.calls == self.die_at and not self.after_write:
            raise Killed
        self.inner.apply_move(move)
        if self.calls == self.die_at:
            raise Killed


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'northstar.db'}")
    return build_services(settings, load_config(None))


def process_with(svc: Services, connector: object) -> Services:
    """Another process on the same database whose connector is ``connector``."""
    return build_services(svc.settings, svc.config, connector_factory=lambda team: connector)


@pytest.fixture
def team(svc: Services):
    return svc.config.team("payments")


def test_the_preview_plans_moves_that_reach_the_target_and_changes_nothing(svc, team):
    before = svc.connector_for(team).read_order()
    preview = preview_reorder(svc, team)
    assert preview.plan.calls > 0
    assert svc.connector_for(team).read_order() == before
    planned = set(preview.plan.target)
    open_before = [key for key in before if key in planned]
    assert apply_moves(open_before, preview.plan.moves) == list(preview.plan.target)
    # the rows are the items that change place: as many as the plan moves (fewer than the calls
    # carry: the fewest calls may carry items that could stay), and the others keep their order
    assert len(preview.rows) == preview.plan.moved < preview.plan.touched
    unmoved = [key for key in preview.plan.target if key not in {r.key for r in preview.rows}]
    assert unmoved == [key for key in open_before if key in set(unmoved)]  # kept their order
    assert all(row.reason for row in preview.rows)
    summary = preview.summary
    assert summary.moved == preview.plan.moved
    assert summary.rescored == sum(1 for row in preview.rows if row.rescored)
    assert (summary.calls, summary.touched) == (preview.plan.calls, preview.plan.touched)


def test_applying_reaches_the_target_and_a_second_run_makes_no_rank_calls(svc, team):
    connector = svc.connector_for(team)
    preview = preview_reorder(svc, team)
    report = apply_reorder(svc, team)
    assert report.verified
    assert report.calls == preview.plan.calls
    planned = set(preview.plan.target)
    after = [key for key in connector.read_order() if key in planned]
    assert after == list(preview.plan.target)
    calls = connector.rank_calls
    again = apply_reorder(svc, team)
    assert again.calls == 0
    assert connector.rank_calls == calls


def test_undo_restores_the_order_the_reorder_replaced(svc, team):
    connector = svc.connector_for(team)
    original = connector.read_order()
    apply_reorder(svc, team)
    assert connector.read_order() != original
    undo_reorder(svc, team)
    assert connector.read_order() == original
    with pytest.raises(NothingToUndoError):
        undo_reorder(svc, team)


@pytest.mark.parametrize("after_write", [False, True], ids=["before_the_call", "after_the_call"])
def test_a_run_killed_half_way_resumes_and_applies_no_move_twice(svc, team, after_write):
    inner = svc.connector_for(team)
    plan = preview_reorder(svc, team).plan
    assert plan.calls >= 3, "the sample must need a few calls for this test to mean anything"
    with pytest.raises(Killed):
        apply_reorder(
            process_with(svc, DyingConnector(inner, die_at=2, after_write=after_write)), team
        )
    report = apply_reorder(svc, team)
    assert report.resumed
    assert report.verified
    assert inner.rank_calls == plan.calls


def test_a_stored_plan_is_superseded_when_the_backlog_changed_meanwhile(svc, team):
    inner = svc.connector_for(team)
    with pytest.raises(Killed):
        apply_reorder(process_with(svc, DyingConnector(inner, die_at=1, after_write=False)), team)
    order = inner.read_order()
    last = order[-1]
    inner.apply_move(RankMove(issues=(last,), before=order[0]))
    report = apply_reorder(svc, team)
    assert not report.resumed
    assert report.verified


def test_a_preview_right_after_a_sync_plans_on_the_snapshot_and_a_later_one_syncs(svc, team):
    now = [datetime(2026, 12, 3, 9, 0, tzinfo=UTC)]
    clocked = build_services(svc.settings, svc.config, clock=lambda: now[0])
    connector = clocked.connector_for(team)
    assert isinstance(connector, MemoryConnector)
    sync_team(clocked, team)
    synced = connector.fetch_calls

    now[0] += FRESH_SYNC - timedelta(seconds=1)
    preview_reorder(clocked, team)
    assert connector.fetch_calls == synced  # the scheduled cycle, `sync` then `reorder`

    now[0] += timedelta(seconds=2)
    preview_reorder(clocked, team)
    assert connector.fetch_calls == synced + 1  # stale: what changed since is fetched first
