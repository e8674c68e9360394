"""What the store hands back: frozen values, never live ORM rows tied to a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rules.model import RankPlan

#: ``pending`` until the run ends; a pending plan is what an interrupted apply resumes.
PlanStatus = Literal["pending", "applied", "failed", "superseded"]


@dataclass(frozen=True)
class StoredPlan:
    """A rank plan with its progress: which moves the tool accepted, and how it ended."""

    id: int
    team: str
    kind: str
    plan: RankPlan
    status: str
    created_at: datetime
    finished_at: datetime | None
    detail: str | None
    undone: bool
    #: indexes (into ``plan.moves``) of the moves already applied
    applied: frozenset[int]

    @property
    def applied_moves(self) -> int:
        """How many moves, from the first, are applied: where a resumed run starts."""
        done = 0
        while done in self.applied:
            done += 1
        return done


@dataclass(frozen=True)
class StoredRound:
    """A check-in round: whom it asks about which items, and when it opened and closed."""

    id: int
    team: str
    items: tuple[str, ...]
    stakeholders: tuple[str, ...]
    anonymous: bool
    hidden_until_close: bool
    opened_at: datetime
    remind_at: datetime | None
    closed_at: datetime | None

    @property
    def started_at(self) -> datetime:
        return self.opened_at


@dataclass(frozen=True)
class ScoreRecord:
    key: str
    value: float
    at: datetime


@dataclass(frozen=True)
class RankingRecord:
    at: datetime
    keys: tuple[str, ...]


@dataclass(frozen=True)
class RealisationRecord:
    """One answer to a realisation review (``stakeholder`` is the Slack user who answered)."""

    key: str
    stakeholder: str
    answer: str
    comment: str | None
    at: datetime

    @property
    def user(self) -> str:
        return self.stakeholder
