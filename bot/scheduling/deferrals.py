"""Held-back runs: what the budget postponed, and the retries booked after a failed post.

A deferral is plain values (job, period, attempts), so the scheduler's job store pickles no
class of ours; the runner keeps them as one job per team (:class:`~bot.scheduling.runner.
SchedulerDeferrals`), tests and one-off processes in memory (:class:`MemoryDeferrals`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.chat import messages
from bot.config import Team
from bot.scheduling.budget import Decision
from bot.usecases.runs import Outcome, Status

logger = logging.getLogger(__name__)

#: Waits before retrying a failed once-a-week post; after the last, the run stays failed.
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)


@dataclass(frozen=True, slots=True)
class Deferred:
    """A job run held back for later: by the budget, or to retry a failed post."""

    job: str
    period: str
    attempts: int = 0

    def as_args(self) -> tuple[str, str, int]:
        """Plain values, so the scheduler's job store pickles no class of ours."""
        return (self.job, self.period, self.attempts)

    @classmethod
    def from_args(cls, raw: Sequence[Any]) -> Deferred:
        job, period, *rest = raw
        return cls(str(job), str(period), int(rest[0]) if rest else 0)


class Deferrals(Protocol):
    """Where held-back runs wait; the scheduler's implementation persists them as one job."""

    def defer(self, team: str, entry: Deferred, until: datetime) -> None: ...


class MemoryDeferrals:
    """Held-back runs kept in memory: for tests and one-off processes without a scheduler."""

    def __init__(self) -> None:
        self.pending: dict[str, dict[tuple[str, str], Deferred]] = {}
        self.until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def defer(self, team: str, entry: Deferred, until: datetime) -> None:
        with self._lock:
            merge_deferred(self.pending.setdefault(team, {}), entry)
            self.until[team] = min(self.until.get(team, until), until)

    def take(self, team: str) -> list[Deferred]:
        """Everything held back for ``team``, removed from the queue."""
        with self._lock:
            self.until.pop(team, None)
            return list(self.pending.pop(team, {}).values())


def merge_deferred(queue: dict[tuple[str, str], Deferred], entry: Deferred) -> None:
    """Add ``entry`` once per (job, period), keeping the higher attempt count."""
    key = (entry.job, entry.period)
    known = queue.get(key)
    if known is None or known.attempts < entry.attempts:
        queue[key] = entry


def retry_later(
    deferrals: Deferrals | None, team: Team, entry: Deferred, now: datetime, *, what: str
) -> datetime | None:
    """Book a retry of a failed post, backing off; None when the retries are used up."""
    if deferrals is None:
        logger.warning("%s for %s (%s) failed; the next run retries", what, team.name, entry.period)
        return None
    if entry.attempts >= len(RETRY_DELAYS):
        logger.error("%s for %s (%s) failed; no retry left", what, team.name, entry.period)
        return None
    until = now + RETRY_DELAYS[entry.attempts]
    deferrals.defer(team.name, Deferred(entry.job, entry.period, entry.attempts + 1), until)
    logger.warning("%s for %s (%s) failed; retrying at %s", what, team.name, entry.period, until)
    return until


def hold(deferrals: Deferrals | None, team: Team, entry: Deferred, decision: Decision) -> Outcome:
    """Hold ``entry`` back until the budget's window opens (or the next trigger after it)."""
    until = decision.until
    if deferrals is not None and until is not None:
        deferrals.defer(team.name, entry, until)
        detail = messages.deferred(until.astimezone(team.zone), decision.reason)
    else:
        # no scheduler to hold it: the next trigger after the window opens will run it
        detail = f"not sent ({decision.reason}); the next run after the quiet time sends it"
    logger.info("%s for %s (%s): %s", entry.job, team.name, entry.period, detail)
    return Outcome(entry.job, team.name, entry.period, Status.DEFERRED, detail, until)
