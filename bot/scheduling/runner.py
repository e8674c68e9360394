"""The scheduler process (``northstar scheduler``): APScheduler 3 with jobs kept in the database.

* Jobs live in the ``apscheduler_jobs`` table (:class:`SQLAlchemyJobStore` on the store's
  engine), under ids ``"<job>:<team>"``, and name their function by textual reference
  (``bot.scheduling.jobs:run_job`` with args ``(job, team)``), so they pickle as plain data.
* ``coalesce=True`` and a misfire grace time (``NORTHSTAR_SCHEDULER_MISFIRE_GRACE_SECONDS``,
  default an hour; APScheduler's own default of one second is far too short) make a scheduler
  that was down at 09:00 post the missed digest **once** when it comes back at 09:20, and only
  the latest of several missed runs.
* On start the configured jobs are reconciled with the stored ones: a job whose trigger did not
  change keeps its stored next run time. (Plain ``add_job(replace_existing=True)`` would
  recompute it from *now* and silently drop the run that was missed while the process was down.)
* Only the leader schedules (:mod:`bot.scheduling.leader`); web processes never import this
  module.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Team
from bot.scheduling import jobs
from bot.scheduling.deferrals import Deferred, merge_deferred
from bot.scheduling.jobs import JobEnv
from bot.scheduling.leader import Elector, elector_for, wait_for_leadership
from bot.scheduling.triggers import ScheduleError, parse_schedule
from bot.usecases.runs import JobName
from bot.wiring import SLACK_OFF

if TYPE_CHECKING:
    from bot.wiring import Services

logger = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
RUN_JOB = "bot.scheduling.jobs:run_job"
RUN_BATCH = "bot.scheduling.jobs:run_batch"
BATCH_PREFIX = "batch:"
#: Default seconds between a standby's leadership attempts and the leader's liveness checks.
DEFAULT_LEADER_POLL_SECONDS = 15.0
#: Jobs running at once; they share one Services, so keep it small.
WORKERS = 4
#: When delivered benefits are reviewed (no schedule key for it yet: weekday mornings).
REALISATION_SCHEDULE = "weekdays 10:00"


@dataclass(frozen=True)
class PlannedJob:
    """One job the config asks for: id ``"<job>:<team>"``, the job name, the team, the trigger."""

    id: str
    job: str
    team: str
    trigger: Any


def _cron(team: Team, key: str, value: str) -> Any:
    try:
        return parse_schedule(value, team.zone)
    except ScheduleError as e:
        raise ScheduleError(f"team {team.name!r}, schedule.{key}: {e}") from e


#: the jobs that run with Slack off: the rest post or send direct messages
WITHOUT_SLACK = frozenset({JobName.SYNC_AND_SCORE})


def planned_jobs(team: Team) -> list[PlannedJob]:
    """The jobs ``team``'s config asks for, with triggers on the team's clock.

    Raises:
        ScheduleError: a schedule string is wrong; the message names the team and the key.
    """
    schedule = team.schedule
    poll = IntervalTrigger(minutes=schedule.reminder_poll_minutes, timezone=team.zone)
    wanted: list[tuple[str, Any]] = []
    if schedule.digest and team.channel:
        wanted.append((JobName.WEEKLY_DIGEST, _cron(team, "digest", schedule.digest)))
    if team.channel:
        wanted.append((JobName.SPRINT_START_REMINDER, poll))
    if schedule.checkin and team.stakeholders:
        wanted.append((JobName.CHECKIN_ROUND, _cron(team, "checkin", schedule.checkin)))
    if team.stakeholders:
        wanted.append((JobName.CHECKIN_REMINDERS, poll))
        wanted.append((JobName.CHECKIN_CLOSE, poll))
        wanted.append(
            (JobName.REALISATION_REVIEWS, _cron(team, "realisation", REALISATION_SCHEDULE))
        )
    # cheap when the team has no benefits; the owners it DMs are in the register, not the config
    wanted.append((JobName.BENEFIT_FOLLOW_UP, _cron(team, "benefits", REALISATION_SCHEDULE)))
    if schedule.sync:
        wanted.append((JobName.SYNC_AND_SCORE, _cron(team, "sync", schedule.sync)))
    return [PlannedJob(f"{job}:{team.name}", job, team.name, trigger) for job, trigger in wanted]


def _grace_seconds(svc: Services) -> int:
    return svc.settings.scheduler_misfire_grace_seconds


def build_scheduler(svc: Services, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler over the store's database; not started, no jobs added yet.

    It also installs ``svc`` (and deferrals that persist in the same job store) as the runtime
    :func:`bot.scheduling.jobs.run_job` uses, since stored jobs carry only names.
    """
    job_defaults = {
        "coalesce": True,
        "misfire_grace_time": _grace_seconds(svc),
        "max_instances": 1,
    }
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler: BaseScheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=svc.store.engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(WORKERS)},
        job_defaults=job_defaults,
        timezone=UTC,
    )
    jobs.install(svc, JobEnv(deferrals=SchedulerDeferrals(scheduler)))
    return scheduler


def _same_trigger(old: Any, new: Any) -> bool:
    if type(old) is not type(new) or str(old.timezone) != str(new.timezone):
        return False
    if isinstance(new, IntervalTrigger):
        return bool(old.interval == new.interval)
    return str(old) == str(new)


