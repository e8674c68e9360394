"""Scheduled jobs: thin, idempotent wrappers over the use cases, and what the CLI calls to post.

Every job takes ``(svc, team, now)`` and works out its idempotency key ``(job, team, period)``:
``("weekly_digest", team, "2026-W48")`` (the ISO week on the team's calendar),
``("reminder", team, "sprint-<id>")``, ``("checkin_round", team, "2026-11-19")`` (the team's
day), ``("checkin_reminders", team, "round-<id>")``. The flow is always::

    budget says "later"?  -> hold it back (one batch when the window opens)
    store.claim_run(key)  -> False: somebody already did it (or is doing it): skip
    run the use case, post to Slack
    store.finish_run(key, ok=...)

so a digest is posted once even when the trigger fires twice, the scheduler restarts, or two
processes race. A failed post leaves the run failed; ``claim_run`` hands a failed run out again,
so the next trigger (or the retry the scheduler books for once-a-week jobs) posts it.

This module never imports APScheduler: the Slack app imports :func:`preview_digest` from here,
and a web process must never start (or even load) a scheduler. The scheduler calls
:func:`run_job` and :func:`run_batch` by their textual references, so stored jobs pickle as
plain strings and tuples.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
)

from bot.chat import messages
from bot.chat.pacing import ChannelPacer, post_message, upload_file
from bot.config import Team
from bot.errors import UserError
from bot.logs import bound
from bot.metrics import JOB_RUNS
from bot.scheduling.budget import Decision, NotificationBudget
from rules.calendar import iso_week, local_day, local_slot
from rules.model import Sprint, SprintState

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.storage import StoredRound
    from bot.wiring import Services
    from rules.digest import Digest, Reminder

logger = logging.getLogger(__name__)

JOB_DIGEST = "weekly_digest"
JOB_REMINDER = "sprint_start_reminder"
#: Sprint-start reminders are keyed ("reminder", team, "sprint-<id>").
REMINDER_RUN_KEY = "reminder"
JOB_CHECKIN = "checkin_round"
JOB_CHECKIN_REMINDERS = "checkin_reminders"
JOB_CHECKIN_CLOSE = "checkin_close"
JOB_SYNC = "sync_and_score"
JOB_REALISATION = "realisation_reviews"

#: Slack's limit of blocks in one message.
MAX_BLOCKS = 50
#: Waits before retrying a failed once-a-week post; after the last, the run stays failed.
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)


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


class PostFailedError(UserError):
    """Slack refused a post; the run is marked failed and will be retried."""


class NotYetError(Exception):
    """Nothing worth posting yet, but maybe later: the run is left open for the next poll."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file shared after a post (the burn-up chart)."""

    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Post:
    """One channel message, built but not yet sent, so several can be sent as one batch."""

    kind: str
    text: str
    blocks: tuple[Block, ...]
    uploads: tuple[Upload, ...] = ()


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


@dataclass
class JobEnv:
    """The I/O a job uses besides ``svc``; tests inject a client, a pacer and deferrals."""

    client: WebClient | None = None
    pacer: ChannelPacer | None = None
    deferrals: Deferrals | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def web(self, svc: Services) -> WebClient:
        """The Slack client: the injected one, else ``svc.slack_client()`` built once."""
        with self._lock:
            if self.client is None:
                self.client = svc.slack_client()
            return self.client


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
    """The installed services, or ones built from the environment on first use."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            from bot.settings import Settings
            from bot.wiring import build_services

            _runtime = (build_services(Settings()), JobEnv())
        return _runtime


# ---------------------------------------------------------------- helpers


def _team(svc: Services, team: Team | str) -> Team:
    return svc.config.team(team) if isinstance(team, str) else team


def _budget(svc: Services) -> NotificationBudget:
    """The budget over the store's message log; teams sharing a channel share its cap."""
    return NotificationBudget(svc.store, svc.config.teams)


def _slack_error(e: SlackClientError) -> str:
    """Slack's error code (``channel_not_found``...), never the request or its token."""
    if isinstance(e, SlackApiError) and e.response is not None:
        return str(e.response.get("error", "unknown_error"))
    return type(e).__name__


