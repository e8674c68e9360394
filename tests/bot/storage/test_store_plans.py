"""Rank plans in the store: progress move by move, resuming, and what undo reverts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rules.model import RankMove, RankPlan

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def a_plan() -> RankPlan:
    """Two rank calls: 3 to the top, then 4 after 2 (the store keeps plans as given)."""
    return RankPlan(
        current=("PAY-1", "PAY-2", "PAY-3", "PAY-4"),
        target=("PAY-3", "PAY-1", "PAY-2", "PAY-4"),
        moves=(
            RankMove(issues=("PAY-3",), before="PAY-1"),
            RankMove(issues=("PAY-4",), after="PAY-2"),
        ),
    )


def test_a_saved_plan_is_pending_with_the_order_it_replaces(store):
    plan = a_plan()
    plan_id = store.save_plan("payments", plan, kind="reorder", at=NOW)
    pending = store.pending_plan("payments")
    assert (pending.id, pending.kind, pending.status, pending.created_at) == (
        plan_id,
        "reorder",
        "pending",
        NOW,
    )
    assert pending.plan == plan
    assert pending.plan.current == plan.current
    assert pending.applied_moves == 0
    assert store.pending_plan("growth") is None


def test_progress_is_recorded_move_by_move_and_once(store):
    plan_id = store.save_plan("payments", a_plan(), kind="reorder", at=NOW)
    store.mark_move_applied(plan_id, 0)
    store.mark_move_applied(plan_id, 0)
    store.mark_move_applied(plan_id, 1)
    pending = store.pending_plan("payments")
    assert pending.applied == frozenset({0, 1})
    assert pending.applied_moves == 2


def test_a_finished_plan_is_no_longer_pending(store):
    for status in ("applied", "failed", "superseded"):
        plan_id = store.save_plan("payments", a_plan(), kind="reorder", at=NOW)
        store.finish_plan(plan_id, at=NOW + timedelta(minutes=1), status=status, detail="x")
        assert store.pending_plan("payments") is None


def test_the_newest_pending_plan_is_the_one_to_resume(store):
    store.save_plan("payments", a_plan(), kind="reorder", at=NOW)
    newer = store.save_plan("payments", a_plan(), kind="reorder", at=NOW + timedelta(hours=1))
    assert store.pending_plan("payments").id == newer


def test_undo_reverts_the_newest_applied_reorder_and_never_an_undo_or_an_undone_one(store):
    assert store.last_applied_plan("payments") is None
    first = store.save_plan("payments", a_plan(), kind="reorder", at=NOW)
    store.finish_plan(first, at=NOW, status="applied", detail="verified")
    second = store.save_plan("payments", a_plan(), kind="reorder", at=NOW + timedelta(hours=1))
    store.finish_plan(second, at=NOW, status="failed")
    applied = store.last_applied_plan("payments")
    assert (applied.id, applied.status, applied.detail, applied.undone) == (
        first,
        "applied",
        "verified",
        False,
    )
    undo = store.save_plan("payments", a_plan(), kind="undo", at=NOW + timedelta(hours=2))
    store.finish_plan(undo, at=NOW, status="applied")
    store.mark_undone(first)
    assert store.last_applied_plan("payments") is None
