"""What each ``/value`` command and button does: parse, check the role, call a use case, answer.

These functions are the edge of the app: every exception ends here. Problems with what a person
asked (a bad command, an unknown issue, a missing role, a bad rule) are told to them as they are;
Jira, Slack and database failures get plain words and an error id; anything else is logged with
its stack trace under that id and the person sees only the id, never the exception text.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.exc import SQLAlchemyError

from bot.chat import blocks, messages
from bot.config import ConfigError, Team
from bot.errors import UnknownIssueError, UserError
from bot.slack.commands import (
    Checkin,
    Command,
    Digest,
    Goals,
    Help,
    ParseError,
    Reorder,
    SetInputs,
    Top,
    Undo,
    WhatIf,
    Why,
    command_name,
    parse_command,
)
from bot.slack.roles import is_allowed
from bot.slack.work import ScoreCache
from bot.usecases.checkins import close_round, open_round, visible_ratings
from bot.usecases.reorder import ReorderPreview, apply_reorder, preview_reorder, undo_reorder
from bot.usecases.score import TeamScores, find_team_of, score_team, set_inputs, whatif
from bot.wiring import Services
from connectors.base import ConnectorError
from rules.errors import RulesError

if TYPE_CHECKING:
    from rules.model import ScoredItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    """Who asked, where, the Web API client of their workspace, and the shared score cache."""

    user_id: str
    channel_id: str | None
    client: WebClient
    scores: ScoreCache | None = None

    def team_scores(self, svc: Services, team: Team) -> TeamScores:
        """The team's ranking, shared with concurrent readers when a cache is set."""
        if self.scores is None:
            return score_team(svc, team)
        return self.scores.get(svc, team)

    def changed(self, team: Team) -> None:
        """Say that the team's ranking changed (an input, a rating or the order)."""
        if self.scores is not None:
            self.scores.invalidate(team.name)


class RoleRefusedError(UserError):
    """The person lacks the role an action needs; the message names who may."""

    def __init__(self, action: str, allowed: Sequence[str]):
        self.action = action
        self.allowed = list(allowed)
        super().__init__(messages.error_not_allowed(action, self.allowed))


class TeamNeededError(UserError):
    """Several teams and no way to tell which one was meant."""


def new_error_id() -> str:
    """A short id that a person can quote and an admin can grep for in the logs."""
    return uuid.uuid4().hex[:8]


def reply_for_error(error: BaseException, *, what: str) -> blocks.Reply:
    """Turn any exception into an answer a person can act on; log what an admin needs.

    ``what`` describes the request for the log (e.g. "/value top by U123"); it must not
    contain secrets, and the exception text of unknown errors is never shown to the person.
    """
    if isinstance(error, ParseError):
        return blocks.error_reply(error.to_text())
    if isinstance(error, UnknownIssueError):
        return blocks.error_reply(messages.error_unknown_issue(error.key))
    if isinstance(error, RoleRefusedError):
        return blocks.error_reply(str(error))
    if isinstance(error, (UserError, RulesError, ConfigError)):
        return blocks.error_reply(messages.error_user(str(error)))
    error_id = new_error_id()
    if isinstance(error, ConnectorError):
        logger.error("%s failed in Jira (error id %s)", what, error_id, exc_info=error)
        return blocks.error_reply(messages.error_jira(str(error), error_id))
    if isinstance(error, SlackClientError):
        logger.error("%s failed in Slack (error id %s)", what, error_id, exc_info=error)
        return blocks.error_reply(messages.error_slack(error_id))
    if isinstance(error, SQLAlchemyError):
        logger.error("%s failed in the database (error id %s)", what, error_id, exc_info=error)
        return blocks.error_reply(messages.error_database(error_id))
    logger.error("%s failed unexpectedly (error id %s)", what, error_id, exc_info=error)
    return blocks.error_reply(messages.error_unexpected(error_id))


# ---------------------------------------------------------------- helpers


def resolve_team(svc: Services, name: str | None, channel_id: str | None, command: str) -> Team:
    """The named team; else the team of this channel; else the only team."""
    teams = svc.config.teams
    if name is not None:
        return svc.config.team(name)
    for team in teams:
        if team.channel and team.channel == channel_id:
            return team
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise TeamNeededError(messages.error_no_teams())
    example = f"{messages.example_for(command).split(' ')[0]} {command} {teams[0].name}"
    raise TeamNeededError(messages.error_team_needed([team.name for team in teams], example))


def require_role(inv: Invocation, allowed: Sequence[str], action: str) -> None:
    """Raise :class:`RoleRefusedError` unless the person holds one of ``allowed``."""
    if not is_allowed(inv.user_id, allowed, inv.client):
        raise RoleRefusedError(action, allowed)


