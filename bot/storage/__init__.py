"""Northstar's storage: SQLAlchemy 2 over SQLite or PostgreSQL, migrated by Alembic.

``Store.open(url)`` opens the database and migrates it to the newest schema (what
``northstar db upgrade`` does), so a fresh database works on first use.
"""

from bot.storage.base import UnsupportedDatabaseError
from bot.storage.benefits import Lesson, ReviewAnswer, StoredReview
from bot.storage.records import (
    PlanStatus,
    RankingRecord,
    RealisationRecord,
    ScoreRecord,
    StoredPlan,
    StoredRound,
)
from bot.storage.store import Store

__all__ = [
    "Lesson",
    "PlanStatus",
    "RankingRecord",
    "RealisationRecord",
    "ReviewAnswer",
    "ScoreRecord",
    "Store",
    "StoredPlan",
    "StoredReview",
    "StoredRound",
    "UnsupportedDatabaseError",
]
