"""Rank plans with their progress, so an interrupted apply resumes and an applied one undoes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from bot.storage.base import StoreBase
from bot.storage.records import PlanStatus, StoredPlan
from bot.storage.tables import RankPlanProgress, RankPlanRow
from rules.model import RankPlan


class PlanStore(StoreBase):
    def save_plan(self, team: str, plan: RankPlan, *, kind: str, at: datetime) -> int:
        """Store a plan about to be applied (``pending``); returns its id.

        ``kind`` is ``reorder`` or ``undo``; only a reorder is ever undone.

        ``plan.current`` is kept with it: the order the plan replaces, which undo restores.
        """
        row = RankPlanRow(
            team=team,
            kind=kind,
            plan=plan.model_dump(mode="json"),
            status="pending",
            created_at=at,
            undone=False,
        )
        with self._transaction() as session:
            session.add(row)
            session.flush()
            return row.id

    def mark_move_applied(self, plan_id: int, index: int) -> None:
        """Record that the tool accepted move ``index`` of the plan (idempotent)."""
        with self._transaction() as session:
            session.execute(
                self._insert(RankPlanProgress)
                .values(plan_id=plan_id, move_index=index)
                .on_conflict_do_nothing(index_elements=["plan_id", "move_index"])
            )

    def finish_plan(
        self, plan_id: int, *, at: datetime, status: PlanStatus, detail: str | None = None
    ) -> None:
        with self._transaction() as session:
            session.execute(
                update(RankPlanRow)
                .where(RankPlanRow.id == plan_id)
                .values(status=status, finished_at=at, detail=detail)
            )

    def pending_plan(self, team: str) -> StoredPlan | None:
        """The newest plan of ``team`` whose run never finished (killed half-way), if any."""
        return self._newest_plan(RankPlanRow.team == team, RankPlanRow.status == "pending")

    def last_applied_plan(self, team: str) -> StoredPlan | None:
        """The newest applied reorder not yet undone: what ``undo`` reverts."""
        return self._newest_plan(
            RankPlanRow.team == team,
            RankPlanRow.kind == "reorder",
            RankPlanRow.status == "applied",
            RankPlanRow.undone.is_(False),
        )

    def mark_undone(self, plan_id: int) -> None:
        with self._transaction() as session:
            session.execute(
                update(RankPlanRow).where(RankPlanRow.id == plan_id).values(undone=True)
            )

    def _newest_plan(self, *conditions: ColumnElement[bool]) -> StoredPlan | None:
        query = select(RankPlanRow).where(*conditions).order_by(RankPlanRow.id.desc()).limit(1)
        with self._transaction() as session:
            row = session.scalars(query).first()
            return None if row is None else _stored(session, row)


def _stored(session: Session, row: RankPlanRow) -> StoredPlan:
    applied = session.scalars(
        select(RankPlanProgress.move_index).where(RankPlanProgress.plan_id == row.id)
    )
    return StoredPlan(
        id=row.id,
        team=row.team,
        kind=row.kind,
        plan=RankPlan.model_validate(row.plan),
        status=row.status,
        created_at=row.created_at,
        finished_at=row.finished_at,
        detail=row.detail,
        undone=row.undone,
        applied=frozenset(applied),
    )
