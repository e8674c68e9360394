"""The initial schema: snapshots, history, rank plans, check-ins, job runs, the message log.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str = "at", *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "snapshot_items",
        sa.Column("team", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("order_key", sa.String(200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("team", sa.String(200), primary_key=True),
        _at("since"),
    )
    op.create_table(
        "score_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("model", sa.String(50), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        _at(),
    )
    op.create_index("ix_score_history_team_at", "score_history", ["team", "at"])
    op.create_table(
        "ranking_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(200), nullable=False),
        _at(),
        sa.Column("keys", sa.JSON(), nullable=False),
    )
    op.create_index("ix_ranking_history_team_at", "ranking_history", ["team", "at"])
    op.create_table(
        "rank_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _at("created_at"),
        _at("finished_at", nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("undone", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_rank_plans_team_status", "rank_plans", ["team", "status"])
    op.create_table(
        "rank_plan_progress",
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("rank_plans.id"), primary_key=True),
        sa.Column("move_index", sa.Integer(), primary_key=True),
    )
    op.create_table(
        "checkin_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("stakeholders", sa.JSON(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("hidden_until_close", sa.Boolean(), nullable=False),
        _at("opened_at"),
        _at("remind_at", nullable=True),
        _at("closed_at", nullable=True),
    )
    op.create_index("ix_checkin_rounds_team_closed", "checkin_rounds", ["team", "closed_at"])
    op.create_table(
        "checkin_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("checkin_rounds.id"), nullable=False),
        sa.Column("stakeholder", sa.String(100), nullable=False),
        sa.Column("item_key", sa.String(100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        _at(),
        sa.Column("role", sa.String(100), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.UniqueConstraint(
            "round_id", "stakeholder", "item_key", name="uq_checkin_ratings_answer"
        ),
    )
    op.create_index("ix_checkin_ratings_item_key", "checkin_ratings", ["item_key"])
    op.create_table(
        "checkin_reminders",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("checkin_rounds.id"), primary_key=True),
        sa.Column("stakeholder", sa.String(100), primary_key=True),
        _at(),
    )
    op.create_table(
        "realisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("stakeholder", sa.String(100), nullable=False),
        sa.Column("answer", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        _at(),
        sa.UniqueConstraint("key", "stakeholder", name="uq_realisations_key_stakeholder"),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("period", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("claimed_at"),
        _at("finished_at", nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.UniqueConstraint("job", "team", "period", name="uq_job_runs_key"),
    )
    op.create_table(
        "posted_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        _at(),
    )
    op.create_index("ix_posted_messages_team_at", "posted_messages", ["team", "at"])
    op.create_table(
        "seen_sprints",
        sa.Column("team", sa.String(200), primary_key=True),
        sa.Column("sprint_id", sa.Integer(), primary_key=True, autoincrement=False),
        _at(),
    )


def downgrade() -> None:
    for index, table in (
        ("ix_posted_messages_team_at", "posted_messages"),
        ("ix_checkin_ratings_item_key", "checkin_ratings"),
        ("ix_checkin_rounds_team_closed", "checkin_rounds"),
        ("ix_rank_plans_team_status", "rank_plans"),
        ("ix_ranking_history_team_at", "ranking_history"),
        ("ix_score_history_team_at", "score_history"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "seen_sprints",
        "posted_messages",
        "job_runs",
        "realisations",
        "checkin_reminders",
        "checkin_ratings",
        "checkin_rounds",
        "rank_plan_progress",
        "rank_plans",
        "ranking_history",
        "score_history",
        "sync_cursors",
        "snapshot_items",
    ):
        op.drop_table(table)