def _retry_later(
    env: JobEnv, team: Team, entry: Deferred, now: datetime, *, what: str
) -> datetime | None:
    """Book a retry of a failed post, backing off; None when the retries are used up."""
    if env.deferrals is None:
        logger.warning("%s for %s (%s) failed; the next run retries", what, team.name, entry.period)
        return None
    if entry.attempts >= len(RETRY_DELAYS):
        logger.error("%s for %s (%s) failed; no retry left", what, team.name, entry.period)
        return None
    until = now + RETRY_DELAYS[entry.attempts]
    env.deferrals.defer(team.name, Deferred(entry.job, entry.period, entry.attempts + 1), until)
    logger.warning("%s for %s (%s) failed; retrying at %s", what, team.name, entry.period, until)
    return until


def _hold(env: JobEnv, team: Team, entry: Deferred, decision: Decision) -> Outcome:
    until = decision.until
    if env.deferrals is not None and until is not None:
        env.deferrals.defer(team.name, entry, until)
        detail = messages.deferred(until.astimezone(team.zone), decision.reason)
    else:
        # no scheduler to hold it: the next trigger after the window opens will run it
        detail = f"not sent ({decision.reason}); the next run after the quiet time sends it"
    logger.info("%s for %s (%s): %s", entry.job, team.name, entry.period, detail)
    return Outcome(entry.job, team.name, entry.period, Status.DEFERRED, detail, until)


# ---------------------------------------------------------------- what the channel posts say


@dataclass(frozen=True)
class _ChannelJob:
    """A job whose result is one channel post, so it can be held back and batched."""

    name: str
    what: str
    build: Callable[[Services, Team, str, datetime], Post | None]
    done: Callable[[Services, Team, str, datetime], None] | None = None
    #: once-a-week jobs book a retry after a failure; polling jobs simply poll again
    retry: bool = True
    #: the job part of the run key, when it differs from the job's name
    run_key: str = ""

    @property
    def key(self) -> str:
        return self.run_key or self.name


def build_digest_post(svc: Services, team: Team, now: datetime) -> tuple[Digest, Post]:
    """The weekly digest of ``team`` as a post: blocks, fallback text and the burn-up chart."""
    from bot.charts import value_burn_up_png
    from bot.chat.digest_blocks import digest_blocks, digest_text
    from bot.usecases.digest import build_digest

    digest = build_digest(svc, team, now)
    week = iso_week(now, team.zone)
    chart = Upload(
        filename=f"value-burn-up-{team.name}-{week}.png",
        title=messages.chart_title(team.name, week),
        content=value_burn_up_png(digest),
    )
    post = Post(
        kind="digest",
        text=digest_text(digest),
        blocks=tuple(digest_blocks(digest)),
        uploads=(chart,),
    )
    return digest, post


def build_reminder_post(
    svc: Services, team: Team, sprint: Sprint, now: datetime
) -> tuple[Reminder, Post]:
    """The sprint-start reminder: sprint goal, value committed, top items, the team's goals."""
    from bot.chat.digest_blocks import reminder_blocks, reminder_text
    from bot.usecases.digest import build_reminder

    reminder = build_reminder(svc, team, sprint, now)
    post = Post(
        kind="reminder", text=reminder_text(reminder), blocks=tuple(reminder_blocks(reminder))
    )
    return reminder, post


def sprint_period(sprint_id: int) -> str:
    return f"sprint-{sprint_id}"


def _sprint_of(period: str) -> int:
    return int(period.removeprefix("sprint-"))


def _refresh(svc: Services, team: Team) -> None:
    """Bring the team's snapshot up to date before posting about it (an incremental sync)."""
    from bot.usecases.sync import sync_team

    sync_team(svc, team)


def _digest_for_period(svc: Services, team: Team, period: str, now: datetime) -> Post | None:
    """This week's digest, or None when the week gave nothing to report (no empty digests)."""
    _refresh(svc, team)
    digest, post = build_digest_post(svc, team, now)
    return post if digest.has_news else None