def _input_help() -> dict[str, str]:
    from rules.scoring import INPUT_HELP

    return dict(INPUT_HELP)


def _changes_text(changes: dict[str, float]) -> str:
    return ", ".join(f"{name}={value:g}" for name, value in changes.items())


# ---------------------------------------------------------------- commands


def run_command(svc: Services, text: str | None, inv: Invocation) -> blocks.Reply:
    """Answer one ``/value`` text. Never raises: errors become answers (see module doc)."""
    command: Command | None = None
    try:
        command = parse_command(text, teams=[team.name for team in svc.config.teams])
        return dispatch(svc, command, inv)
    except Exception as e:  # noqa: BLE001 - the edge: every error becomes an answer
        name = command_name(command) if command is not None else "(unparsed)"
        return reply_for_error(e, what=f"/value {name} by {inv.user_id}")


def dispatch(svc: Services, command: Command, inv: Invocation) -> blocks.Reply:
    """Call the use case a parsed command names and build its answer."""
    if isinstance(command, Help):
        return blocks.help_reply(_input_help(), command.topic)
    if isinstance(command, Top):
        return top(svc, command, inv)
    if isinstance(command, Why):
        return why(svc, command.key, inv)
    if isinstance(command, WhatIf):
        return what_if(svc, command)
    if isinstance(command, SetInputs):
        return set_values(svc, command, inv)
    if isinstance(command, Checkin):
        return checkin(svc, command, inv)
    if isinstance(command, Reorder):
        team = resolve_team(svc, command.team, inv.channel_id, "reorder")
        return reorder_preview(svc, team, inv)
    if isinstance(command, Undo):
        return undo(svc, command, inv)
    if isinstance(command, Digest):
        return digest(svc, command, inv)
    if isinstance(command, Goals):
        team = resolve_team(svc, command.team, inv.channel_id, "goals")
        return blocks.goals_reply(team.name, team.goals)
    raise AssertionError(command)  # pragma: no cover - Command is a closed union


def top(svc: Services, command: Top, inv: Invocation) -> blocks.Reply:
    team = resolve_team(svc, command.team, inv.channel_id, "top")
    ranking = inv.team_scores(svc, team).ranking
    return blocks.top_reply(team.name, ranking.items[: command.count])


def why(svc: Services, key: str, inv: Invocation) -> blocks.Reply:
    from rules.checkins import aggregate_ratings
    from rules.ranking import explain_position

    team = find_team_of(svc, key)
    scores = inv.team_scores(svc, team)
    ranked = scores.ranking.find(key)
    scored: ScoredItem | None = scores.scored_by_key().get(key)
    if scored is None:
        raise UnknownIssueError(key, [team.name])
    if ranked is not None:
        rank_line = messages.why_rank(ranked.rank, len(scores.ranking.items), team.name)
        position = explain_position(scores.ranking, key)
        explanation = ranked.score.explain()
    else:
        rank_line = messages.why_not_ranked(key)
        position = None
        explanation = scored.score.explain()
    scoring = svc.config.scoring
    # ratings of a hidden check-in stay out of sight until it closes
    summaries = aggregate_ratings(
        visible_ratings(svc, svc.store.ratings_for([key])),
        svc.clock(),
        scoring.rating_half_life_days,
        scoring.role_weights,
    )
    summary = summaries.get(key)
    ratings_line = (
        messages.why_ratings(summary.value, summary.raters, summary.spread) if summary else None
    )
    return blocks.why_reply(
        key, explanation, rank_line=rank_line, position=position, ratings_line=ratings_line
    )


def what_if(svc: Services, command: WhatIf) -> blocks.Reply:
    team = find_team_of(svc, command.key)
    result = whatif(svc, team, command.key, dict(command.changes))
    return blocks.text_reply(
        messages.whatif_answer(
            command.key,
            result.before.score.value,
            result.after.score.value,
            result.before.rank,
            result.after.rank,
        )
    )


def set_values(svc: Services, command: SetInputs, inv: Invocation) -> blocks.Reply:
    team = find_team_of(svc, command.key)
    require_role(inv, team.roles.set_inputs, f"change inputs of {team.name} items")
    result = set_inputs(svc, team, command.key, dict(command.changes))
    inv.changed(team)
    logger.info("%s set %s on %s", inv.user_id, _changes_text(dict(command.changes)), command.key)
    return blocks.text_reply(
        messages.set_answer(
            command.key,
            _changes_text(dict(command.changes)),
            result.before.score.value,
            result.after.score.value,
            result.before.rank,
            result.after.rank,
        )
    )


