"""Scheduled jobs: each a few lines that ask the budget and call a use case, once per period.

Every job has the :class:`Job` signature ``(svc, team, now, *, period, env, attempts)`` and works
out its idempotency key ``(job, team, period)``: ``("weekly_digest", team, "2026-W48")`` (the ISO
week on the team's calendar), ``("reminder", team, "sprint-<id>")``, ``("checkin_round", team,
"2026-11-19")`` (the team's day), ``("checkin_reminders", team, "round-<id>")``. The flow is::

    budget says "later"?  -> hold it back (one batch when the window opens)
    claimed(key)          -> not claimed: somebody already did it (or is doing it): skip
    run the use case, post to Slack; the run finishes ok, or failed when it raised

so a digest is posted once even when the trigger fires twice, the scheduler restarts, or two
processes race. A failed once-a-week post books a retry (:mod:`bot.scheduling.deferrals`).

This module never imports APScheduler. The scheduler calls :func:`run_job` and :func:`run_batch`
by their textual references, so stored jobs pickle as plain strings and tuples; the runner
installs (:func:`install`) the services they use (there is no fallback that builds its own).

A little over 400 lines: the eight jobs stay side by side with the one table (:data:`JOBS`)
and the scheduler's entry points, whose textual references are stored in the job store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk import WebClient

from bot.chat.messenger import SlackMessenger
from bot.chat.pacing import ChannelPacer
from bot.config import Team
from bot.errors import UserError
from bot.logs import bound
from bot.metrics import JOB_RUNS
from bot.scheduling.batch import deliver_batch
from bot.scheduling.budget import Decision, NotificationBudget
from bot.scheduling.deferrals import Deferrals, Deferred, hold, retry_later
from bot.storage import StoredRound
from bot.usecases.benefit_reviews import follow_up_benefits
from bot.usecases.channel_posts import POST_JOBS, deliver_post
from bot.usecases.checkins import close_round, open_round, remind_non_responders
from bot.usecases.realisation import ask_realisation
from bot.usecases.reminder import new_sprint_periods
from bot.usecases.reorder import apply_reorder
from bot.usecases.runs import JobName, Outcome, Status, claimed, merge_outcomes
from bot.usecases.score import score_team
from bot.usecases.sync import sync_team
from bot.wiring import Services
from rules.calendar import iso_week, local_day, local_slot

logger = logging.getLogger(__name__)


@dataclass
class JobEnv:
    """The I/O a job uses besides ``svc``; tests inject a client, a pacer and deferrals."""

    client: WebClient | None = None
    pacer: ChannelPacer | None = None
    deferrals: Deferrals | None = None
    _messenger: SlackMessenger | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def messenger(self, svc: Services) -> SlackMessenger:
        """The paced, budget-logged messenger over the injected client (else the bot's own)."""
        with self._lock:
            if self._messenger is None:
                client = self.client if self.client is not None else svc.slack_client()
                self._messenger = SlackMessenger(client, svc.store, svc.clock, pacer=self.pacer)
            return self._messenger


class Job(Protocol):
    """What every job is: run for ``team`` at ``now``; ``period`` and ``attempts`` replay one."""

    def __call__(
        self,
        svc: Services,
        team: Team | str,
        now: datetime,
        *,
        period: str | None = None,
        env: JobEnv | None = None,
        attempts: int = 0,
    ) -> Outcome: ...


# ---------------------------------------------------------------- the runtime the scheduler uses

_runtime: tuple[Services, JobEnv] | None = None
_runtime_lock = threading.Lock()


def install(svc: Services, env: JobEnv) -> None:
    """Make ``svc`` and ``env`` what :func:`run_job` uses (the runner does this at start)."""
    global _runtime
    with _runtime_lock:
        _runtime = (svc, env)


def uninstall() -> None:
    global _runtime
    with _runtime_lock:
        _runtime = None


def runtime() -> tuple[Services, JobEnv]:
    """The installed services; a stored job fired outside a running scheduler is a bug."""
    with _runtime_lock:
        if _runtime is None:
            raise RuntimeError("no services installed: only the scheduler runs stored jobs")
        return _runtime


# ---------------------------------------------------------------- helpers


def _team(svc: Services, team: Team | str) -> Team:
    return svc.config.team(team) if isinstance(team, str) else team


def _budget(svc: Services) -> NotificationBudget:
    """The budget over the store's message log; teams sharing a channel share its cap."""
    return NotificationBudget(svc.store, svc.config.teams)


def _post(
    svc: Services, team: Team, now: datetime, entry: Deferred, env: JobEnv, *, budget: bool = True
) -> Outcome:
    """One channel post: held back when the budget says so, a retry booked when it fails."""
    job = POST_JOBS[entry.job]
    if budget and team.channel:
        decision = _budget(svc).decide(now, team)
        if not decision.send:
            return hold(env.deferrals, team, entry, decision)
    try:
        return deliver_post(svc, env.messenger(svc), team, now, entry.job, entry.period)
    except Exception:
        if job.retry:
            retry_later(env.deferrals, team, entry, now, what=job.what)
        raise


def _waiting(job: str, team: Team, decision: Decision) -> Outcome:
    """A polled job that waits for the end of quiet time; the next poll after it does the work."""
    detail = f"waiting for the end of {decision.reason}"
    return Outcome(job, team.name, "-", Status.DEFERRED, detail, decision.until)


def _due_rounds(
    svc: Services, team: Team, period: str | None, is_due: Callable[[StoredRound], bool]
) -> list[StoredRound]:
    """The team's open rounds that are due (only ``round-<id>`` when a period is given)."""
    due = [checkin for checkin in svc.store.open_rounds(team.name) if is_due(checkin)]
    if period is not None:
        due = [checkin for checkin in due if f"round-{checkin.id}" == period]
    return due


# ---------------------------------------------------------------- the jobs


def weekly_digest(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Post the team's weekly value digest and burn-up chart, once per ISO week (team's tz)."""
    chosen = _team(svc, team)
    entry = Deferred(JobName.WEEKLY_DIGEST, period or iso_week(now, chosen.zone), attempts)
    return _post(svc, chosen, now, entry, env or JobEnv())


def sprint_start_reminder(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Post a reminder, once per sprint, for each active sprint not seen before.

    Polled every few minutes: a sprint is "seen" once its reminder is posted (or when it has
    closed by the time a held-back reminder is due), so each poll is cheap and idempotent.
    """
    chosen = _team(svc, team)
    environment = env or JobEnv()
    job = JobName.SPRINT_START_REMINDER
    periods = [period] if period is not None else new_sprint_periods(svc, chosen)
    outcomes = [
        _post(svc, chosen, now, Deferred(job, each, attempts), environment) for each in periods
    ]
    return merge_outcomes(job, chosen.name, outcomes, nothing="no new active sprint")


def checkin_round(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Start the team's scheduled stakeholder check-in round, once per day (team's calendar)."""
    chosen = _team(svc, team)
    environment = env or JobEnv()
    job = JobName.CHECKIN_ROUND
    entry = Deferred(job, period or local_day(now, chosen.zone), attempts)
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:
        return hold(environment.deferrals, chosen, entry, decision)
    try:
        with claimed(svc.store, job, chosen.name, entry.period, now) as run:
            if not run.claimed:
                return Outcome(job, chosen.name, entry.period, Status.SKIPPED, "already done")
            try:
                messenger = environment.messenger(svc)
                round_id = open_round(svc, chosen, started_by=None, messenger=messenger).round_id
            except UserError as e:
                # no stakeholders or no open items: nothing a retry would fix, so say so and stop
                run.fail(str(e))
                logger.warning("check-in round for %s not started: %s", chosen.name, e)
                return Outcome(job, chosen.name, entry.period, Status.NOTHING, str(e))
            run.detail = f"round {round_id}"
    except Exception:
        retry_later(environment.deferrals, chosen, entry, now, what="check-in round")
        raise
    return Outcome(job, chosen.name, entry.period, Status.DONE, f"round {round_id} started")


def checkin_reminders(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Nudge, once, the stakeholders who have not answered an open round after its reminder time.

    ``team.schedule.checkin_reminder_hours`` after a round opens (its ``remind_at``), each
    non-responder gets one direct message. Polled; outside quiet hours only. A run whose DMs
    partly failed stays failed, so the next poll reminds the rest (never anyone twice).
    """
    chosen = _team(svc, team)
    environment = env or JobEnv()
    job = JobName.CHECKIN_REMINDERS
    due = _due_rounds(
        svc, chosen, period, lambda round_: round_.remind_at is not None and round_.remind_at <= now
    )
    if not due:
        return Outcome(job, chosen.name, "-", Status.NOTHING, "no round due")
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:  # the next poll after the quiet time sends them
        return _waiting(job, chosen, decision)
    outcomes = []
    for checkin in due:
        key = f"round-{checkin.id}"
        with claimed(svc.store, job, chosen.name, key, now) as run:
            if not run.claimed:
                outcomes.append(Outcome(job, chosen.name, key, Status.SKIPPED))
                continue
            answered = svc.store.responders(checkin.id) | svc.store.reminded(checkin.id)
            waiting = [user for user in checkin.stakeholders if user not in answered]
            messenger = environment.messenger(svc)
            reached = remind_non_responders(svc, checkin.id, now, messenger=messenger)
            run.detail = f"reminded {len(reached)} of {len(waiting)}"
            if not set(waiting) <= set(reached):
                run.fail()
        status = Status.DONE if run.ok else Status.FAILED
        outcomes.append(Outcome(job, chosen.name, key, status, run.detail))
    return merge_outcomes(job, chosen.name, outcomes, nothing="no round due")


def checkin_close(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Close rounds open for ``checkin_close_hours`` and post each summary to the channel.

    Polled. The summary is a channel post, so quiet hours and the daily cap hold it back to a
    later poll. Each round closes once (:func:`bot.usecases.checkins.close_round` claims it); a
    failed post leaves the round open, so the next poll tries again.
    """
    chosen = _team(svc, team)
    environment = env or JobEnv()
    job = JobName.CHECKIN_CLOSE
    open_for = timedelta(hours=chosen.schedule.checkin_close_hours)
    due = _due_rounds(svc, chosen, period, lambda round_: round_.opened_at + open_for <= now)
    if not due:
        return Outcome(job, chosen.name, "-", Status.NOTHING, "no round due")
    decision = _budget(svc).decide(now, chosen)
    if not decision.send:
        return _waiting(job, chosen, decision)
    outcomes = []
    for checkin in due:
        summary = close_round(svc, checkin.id, now, messenger=environment.messenger(svc))
        status = Status.POSTED if summary is not None else Status.SKIPPED
        outcomes.append(Outcome(job, chosen.name, f"round-{checkin.id}", status))
    return merge_outcomes(job, chosen.name, outcomes, nothing="no round due")


def sync_and_score(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Sync the backlog, write changed scores, and reorder when the team set ``auto_reorder``."""
    chosen = _team(svc, team)
    job = JobName.SYNC_AND_SCORE
    key = period or local_slot(now, chosen.zone)
    with claimed(svc.store, job, chosen.name, key, now) as run:
        if not run.claimed:
            return Outcome(job, chosen.name, key, Status.SKIPPED, "already done")
        report = sync_team(svc, chosen)
        scores = score_team(svc, chosen, write=True)
        run.detail = f"fetched {report.fetched}, wrote {len(scores.written)} score(s)"
        if chosen.auto_reorder:
            applied = apply_reorder(svc, chosen)
            run.detail += f", moved {applied.moved} with {applied.calls} rank call(s)"
    return Outcome(job, chosen.name, key, Status.DONE, run.detail)


def realisation_reviews(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Ask whether delivered benefits came (each item once; see ``ask_realisation``)."""
    chosen = _team(svc, team)
    environment = env or JobEnv()
    job = JobName.REALISATION_REVIEWS
    key = period or local_day(now, chosen.zone)
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:
        return hold(environment.deferrals, chosen, Deferred(job, key, attempts), decision)
    with claimed(svc.store, job, chosen.name, key, now) as run:
        if not run.claimed:
            return Outcome(job, chosen.name, key, Status.SKIPPED, "already done")
        asked = ask_realisation(svc, chosen, now, messenger=environment.messenger(svc))
        run.detail = f"asked about {', '.join(asked)}" if asked else "nothing due"
    return Outcome(job, chosen.name, key, Status.DONE, run.detail)


def benefit_follow_up(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    attempts: int = 0,
) -> Outcome:
    """Ask for actuals, hold reviews, flag risks (each DM once; see ``follow_up_benefits``).

    Direct messages only, so quiet hours hold the sweep back and the daily cap does not.
    """
    chosen = _team(svc, team)
    environment = env or JobEnv()
    job = JobName.BENEFIT_FOLLOW_UP
    key = period or local_day(now, chosen.zone)
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:
        return hold(environment.deferrals, chosen, Deferred(job, key, attempts), decision)
    done = follow_up_benefits(svc, chosen, now, messenger=environment.messenger(svc))
    status = Status.FAILED if done.failed else Status.DONE
    return Outcome(job, chosen.name, key, status, done.summary())


#: Every job the scheduler may run, by the name used in job ids ("<job>:<team>") and run keys.
JOBS: dict[str, Job] = {
    JobName.WEEKLY_DIGEST: weekly_digest,
    JobName.SPRINT_START_REMINDER: sprint_start_reminder,
    JobName.CHECKIN_ROUND: checkin_round,
    JobName.CHECKIN_REMINDERS: checkin_reminders,
    JobName.CHECKIN_CLOSE: checkin_close,
    JobName.SYNC_AND_SCORE: sync_and_score,
    JobName.REALISATION_REVIEWS: realisation_reviews,
    JobName.BENEFIT_FOLLOW_UP: benefit_follow_up,
}


# ---------------------------------------------------------------- held-back runs, as one batch


def run_deferred(
    svc: Services, team: Team | str, entries: Sequence[Deferred], now: datetime, env: JobEnv
) -> list[Outcome]:
    """Run held-back work; the channel posts among it go out as **one** message.

    Called when the quiet window opens (or a retry is due). When the budget still says no
    (the daily cap), everything is held back again. Each post keeps its own run key, so a
    post that meanwhile went out some other way is left out.
    """
    chosen = _team(svc, team)
    posts = [entry for entry in entries if entry.job in POST_JOBS]
    outcomes = [
        JOBS[entry.job](svc, chosen, now, period=entry.period, env=env, attempts=entry.attempts)
        for entry in entries
        if entry.job not in POST_JOBS and entry.job in JOBS
    ]
    if posts:
        outcomes += deliver_batch(svc, env.messenger(svc), chosen, now, posts, env.deferrals)
    return outcomes


# ---------------------------------------------------------------- what the scheduler calls


def run_job(job: str, team: str) -> None:
    """Scheduler entry point (``bot.scheduling.jobs:run_job``): run ``job`` for ``team`` now.

    Never raises: a failure is logged with the job id and counted, the run stays failed in the
    store, and the next trigger (or a booked retry) runs it again.
    """
    svc, env = runtime()
    with bound(job=f"{job}:{team}"):
        function = JOBS.get(job)
        if function is None or all(known.name != team for known in svc.config.teams):
            logger.warning("job %s for team %s is no longer configured; skipped", job, team)
            return
        try:
            outcome = function(svc, team, svc.clock(), env=env)
        except Exception:
            logger.exception("job %s for %s failed", job, team)
            JOB_RUNS.labels(job, Status.FAILED.value).inc()
            return
        JOB_RUNS.labels(job, outcome.status.value).inc()
        logger.info("%s", outcome)


def run_batch(team: str, entries: Sequence[Sequence[Any]]) -> None:
    """Scheduler entry point for held-back work (``bot.scheduling.jobs:run_batch``)."""
    svc, env = runtime()
    with bound(job=f"batch:{team}"):
        if all(known.name != team for known in svc.config.teams):
            logger.warning("held-back work for team %s dropped: no longer configured", team)
            return
        try:
            outcomes = run_deferred(
                svc, team, [Deferred.from_args(raw) for raw in entries], svc.clock(), env
            )
        except Exception:
            logger.exception("held-back work for %s failed", team)
            JOB_RUNS.labels("batch", Status.FAILED.value).inc()
            return
        for outcome in outcomes:
            JOB_RUNS.labels(outcome.job, outcome.status.value).inc()
            logger.info("%s", outcome)
