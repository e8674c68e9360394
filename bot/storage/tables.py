"""The tables Northstar keeps, as SQLAlchemy 2 typed declarative models.

The schema itself is created and changed only by the Alembic migrations in ``bot/migrations``;
these models are what the store queries with, and what a new migration is written against.
Slack's installation store and APScheduler's ``apscheduler_jobs`` live in the same database
with tables of their own, which these models never touch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Alembic's version table, named so it never collides with another app's in a shared database
VERSION_TABLE = "northstar_alembic_version"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, the same instant as an aware UTC datetime out, on every database.

    SQLite has no time zones (it hands back naive datetimes), so instants are stored as naive
    UTC there and made aware again on the way out; PostgreSQL keeps ``timestamptz``. A naive
    datetime is refused on the way in: its meaning would depend on the host's clock.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class SnapshotItem(Base):
    """The last known state of one backlog item: the whole ``Item`` as JSON, plus its order."""

    __tablename__ = "snapshot_items"

    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: insertion order: the tool's order for items without an ``order_key``
    position: Mapped[int] = mapped_column(Integer)
    order_key: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]


class SyncCursor(Base):
    __tablename__ = "sync_cursors"

    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    since: Mapped[datetime]


class ConnectorState(Base):
    """What a team's connector learned about its tool, so a new process need not ask again."""

    __tablename__ = "connector_state"

    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]


class ScoreEntry(Base):
    __tablename__ = "score_history"
    __table_args__ = (Index("ix_score_history_team_at", "team", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(50))
    value: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]


class RankingEntry(Base):
    __tablename__ = "ranking_history"
    __table_args__ = (Index("ix_ranking_history_team_at", "team", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    keys: Mapped[list[str]] = mapped_column(JSON)


class RankPlanRow(Base):
    """A rank plan as applied: ``plan.current`` is the order it replaced, which undo restores."""

    __tablename__ = "rank_plans"
    __table_args__ = (Index("ix_rank_plans_team_status", "team", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    plan: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class RankPlanProgress(Base):
    """One move of a plan the tool accepted: what a resumed run must not send again."""

    __tablename__ = "rank_plan_progress"

    plan_id: Mapped[int] = mapped_column(ForeignKey("rank_plans.id"), primary_key=True)
    move_index: Mapped[int] = mapped_column(Integer, primary_key=True)


class CheckinRound(Base):
    __tablename__ = "checkin_rounds"
    __table_args__ = (Index("ix_checkin_rounds_team_closed", "team", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[str]] = mapped_column(JSON)
    stakeholders: Mapped[list[str]] = mapped_column(JSON)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    hidden_until_close: Mapped[bool] = mapped_column(Boolean)
    opened_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class CheckinRating(Base):
    """A stakeholder's current rating of one item in one round (a change replaces it)."""

    __tablename__ = "checkin_ratings"
    __table_args__ = (
        UniqueConstraint("round_id", "stakeholder", "item_key", name="uq_checkin_ratings_answer"),
        Index("ix_checkin_ratings_item_key", "item_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("checkin_rounds.id"))
    stakeholder: Mapped[str] = mapped_column(String(100))
    item_key: Mapped[str] = mapped_column(String(100))
    value: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    role: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)


class CheckinReminder(Base):
    __tablename__ = "checkin_reminders"

    round_id: Mapped[int] = mapped_column(ForeignKey("checkin_rounds.id"), primary_key=True)
    stakeholder: Mapped[str] = mapped_column(String(100), primary_key=True)
    at: Mapped[datetime]


class Realisation(Base):
    """A stakeholder's answer to "did the planned benefit come?" (their newest one counts)."""

    __tablename__ = "realisations"
    __table_args__ = (
        UniqueConstraint("key", "stakeholder", name="uq_realisations_key_stakeholder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    stakeholder: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class JobRun(Base):
    """The idempotency key of a job run: (job, team, period) is claimed by exactly one runner."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "team", "period", name="uq_job_runs_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    team: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(Text)


class PostedMessage(Base):
    """A post to a team channel, counted against the team's daily message budget."""

    __tablename__ = "posted_messages"
    __table_args__ = (Index("ix_posted_messages_team_at", "team", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime]


class SeenSprint(Base):
    __tablename__ = "seen_sprints"

    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    sprint_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