def checkin(svc: Services, command: Checkin, inv: Invocation) -> blocks.Reply:
    if command.key is not None:
        team = find_team_of(svc, command.key)
        items: list[str] | None = [command.key]
    else:
        team = resolve_team(svc, command.team, inv.channel_id, "checkin")
        items = None
    require_role(inv, team.roles.checkin, f"start check-ins for {team.name}")
    started = open_round(
        svc,
        team,
        items=items,
        started_by=inv.user_id,
        anonymous=command.anonymous,
        hidden=command.hidden,
        client=inv.client,
    )
    return blocks.checkin_started_reply(
        messages.checkin_started(
            team.name, len(started.asked), len(started.items), failed=started.failed
        ),
        started.round_id,
        team.channel,
    )


def close_clicked(svc: Services, round_id: int, inv: Invocation) -> blocks.Reply:
    """The "Close and post results" button: check the role, close once, say where results went.

    Without a team channel the summary comes back to the person who clicked, privately.
    """
    checkin = svc.store.get_round(round_id)
    if checkin is None:
        return blocks.text_reply(messages.error_stale_button())
    team = svc.config.team(checkin.team)
    require_role(inv, team.roles.checkin, f"close check-ins of {team.name}")
    summary = close_round(svc, round_id, svc.clock(), client=inv.client)
    inv.changed(team)  # ratings of a hidden round count in the open now
    if summary is None:
        return blocks.text_reply(messages.checkin_closed_already())
    logger.info("%s closed check-in %d of %s", inv.user_id, round_id, team.name)
    if team.channel:
        return blocks.text_reply(messages.checkin_closed_posted(team.name, team.channel))
    return summary


def preview_reply(
    svc: Services, preview: ReorderPreview, inv: Invocation, note: str | None = None
) -> blocks.Reply:
    """The preview as blocks; the Apply button only for people who may apply."""
    team = preview.team
    can_apply = is_allowed(inv.user_id, team.roles.reorder, inv.client)
    rows = [blocks.PreviewRow(r.key, r.summary, r.old, r.new, r.reason) for r in preview.rows]
    return blocks.reorder_preview_reply(
        team.name,
        rows,
        calls=preview.plan.calls,
        naive_calls=preview.plan.naive_calls,
        total=len(preview.plan.target),
        fingerprint=preview.fingerprint,
        can_apply=can_apply,
        roles=team.roles.reorder,
        note=note,
    )


def reorder_preview(svc: Services, team: Team, inv: Invocation) -> blocks.Reply:
    return preview_reply(svc, preview_reorder(svc, team), inv)


def apply_clicked(
    svc: Services,
    team_name: str,
    fingerprint: str,
    inv: Invocation,
    on_start: Callable[[str], None] | None = None,
) -> blocks.Reply:
    """The Apply button: check the role again, apply, and report; re-plan if the backlog moved.

    ``on_start(team)`` runs once the role is confirmed, before the slow part (to say "Applying…").
    """
    try:
        team = svc.config.team(team_name)
        require_role(inv, team.roles.reorder, f"apply a reorder of {team.name}")
        if on_start is not None:
            on_start(team.name)
        report = apply_reorder(svc, team, expected_fingerprint=fingerprint)
        inv.changed(team)
        if report.replanned:
            return preview_reply(
                svc, preview_reorder(svc, team), inv, note=messages.reorder_changed(team.name)
            )
        logger.info(
            "%s applied reorder of %s: %d moved in %d call(s)",
            inv.user_id,
            team.name,
            report.moved,
            report.calls,
        )
        return blocks.text_reply(
            messages.reorder_applied(
                team.name, report.moved, report.calls, report.verified, report.resumed
            )
        )
    except Exception as e:  # noqa: BLE001 - the edge: every error becomes an answer
        return reply_for_error(e, what=f"reorder apply of {team_name} by {inv.user_id}")


def undo(svc: Services, command: Undo, inv: Invocation) -> blocks.Reply:
    team = resolve_team(svc, command.team, inv.channel_id, "undo")
    require_role(inv, team.roles.reorder, f"undo a reorder of {team.name}")
    report = undo_reorder(svc, team)
    inv.changed(team)
    logger.info("%s undid the last reorder of %s", inv.user_id, team.name)
    return blocks.text_reply(messages.undo_done(team.name, report.calls))


def digest(svc: Services, command: Digest, inv: Invocation) -> blocks.Reply:
    """A private preview of the weekly digest (the same blocks the channel would get)."""
    from bot.scheduling.jobs import preview_digest

    team = resolve_team(svc, command.team, inv.channel_id, "digest")
    _, digest_blocks = preview_digest(svc, team, svc.clock())
    block_list = list(digest_blocks)
    title = messages.digest_preview_title(team.name)
    if not block_list:
        return blocks.text_reply(title)
    return blocks.Reply(text=title, blocks=block_list)
