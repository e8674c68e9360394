"""Runs of work that must happen once: the names of the jobs, their outcomes, and the claim.

Every piece of once-only work (a weekly digest, a check-in round, a round's close, one
realisation question) is keyed ``(job, team, period)`` in the store. :func:`claimed` is the one
way to do such work::

    with claimed(svc.store, JobName.SYNC_AND_SCORE, team.name, period, now) as run:
        if not run.claimed:
            return ...  # somebody already did it (or is doing it)
        ...
        run.detail = "what it did"

A run that raises, or that the body marks with :meth:`Run.fail`, is left failed, and
``claim_run`` hands a failed run out again, so the next trigger (or a booked retry) does it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class JobName(StrEnum):
    """Every job the scheduler runs, by the name used in job ids and run keys.

    The values are stored (run keys, scheduler job ids), so they never change.
    """

    WEEKLY_DIGEST = "weekly_digest"
    SPRINT_START_REMINDER = "sprint_start_reminder"
    CHECKIN_ROUND = "checkin_round"
    CHECKIN_REMINDERS = "checkin_reminders"
    CHECKIN_CLOSE = "checkin_close"
    SYNC_AND_SCORE = "sync_and_score"
    REALISATION_REVIEWS = "realisation_reviews"
    BENEFIT_FOLLOW_UP = "benefit_follow_up"


class RunKey(StrEnum):
    """Run keys that are not a job's name: work done once per sprint or per item."""

    #: sprint-start reminders: ("reminder", team, "sprint-<id>")
    REMINDER = "reminder"
    #: one realisation question per delivered item: ("realisation", team, KEY)
    REALISATION_QUESTION = "realisation"
    #: benefit follow-up DMs: ("benefit_review", team, "review-<id>"), ("benefit_actual" and
    #: "benefit_nudge", team, "BEN-3:<cadence date>"), ("benefit_risk", team, "BEN-3:<day>")
    BENEFIT_REVIEW = "benefit_review"
    BENEFIT_ACTUAL = "benefit_actual"
    BENEFIT_NUDGE = "benefit_nudge"
    BENEFIT_RISK = "benefit_risk"


class Status(StrEnum):
    """What a job run did (also the ``outcome`` label of ``northstar_job_runs_total``)."""

    POSTED = "posted"
    DONE = "done"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    NOTHING = "nothing"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """The result of one job run; ``str()`` is the line the CLI prints and the log records."""

    job: str
    team: str
    period: str
    status: Status
    detail: str = ""
    until: datetime | None = None

    def __str__(self) -> str:
        text = f"{self.job} for {self.team} ({self.period}): {self.status}"
        return f"{text}, {self.detail}" if self.detail else text


class NotYetError(Exception):
    """Nothing worth posting yet, but maybe later: the run is left open for the next poll."""


class RunLog(Protocol):
    """The part of the store that makes work exactly-once across processes."""

    def claim_run(self, job: str, team: str, period: str, now: datetime) -> bool: ...

    def finish_run(
        self, job: str, team: str, period: str, *, ok: bool, at: datetime, detail: str | None = None
    ) -> None: ...


@dataclass
class Run:
    """One claimed (or not) run; the body sets ``detail`` and may :meth:`fail` it."""

    claimed: bool
    detail: str = ""
    ok: bool = True

    def fail(self, detail: str = "") -> None:
        """Leave the run failed without raising (so ``claim_run`` hands it out again)."""
        self.ok = False
        if detail:
            self.detail = detail


@contextmanager
def claimed(store: RunLog, job: str, team: str, period: str, now: datetime) -> Iterator[Run]:
    """Claim ``(job, team, period)``; finish it ok, failed (``run.fail``) or failed on raise.

    Only a run this call claimed is finished; the body decides what an unclaimed run means.
    """
    run = Run(claimed=store.claim_run(job, team, period, now))
    try:
        yield run
    except BaseException as e:
        if run.claimed:
            detail = run.detail or type(e).__name__
            store.finish_run(job, team, period, ok=False, at=now, detail=detail)
        raise
    if run.claimed:
        store.finish_run(job, team, period, ok=run.ok, at=now, detail=run.detail or None)


_RANK = {status: index for index, status in enumerate(Status)}


def merge_outcomes(job: str, team: str, outcomes: Iterable[Outcome], *, nothing: str) -> Outcome:
    """One outcome for a job that handled several keys (several sprints, several rounds)."""
    found = list(outcomes)
    if not found:
        return Outcome(job, team, "-", Status.NOTHING, nothing)
    if len(found) == 1:
        return found[0]
    worst = max((outcome.status for outcome in found), key=lambda status: _RANK[status])
    best = min((outcome.status for outcome in found), key=lambda status: _RANK[status])
    status = Status.FAILED if worst is Status.FAILED else best
    detail = "; ".join(f"{outcome.period}: {outcome.status}" for outcome in found)
    return Outcome(job, team, ",".join(outcome.period for outcome in found), status, detail)
