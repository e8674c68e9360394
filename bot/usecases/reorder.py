"""Reorder: preview the fewest-calls plan, apply it durably (resumable), and undo it.

Every applied plan is stored with the order it replaced and its progress move by move, so a
run killed half-way resumes where it stopped without applying a move twice, and ``undo``
restores the previous order with the same planner.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.config import Team
from bot.errors import NothingToUndoError
from bot.storage import StoredPlan
from bot.usecases.score import load_items, rank_snapshot
from bot.usecases.sync import sync_team, synced_recently
from bot.wiring import Services
from connectors.base import MoveFailedError, apply_plan
from rules.explain import Summary, changed_places, summarize
from rules.model import Ranking, RankMove, RankPlan
from rules.ranking import reason_for_move, rescored
from rules.reorder import apply_moves, plan_moves

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DiffRow:
    key: str
    summary: str
    old: int
    new: int
    reason: str
    #: the item's score changed since the last ranking (or it is new)
    rescored: bool


@dataclass(frozen=True)
class ReorderPreview:
    team: Team
    plan: RankPlan
    ranking: Ranking
    #: the items that change place (the plan may carry others along: ``summary.touched``)
    rows: list[DiffRow]
    #: moved, re-scored, optimum, capped, calls and touched
    summary: Summary

    @property
    def fingerprint(self) -> str:
        return plan_fingerprint(self.plan)


@dataclass(frozen=True)
class ApplyReport:
    team: str
    plan_id: int | None
    calls: int
    moved: int
    verified: bool
    touched: int = 0
    differences: list[str] = field(default_factory=list)
    resumed: bool = False
    replanned: bool = False


def plan_fingerprint(plan: RankPlan) -> str:
    """A short id of (current, target): an Apply button carries it to detect a changed backlog."""
    digest = hashlib.sha256("\n".join((*plan.current, "|", *plan.target)).encode()).hexdigest()
    return digest[:16]


def diff_rows(plan: RankPlan, ranking: Ranking) -> list[DiffRow]:
    """One row per item that changes place: where it was, where it goes, and why."""
    old = {key: index for index, key in enumerate(plan.current, start=1)}
    new = {key: index for index, key in enumerate(plan.target, start=1)}
    by_key = {ranked.key: ranked for ranked in ranking.items}
    rows = []
    for key in changed_places(ranking, plan):
        ranked = by_key.get(key)
        rows.append(
            DiffRow(
                key=key,
                summary=ranked.item.summary if ranked else "",
                old=old[key],
                new=new[key],
                reason=reason_for_move(ranked) if ranked else "",
                rescored=ranked is not None and rescored(ranked.item, ranked.score),
            )
        )
    return rows


def preview_reorder(svc: Services, team: Team) -> ReorderPreview:
    """Rank against the tool's live order and plan the fewest rank calls.

    Syncs first unless a sync just ran (:func:`~bot.usecases.sync.synced_recently`): the
    order is read live either way, and the scores come from the snapshot.
    """
    if not synced_recently(svc, team):
        sync_team(svc, team)
    connector = svc.connector_for(team)
    live = connector.read_order()
    scores = rank_snapshot(svc, team, load_items(svc, team), svc.clock(), order=live)
    ranked = set(scores.ranking.keys)
    current = [key for key in live if key in ranked]
    target = [key for key in scores.ranking.keys if key in set(current)]
    plan = plan_moves(current, target)
    return ReorderPreview(
        team=team,
        plan=plan,
        ranking=scores.ranking,
        rows=diff_rows(plan, scores.ranking),
        summary=summarize(scores.ranking, plan),
    )


def _resume_point(stored: StoredPlan, live: Sequence[str]) -> int | None:
    """Where a stored plan stands against the live order, or None if the backlog moved on.

    A crash can land between Jira accepting a move and the store recording it, so the live
    order may be one move ahead of the recorded progress; that move is then not sent again.
    """
    moves = stored.plan.moves
    planned = set(stored.plan.current)
    # the tool's order also holds items the plan leaves alone (done ones, for instance)
    relevant = [key for key in live if key in planned]
    for done in (stored.applied_moves, stored.applied_moves + 1):
        if done <= len(moves) and apply_moves(stored.plan.current, moves[:done]) == relevant:
            return done
    return None


def _run(
    svc: Services,
    team: Team,
    plan_id: int,
    plan: RankPlan,
    start_at: int,
    progress: Progress | None,
) -> tuple[bool, list[str]]:
    connector = svc.connector_for(team)

    def on_applied(index: int, move: RankMove) -> None:
        svc.store.mark_move_applied(plan_id, index)
        if progress is not None:
            progress(index + 1, plan.calls)

    try:
        apply_plan(connector, plan, start_at=start_at, on_applied=on_applied)
    except MoveFailedError as e:
        svc.store.finish_plan(plan_id, at=svc.clock(), status="failed", detail=str(e))
        raise
    after = connector.read_order()
    expected = list(plan.target)
    live = [key for key in after if key in set(expected)]
    differences = [
        f"position {index}: expected {want}, Jira has {got}"
        for index, (want, got) in enumerate(zip(expected, live, strict=False), start=1)
        if want != got
    ]
    verified = not differences and len(live) == len(expected)
    svc.store.finish_plan(
        plan_id,
        at=svc.clock(),
        status="applied",
        detail="verified" if verified else "; ".join(differences[:20]),
    )
    return verified, differences


def apply_reorder(
    svc: Services,
    team: Team,
    *,
    expected_fingerprint: str | None = None,
    progress: Progress | None = None,
) -> ApplyReport:
    """Finish an interrupted plan if there is one, else plan afresh and apply."""
    connector = svc.connector_for(team)
    pending = svc.store.pending_plan(team.name)
    if pending is not None:
        done = _resume_point(pending, connector.read_order())
        if done is not None:
            for index in range(pending.applied_moves, done):
                svc.store.mark_move_applied(pending.id, index)
            logger.info("resuming plan %d for %s at move %d", pending.id, team.name, done)
            verified, differences = _run(svc, team, pending.id, pending.plan, done, progress)
            return ApplyReport(
                team=team.name,
                plan_id=pending.id,
                calls=pending.plan.calls - done,
                moved=pending.plan.moved,
                touched=pending.plan.touched,
                verified=verified,
                differences=differences,
                resumed=True,
            )
        svc.store.finish_plan(
            pending.id, at=svc.clock(), status="superseded", detail="backlog changed meanwhile"
        )
    preview = preview_reorder(svc, team)
    replanned = expected_fingerprint is not None and expected_fingerprint != preview.fingerprint
    if replanned:
        return ApplyReport(
            team.name,
            None,
            preview.plan.calls,
            preview.plan.moved,
            False,
            touched=preview.plan.touched,
            replanned=True,
        )
    return _apply_new(svc, team, preview.plan, kind="reorder", progress=progress)


def _apply_new(
    svc: Services, team: Team, plan: RankPlan, *, kind: str, progress: Progress | None
) -> ApplyReport:
    if plan.calls == 0:
        return ApplyReport(team=team.name, plan_id=None, calls=0, moved=0, verified=True)
    plan_id = svc.store.save_plan(team.name, plan, kind=kind, at=svc.clock())
    verified, differences = _run(svc, team, plan_id, plan, 0, progress)
    return ApplyReport(
        team=team.name,
        plan_id=plan_id,
        calls=plan.calls,
        moved=plan.moved,
        touched=plan.touched,
        verified=verified,
        differences=differences,
    )


def undo_reorder(svc: Services, team: Team, *, progress: Progress | None = None) -> ApplyReport:
    """Restore the order the last applied reorder replaced, with the fewest calls."""
    last = svc.store.last_applied_plan(team.name)
    if last is None:
        raise NothingToUndoError(team.name)
    live = svc.connector_for(team).read_order()
    present = set(live)
    previous = [key for key in last.plan.current if key in present]
    known = set(previous)
    # issues created since keep their live position relative to their neighbours
    target = list(previous)
    for index, key in enumerate(live):
        if key not in known:
            target.insert(min(index, len(target)), key)
    report = _apply_new(svc, team, plan_moves(live, target), kind="undo", progress=progress)
    svc.store.mark_undone(last.id)
    return report