def sync_jobs(scheduler: BaseScheduler, svc: Services) -> list[str]:
    """Make the stored jobs match the config; returns the ids of the planned jobs.

    Call on a started (usually paused) scheduler. Unchanged jobs keep their stored next run
    time, so a run missed while no scheduler was up still happens (once, within the grace
    time); changed ones are replaced; jobs of removed teams or schedules are deleted.
    """
    planned = [job for team in svc.config.teams for job in planned_jobs(team)]
    if not svc.settings.slack_enabled:
        dropped = [job for job in planned if job.job not in WITHOUT_SLACK]
        planned = [job for job in planned if job.job in WITHOUT_SLACK]
        if dropped:
            logger.warning(
                "%s; not scheduling %d Slack job(s): %s",
                SLACK_OFF,
                len(dropped),
                ", ".join(job.id for job in dropped),
            )
    teams = {team.name for team in svc.config.teams}
    for job in planned:
        existing = scheduler.get_job(job.id)
        options: dict[str, Any] = {}
        if (
            existing is not None
            and existing.next_run_time is not None
            and _same_trigger(existing.trigger, job.trigger)
        ):
            options["next_run_time"] = existing.next_run_time
        scheduler.add_job(
            RUN_JOB,
            job.trigger,
            args=(job.job, job.team),
            id=job.id,
            name=f"{job.job} for {job.team}",
            replace_existing=True,
            **options,
        )
    keep = {job.id for job in planned}
    for stored in scheduler.get_jobs():
        held = stored.id.startswith(BATCH_PREFIX)
        if (held and stored.id.removeprefix(BATCH_PREFIX) not in teams) or (
            not held and stored.id not in keep
        ):
            logger.info("removing job %s: no longer in the config", stored.id)
            scheduler.remove_job(stored.id)
    return [job.id for job in planned]


class SchedulerDeferrals:
    """Held-back runs of a team as one date job ``"batch:<team>"`` in the persistent job store.

    Each deferral merges into the team's pending batch (once per job and period) and moves its
    run time to the earliest requested, so everything held back by quiet hours goes out as one
    message when the window opens, even if the scheduler restarts in between.
    """

    def __init__(self, scheduler: BaseScheduler):
        self._scheduler = scheduler
        self._lock = threading.Lock()

    def defer(self, team: str, entry: Deferred, until: datetime) -> None:
        job_id = f"{BATCH_PREFIX}{team}"
        with self._lock:
            queue: dict[tuple[str, str], Deferred] = {}
            run_at = until
            existing = self._scheduler.get_job(job_id)
            if existing is not None:
                for raw in existing.args[1]:
                    merge_deferred(queue, Deferred.from_args(raw))
                if existing.next_run_time is not None:
                    run_at = min(run_at, existing.next_run_time)
            merge_deferred(queue, entry)
            self._scheduler.add_job(
                RUN_BATCH,
                DateTrigger(run_date=run_at, timezone=UTC),
                args=(team, tuple(item.as_args() for item in queue.values())),
                id=job_id,
                name=f"held-back posts for {team}",
                replace_existing=True,
                misfire_grace_time=None,  # late is fine: held-back work must not be dropped
            )


@contextmanager
def _signals_set(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (only possible, and only done, on the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        logger.info("received signal %d; stopping the scheduler", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _lead(svc: Services, elector: Elector, stop: threading.Event, poll: float) -> None:
    """Run the scheduler while leading; return on ``stop`` or when leadership is lost."""
    scheduler = build_scheduler(svc)
    scheduler.start(paused=True)
    try:
        planned = sync_jobs(scheduler, svc)
        scheduler.resume()
        logger.info("scheduler started with %d job(s)", len(planned))
        while not stop.wait(poll):
            if not elector.still_leader():
                logger.error("leadership lost; stopping jobs and standing by again")
                return
    finally:
        scheduler.shutdown(wait=True)
        jobs.uninstall()


def run_scheduler(
    svc: Services,
    *,
    stop: threading.Event | None = None,
    elector: Elector | None = None,
    poll_seconds: float | None = None,
) -> None:
    """Block until SIGTERM/SIGINT (or ``stop``), scheduling jobs only while elected leader.

    Args:
        svc: The process's services; its store's database holds the jobs and the election.
        stop: Set it to stop (tests); signals set it too when called on the main thread.
        elector: Who decides leadership (default: by the database, see :func:`elector_for`).
        poll_seconds: How often a standby retries and a leader checks it still leads.
    """
    stop = stop or threading.Event()
    # NORTHSTAR_SCHEDULER_LEADER_POLL_SECONDS, once Settings has it
    poll = poll_seconds or float(
        getattr(svc.settings, "scheduler_leader_poll_seconds", DEFAULT_LEADER_POLL_SECONDS)
    )
    # fail fast on a bad schedule string, before waiting to lead
    for team in svc.config.teams:
        planned_jobs(team)
    chosen = elector or elector_for(svc.store.engine)
    with _signals_set(stop):
        try:
            while not stop.is_set():
                if not wait_for_leadership(chosen, stop, poll):
                    break
                _lead(svc, chosen, stop, poll)
                chosen.release()
        finally:
            chosen.release()
    logger.info("scheduler stopped")
