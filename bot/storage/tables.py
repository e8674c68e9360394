"""The tables Northstar keeps, as SQLAlchemy 2 typed declarative models.

The schema itself is created and changed only by the Alembic migrations in ``bot/migrations``;
these models are what the store queries with, and what a new migration is written against.
Slack's installation store and APScheduler's ``apscheduler_jobs`` live in the same database
with tables of their own, which these models never touch.

One module of some 400 lines on purpose: the whole schema read in one place is what a reviewer
checks a migration against.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
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


class ScoreWriteRun(Base):
    """A team's last score write run: started and not finished means it was interrupted."""

    __tablename__ = "score_write_runs"

    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


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


# ---------------------------------------------------------------- the benefit register
# Closed sets are CHECK constraints, so a row another tool writes cannot hold a status or
# category the register does not know; benefits are never deleted, so links, risks,
# measurements and reviews reference them without cascades.


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


BENEFIT_CATEGORIES = ("financial", "operational", "customer", "strategic")
BENEFIT_STATUSES = (
    "proposed",
    "active",
    "realising",
    "realised",
    "partly realised",
    "not realised",
    "closed",
)
_CONFIDENCE_CHECK = "confidence IS NULL OR confidence IN ('on track', 'at risk', 'off track')"
LEVELS = ("low", "medium", "high")


class BenefitEntry(Base):
    """One benefit of the register (``rules.benefits.Benefit``), its links and risks aside."""

    __tablename__ = "benefits"
    __table_args__ = (
        _one_of("category", BENEFIT_CATEGORIES, "ck_benefits_category"),
        _one_of("status", BENEFIT_STATUSES, "ck_benefits_status"),
        _one_of("direction", ("increase", "decrease", "range"), "ck_benefits_direction"),
        _one_of("cadence", ("weekly", "monthly", "quarterly"), "ck_benefits_cadence"),
        CheckConstraint(
            "target_date IS NULL OR baseline_date IS NULL OR target_date >= baseline_date",
            name="ck_benefits_dates",
        ),
        CheckConstraint("number > 0", name="ck_benefits_number"),
        UniqueConstraint("number", name="uq_benefits_number"),
        Index("ix_benefits_team", "team"),
    )

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: the n of BEN-n, so listings sort as people count
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(30))
    team: Mapped[str | None] = mapped_column(String(200))
    goals: Mapped[list[str]] = mapped_column(JSON)
    metric: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(20))
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[date | None] = mapped_column(Date)
    target: Mapped[float | None] = mapped_column(Float)
    target_date: Mapped[date | None] = mapped_column(Date)
    #: planned trajectory points: [{"on": "YYYY-MM-DD", "value": number}, ...]
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    realisation_start: Mapped[date | None] = mapped_column(Date)
    lag_days: Mapped[int] = mapped_column(Integer)
    money_per_month: Mapped[float | None] = mapped_column(Float)
    cost: Mapped[float | None] = mapped_column(Float)
    horizon_months: Mapped[int] = mapped_column(Integer)
    review_offsets: Mapped[list[int]] = mapped_column(JSON)
    cadence: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    #: where the entry last came from: a file name, "slack", "cli"
    source: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class BenefitLink(Base):
    """A Jira issue or epic that delivers a benefit, in the order the entry lists them."""

    __tablename__ = "benefit_links"
    __table_args__ = (Index("ix_benefit_links_key", "key"),)

    benefit_id: Mapped[str] = mapped_column(ForeignKey("benefits.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class BenefitRiskEntry(Base):
    """A risk to a benefit: written in the register, or raised by the risk rule (``automatic``)."""

    __tablename__ = "benefit_risks"
    __table_args__ = (
        _one_of("likelihood", LEVELS, "ck_benefit_risks_likelihood"),
        _one_of("impact", LEVELS, "ck_benefit_risks_impact"),
        Index("ix_benefit_risks_benefit", "benefit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[str] = mapped_column(ForeignKey("benefits.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[str] = mapped_column(String(10))
    impact: Mapped[str] = mapped_column(String(10))
    owner: Mapped[str | None] = mapped_column(String(100))
    mitigation: Mapped[str] = mapped_column(Text)
    open: Mapped[bool] = mapped_column(Boolean)
    automatic: Mapped[bool] = mapped_column(Boolean)
    raised_on: Mapped[date | None] = mapped_column(Date)


class MeasurementEntry(Base):
    """An actual of a benefit or of a value goal (exactly one of the two)."""

    __tablename__ = "measurements"
    __table_args__ = (
        CheckConstraint(
            "(benefit_id IS NULL AND goal IS NOT NULL AND goal_team IS NOT NULL)"
            " OR (benefit_id IS NOT NULL AND goal IS NULL AND goal_team IS NULL)",
            name="ck_measurements_subject",
        ),
        CheckConstraint(_CONFIDENCE_CHECK, name="ck_measurements_confidence"),
        Index("ix_measurements_benefit", "benefit_id", "measured_on"),
        Index("ix_measurements_goal", "goal_team", "goal", "measured_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[str | None] = mapped_column(ForeignKey("benefits.id"))
    goal_team: Mapped[str | None] = mapped_column(String(200))
    goal: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    measured_on: Mapped[date] = mapped_column(Date)
    confidence: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    who: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(50))
    recorded_at: Mapped[datetime]


class BenefitReviewEntry(Base):
    """A review of a benefit: scheduled once (the unique key), asked once, answered once."""

    __tablename__ = "benefit_reviews"
    __table_args__ = (
        UniqueConstraint("benefit_id", "kind", "offset_days", name="uq_benefit_reviews_key"),
        _one_of("kind", ("post-implementation", "sustainment"), "ck_benefit_reviews_kind"),
        CheckConstraint(
            "answer IS NULL OR answer IN ('yes', 'partly', 'no')", name="ck_benefit_reviews_answer"
        ),
        CheckConstraint(_CONFIDENCE_CHECK, name="ck_benefit_reviews_confidence"),
        CheckConstraint(
            "answered_at IS NULL OR answer IS NOT NULL", name="ck_benefit_reviews_answered"
        ),
        Index("ix_benefit_reviews_due", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[str] = mapped_column(ForeignKey("benefits.id"))
    kind: Mapped[str] = mapped_column(String(30))
    offset_days: Mapped[int] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(10))
    actual: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str | None] = mapped_column(String(20))
    lesson: Mapped[str | None] = mapped_column(Text)
    who: Mapped[str | None] = mapped_column(String(30))