def _reminder_for_period(svc: Services, team: Team, period: str, now: datetime) -> Post | None:
    """The reminder of the sprint in ``period``; None once the sprint has closed.

    Raises:
        NotYetError: the sprint has no items yet (planned after it was started), so the next
            poll looks again rather than post a reminder about nothing.
    """
    wanted = _sprint_of(period)
    for sprint in svc.connector_for(team).list_sprints():
        if sprint.id == wanted and sprint.state is SprintState.ACTIVE:
            _refresh(svc, team)
            reminder, post = build_reminder_post(svc, team, sprint, now)
            if not reminder.items:
                raise NotYetError(messages.sprint_empty(sprint.name))
            return post
    return None  # closed while held back: nothing to remind about any more


def _mark_sprint_seen(svc: Services, team: Team, period: str, now: datetime) -> None:
    svc.store.mark_sprint_seen(team.name, _sprint_of(period), now)


_CHANNEL_JOBS: dict[str, _ChannelJob] = {
    JOB_DIGEST: _ChannelJob(JOB_DIGEST, "weekly digest", _digest_for_period),
    JOB_REMINDER: _ChannelJob(
        JOB_REMINDER,
        "sprint-start reminder",
        _reminder_for_period,
        done=_mark_sprint_seen,
        retry=False,
        run_key=REMINDER_RUN_KEY,
    ),
}


def _groups(posts: Sequence[Post]) -> list[list[int]]:
    """Posts packed in order into messages of at most 50 blocks (a heading, dividers between).

    A post is never split, so each reads whole; one too big to share a message goes alone.
    """
    groups: list[list[int]] = []
    size = MAX_BLOCKS
    for index, post in enumerate(posts):
        needed = len(post.blocks) + 1  # its heading or the divider before it
        if groups and size + needed <= MAX_BLOCKS:
            groups[-1].append(index)
            size += needed
        else:
            groups.append([index])
            size = needed
    return groups


def combine(posts: Sequence[Post]) -> list[tuple[tuple[int, ...], Post]]:
    """Held-back posts as as few messages as fit Slack's 50 blocks; nothing is left out.

    Returns each message with the indices of the posts it carries, so each post's run can be
    marked done by the message that really carried it.
    """
    if len(posts) == 1:
        return [((0,), posts[0])]
    groups = _groups(posts)
    messages_out: list[tuple[tuple[int, ...], Post]] = []
    for page, group in enumerate(groups, 1):
        heading = (
            messages.batch_header(len(posts))
            if page == 1
            else messages.batch_continued(page, len(groups))
        )
        blocks: list[Block] = []
        for index in group:
            blocks.append(DividerBlock() if blocks else HeaderBlock(text=heading))
            blocks.extend(posts[index].blocks)
        chosen = [posts[index] for index in group]
        combined = Post(
            kind="batch",
            text="\n\n".join([heading, *(post.text for post in chosen)]),
            blocks=tuple(blocks[:MAX_BLOCKS]),
            uploads=tuple(upload for post in chosen for upload in post.uploads),
        )
        messages_out.append((tuple(group), combined))
    return messages_out


def _send(svc: Services, team: Team, channel: str, post: Post, now: datetime, env: JobEnv) -> str:
    """Post (paced), log it against the budget, then share the uploads; returns the ts.

    The message is the commit point: once it is in the channel, a failed chart upload is logged
    and the run still counts as done, so a retry never posts the message twice.
    """
    client = env.web(svc)
    ts = post_message(client, channel, text=post.text, blocks=post.blocks, pacer=env.pacer)
    svc.store.record_message(team.name, channel, post.kind, now)
    for upload in post.uploads:
        try:
            upload_file(
                client,
                channel,
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
                pacer=env.pacer,
            )
        except SlackClientError as e:
            logger.warning(
                "posted to %s but could not share %s: %s", channel, upload.filename, _slack_error(e)
            )
    return ts


def _complete(
    svc: Services, team: Team, job: _ChannelJob, period: str, now: datetime, ts: str | None
) -> None:
    if job.done is not None:
        job.done(svc, team, period, now)
    detail = f"ts={ts}" if ts else "nothing to post"
    svc.store.finish_run(job.key, team.name, period, ok=True, at=now, detail=detail)


