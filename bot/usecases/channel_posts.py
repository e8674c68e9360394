"""The once-a-period channel posts (weekly digest, sprint-start reminder) and their delivery.

:func:`deliver_post` claims the post's run, builds it, sends it through the
:class:`~bot.usecases.ports.Messenger` and finishes the run: one channel post, exactly once per
``(job, team, period)``. A person asking (``northstar digest --post``, ``northstar remind``)
calls it directly; the scheduler first asks the notification budget, and books a retry when
it raises (:mod:`bot.scheduling.jobs`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.chat import messages
from bot.chat.posts import Post
from bot.config import Team
from bot.errors import DeliveryError
from bot.usecases.digest import digest_post
from bot.usecases.ports import Messenger
from bot.usecases.reminder import active_sprint, new_sprint_periods, reminder_post, sprint_of
from bot.usecases.runs import (
    JobName,
    NotYetError,
    Outcome,
    RunKey,
    Status,
    claimed,
    merge_outcomes,
)
from bot.usecases.sync import sync_team
from bot.wiring import Services
from rules.calendar import iso_week

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostJob:
    """A job whose result is one channel post, so it can be held back and batched."""

    name: JobName
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


def _digest_for_period(svc: Services, team: Team, period: str, now: datetime) -> Post | None:
    """This week's digest, or None when the week gave nothing to report (no empty digests)."""
    sync_team(svc, team)  # report on the backlog as it is now
    digest, post = digest_post(svc, team, now)
    return post if digest.has_news else None


def _reminder_for_period(svc: Services, team: Team, period: str, now: datetime) -> Post | None:
    """The reminder of the sprint in ``period``; None once the sprint has closed.

    Raises:
        NotYetError: the sprint has no items yet (planned after it was started), so the next
            poll looks again rather than post a reminder about nothing.
    """
    sprint = active_sprint(svc, team, period)
    if sprint is None:
        return None  # closed while held back: nothing to remind about any more
    sync_team(svc, team)
    reminder, post = reminder_post(svc, team, sprint, now)
    if not reminder.items:
        raise NotYetError(messages.sprint_empty(sprint.name))
    return post


def _mark_sprint_seen(svc: Services, team: Team, period: str, now: datetime) -> None:
    svc.store.mark_sprint_seen(team.name, sprint_of(period), now)


#: The channel posts by job name.
POST_JOBS: dict[str, PostJob] = {
    JobName.WEEKLY_DIGEST: PostJob(JobName.WEEKLY_DIGEST, "weekly digest", _digest_for_period),
    JobName.SPRINT_START_REMINDER: PostJob(
        JobName.SPRINT_START_REMINDER,
        "sprint-start reminder",
        _reminder_for_period,
        done=_mark_sprint_seen,
        retry=False,
        run_key=RunKey.REMINDER,
    ),
}


def send_post(messenger: Messenger, team: Team, channel: str, post: Post, now: datetime) -> str:
    """Post (paced, logged against the budget), then share the uploads; returns the ts.

    The message is the commit point: once it is in the channel, a failed chart upload is logged
    and the run still counts as done, so a retry never posts the message twice.
    """
    ts = messenger.post(channel, post.reply, team=team.name, kind=post.kind, at=now)
    for upload in post.uploads:
        try:
            messenger.upload(channel, upload)
        except DeliveryError as e:
            logger.warning(
                "posted to %s but could not share %s: %s", channel, upload.filename, e.code
            )
    return ts


def complete_post(svc: Services, team: Team, job: PostJob, period: str, now: datetime) -> None:
    """What a job does once its post is out (a reminder marks its sprint seen)."""
    if job.done is not None:
        job.done(svc, team, period, now)


def _failed_post(job: PostJob, channel: str, error: DeliveryError) -> DeliveryError:
    """The one line a person reads when the post did not go out."""
    if error.reachable:
        text = messages.post_failed(job.what, channel, error.code)
    else:
        text = messages.slack_unreachable(job.what, channel, error.code)
    return DeliveryError(text, error.code, reachable=error.reachable)


def deliver_post(
    svc: Services,
    messenger: Messenger,
    team: Team,
    now: datetime,
    job_name: str,
    period: str,
    *,
    force: bool = False,
) -> Outcome:
    """Claim, build, post, finish: one channel post, exactly once per key.

    ``force`` posts even when this key's run is already done (``northstar digest --post``).

    Raises:
        DeliveryError: Slack did not take the post; the run is left failed, to be retried.
    """
    job = POST_JOBS[job_name]
    channel = team.channel
    if not channel:
        return Outcome(job.name, team.name, period, Status.SKIPPED, "the team has no channel")
    with claimed(svc.store, job.key, team.name, period, now) as run:
        if not run.claimed and not force:
            logger.info("%s for %s (%s): already done", job.name, team.name, period)
            return Outcome(job.name, team.name, period, Status.SKIPPED, "already done")
        try:
            post = job.build(svc, team, period, now)
            ts = None if post is None else send_post(messenger, team, channel, post, now)
        except NotYetError as e:
            # left open (failed, so claim_run hands it out) for the next poll; no retry
            run.fail(str(e))
            logger.info("%s for %s (%s): %s", job.name, team.name, period, e)
            return Outcome(job.name, team.name, period, Status.NOTHING, str(e))
        except DeliveryError as e:
            raise _failed_post(job, channel, e) from e
        if run.claimed:
            complete_post(svc, team, job, period, now)
        run.detail = f"ts={ts}" if ts else "nothing to post"
    if ts is None:
        return Outcome(job.name, team.name, period, Status.NOTHING, "nothing to post")
    logger.info("%s for %s (%s): posted to %s", job.name, team.name, period, channel)
    return Outcome(job.name, team.name, period, Status.POSTED, f"posted to {channel}")


def post_digest(
    svc: Services, messenger: Messenger, team: Team, now: datetime, *, force: bool = False
) -> Outcome:
    """Post this week's digest now (``northstar digest --post``): a person asked, so no budget.

    Without ``force`` a digest already posted this week is not posted again.
    """
    week = iso_week(now, team.zone)
    return deliver_post(svc, messenger, team, now, JobName.WEEKLY_DIGEST, week, force=force)


def post_reminders(svc: Services, messenger: Messenger, team: Team, now: datetime) -> Outcome:
    """Post reminders for newly active sprints now (``northstar remind``), ignoring the budget."""
    job = JobName.SPRINT_START_REMINDER
    outcomes = [
        deliver_post(svc, messenger, team, now, job, period)
        for period in new_sprint_periods(svc, team)
    ]
    return merge_outcomes(job, team.name, outcomes, nothing="no new active sprint")
