"""Realisation reviews: some weeks after delivery, ask whether a planned benefit came.

The benefit owner is asked when the benefit register names a Slack user, else the team's
stakeholders; each item is asked about once (``claimed`` per item), and the answers feed the
planned-vs-realised figures of the digest.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from slack_sdk.models.views import View

from bot.chat import blocks, messages
from bot.config import Team
from bot.errors import DeliveryError
from bot.storage import RealisationRecord
from bot.usecases.checkins import Answer, dm_all
from bot.usecases.links import issue_url
from bot.usecases.ports import Messenger
from bot.usecases.runs import Run, RunKey, claimed
from bot.usecases.score import load_items
from bot.wiring import Services
from rules.model import Item

logger = logging.getLogger(__name__)

#: Slack user ids, for telling a benefit owner who is a Slack user from one who is a name
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}", re.ASCII)


def describe_benefit(item: Item) -> str:
    """The planned benefit in one line: category, measure, baseline → target, due date."""
    benefit = item.benefit
    if benefit is None:
        return ""
    parts = [benefit.category.value]
    if benefit.measure:
        parts.append(benefit.measure)
    if benefit.baseline is not None and benefit.target is not None:
        parts.append(f"from {benefit.baseline:g} to {benefit.target:g}")
    elif benefit.target is not None:
        parts.append(f"to {benefit.target:g}")
    if benefit.planned_value is not None:
        parts.append(f"(planned value {benefit.planned_value:g})")
    if benefit.due is not None:
        parts.append(f"by {benefit.due.isoformat()}")
    return ", ".join(parts)


def realisation_due(items: Iterable[Item], now: datetime, weeks: int) -> list[Item]:
    """Delivered items with a planned benefit, done at least ``weeks`` weeks before ``now``."""
    cutoff = now - timedelta(weeks=weeks)
    return [
        item
        for item in items
        if item.is_done
        and item.benefit is not None
        and item.resolved is not None
        and item.resolved <= cutoff
    ]


def ask_realisation(svc: Services, team: Team, now: datetime, *, messenger: Messenger) -> list[str]:
    """Ask, once per item, whether the planned benefit of delivered work came; returns keys.

    The benefit owner is asked when the register names a Slack user, else the stakeholders.
    ``claim_run`` makes each question exactly-once across restarts and replicas.
    """
    weeks = team.schedule.realisation_after_weeks
    asked = []
    for item in realisation_due(load_items(svc, team), now, weeks):
        with claimed(svc.store, RunKey.REALISATION_QUESTION, team.name, item.key, now) as run:
            if run.claimed and _ask(svc, messenger, team, item, now, run):
                asked.append(item.key)
    return asked


def _ask(
    svc: Services, messenger: Messenger, team: Team, item: Item, now: datetime, run: Run
) -> bool:
    """DM the realisation question about ``item``; whether anyone got it (else the run fails)."""
    owner = item.benefit.owner if item.benefit else None
    is_owner = bool(owner and _SLACK_USER.fullmatch(owner))
    people = [owner] if owner and is_owner else list(team.stakeholders)
    resolved = item.resolved or now
    elapsed = max(1, (now - resolved).days // 7)
    reply = blocks.realisation_reply(
        item.key,
        item.summary,
        elapsed,
        describe_benefit(item),
        why=messages.realisation_why(team.name, is_owner),
        url=issue_url(svc.settings, team, item.key),
    )
    reached = dm_all(messenger, people, reply, f"realisation of {item.key}")
    run.detail = f"asked {len(reached)} of {len(people)}"
    if not reached:
        run.fail()
    return bool(reached)


def _find_item(svc: Services, key: str) -> tuple[Team, Item] | None:
    for team in svc.config.teams:
        found = next((item for item in load_items(svc, team) if item.key == key), None)
        if found is not None:
            return team, found
    return None


def _latest_realisation(svc: Services, key: str, user: str) -> RealisationRecord | None:
    mine = [answer for answer in svc.store.realisations([key]) if answer.stakeholder == user]
    return mine[-1] if mine else None


def record_realisation_answer(
    svc: Services,
    *,
    user: str,
    key: str,
    answer: str,
    comment: str | None = None,
    channel: str | None = None,
    ts: str | None = None,
    messenger: Messenger,
) -> Answer:
    """Store a yes/partly/no answer (and comment) and turn the question into a thank-you.

    A click after a comment keeps the comment: only a new comment replaces it.
    """
    if answer not in blocks.REALISATION_ANSWERS:
        return Answer(messages.error_stale_button(), shown=False)
    if comment is None:
        earlier = _latest_realisation(svc, key, user)
        comment = earlier.comment if earlier is not None else None
    svc.store.record_realisation(key, user, answer, comment, svc.clock())
    text = messages.realisation_thanks(key, answer)
    if not channel or not ts:
        return Answer(text, shown=False)
    found = _find_item(svc, key)
    summary = found[1].summary if found is not None else ""
    url = issue_url(svc.settings, found[0], key) if found is not None else None
    reply = blocks.realisation_answered_reply(key, summary, answer, comment=comment, url=url)
    try:
        messenger.update(channel, ts, reply)
    except DeliveryError as e:
        logger.warning("could not update realisation question of %s: %s", user, e.code)
        return Answer(text, shown=False)
    return Answer(text, shown=True)


def realisation_modal(
    svc: Services, *, user: str, key: str, channel: str | None, ts: str | None
) -> View:
    """The realisation modal: the answer, pre-set if given earlier, and a comment."""
    found = _find_item(svc, key)
    earlier = _latest_realisation(svc, key, user)
    return blocks.realisation_modal(
        key,
        found[1].summary if found is not None else "",
        current=earlier.answer if earlier is not None else None,
        channel=channel,
        ts=ts,
    )