def _not_yet(
    svc: Services,
    team: Team,
    job: _ChannelJob,
    period: str,
    now: datetime,
    reason: NotYetError,
    *,
    claimed: bool = True,
) -> Outcome:
    """Leave the run open (failed, so ``claim_run`` hands it out) for the next poll; no retry."""
    if claimed:
        svc.store.finish_run(job.key, team.name, period, ok=False, at=now, detail=str(reason))
    logger.info("%s for %s (%s): %s", job.name, team.name, period, reason)
    return Outcome(job.name, team.name, period, Status.NOTHING, str(reason))


def _failed(
    svc: Services,
    team: Team,
    entry: Deferred,
    now: datetime,
    env: JobEnv,
    error: Exception,
    *,
    retry: bool,
) -> None:
    """Leave the run failed (``claim_run`` hands it out again) and book a retry if wanted."""
    job = _CHANNEL_JOBS[entry.job]
    svc.store.finish_run(
        job.key, team.name, entry.period, ok=False, at=now, detail=type(error).__name__
    )
    if retry and job.retry:
        _retry_later(env, team, entry, now, what=job.what)


def _deliver(
    svc: Services,
    team: Team,
    now: datetime,
    entry: Deferred,
    env: JobEnv,
    *,
    budget: bool = True,
    force: bool = False,
) -> Outcome:
    """Budget, claim, build, post, finish: one channel post, exactly once per key.

    Args:
        svc: The process's services.
        team: Whose channel.
        now: The time of the run (budget, run key, message log).
        entry: The job and period (the idempotency key), and earlier attempts.
        env: Slack client, pacer and where held-back runs go.
        budget: Respect quiet hours, quiet days and the daily cap (False when a person asked).
        force: Post even when this key's run is already done (``northstar digest --post``).
    """
    job = _CHANNEL_JOBS[entry.job]
    period = entry.period
    channel = team.channel
    if not channel:
        return Outcome(job.name, team.name, period, Status.SKIPPED, "the team has no channel")
    if budget:
        decision = _budget(svc).decide(now, team)
        if not decision.send:
            return _hold(env, team, entry, decision)
    claimed = svc.store.claim_run(job.key, team.name, period, now)
    if not claimed and not force:
        logger.info("%s for %s (%s): already done", job.name, team.name, period)
        return Outcome(job.name, team.name, period, Status.SKIPPED, "already done")
    try:
        post = job.build(svc, team, period, now)
        ts = None if post is None else _send(svc, team, channel, post, now, env)
    except NotYetError as e:
        return _not_yet(svc, team, job, period, now, e, claimed=claimed)
    except Exception as e:
        if claimed:
            _failed(svc, team, entry, now, env, e, retry=not force)
        if isinstance(e, SlackClientError):
            raise PostFailedError(messages.post_failed(job.what, channel, _slack_error(e))) from e
        if isinstance(e, OSError):  # Slack unreachable (DNS, network, TLS)
            raise PostFailedError(messages.slack_unreachable(job.what, channel, e)) from e
        raise
    if claimed:
        _complete(svc, team, job, period, now, ts)
    if ts is None:
        return Outcome(job.name, team.name, period, Status.NOTHING, "nothing to post")
    logger.info("%s for %s (%s): posted to %s", job.name, team.name, period, channel)
    return Outcome(job.name, team.name, period, Status.POSTED, f"posted to {channel}")


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
    entry = Deferred(JOB_DIGEST, period or iso_week(now, chosen.zone), attempts)
    return _deliver(svc, chosen, now, entry, env or JobEnv())


