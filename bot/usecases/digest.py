"""Build the weekly value digest and the sprint-start reminder of a team.

:func:`build_digest` gathers what the store remembers (the ranking of a week ago, score and
rating history, check-in turnout, realisation answers) and hands it to :func:`compose_digest`,
which does the rest with :mod:`rules.digest`. The demo, which has no store, calls
:func:`compose_digest` with the sample backlog alone.

The digest reports on the team's previous ISO week (Monday 00:00 to Monday 00:00 on the team's
calendar), so a Monday-morning digest covers last week whatever time it is posted; rank changes
compare today's ranking with the one recorded a week earlier.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from bot.config import Team
from bot.scheduling.timespec import iso_week
from bot.usecases.score import TeamScores, load_items, rank_snapshot, score_and_rank
from bot.wiring import Services
from rules.digest import (
    Digest,
    RealisationAnswer,
    Reminder,
    ScorePoint,
    make_digest,
    make_reminder,
    shift_weeks,
    week_start,
)
from rules.model import Rating, Sprint

#: an open item nobody rated or rescored for this many days is listed as stale
STALE_AFTER_DAYS = 30
#: weeks of history the burn-up chart shows
BURN_UP_WEEKS = 8
#: rank changes the digest lists
MOVERS_SHOWN = 5
#: how far back "last week's ranking" is looked up
MOVERS_SINCE = timedelta(days=7)


def digest_period(now: datetime, team: Team) -> tuple[datetime, datetime]:
    """The week a digest at ``now`` reports on: the team's previous ISO week, ``[start, end)``."""
    end = week_start(now, team.zone)
    return shift_weeks(end, -1, team.zone), end


def compose_digest(
    team: Team,
    scores: TeamScores,
    now: datetime,
    *,
    previous_order: Sequence[str],
    ratings: Sequence[Rating] = (),
    history: Sequence[ScorePoint] = (),
    rounds: Sequence[tuple[Collection[str], Collection[str]]] = (),
    answers: Sequence[RealisationAnswer] = (),
) -> Digest:
    """The digest of ``team`` at ``now`` from a scored backlog and whatever history there is."""
    start, end = digest_period(now, team)
    return make_digest(
        team=team.name,
        week=iso_week(now, team.zone),
        start=start,
        end=end,
        now=now,
        zone=team.zone,
        goals=team.goals,
        scored=scores.scored,
        ranking=scores.ranking,
        previous_order=previous_order,
        ratings=ratings,
        history=history,
        rounds=rounds,
        answers=answers,
        stale_days=STALE_AFTER_DAYS,
        burn_up_weeks=BURN_UP_WEEKS,
        movers=MOVERS_SHOWN,
    )


def _previous_order(svc: Services, team: Team, now: datetime, scores: TeamScores) -> list[str]:
    """The ranking recorded a week ago, else the oldest since, else the tool's current order."""
    since = now - MOVERS_SINCE
    record = svc.store.ranking_before(team.name, since)
    if record is None:
        record = next(iter(svc.store.rankings(team.name, since=since)), None)
    return list(record.keys) if record is not None else list(scores.current_order)


def build_digest(svc: Services, team: Team, now: datetime) -> Digest:
    """This week's digest of ``team``, from its snapshot and the store's history."""
    items = load_items(svc, team)
    keys = [item.key for item in items]
    ratings = svc.store.ratings_for(keys)
    scores = score_and_rank(items, ratings, svc.config, svc.ruleset, team, now)
    start, end = digest_period(now, team)
    rounds = [
        (stored.stakeholders, svc.store.responders(stored.id))
        for stored in svc.store.rounds(team.name, since=start)
        if stored.started_at < end
    ]
    history = [
        ScorePoint(key=record.key, value=record.value, at=record.at)
        for record in svc.store.score_history(team.name)
    ]
    answers = [
        RealisationAnswer.model_validate(
            {"key": record.key, "user": record.user, "answer": record.answer, "at": record.at}
        )
        for record in svc.store.realisations(keys=keys)
    ]
    return compose_digest(
        team,
        scores,
        now,
        previous_order=_previous_order(svc, team, now, scores),
        ratings=ratings,
        history=history,
        rounds=rounds,
        answers=answers,
    )


def build_reminder(svc: Services, team: Team, sprint: Sprint, now: datetime) -> Reminder:
    """The sprint-start reminder of ``sprint``, from the team's snapshot."""
    scores = rank_snapshot(svc, team, load_items(svc, team), now)
    return make_reminder(team=team.name, sprint=sprint, scored=scores.scored, goals=team.goals)
