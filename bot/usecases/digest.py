"""Build the weekly value digest and the sprint-start reminder of a team.

:func:`build_digest` gathers what the store remembers (the ranking of a week ago, score and
rating history, check-in turnout, realisation answers) and hands it to :func:`compose_digest`,
which does the rest with :mod:`rules.digest`. The demo, which has no store, calls
:func:`compose_digest` with the sample backlog alone.

The digest reports on the team's previous ISO week (Monday 00:00 to Monday 00:00 on the team's
calendar), so a Monday-morning digest covers last week whatever time it is posted, and compares
it with the week before; rank changes compare today's ranking with the one recorded a week
earlier. Both messages link to the team's backlog in Jira when there is one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from urllib.parse import quote

from bot.config import Team
from bot.settings import Settings
from bot.usecases.score import TeamScores, load_items, rank_snapshot, score_and_rank
from bot.wiring import Services
from rules.calendar import iso_week
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
    previous_at: datetime | None = None,
    full_list_url: str | None = None,
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
        previous_at=previous_at,
        full_list_url=full_list_url,
    )


def backlog_url(settings: Settings, team: Team) -> str | None:
    """The team's ordered backlog in Jira (its board's backlog, or its JQL), else None."""
    if team.source != "jira" or settings.jira_url is None:
        return None
    base = str(settings.jira_url).rstrip("/")
    if team.board is not None:
        return f"{base}/secure/RapidBoard.jspa?rapidView={team.board}&view=planning"
    if team.jql:
        return f"{base}/issues/?jql={quote(team.jql)}"
    return None


def _previous_order(
    svc: Services, team: Team, now: datetime, scores: TeamScores
) -> tuple[list[str], datetime | None]:
    """The ranking recorded a week ago (else the oldest since) and when it was taken.

    Without any recorded ranking, the tool's current order stands in, with no time: the rank
    changes are then the ones Northstar's ranking makes to it.
    """
    since = now - MOVERS_SINCE
    record = svc.store.ranking_before(team.name, since)
    if record is None:
        record = next(iter(svc.store.rankings(team.name, since=since)), None)
    if record is None:
        return list(scores.current_order), None
    return list(record.keys), record.at


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
    previous_order, previous_at = _previous_order(svc, team, now, scores)
    return compose_digest(
        team,
        scores,
        now,
        previous_order=previous_order,
        ratings=ratings,
        history=history,
        rounds=rounds,
        answers=answers,
        previous_at=previous_at,
        full_list_url=backlog_url(svc.settings, team),
    )


def build_reminder(svc: Services, team: Team, sprint: Sprint, now: datetime) -> Reminder:
    """The sprint-start reminder of ``sprint``, from the team's snapshot."""
    scores = rank_snapshot(svc, team, load_items(svc, team), now)
    return make_reminder(
        team=team.name,
        sprint=sprint,
        scored=scores.scored,
        goals=team.goals,
        full_list_url=backlog_url(svc.settings, team),
    )
