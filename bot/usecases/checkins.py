"""Stakeholder check-in rounds: the use cases behind the check-in DMs and buttons.

A round asks a team's stakeholders (by DM) to rate a few items 1-5. A click is stored at once
and the item's score and rank change at once, so people see their answer matter. Non-responders
are nudged once. Closing posts a summary to the team channel: response rate, where value moved,
and where raters disagree. Anonymous rounds never show who rated; hidden rounds show no values
until they close. Realisation reviews ask, some weeks after delivery, whether a planned benefit
came (:mod:`bot.usecases.realisation`). The CLI, the scheduler and the Slack buttons all call
these functions; they talk to people only through a :class:`~bot.usecases.ports.Messenger`.

Over 400 lines because a round's whole life (open, answer, remind, summarise, close) is read
and changed together; realisation reviews, which only share the DM helper, live apart.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.models.views import View

from bot.chat import blocks, messages
from bot.config import Team
from bot.errors import DeliveryError, UnknownIssueError, UserError
from bot.usecases.links import issue_url
from bot.usecases.ports import Messenger
from bot.usecases.runs import JobName, claimed
from bot.usecases.score import load_items, score_team
from bot.usecases.score_cache import ScoreCache
from bot.wiring import Services
from rules.checkins import aggregate_ratings
from rules.model import Item, Rating

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundStarted:
    """What starting a round did: whom it reached and whom it could not."""

    round_id: int
    team: str
    items: list[str]
    asked: list[str]
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """What a click or a modal did: the note for the person, and whether their DM shows it.

    When ``shown`` is false (the round closed, the button is stale, or there is no DM to
    redraw) the caller must tell the person ``note`` some other way, so no click goes unanswered.
    """

    note: str
    shown: bool


def _entries(
    svc: Services,
    team: Team,
    keys: Sequence[str],
    rated: dict[str, int] | None = None,
    notes: dict[str, str] | None = None,
) -> list[blocks.CheckinEntry]:
    """The DM's items: key, summary and link, and what this person said about each so far."""
    known = items_by_key(svc, team)
    return [
        blocks.CheckinEntry(
            key,
            known[key].summary if key in known else "",
            url=issue_url(svc.settings, team, key),
            rated=(rated or {}).get(key),
            note=(notes or {}).get(key),
        )
        for key in keys
    ]


# ---------------------------------------------------------------- starting a round


def choose_items(svc: Services, team: Team, now: datetime, count: int) -> list[Item]:
    """The top-ranked items, those with the fewest fresh ratings first, shown in rank order.

    A rating younger than the half-life counts as fresh; asking about stale or unrated items
    first spends people's attention where the score knows least.
    """
    ranking = score_team(svc, team).ranking
    candidates = list(ranking.items[: count * 3])
    fresh_after = now - timedelta(days=svc.config.scoring.rating_half_life_days)
    fresh: dict[str, int] = {}
    for rating in svc.store.ratings_for([entry.key for entry in candidates]):
        if rating.at >= fresh_after:
            fresh[rating.item_key] = fresh.get(rating.item_key, 0) + 1
    chosen = sorted(candidates, key=lambda entry: (fresh.get(entry.key, 0), entry.rank))[:count]
    return [entry.item for entry in sorted(chosen, key=lambda entry: entry.rank)]


def items_by_key(svc: Services, team: Team) -> dict[str, Item]:
    return {item.key: item for item in load_items(svc, team)}


