"""The store: everything Northstar remembers between runs, in SQLite or PostgreSQL.

One :class:`Store` per process, shared by its threads. Each method is one short transaction,
so several processes (web replicas, the scheduler, the CLI) can share one database; the
exactly-once promises (``claim_run``, ``record_rating``) rest on unique constraints, not on
anything held in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from sqlalchemy import delete, func, select, text, update

from bot.storage.base import StoreBase, create_store_engine
from bot.storage.benefits import BenefitStore
from bot.storage.checkins import CheckinStore
from bot.storage.plans import PlanStore
from bot.storage.records import RankingRecord, ScoreRecord
from bot.storage.tables import (
    ConnectorState,
    JobRun,
    PostedMessage,
    RankingEntry,
    ScoreEntry,
    ScoreWriteRun,
    SeenSprint,
    SnapshotItem,
    SyncCursor,
)
from rules.model import Item, Score

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
#: The advisory lock that makes concurrent upgrades of one PostgreSQL database take turns
#: ("NSMIGRT1" in ASCII; the scheduler's leader lock is another key).
MIGRATION_LOCK_KEY = 0x4E53_4D49_4752_5431

RUNNING, DONE, FAILED = "running", "done", "failed"


def alembic_config() -> Config:
    """Alembic configured in code from the package's ``migrations`` folder (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


