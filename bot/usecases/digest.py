"""Build the weekly value digest of a team, preview it, and turn it into a channel post.

:func:`build_digest` gathers what the store remembers (the ranking of a week ago, score and
rating history, check-in turnout, realisation answers) and hands it to
:func:`build_digest_from_scores`, which does the rest with :mod:`rules.digest`. The demo, which
has no store, calls :func:`build_digest_from_scores` with the sample backlog alone.
:func:`preview_digest` shows it without posting (and without drawing the chart);
:func:`bot.usecases.channel_posts.post_digest` posts it to the team's channel.

The digest reports on the team's previous ISO week (Monday 00:00 to Monday 00:00 on the team's
calendar), so a Monday-morning digest covers last week whatever time it is posted, and compares
it with the week before; rank changes compare today's ranking with the one recorded a week
earlier. Both messages link to the team's backlog in Jira when there is one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from slack_sdk.models.blocks import Block

from bot.charts import value_burn_up_png
from bot.chat import messages
from bot.chat.digest_blocks import digest_blocks, digest_text
from bot.chat.posts import Post, Upload
from bot.config import Team
from bot.usecases.benefits import current_goals, latest_lessons, portfolio_chart, portfolio_week
from bot.usecases.links import backlog_url
from bot.usecases.score import TeamScores, load_items, score_and_rank
from bot.wiring import Services
from rules.calendar import iso_week
from rules.digest import (
    Digest,
    RealisationAnswer,
    ScorePoint,
    make_digest,
    shift_weeks,
    week_start,
)
from rules.model import Rating, ValueGoal

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


def build_digest_from_scores(
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
    goals: Sequence[ValueGoal] | None = None,
) -> Digest:
    """The digest of ``team`` at ``now`` from a scored backlog and whatever history there is.

    ``goals`` are the team's goals with their measured figures (the config's when None).
    """
    start, end = digest_period(now, team)
    return make_digest(
        team=team.name,
        # the label names the week reported on, not the week it is posted in (the run key)
        week=iso_week(start, team.zone),
        start=start,
        end=end,
        now=now,
        zone=team.zone,
        goals=team.goals if goals is None else goals,
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
    digest = build_digest_from_scores(
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
        goals=current_goals(svc, team),
    )
    return with_register(svc, team, digest)


def with_register(svc: Services, team: Team, digest: Digest) -> Digest:
    """``digest`` with the register's week: its state today, reviews due in the week starting."""
    this_week = digest.end.astimezone(team.zone).date()
    return digest.model_copy(
        update={
            "portfolio": portfolio_week(svc, team, this_week, this_week + timedelta(days=7)),
            "lessons": latest_lessons(svc, team),
        }
    )


def digest_post(
    svc: Services, team: Team, now: datetime, *, chart: bool = True
) -> tuple[Digest, Post]:
    """The weekly digest of ``team`` as a post: blocks, fallback text and the burn-up chart.

    ``chart=False`` leaves the chart out (a preview shows no chart, so none is drawn).
    """
    digest = build_digest(svc, team, now)
    uploads: tuple[Upload, ...] = ()
    if chart:
        uploads = (
            Upload(
                filename=f"value-burn-up-{team.name}-{digest.week}.png",
                title=messages.chart_title(team.name, digest.week),
                content=value_burn_up_png(digest),
            ),
        )
        if digest.portfolio is not None and digest.portfolio.has_news:
            uploads += (
                Upload(
                    filename=f"benefits-{team.name}-{digest.week}.png",
                    title=messages.portfolio_chart_title(team.name, digest.week),
                    content=portfolio_chart(svc, team),
                ),
            )
    post = Post(
        kind="digest",
        text=digest_text(digest),
        blocks=tuple(digest_blocks(digest)),
        uploads=uploads,
    )
    return digest, post


def preview_digest(svc: Services, team: Team, now: datetime) -> tuple[Digest, list[Block]]:
    """The digest and its blocks, as the channel would get them; nothing is posted or drawn."""
    digest, post = digest_post(svc, team, now, chart=False)
    return digest, list(post.blocks)