def open_round(
    svc: Services,
    team: Team,
    *,
    items: Sequence[str] | None = None,
    started_by: str | None,
    anonymous: bool = False,
    hidden: bool = False,
    messenger: Messenger,
) -> RoundStarted:
    """Create a round and DM each stakeholder; a failed DM is logged and reported, not fatal.

    Raises:
        UserError: the team has no stakeholders or no open items.
        UnknownIssueError: an item named in ``items`` is not in the team's backlog.
    """
    if not team.stakeholders:
        raise UserError(messages.checkin_no_stakeholders(team.name))
    now = svc.clock()
    limit = team.schedule.checkin_items
    if items:
        known = items_by_key(svc, team)
        chosen = []
        for key in items:
            item = known.get(key.upper())
            if item is None:
                raise UnknownIssueError(key.upper(), [team.name])
            chosen.append(item)
        chosen = chosen[:limit]
    else:
        chosen = choose_items(svc, team, now, limit)
    if not chosen:
        raise UserError(messages.checkin_no_items(team.name))
    remind_at = now + timedelta(hours=team.schedule.checkin_reminder_hours)
    round_id = svc.store.create_round(
        team.name,
        items=[item.key for item in chosen],
        stakeholders=list(team.stakeholders),
        anonymous=anonymous,
        hidden_until_close=hidden,
        opened_at=now,
        remind_at=remind_at,
    )
    reply = blocks.checkin_dm_reply(
        round_id,
        team.name,
        [
            blocks.CheckinEntry(item.key, item.summary, url=issue_url(svc.settings, team, item.key))
            for item in chosen
        ],
        started_by=started_by,
        anonymous=anonymous,
        hidden=hidden,
    )
    asked = dm_all(messenger, team.stakeholders, reply, f"check-in {round_id} of {team.name}")
    failed = [user for user in team.stakeholders if user not in asked]
    logger.info(
        "check-in %d of %s started: %d item(s), %d asked, %d failed",
        round_id,
        team.name,
        len(chosen),
        len(asked),
        len(failed),
    )
    return RoundStarted(round_id, team.name, [item.key for item in chosen], asked, failed)


def visible_ratings(svc: Services, ratings: Iterable[Rating]) -> list[Rating]:
    """``ratings`` without those of open rounds that hide values until they close."""
    hidden = {
        (rating.stakeholder, rating.item_key, rating.at)
        for checkin in svc.store.open_rounds()
        if checkin.hidden_until_close
        for rating in svc.store.round_ratings(checkin.id)
    }
    return [r for r in ratings if (r.stakeholder, r.item_key, r.at) not in hidden]


# ---------------------------------------------------------------- answers: buttons and modal


def _rank_of(svc: Services, team: Team, key: str) -> int | None:
    ranked = score_team(svc, team).ranking.find(key)
    return ranked.rank if ranked is not None else None


def _update_dm(
    svc: Services,
    messenger: Messenger,
    round_id: int,
    user: str,
    channel: str | None,
    ts: str | None,
    notes: dict[str, str],
) -> bool:
    """Redraw the person's check-in DM with their ratings marked; whether that worked."""
    if not channel or not ts:
        return False
    checkin = svc.store.get_round(round_id)
    if checkin is None:
        return False
    team = svc.config.team(checkin.team)
    mine = {r.item_key: r.value for r in svc.store.round_ratings(round_id) if r.stakeholder == user}
    entries = _entries(svc, team, list(checkin.items), mine, notes)
    reply = blocks.checkin_dm_reply(
        round_id,
        team.name,
        entries,
        started_by=None,
        anonymous=checkin.anonymous,
        hidden=checkin.hidden_until_close,
    )
    try:
        messenger.update(channel, ts, reply)
    except DeliveryError as e:
        logger.warning("could not update check-in DM of %s: %s", user, e.code)
        return False
    return True


def _existing(svc: Services, round_id: int, user: str, key: str) -> Rating | None:
    found = [
        rating
        for rating in svc.store.round_ratings(round_id)
        if rating.stakeholder == user and rating.item_key == key
    ]
    return max(found, key=lambda rating: rating.at) if found else None


def _check_answerable(svc: Services, round_id: int, user: str, key: str) -> str | None:
    """Why this person cannot answer this item in this round, or None if they can."""
    checkin = svc.store.get_round(round_id)
    if checkin is None or key not in checkin.items:
        return messages.error_stale_button()
    if checkin.closed_at is not None:
        return messages.checkin_closed()
    if user not in checkin.stakeholders:
        return messages.checkin_not_asked()
    return None


