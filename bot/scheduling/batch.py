"""Held-back channel posts sent as one batch when the quiet window opens (or a retry is due).

Posts are packed into as few 50-block messages as fit (:func:`bot.chat.posts.combine`); each
post keeps its own run key, finished by the message that really carried it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.chat.posts import Post, combine
from bot.config import Team
from bot.scheduling.budget import NotificationBudget
from bot.scheduling.deferrals import Deferrals, Deferred, hold, retry_later
from bot.usecases.channel_posts import POST_JOBS, complete_post, send_post
from bot.usecases.ports import Messenger
from bot.usecases.runs import NotYetError, Outcome, Status
from bot.wiring import Services

logger = logging.getLogger(__name__)


def _batch_failed(
    svc: Services,
    team: Team,
    entry: Deferred,
    now: datetime,
    deferrals: Deferrals | None,
    error: Exception,
) -> None:
    """Leave a held-back post's run failed (``claim_run`` hands it out again); book a retry."""
    job = POST_JOBS[entry.job]
    detail = type(error).__name__
    svc.store.finish_run(job.key, team.name, entry.period, ok=False, at=now, detail=detail)
    if job.retry:
        retry_later(deferrals, team, entry, now, what=job.what)


def _prepare_batch(
    svc: Services,
    team: Team,
    now: datetime,
    entries: Sequence[Deferred],
    deferrals: Deferrals | None,
) -> tuple[list[Outcome], list[tuple[Deferred, Post]]]:
    """Claim and build each held-back post; returns what is settled and what is ready to send.

    The runs stay claimed across the one message that carries them all, so this is the one
    place that claims and finishes by hand rather than with ``claimed``.
    """
    settled: list[Outcome] = []
    ready: list[tuple[Deferred, Post]] = []
    for entry in entries:
        job = POST_JOBS[entry.job]
        if not svc.store.claim_run(job.key, team.name, entry.period, now):
            settled.append(Outcome(job.name, team.name, entry.period, Status.SKIPPED, "done"))
            continue
        try:
            post = job.build(svc, team, entry.period, now)
        except NotYetError as e:
            svc.store.finish_run(job.key, team.name, entry.period, ok=False, at=now, detail=str(e))
            settled.append(Outcome(job.name, team.name, entry.period, Status.NOTHING, str(e)))
            continue
        except Exception as e:
            logger.exception("could not build the held-back %s for %s", job.what, team.name)
            _batch_failed(svc, team, entry, now, deferrals, e)
            settled.append(Outcome(job.name, team.name, entry.period, Status.FAILED))
            continue
        if post is None:
            _batch_done(svc, team, entry, now, None)
            settled.append(Outcome(job.name, team.name, entry.period, Status.NOTHING))
        else:
            ready.append((entry, post))
    return settled, ready


def _batch_done(svc: Services, team: Team, entry: Deferred, now: datetime, ts: str | None) -> None:
    job = POST_JOBS[entry.job]
    complete_post(svc, team, job, entry.period, now)
    detail = f"ts={ts}" if ts else "nothing to post"
    svc.store.finish_run(job.key, team.name, entry.period, ok=True, at=now, detail=detail)


def deliver_batch(
    svc: Services,
    messenger: Messenger,
    team: Team,
    now: datetime,
    entries: Sequence[Deferred],
    deferrals: Deferrals | None,
) -> list[Outcome]:
    """Send held-back posts as few messages as fit; each post's run finishes by its message."""
    channel = team.channel
    if not channel:
        return [Outcome(e.job, team.name, e.period, Status.SKIPPED, "no channel") for e in entries]
    decision = NotificationBudget(svc.store, svc.config.teams).decide(now, team)
    if not decision.send:
        return [hold(deferrals, team, entry, decision) for entry in entries]
    outcomes, ready = _prepare_batch(svc, team, now, entries, deferrals)
    if not ready:
        return outcomes
    pending = list(range(len(ready)))
    try:
        for carried, message in combine([post for _, post in ready]):
            ts = send_post(messenger, team, channel, message, now)
            for index in carried:
                entry = ready[index][0]
                _batch_done(svc, team, entry, now, ts)
                pending.remove(index)
                posted = f"posted to {channel}"
                outcomes.append(Outcome(entry.job, team.name, entry.period, Status.POSTED, posted))
    except Exception as e:
        for index in pending:
            _batch_failed(svc, team, ready[index][0], now, deferrals, e)
        raise
    logger.info("posted %d held-back post(s) for %s", len(ready), team.name)
    return outcomes