def sprint_start_reminder(
    svc: Services,
    team: Team | str,
    now: datetime,
    *,
    period: str | None = None,
    env: JobEnv | None = None,
    budget: bool = True,
    attempts: int = 0,
) -> Outcome:
    """Post a reminder, once per sprint, for each active sprint not seen before.

    Polled every few minutes: a sprint is "seen" once its reminder is posted (or when it has
    closed by the time a held-back reminder is due), so each poll is cheap and idempotent.
    """
    chosen = _team(svc, team)
    environment = env or JobEnv()
    if period is not None:
        entry = Deferred(JOB_REMINDER, period, attempts)
        return _deliver(svc, chosen, now, entry, environment, budget=budget)
    outcomes = []
    for sprint in svc.connector_for(chosen).list_sprints():
        if sprint.state is not SprintState.ACTIVE or svc.store.sprint_seen(chosen.name, sprint.id):
            continue
        entry = Deferred(JOB_REMINDER, sprint_period(sprint.id))
        outcomes.append(_deliver(svc, chosen, now, entry, environment, budget=budget))
    return merge_outcomes(JOB_REMINDER, chosen.name, outcomes, nothing="no new active sprint")


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
    from bot.usecases.checkins import start_round

    chosen = _team(svc, team)
    environment = env or JobEnv()
    entry = Deferred(JOB_CHECKIN, period or local_day(now, chosen.zone), attempts)
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:
        return _hold(environment, chosen, entry, decision)
    if not svc.store.claim_run(JOB_CHECKIN, chosen.name, entry.period, now):
        return Outcome(JOB_CHECKIN, chosen.name, entry.period, Status.SKIPPED, "already done")
    try:
        round_id = start_round(svc, chosen, started_by=None, client=environment.web(svc))
    except UserError as e:
        # no stakeholders or no open items: nothing a retry would fix, so say so and stop
        svc.store.finish_run(
            JOB_CHECKIN, chosen.name, entry.period, ok=False, at=now, detail=str(e)
        )
        logger.warning("check-in round for %s not started: %s", chosen.name, e)
        return Outcome(JOB_CHECKIN, chosen.name, entry.period, Status.NOTHING, str(e))
    except Exception:
        svc.store.finish_run(JOB_CHECKIN, chosen.name, entry.period, ok=False, at=now)
        _retry_later(environment, chosen, entry, now, what="check-in round")
        raise
    svc.store.finish_run(
        JOB_CHECKIN, chosen.name, entry.period, ok=True, at=now, detail=f"round {round_id}"
    )
    return Outcome(JOB_CHECKIN, chosen.name, entry.period, Status.DONE, f"round {round_id} started")


def _due_rounds(
    svc: Services, team: Team, period: str | None, is_due: Callable[[StoredRound], bool]
) -> list[StoredRound]:
    """The team's open rounds that are due (only ``round-<id>`` when a period is given)."""
    due = [checkin for checkin in svc.store.open_rounds(team.name) if is_due(checkin)]
    if period is not None:
        due = [checkin for checkin in due if f"round-{checkin.id}" == period]
    return due