def record_answer(
    svc: Services,
    *,
    user: str,
    round_id: int,
    key: str,
    value: int,
    comment: str | None = None,
    channel: str | None = None,
    ts: str | None = None,
    messenger: Messenger,
    scores: ScoreCache | None = None,
) -> Answer:
    """Store one rating (a button click or the comment modal) and say what it changed.

    A second click on the same value changes nothing and says so (Slack retries and double
    clicks must not count twice). Outside hidden rounds the answer names the item's new rank,
    computed from the stored ratings at once. A click on a closed round stores nothing and
    says so politely.
    """
    problem = _check_answerable(svc, round_id, user, key)
    if problem is not None:
        return Answer(problem, shown=False)
    checkin = svc.store.get_round(round_id)
    assert checkin is not None  # noqa: S101 - checked just above
    team = svc.config.team(checkin.team)
    existing = _existing(svc, round_id, user, key)
    if existing is not None and existing.value == value and comment is None:
        note = messages.checkin_already(key, value)
        return Answer(note, _update_dm(svc, messenger, round_id, user, channel, ts, {key: note}))
    kept_comment = comment if comment is not None else (existing.comment if existing else None)
    rating = Rating(
        stakeholder=user,
        item_key=key,
        value=value,
        at=svc.clock(),
        role=team.stakeholder_roles.get(user),
        comment=kept_comment,
    )
    if checkin.hidden_until_close:
        svc.store.record_rating(round_id, rating)
        note = messages.checkin_recorded_hidden(key)
    else:
        before = _rank_of(svc, team, key)
        changed = svc.store.record_rating(round_id, rating)
        if not changed:
            note = messages.checkin_already(key, value)
        else:
            note = messages.checkin_rank_now(key, before, _rank_of(svc, team, key))
    if scores is not None:
        scores.invalidate(team.name)
    if comment is not None:
        note = f"{messages.comment_saved(key)} {note}"
    return Answer(note, _update_dm(svc, messenger, round_id, user, channel, ts, {key: note}))


def comment_modal(
    svc: Services,
    *,
    user: str,
    round_id: int,
    key: str,
    channel: str | None,
    ts: str | None,
) -> View | str:
    """The comment modal for this person and item, or why they cannot answer it."""
    problem = _check_answerable(svc, round_id, user, key)
    if problem is not None:
        return problem
    checkin = svc.store.get_round(round_id)
    assert checkin is not None  # noqa: S101 - checked just above
    team = svc.config.team(checkin.team)
    existing = _existing(svc, round_id, user, key)
    summary = items_by_key(svc, team).get(key)
    return blocks.comment_modal(
        round_id,
        key,
        summary.summary if summary else "",
        current=existing.value if existing else None,
        anonymous=checkin.anonymous,
        channel=channel,
        ts=ts,
    )


# ---------------------------------------------------------------- reminders and closing


def dm_all(messenger: Messenger, users: Iterable[str], reply: blocks.Reply, what: str) -> list[str]:
    """DM ``reply`` to each of ``users``; a failed DM is logged, not fatal. Returns whom."""
    reached = []
    for user in users:
        try:
            messenger.dm(user, reply)
            reached.append(user)
        except DeliveryError as e:
            logger.warning("%s: could not DM %s: %s", what, user, e.code)
    return reached