class Store(BenefitStore, CheckinStore, PlanStore, StoreBase):
    """Snapshots, history, rank plans, check-ins, the benefit register, job runs, messages."""

    def __init__(self, url: str):
        super().__init__(create_store_engine(url))

    @classmethod
    def open(cls, url: str) -> Store:
        """Open the database and bring its schema up to date (``db upgrade`` on first use)."""
        store = cls(url)
        try:
            store.upgrade()
        except Exception:
            store.close()
            raise
        return store

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision; a no-op when it is already there.

        Two processes opening a fresh database at once take turns: on PostgreSQL a
        transaction-level advisory lock, on SQLite the write lock ``BEGIN IMMEDIATE`` takes.
        The second then finds the schema current and does nothing.
        """
        config = alembic_config()
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        """Close pooled connections; the store stays usable and reconnects when next used."""
        self.engine.dispose()

    # ------------------------------------------------------------ backlog snapshots

    def save_snapshot(
        self,
        team: str,
        items: Sequence[Item],
        *,
        complete: bool,
        removed: Sequence[str] = (),
    ) -> None:
        """Store fetched items: a complete fetch replaces the snapshot, an incremental one merges.

        Merged items keep their place in insertion order; new ones go last. ``removed`` keys
        (items that left the backlog) are dropped.
        """
        with self._transaction() as session:
            if complete:
                session.execute(delete(SnapshotItem).where(SnapshotItem.team == team))
                positions: dict[str, int] = {}
            else:
                positions = dict(
                    session.execute(
                        select(SnapshotItem.key, SnapshotItem.position).where(
                            SnapshotItem.team == team
                        )
                    ).all()
                )
            following = max(positions.values(), default=-1) + 1
            rows = []
            for item in {item.key: item for item in items}.values():
                position = positions.get(item.key)
                if position is None:
                    position, following = following, following + 1
                rows.append(
                    {
                        "team": team,
                        "key": item.key,
                        "position": position,
                        "order_key": item.order_key,
                        "data": item.model_dump(mode="json"),
                    }
                )
            if rows:
                upsert = self._insert(SnapshotItem)
                session.execute(
                    upsert.on_conflict_do_update(
                        index_elements=["team", "key"],
                        set_={
                            "order_key": upsert.excluded.order_key,
                            "data": upsert.excluded.data,
                        },
                    ),
                    rows,
                )
            if removed and not complete:
                session.execute(
                    delete(SnapshotItem).where(
                        SnapshotItem.team == team, SnapshotItem.key.in_(list(removed))
                    )
                )

    def load_snapshot(self, team: str) -> list[Item]:
        """The team's items in the tool's order: by ``order_key``, then as they were stored.

        The sort happens here, not in SQL, because PostgreSQL collations would order rank
        strings (LexoRank) differently from SQLite's byte order.
        """
        with self._transaction() as session:
            rows = session.execute(
                select(SnapshotItem.position, SnapshotItem.order_key, SnapshotItem.data).where(
                    SnapshotItem.team == team
                )
            ).all()
        ordered = sorted(rows, key=lambda row: (row[1] is None, row[1] or "", row[0]))
        return [Item.model_validate(row[2]) for row in ordered]

    def get_cursor(self, team: str) -> datetime | None:
        """When the last sync of ``team`` started (less an overlap), or None: sync everything."""
        with self._transaction() as session:
            return session.scalar(select(SyncCursor.since).where(SyncCursor.team == team))

    def set_cursor(self, team: str, since: datetime) -> None:
        upsert = self._insert(SyncCursor).values(team=team, since=since)
        with self._transaction() as session:
            session.execute(
                upsert.on_conflict_do_update(index_elements=["team"], set_={"since": since})
            )

    def start_score_writes(self, team: str, at: datetime) -> None:
        """Note that a score write run began; until it finishes, the snapshot is not trusted."""
        upsert = self._insert(ScoreWriteRun).values(team=team, started_at=at, finished_at=None)
        with self._transaction() as session:
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=["team"], set_={"started_at": at, "finished_at": None}
                )
            )

    def finish_score_writes(self, team: str, at: datetime) -> None:
        """The run's accepted scores are in the snapshot: the next run may trust it."""
        with self._transaction() as session:
            session.execute(
                update(ScoreWriteRun).where(ScoreWriteRun.team == team).values(finished_at=at)
            )

    def score_writes_settled(self, team: str) -> bool:
        """Whether the snapshot holds the tool's scores: the last write run finished.

        False before any run is recorded (a store from before runs were recorded may hide an
        interrupted one), so the first run reads the tool's values.
        """
        with self._transaction() as session:
            row = session.execute(
                select(ScoreWriteRun.finished_at).where(ScoreWriteRun.team == team)
            ).first()
        return row is not None and row[0] is not None

    def connector_state(self, team: str) -> dict[str, Any] | None:
        """What the team's connector saved about its tool (see :meth:`save_connector_state`)."""
        with self._transaction() as session:
            return session.scalar(select(ConnectorState.data).where(ConnectorState.team == team))

    def save_connector_state(self, team: str, data: dict[str, Any], at: datetime) -> None:
        """Keep ``data`` for the team's next process (Jira: deployment type and fields)."""
        upsert = self._insert(ConnectorState).values(team=team, data=data, saved_at=at)
        with self._transaction() as session:
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=["team"], set_={"data": data, "saved_at": at}
                )
            )

    # ------------------------------------------------------------ score and ranking history

    def record_scores(self, team: str, scores: Sequence[Score], at: datetime) -> None:
        """Keep each item's score at ``at``: what the digest's "value moved" is computed from."""
        if not scores:
            return
        with self._transaction() as session:
            session.add_all(
                ScoreEntry(team=team, key=score.key, model=score.model, value=score.value, at=at)
                for score in scores
            )

    def record_ranking(self, team: str, keys: Sequence[str], at: datetime) -> None:
        with self._transaction() as session:
            session.add(RankingEntry(team=team, at=at, keys=list(keys)))

    def score_history(self, team: str, since: datetime | None = None) -> list[ScoreRecord]:
        """Recorded scores of ``team`` (from ``since`` on, when given), oldest first."""
        query = select(ScoreEntry.key, ScoreEntry.value, ScoreEntry.at).where(
            ScoreEntry.team == team
        )
        if since is not None:
            query = query.where(ScoreEntry.at >= since)
        with self._transaction() as session:
            rows = session.execute(query.order_by(ScoreEntry.at, ScoreEntry.id)).all()
        return [ScoreRecord(key, value, at) for key, value, at in rows]

    def rankings(self, team: str, since: datetime | None = None) -> list[RankingRecord]:
        """Recorded rankings of ``team`` (from ``since`` on, when given), oldest first."""
        query = select(RankingEntry.at, RankingEntry.keys).where(RankingEntry.team == team)
        if since is not None:
            query = query.where(RankingEntry.at >= since)
        with self._transaction() as session:
            rows = session.execute(query.order_by(RankingEntry.at, RankingEntry.id)).all()
        return [RankingRecord(at, tuple(keys)) for at, keys in rows]

    def ranking_before(self, team: str, at: datetime) -> RankingRecord | None:
        """The newest ranking recorded at or before ``at``: "where things stood" back then."""
        query = (
            select(RankingEntry.at, RankingEntry.keys)
            .where(RankingEntry.team == team, RankingEntry.at <= at)
            .order_by(RankingEntry.at.desc(), RankingEntry.id.desc())
            .limit(1)
        )
        with self._transaction() as session:
            row = session.execute(query).first()
        return None if row is None else RankingRecord(row[0], tuple(row[1]))

    # ------------------------------------------------------------ job runs (idempotency keys)

    def claim_run(self, job: str, team: str, period: str, now: datetime) -> bool:
        """Claim the run ``(job, team, period)``; True for exactly one caller until it fails.

        A run never claimed, or one that failed, is handed out (a failed one again, for the
        retry); one that is done or claimed and still running is not. Race-safe across
        processes: the unique key decides between two inserts, and a failed run is taken back
        by an UPDATE conditional on it still being failed, which only one caller can win.
        A claim whose process died stays claimed: posting twice is worse than not at all.
        """
        claim = (
            self._insert(JobRun)
            .values(
                job=job,
                team=team,
                period=period,
                status=RUNNING,
                attempts=1,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["job", "team", "period"])
            # RETURNING, not rowcount: PostgreSQL reports no row count for an INSERT that
            # fetches its new primary key
            .returning(JobRun.id)
        )
        retake = (
            update(JobRun)
            .where(
                JobRun.job == job,
                JobRun.team == team,
                JobRun.period == period,
                JobRun.status == FAILED,
            )
            .values(
                status=RUNNING,
                attempts=JobRun.attempts + 1,
                claimed_at=now,
                finished_at=None,
                detail=None,
            )
        )
        with self.engine.begin() as connection:
            if connection.execute(claim).first() is not None:
                return True
            return connection.execute(retake).rowcount == 1

    def run_finished_at(self, job: str, team: str, period: str) -> datetime | None:
        """When the run ``(job, team, period)`` finished ok, or None (never, or it failed)."""
        with self.engine.begin() as connection:
            found = connection.execute(
                select(JobRun.finished_at).where(
                    JobRun.job == job,
                    JobRun.team == team,
                    JobRun.period == period,
                    JobRun.status == DONE,
                )
            ).scalar()
        finished: datetime | None = found
        return finished

    def finish_run(
        self,
        job: str,
        team: str,
        period: str,
        *,
        ok: bool,
        at: datetime,
        detail: str | None = None,
    ) -> None:
        """Mark a claimed run done (never handed out again) or failed (handed out again)."""
        values = {"status": DONE if ok else FAILED, "finished_at": at, "detail": detail}
        with self.engine.begin() as connection:
            finished = connection.execute(
                update(JobRun)
                .where(JobRun.job == job, JobRun.team == team, JobRun.period == period)
                .values(**values)
            )
            if finished.rowcount == 0:
                logger.warning("run %s/%s/%s finished without a claim", job, team, period)
                connection.execute(
                    self._insert(JobRun)
                    .values(job=job, team=team, period=period, attempts=1, claimed_at=at, **values)
                    .on_conflict_do_nothing(index_elements=["job", "team", "period"])
                )

    # ------------------------------------------------------------ channel posts and sprints

    def record_message(self, team: str, channel: str, kind: str, at: datetime) -> None:
        """Log a post to a team channel, for the daily message budget."""
        with self._transaction() as session:
            session.add(PostedMessage(team=team, channel=channel, kind=kind, at=at))

    def messages_on(self, team: str, day: date, tz: ZoneInfo) -> int:
        """How many posts ``team`` got on ``day`` of its own calendar (midnight to midnight in tz).

        ``datetime.combine`` with the zone gives the right instant even when a DST change falls
        at midnight: a skipped midnight maps to the moment of the jump.
        """
        start = datetime.combine(day, time(0), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        query = select(func.count()).where(
            PostedMessage.team == team, PostedMessage.at >= start, PostedMessage.at < end
        )
        with self._transaction() as session:
            return session.scalar(query) or 0

    def mark_sprint_seen(self, team: str, sprint_id: int, at: datetime) -> None:
        """Remember that the sprint's start was dealt with, so the reminder poll skips it."""
        with self._transaction() as session:
            session.execute(
                self._insert(SeenSprint)
                .values(team=team, sprint_id=sprint_id, at=at)
                .on_conflict_do_nothing(index_elements=["team", "sprint_id"])
            )

    def sprint_seen(self, team: str, sprint_id: int) -> bool:
        query = select(SeenSprint.at).where(
            SeenSprint.team == team, SeenSprint.sprint_id == sprint_id
        )
        with self._transaction() as session:
            return session.scalar(query) is not None