def _waiting(job: str, team: Team, decision: Decision) -> Outcome:
    """A polled job that waits for the end of quiet time; the next poll after it does the work."""
    detail = f"waiting for the end of {decision.reason}"
    return Outcome(job, team.name, "-", Status.DEFERRED, detail, decision.until)


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
    from bot.usecases.checkins import remind_non_responders

    chosen = _team(svc, team)
    environment = env or JobEnv()
    due = _due_rounds(
        svc, chosen, period, lambda round_: round_.remind_at is not None and round_.remind_at <= now
    )
    if not due:
        return Outcome(JOB_CHECKIN_REMINDERS, chosen.name, "-", Status.NOTHING, "no round due")
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:  # the next poll after the quiet time sends them
        return _waiting(JOB_CHECKIN_REMINDERS, chosen, decision)
    outcomes = []
    for checkin in due:
        key = f"round-{checkin.id}"
        if not svc.store.claim_run(JOB_CHECKIN_REMINDERS, chosen.name, key, now):
            outcomes.append(Outcome(JOB_CHECKIN_REMINDERS, chosen.name, key, Status.SKIPPED))
            continue
        answered = svc.store.responders(checkin.id) | svc.store.reminded(checkin.id)
        waiting = [user for user in checkin.stakeholders if user not in answered]
        try:
            reached = remind_non_responders(svc, checkin.id, now, client=environment.web(svc))
        except Exception:
            svc.store.finish_run(JOB_CHECKIN_REMINDERS, chosen.name, key, ok=False, at=now)
            raise
        complete = set(waiting) <= set(reached)
        detail = f"reminded {len(reached)} of {len(waiting)}"
        svc.store.finish_run(
            JOB_CHECKIN_REMINDERS, chosen.name, key, ok=complete, at=now, detail=detail
        )
        status = Status.DONE if complete else Status.FAILED
        outcomes.append(Outcome(JOB_CHECKIN_REMINDERS, chosen.name, key, status, detail))
    return merge_outcomes(JOB_CHECKIN_REMINDERS, chosen.name, outcomes, nothing="no round due")


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
    from bot.usecases.checkins import close_round

    chosen = _team(svc, team)
    environment = env or JobEnv()
    open_for = timedelta(hours=chosen.schedule.checkin_close_hours)
    due = _due_rounds(svc, chosen, period, lambda round_: round_.opened_at + open_for <= now)
    if not due:
        return Outcome(JOB_CHECKIN_CLOSE, chosen.name, "-", Status.NOTHING, "no round due")
    decision = _budget(svc).decide(now, chosen)
    if not decision.send:
        return _waiting(JOB_CHECKIN_CLOSE, chosen, decision)
    outcomes = []
    for checkin in due:
        key = f"round-{checkin.id}"
        summary = close_round(svc, checkin.id, now, client=environment.web(svc))
        status = Status.POSTED if summary is not None else Status.SKIPPED
        outcomes.append(Outcome(JOB_CHECKIN_CLOSE, chosen.name, key, status))
    return merge_outcomes(JOB_CHECKIN_CLOSE, chosen.name, outcomes, nothing="no round due")


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
    from bot.usecases.reorder import apply_reorder
    from bot.usecases.score import score_team
    from bot.usecases.sync import sync_team

    chosen = _team(svc, team)
    key = period or local_slot(now, chosen.zone)
    if not svc.store.claim_run(JOB_SYNC, chosen.name, key, now):
        return Outcome(JOB_SYNC, chosen.name, key, Status.SKIPPED, "already done")
    try:
        report = sync_team(svc, chosen)
        scores = score_team(svc, chosen, write=True)
        detail = f"fetched {report.fetched}, wrote {len(scores.written)} score(s)"
        if chosen.auto_reorder:
            applied = apply_reorder(svc, chosen)
            detail += f", moved {applied.moved} with {applied.calls} rank call(s)"
    except Exception as e:
        svc.store.finish_run(JOB_SYNC, chosen.name, key, ok=False, at=now, detail=type(e).__name__)
        raise
    svc.store.finish_run(JOB_SYNC, chosen.name, key, ok=True, at=now, detail=detail)
    return Outcome(JOB_SYNC, chosen.name, key, Status.DONE, detail)


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
    from bot.usecases.checkins import ask_realisation

    chosen = _team(svc, team)
    environment = env or JobEnv()
    key = period or local_day(now, chosen.zone)
    decision = _budget(svc).decide(now, chosen, channel_post=False)
    if not decision.send:
        return _hold(environment, chosen, Deferred(JOB_REALISATION, key, attempts), decision)
    if not svc.store.claim_run(JOB_REALISATION, chosen.name, key, now):
        return Outcome(JOB_REALISATION, chosen.name, key, Status.SKIPPED, "already done")
    try:
        asked = ask_realisation(svc, chosen, now, client=environment.web(svc))
    except Exception:
        svc.store.finish_run(JOB_REALISATION, chosen.name, key, ok=False, at=now)
        raise
    detail = f"asked about {', '.join(asked)}" if asked else "nothing due"
    svc.store.finish_run(JOB_REALISATION, chosen.name, key, ok=True, at=now, detail=detail)
    return Outcome(JOB_REALISATION, chosen.name, key, Status.DONE, detail)


JobFunction = Callable[..., Outcome]