def remind_non_responders(
    svc: Services, round_id: int, now: datetime, *, messenger: Messenger
) -> list[str]:
    """Nudge, once, the stakeholders who have not answered; returns whom.

    Nothing happens before the round's reminder time, after it closed, or for people already
    reminded, so the scheduler may call this as often as it likes.
    """
    checkin = svc.store.get_round(round_id)
    if checkin is None or checkin.closed_at is not None:
        return []
    if checkin.remind_at is not None and now < checkin.remind_at:
        return []
    answered = svc.store.responders(round_id)
    reminded = svc.store.reminded(round_id)
    due = [user for user in checkin.stakeholders if user not in answered and user not in reminded]
    if not due:
        return []
    team = svc.config.team(checkin.team)
    reply = blocks.checkin_dm_reply(
        round_id,
        team.name,
        _entries(svc, team, list(checkin.items)),
        started_by=None,
        anonymous=checkin.anonymous,
        hidden=checkin.hidden_until_close,
        reminder=True,
    )
    reached = []
    for user in due:
        if dm_all(messenger, [user], reply, f"check-in {round_id} reminder"):
            svc.store.mark_reminded(round_id, user, now)
            reached.append(user)
    logger.info("check-in %d: reminded %d of %d non-responder(s)", round_id, len(reached), len(due))
    return reached


def summarise_round(svc: Services, round_id: int, now: datetime) -> blocks.Reply:
    """The summary of a round as it stands (names hidden when anonymous)."""
    checkin = svc.store.get_round(round_id)
    if checkin is None:
        raise UserError(f"there is no check-in round {round_id}")
    team = svc.config.team(checkin.team)
    scoring = svc.config.scoring
    ratings = svc.store.round_ratings(round_id)
    answered = svc.store.responders(round_id)
    after = aggregate_ratings(ratings, now, scoring.rating_half_life_days, scoring.role_weights)
    in_round = {(rating.stakeholder, rating.item_key, rating.at) for rating in ratings}
    earlier = [
        rating
        for rating in svc.store.ratings_for(list(checkin.items))
        if (rating.stakeholder, rating.item_key, rating.at) not in in_round
        and rating.at < checkin.opened_at
    ]
    before = aggregate_ratings(earlier, now, scoring.rating_half_life_days, scoring.role_weights)
    known = items_by_key(svc, team)
    rows = []
    for key in checkin.items:
        summary = after.get(key)
        values = [rating.value for rating in ratings if rating.item_key == key]
        if summary is None or not values:
            continue
        who = (
            ()
            if checkin.anonymous
            else tuple(sorted({rating.stakeholder for rating in ratings if rating.item_key == key}))
        )
        rows.append(
            blocks.SummaryRow(
                key=key,
                summary=known[key].summary if key in known else "",
                value=summary.value,
                raters=summary.raters,
                spread=summary.spread,
                low=min(values),
                high=max(values),
                before=before[key].value if key in before else None,
                who=who,
            )
        )
    comments = [
        blocks.SummaryComment(
            rating.item_key, rating.comment, None if checkin.anonymous else rating.stakeholder
        )
        for rating in sorted(ratings, key=lambda rating: (rating.item_key, rating.at))
        if rating.comment
    ]
    return blocks.checkin_summary_reply(
        team.name,
        answered=len(answered),
        asked=len(checkin.stakeholders),
        rows=rows,
        comments=comments,
    )


def close_round(
    svc: Services, round_id: int, now: datetime, *, messenger: Messenger
) -> blocks.Reply | None:
    """Close the round and post its summary to the team channel, exactly once.

    Returns the summary, or None when the round was already closed (by another process).
    """
    checkin = svc.store.get_round(round_id)
    if checkin is None:
        raise UserError(f"there is no check-in round {round_id}")
    if checkin.closed_at is not None:
        return None
    with claimed(svc.store, JobName.CHECKIN_CLOSE, checkin.team, str(round_id), now) as run:
        if not run.claimed:
            return None
        # posted before the round is marked closed: a failed post leaves it open to try again
        reply = summarise_round(svc, round_id, now)
        team = svc.config.team(checkin.team)
        if team.channel:
            messenger.post(team.channel, reply, team=team.name, kind="checkin_summary", at=now)
        else:
            logger.warning("check-in %d of %s closed; no channel to post to", round_id, team.name)
        svc.store.close_round(round_id, now)
    return reply
