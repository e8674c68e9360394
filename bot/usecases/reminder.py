"""The sprint-start reminder: sprint goal, value committed, top items, value goals, benefits.

A reminder is keyed by its sprint (``sprint-<id>``), posted once per sprint that turns active.
"""

from __future__ import annotations

from datetime import datetime

from bot.chat.digest_blocks import reminder_blocks, reminder_text
from bot.chat.posts import Post
from bot.config import Team
from bot.usecases.benefits import current_goals, served_benefits
from bot.usecases.links import backlog_url
from bot.usecases.score import load_items, rank_snapshot
from bot.wiring import Services
from rules.digest import Reminder, make_reminder
from rules.model import Sprint, SprintState


def build_reminder(svc: Services, team: Team, sprint: Sprint, now: datetime) -> Reminder:
    """The sprint-start reminder of ``sprint``, from the team's snapshot."""
    items = load_items(svc, team)
    scores = rank_snapshot(svc, team, items, now)
    reminder = make_reminder(
        team=team.name,
        sprint=sprint,
        scored=scores.scored,
        goals=current_goals(svc, team),
        full_list_url=backlog_url(svc.settings, team),
    )
    in_sprint = [item for item in items if item.sprint is not None and item.sprint.id == sprint.id]
    return reminder.model_copy(update={"benefits": served_benefits(svc, in_sprint)})


def reminder_post(
    svc: Services, team: Team, sprint: Sprint, now: datetime
) -> tuple[Reminder, Post]:
    """The reminder of ``sprint`` as a channel post."""
    reminder = build_reminder(svc, team, sprint, now)
    post = Post(
        kind="reminder", text=reminder_text(reminder), blocks=tuple(reminder_blocks(reminder))
    )
    return reminder, post


def sprint_period(sprint_id: int) -> str:
    """The run period of a sprint's reminder."""
    return f"sprint-{sprint_id}"


def sprint_of(period: str) -> int:
    return int(period.removeprefix("sprint-"))


def active_sprint(svc: Services, team: Team, period: str) -> Sprint | None:
    """The sprint of ``period`` while it is active; None once it has closed."""
    wanted = sprint_of(period)
    for sprint in svc.connector_for(team).list_sprints():
        if sprint.id == wanted and sprint.state is SprintState.ACTIVE:
            return sprint
    return None


def new_sprint_periods(svc: Services, team: Team) -> list[str]:
    """The periods of active sprints whose reminder has not been posted yet."""
    return [
        sprint_period(sprint.id)
        for sprint in svc.connector_for(team).list_sprints()
        if sprint.state is SprintState.ACTIVE and not svc.store.sprint_seen(team.name, sprint.id)
    ]
