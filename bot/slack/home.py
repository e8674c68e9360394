"""The App Home tab: the person's teams at a glance, and what waits for their rating.

For each team the person belongs to (as stakeholder or role holder; all teams when none):
the value goals, the top 10 with scores, and the latest digest in short. Above them, the
check-ins still waiting for this person's rating. One failing part shows an error id in its
place; the rest of the page still renders. Always within the 100-block limit of a view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot.chat import blocks, messages
from bot.chat.mrkdwn import escape
from bot.config import Team
from bot.errors import new_error_id
from bot.usecases.score import score_team
from bot.usecases.score_cache import ScoreCache
from bot.wiring import Services

logger = logging.getLogger(__name__)

#: teams shown at most; each takes about six blocks
MAX_HOME_TEAMS = 5
HOME_TOP = 10
#: lines of the digest shown on the Home tab
DIGEST_LINES = 8


def teams_of(svc: Services, user_id: str) -> list[Team]:
    """Teams where the person is a stakeholder or holds a role; every team when none."""
    mine = [
        team
        for team in svc.config.teams
        if user_id in team.stakeholders
        or user_id in (*team.roles.reorder, *team.roles.set_inputs, *team.roles.checkin)
    ]
    return (mine or list(svc.config.teams))[:MAX_HOME_TEAMS]


def _guarded(what: str, build: Callable[[], list[Block]]) -> list[Block]:
    """One part of the page; a failure there shows an error id instead of the part."""
    try:
        return build()
    except Exception:
        error_id = new_error_id()
        logger.exception("App Home: %s failed (error id %s)", what, error_id)
        return [blocks.context(messages.home_error(error_id))]


def pending_blocks(svc: Services, user_id: str) -> list[Block]:
    """Open check-ins that still wait for this person (counts only: values stay private)."""
    lines = []
    for checkin in svc.store.open_rounds():
        if user_id not in checkin.stakeholders:
            continue
        rated = {
            rating.item_key
            for rating in svc.store.round_ratings(checkin.id)
            if rating.stakeholder == user_id
        }
        missing = [key for key in checkin.items if key not in rated]
        if missing:
            opened = checkin.opened_at.strftime("%Y-%m-%d")
            lines.append(messages.home_pending_round(checkin.team, len(missing), opened))
    body = "\n".join([messages.home_pending_title(), *(lines or [messages.home_no_pending()])])
    return blocks.sections(body)


def goals_blocks(team: Team) -> list[Block]:
    if not team.goals:
        return [blocks.context(messages.goals_empty(team.name))]
    return blocks.sections("\n".join(blocks.goal_lines(team.goals)))


def top_blocks(svc: Services, team: Team, scores: ScoreCache | None = None) -> list[Block]:
    computed = scores.get(svc, team) if scores is not None else score_team(svc, team)
    ranked = computed.ranking.items[:HOME_TOP]
    if not ranked:
        return [blocks.context(messages.top_empty(team.name))]
    lines = [messages.home_top_title(len(ranked))]
    lines += [
        messages.top_line(
            entry.rank,
            escape(entry.key),
            blocks.list_summary(entry.item.summary),
            entry.score.value,
            entry.score.model,
            "",
        )
        for entry in ranked
    ]
    return blocks.sections("\n".join(lines))


def digest_blocks(svc: Services, team: Team, now: datetime) -> list[Block]:
    """The first lines of the team's digest as of ``now``."""
    from bot.chat.digest_blocks import digest_text
    from bot.usecases.digest import build_digest

    text = digest_text(build_digest(svc, team, now))
    lines = [line for line in text.splitlines() if line.strip()][:DIGEST_LINES]
    return blocks.sections("\n".join([messages.home_digest_title(), *lines]))


def build_home(
    svc: Services, user_id: str, now: datetime, *, scores: ScoreCache | None = None
) -> View:
    """The Home view for ``user_id``."""
    page: list[Block] = []
    page.extend(_guarded("pending check-ins", lambda: pending_blocks(svc, user_id)))
    teams = teams_of(svc, user_id)
    if not teams:
        page.append(blocks.section(messages.home_no_teams()))
    for team in teams:
        page.append(DividerBlock())
        page.append(blocks.header(messages.home_team_header(team.name)))
        page.extend(_guarded(f"goals of {team.name}", partial(goals_blocks, team)))
        page.extend(_guarded(f"top of {team.name}", partial(top_blocks, svc, team, scores)))
        page.extend(_guarded(f"digest of {team.name}", partial(digest_blocks, svc, team, now)))
    return blocks.home_view(page)


def publish_home(
    svc: Services, client: WebClient, user_id: str, *, scores: ScoreCache | None = None
) -> View:
    """Build and publish the Home tab of ``user_id`` (``views.publish``)."""
    view = build_home(svc, user_id, svc.clock(), scores=scores)
    client.views_publish(user_id=user_id, view=view)
    return view
