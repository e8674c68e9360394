"""The App Home tab: the person's teams at a glance, and what waits for their rating.

Below the check-ins waiting for them, the benefits they own with a "Record actual" button.
For each team the person belongs to (as stakeholder or role holder; all teams when none):
the value goals, the 10 most valuable items by score (each with its backlog rank), and the
latest digest in short. Above them, the check-ins still waiting for this person's rating. One
failing part shows an error id in its place; the rest of the page still renders. Always
within the 100-block limit of a view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot.chat import benefit_blocks, blocks, messages
from bot.config import Team
from bot.errors import new_error_id
from bot.usecases.benefit_entries import my_benefits
from bot.usecases.benefits import current_goals
from bot.usecases.score import score_team
from bot.usecases.score_cache import ScoreCache
from bot.wiring import Services
from rules.explain import top_by_value

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
        or user_id
        in (
            *team.roles.reorder,
            *team.roles.set_inputs,
            *team.roles.checkin,
            *team.roles.benefits,
        )
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


def benefits_blocks(svc: Services, user_id: str) -> list[Block]:
    """The benefits this person owns, with their status and a "Record actual" button."""
    return benefit_blocks.home_benefit_blocks(my_benefits(svc, user_id))


def goals_blocks(svc: Services, team: Team) -> list[Block]:
    """The team's goals with their measured figures (the latest measurement, else config)."""
    if not team.goals:
        return [blocks.context(messages.goals_empty(team.name))]
    return blocks.sections("\n".join(blocks.goal_lines(current_goals(svc, team))))


def top_blocks(svc: Services, team: Team, scores: ScoreCache | None = None) -> list[Block]:
    """The team's ten most valuable items by score, each with its place in the backlog."""
    computed = scores.get(svc, team) if scores is not None else score_team(svc, team)
    entries = top_by_value(computed.ranking, HOME_TOP)
    if not entries:
        return [blocks.context(messages.top_empty(team.name))]
    lines = [messages.home_top_title(len(entries)), *blocks.value_lines(entries)]
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
    page.extend(_guarded("own benefits", lambda: benefits_blocks(svc, user_id)))
    teams = teams_of(svc, user_id)
    if not teams:
        page.append(blocks.section(messages.home_no_teams()))
    for team in teams:
        page.append(DividerBlock())
        page.append(blocks.header(messages.home_team_header(team.name)))
        page.extend(_guarded(f"goals of {team.name}", partial(goals_blocks, svc, team)))
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
