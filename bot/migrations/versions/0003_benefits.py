"""The benefit register: benefits, their links and risks, measurements, reviews.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIDENCE_CHECK = "confidence IS NULL OR confidence IN ('on track', 'at risk', 'off track')"


def _at(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _one_of(column: str, values: Sequence[str], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _number(name: str) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=True)


def _day(name: str, *, nullable: bool = True) -> sa.Column[date]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _benefit_id(*, nullable: bool = False, primary_key: bool = False) -> sa.Column[str]:
    return sa.Column(
        "benefit_id",
        sa.String(20),
        sa.ForeignKey("benefits.id"),
        nullable=nullable,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "benefits",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("number", sa.Integer(), nullable=False),
        _text("title"),
        _text("description"),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("owner", sa.String(30), nullable=True),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("goals", sa.JSON(), nullable=False),
        _text("metric"),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        _number("low"),
        _number("high"),
        _number("baseline"),
        _day("baseline_date"),
        _number("target"),
        _day("target_date"),
        sa.Column("milestones", sa.JSON(), nullable=False),
        _day("realisation_start"),
        sa.Column("lag_days", sa.Integer(), nullable=False),
        _number("money_per_month"),
        _number("cost"),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("review_offsets", sa.JSON(), nullable=False),
        sa.Column("cadence", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        _at("updated_at"),
        _one_of(
            "category",
            ("financial", "operational", "customer", "strategic"),
            "ck_benefits_category",
        ),
        _one_of(
            "status",
            (
                "proposed",
                "active",
                "realising",
                "realised",
                "partly realised",
                "not realised",
                "closed",
            ),
            "ck_benefits_status",
        ),
        _one_of("direction", ("increase", "decrease", "range"), "ck_benefits_direction"),
        _one_of("cadence", ("weekly", "monthly", "quarterly"), "ck_benefits_cadence"),
        sa.CheckConstraint(
            "target_date IS NULL OR baseline_date IS NULL OR target_date >= baseline_date",
            name="ck_benefits_dates",
        ),
        sa.CheckConstraint("number > 0", name="ck_benefits_number"),
        sa.UniqueConstraint("number", name="uq_benefits_number"),
    )
    op.create_index("ix_benefits_team", "benefits", ["team"])
    op.create_table(
        "benefit_links",
        _benefit_id(primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_benefit_links_key", "benefit_links", ["key"])
    op.create_table(
        "benefit_risks",
        sa.Column("id", sa.Integer(), primary_key=True),
        _benefit_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        _text("text"),
        sa.Column("likelihood", sa.String(10), nullable=False),
        sa.Column("impact", sa.String(10), nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        _text("mitigation"),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        _day("raised_on"),
        _one_of("likelihood", ("low", "medium", "high"), "ck_benefit_risks_likelihood"),
        _one_of("impact", ("low", "medium", "high"), "ck_benefit_risks_impact"),
    )
    op.create_index("ix_benefit_risks_benefit", "benefit_risks", ["benefit_id"])
    op.create_table(
        "measurements",
        sa.Column("id", sa.Integer(), primary_key=True),
        _benefit_id(nullable=True),
        sa.Column("goal_team", sa.String(200), nullable=True),
        sa.Column("goal", sa.String(200), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        _day("measured_on", nullable=False),
        sa.Column("confidence", sa.String(20), nullable=True),
        _text("note"),
        sa.Column("who", sa.String(30), nullable=True),
        sa.Column("source", sa.String(50), nullable=False),
        _at("recorded_at"),
        sa.CheckConstraint(
            "(benefit_id IS NULL AND goal IS NOT NULL AND goal_team IS NOT NULL)"
            " OR (benefit_id IS NOT NULL AND goal IS NULL AND goal_team IS NULL)",
            name="ck_measurements_subject",
        ),
        sa.CheckConstraint(CONFIDENCE_CHECK, name="ck_measurements_confidence"),
    )
    op.create_index("ix_measurements_benefit", "measurements", ["benefit_id", "measured_on"])
    op.create_index("ix_measurements_goal", "measurements", ["goal_team", "goal", "measured_on"])
    op.create_table(
        "benefit_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        _benefit_id(),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        _day("due", nullable=False),
        _at("asked_at", nullable=True),
        _at("answered_at", nullable=True),
        sa.Column("answer", sa.String(10), nullable=True),
        _number("actual"),
        sa.Column("confidence", sa.String(20), nullable=True),
        _text("lesson", nullable=True),
        sa.Column("who", sa.String(30), nullable=True),
        sa.UniqueConstraint("benefit_id", "kind", "offset_days", name="uq_benefit_reviews_key"),
        _one_of("kind", ("post-implementation", "sustainment"), "ck_benefit_reviews_kind"),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('yes', 'partly', 'no')", name="ck_benefit_reviews_answer"
        ),
        sa.CheckConstraint(CONFIDENCE_CHECK, name="ck_benefit_reviews_confidence"),
        sa.CheckConstraint(
            "answered_at IS NULL OR answer IS NOT NULL", name="ck_benefit_reviews_answered"
        ),
    )
    op.create_index("ix_benefit_reviews_due", "benefit_reviews", ["due"])


def downgrade() -> None:
    for index, table in (
        ("ix_benefit_reviews_due", "benefit_reviews"),
        ("ix_measurements_goal", "measurements"),
        ("ix_measurements_benefit", "measurements"),
        ("ix_benefit_risks_benefit", "benefit_risks"),
        ("ix_benefit_links_key", "benefit_links"),
        ("ix_benefits_team", "benefits"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("benefit_reviews", "measurements", "benefit_risks", "benefit_links", "benefits"):
        op.drop_table(table)