#: Every job the scheduler may run, by the name used in job ids ("<job>:<team>") and run keys.
JOBS: dict[str, JobFunction] = {
    JOB_DIGEST: weekly_digest,
    JOB_REMINDER: sprint_start_reminder,
    JOB_CHECKIN: checkin_round,
    JOB_CHECKIN_REMINDERS: checkin_reminders,
    JOB_CHECKIN_CLOSE: checkin_close,
    JOB_SYNC: sync_and_score,
    JOB_REALISATION: realisation_reviews,
}

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
    channel_entries = [entry for entry in entries if entry.job in _CHANNEL_JOBS]
    outcomes = [
        JOBS[entry.job](svc, chosen, now, period=entry.period, env=env, attempts=entry.attempts)
        for entry in entries
        if entry.job not in _CHANNEL_JOBS and entry.job in JOBS
    ]
    if channel_entries:
        outcomes += _deliver_batch(svc, chosen, now, channel_entries, env)
    return outcomes


def _prepare_batch(
    svc: Services, team: Team, now: datetime, entries: Sequence[Deferred], env: JobEnv
) -> tuple[list[Outcome], list[tuple[Deferred, Post]]]:
    """Claim and build each held-back post; returns what is settled and what is ready to send."""
    settled: list[Outcome] = []
    ready: list[tuple[Deferred, Post]] = []
    for entry in entries:
        job = _CHANNEL_JOBS[entry.job]
        if not svc.store.claim_run(job.key, team.name, entry.period, now):
            settled.append(Outcome(job.name, team.name, entry.period, Status.SKIPPED, "done"))
            continue
        try:
            post = job.build(svc, team, entry.period, now)
        except NotYetError as e:
            settled.append(_not_yet(svc, team, job, entry.period, now, e))
            continue
        except Exception as e:
            logger.exception("could not build the held-back %s for %s", job.what, team.name)
            _failed(svc, team, entry, now, env, e, retry=True)
            settled.append(Outcome(job.name, team.name, entry.period, Status.FAILED))
            continue
        if post is None:
            _complete(svc, team, job, entry.period, now, None)
            settled.append(Outcome(job.name, team.name, entry.period, Status.NOTHING))
        else:
            ready.append((entry, post))
    return settled, ready


def _deliver_batch(
    svc: Services, team: Team, now: datetime, entries: Sequence[Deferred], env: JobEnv
) -> list[Outcome]:
    channel = team.channel
    if not channel:
        return [Outcome(e.job, team.name, e.period, Status.SKIPPED, "no channel") for e in entries]
    decision = _budget(svc).decide(now, team)
    if not decision.send:
        return [_hold(env, team, entry, decision) for entry in entries]
    outcomes, ready = _prepare_batch(svc, team, now, entries, env)
    if not ready:
        return outcomes
    pending = list(range(len(ready)))
    try:
        for carried, message in combine([post for _, post in ready]):
            ts = _send(svc, team, channel, message, now, env)
            for index in carried:
                entry = ready[index][0]
                _complete(svc, team, _CHANNEL_JOBS[entry.job], entry.period, now, ts)
                pending.remove(index)
                outcomes.append(
                    Outcome(
                        entry.job, team.name, entry.period, Status.POSTED, f"posted to {channel}"
                    )
                )
    except Exception as e:
        for index in pending:
            _failed(svc, team, ready[index][0], now, env, e, retry=True)
        raise
    logger.info("posted %d held-back post(s) for %s", len(ready), team.name)
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


# ---------------------------------------------------------------- what the CLI and /value call


def preview_digest(svc: Services, team: Team, now: datetime) -> tuple[Digest, list[Block]]:
    """The digest and its blocks, as the channel would get them; nothing is posted."""
    digest, post = build_digest_post(svc, team, now)
    return digest, list(post.blocks)


def post_digest(
    svc: Services, team: Team, now: datetime, *, force: bool = False, env: JobEnv | None = None
) -> Outcome:
    """Post this week's digest now (``northstar digest --post``): a person asked, so no budget.

    Without ``force`` a digest already posted this week is not posted again.
    """
    entry = Deferred(JOB_DIGEST, iso_week(now, team.zone))
    return _deliver(svc, team, now, entry, env or JobEnv(), budget=False, force=force)


def post_reminder(
    svc: Services, team: Team, now: datetime, *, env: JobEnv | None = None
) -> Outcome:
    """Post reminders for newly active sprints now (``northstar remind``), ignoring the budget."""
    return sprint_start_reminder(svc, team, now, env=env, budget=False)
