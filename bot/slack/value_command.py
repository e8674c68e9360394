"""What each ``/value`` command and button does: check the role, call a use case, answer.

Nothing here catches: the listener that calls these runs them inside the app's one error
boundary (:func:`bot.slack.boundary.guard`), which turns every exception into an answer.

Over 400 lines because it is the one table from each ``/value`` sub-command to its use case;
each answer is a few lines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.chat import benefit_blocks, blocks, messages, mrkdwn
from bot.chat.benefit_text import recorded_line
from bot.config import Team
from bot.errors import UserError
from bot.slack.commands import (
    Benefits,
    BenefitShow,
    Checkin,
    Command,
    Digest,
    Goals,
    Help,
    Measure,
    Reorder,
    SetInputs,
    Top,
    Undo,
    WhatIf,
    Why,
    parse_command,
)
from bot.slack.roles import is_allowed, require_role
from bot.usecases import benefit_entries
from bot.usecases.benefit_entries import find_benefit
from bot.usecases.benefit_status import benefit_team
from bot.usecases.benefits import (
    RecordedMeasurement,
    current_goals,
    list_benefits,
    show_benefit,
)
from bot.usecases.checkins import close_round, open_round
from bot.usecases.digest import preview_digest
from bot.usecases.explain import explain_item
from bot.usecases.ports import Messenger
from bot.usecases.reorder import ReorderPreview, apply_reorder, preview_reorder, undo_reorder
from bot.usecases.score import (
    TeamScores,
    find_team_of,
    load_items,
    score_team,
    set_inputs,
    whatif,
)
from bot.usecases.score_cache import ScoreCache
from bot.wiring import Services
from rules.explain import summary_text, top_by_value

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    """Who asked, where, their workspace's client and messenger, and the shared score cache."""

    user_id: str
    channel_id: str | None
    client: WebClient
    messenger: Messenger
    scores: ScoreCache | None = None
    #: the slash command's or click's trigger, for opening a modal (valid for 3 seconds)
    trigger_id: str | None = None

    def team_scores(self, svc: Services, team: Team) -> TeamScores:
        """The team's ranking, shared with concurrent readers when a cache is set."""
        if self.scores is None:
            return score_team(svc, team)
        return self.scores.get(svc, team)

    def changed(self, team: Team) -> None:
        """Say that the team's ranking changed (an input, a rating or the order)."""
        if self.scores is not None:
            self.scores.invalidate(team.name)

    def require(self, allowed: tuple[str, ...] | list[str], action: str) -> None:
        """Refuse (:class:`~bot.slack.roles.RoleRefusedError`) unless the person may."""
        require_role(self.user_id, self.client, allowed, action)


class TeamNeededError(UserError):
    """Several teams and no way to tell which one was meant."""


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


def _input_help() -> dict[str, str]:
    from rules.scoring import INPUT_HELP

    return dict(INPUT_HELP)


def _changes_text(changes: dict[str, float]) -> str:
    return ", ".join(f"{name}={value:g}" for name, value in changes.items())


# ---------------------------------------------------------------- commands


def answer_command(svc: Services, text: str | None, inv: Invocation) -> blocks.Reply:
    """The answer to one ``/value`` text (raises :class:`~bot.slack.commands.ParseError`...)."""
    command = parse_command(text, teams=[team.name for team in svc.config.teams])
    return dispatch(svc, command, inv)


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
        return blocks.goals_reply(team.name, current_goals(svc, team))
    if isinstance(command, Benefits | BenefitShow | Measure):
        return benefit_command(svc, command, inv)
    # BenefitNew opens a modal at once, before anything is queued (listeners.run_value)
    raise AssertionError(command)  # pragma: no cover - Command is a closed union


def benefit_command(
    svc: Services, command: Benefits | BenefitShow | Measure, inv: Invocation
) -> blocks.Reply:
    if isinstance(command, Benefits):
        team = resolve_team(svc, command.team, inv.channel_id, "benefits")
        load_items(svc, team)  # delivery dates come from the snapshot: sync once if none
        listing = list_benefits(svc, team.name)
        return benefit_blocks.benefits_reply(team.name, listing.assessments)
    if isinstance(command, BenefitShow):
        return benefit(svc, command.benefit_id, inv)
    return measure(svc, command, inv)


def top(svc: Services, command: Top, inv: Invocation) -> blocks.Reply:
    team = resolve_team(svc, command.team, inv.channel_id, "top")
    ranking = inv.team_scores(svc, team).ranking
    return blocks.top_reply(team.name, top_by_value(ranking, command.count))


def why(svc: Services, key: str, inv: Invocation) -> blocks.Reply:
    found = explain_item(svc, key, lambda team: inv.team_scores(svc, team))
    if found.ranked is not None:
        rank_line = messages.why_rank(found.ranked.rank, found.total, found.team)
    else:
        rank_line = messages.why_not_ranked(key)
    summary = found.ratings
    ratings_line = (
        messages.why_ratings(summary.value, summary.raters, summary.spread) if summary else None
    )
    return blocks.why_reply(
        key,
        found.lines,
        rank_line=rank_line,
        pairs=found.pairs,
        position=found.position,
        ratings_line=ratings_line,
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
    inv.require(team.roles.set_inputs, f"change inputs of {team.name} items")
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
    inv.require(team.roles.checkin, f"start check-ins for {team.name}")
    started = open_round(
        svc,
        team,
        items=items,
        started_by=inv.user_id,
        anonymous=command.anonymous,
        hidden=command.hidden,
        messenger=inv.messenger,
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
    inv.require(team.roles.checkin, f"close check-ins of {team.name}")
    summary = close_round(svc, round_id, svc.clock(), messenger=inv.messenger)
    inv.changed(team)  # ratings of a hidden round count in the open now
    if summary is None:
        return blocks.text_reply(messages.checkin_closed_already())
    logger.info("%s closed check-in %d of %s", inv.user_id, round_id, team.name)
    if team.channel:
        return blocks.text_reply(messages.checkin_closed_posted(team.name, team.channel))
    return summary


def benefit_roles(svc: Services, team: Team | None) -> tuple[str, ...]:
    """Who may create or edit the entry: its team's ``benefits`` role, else any team's."""
    if team is not None:
        return team.roles.benefits
    return tuple(holder for known in svc.config.teams for holder in known.roles.benefits)


def benefit(svc: Services, benefit_id: str, inv: Invocation) -> blocks.Reply:
    """One benefit in full; the Edit button for people with the ``benefits`` role."""
    team = benefit_team(svc, find_benefit(svc, benefit_id))
    if team is not None:
        load_items(svc, team)  # delivery dates come from the snapshot: sync once if none
    view = show_benefit(svc, benefit_id)
    roles = benefit_roles(svc, team)
    return benefit_blocks.benefit_reply(
        view.assessment,
        measurements=view.measurements,
        reviews=view.reviews,
        lessons=view.lessons,
        unknown_links=view.unknown_links,
        can_edit=is_allowed(inv.user_id, roles, inv.client),
    )


def measure(svc: Services, command: Measure, inv: Invocation) -> blocks.Reply:
    """Record an actual; anyone may (it is stored with who said it, like a rating)."""
    team = next((t for t in svc.config.teams if t.channel and t.channel == inv.channel_id), None)
    recorded = benefit_entries.measure(
        svc,
        command.subject,
        command.value,
        who=inv.user_id,
        confidence=command.confidence,
        note=command.note,
        team=team,
    )
    logger.info("%s recorded %g for %s", inv.user_id, command.value, recorded.measurement.subject)
    return blocks.text_reply(recorded_text(recorded))


def recorded_text(recorded: RecordedMeasurement) -> str:
    """The confirmation of an actual, as the CLI prints it, escaped for mrkdwn."""
    line = recorded_line(
        recorded.measurement,
        assessment=recorded.assessment,
        goal=recorded.goal,
        risk_raised=recorded.risk_raised,
    )
    return ":white_check_mark: " + mrkdwn.escape(line)


def open_benefit_form(svc: Services, benefit_id: str | None, inv: Invocation) -> None:
    """Open the entry form (new, or ``benefit_id`` to edit) for a ``benefits`` role holder."""
    existing = None
    if benefit_id is not None:
        existing = find_benefit(svc, benefit_id)
    roles = benefit_roles(svc, benefit_team(svc, existing) if existing else None)
    verb = f"edit {benefit_id}" if benefit_id else "create benefits"
    inv.require(roles, verb)
    if not inv.trigger_id:
        raise UserError(messages.error_stale_button())
    view = benefit_blocks.benefit_modal(existing, teams=[team.name for team in svc.config.teams])
    inv.client.views_open(trigger_id=inv.trigger_id, view=view)


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
        summary=summary_text(preview.summary, len(preview.plan.target)),
        calls=preview.plan.calls,
        naive_calls=preview.plan.naive_calls,
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
    team = svc.config.team(team_name)
    inv.require(team.roles.reorder, f"apply a reorder of {team.name}")
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


def undo(svc: Services, command: Undo, inv: Invocation) -> blocks.Reply:
    team = resolve_team(svc, command.team, inv.channel_id, "undo")
    inv.require(team.roles.reorder, f"undo a reorder of {team.name}")
    report = undo_reorder(svc, team)
    inv.changed(team)
    logger.info("%s undid the last reorder of %s", inv.user_id, team.name)
    return blocks.text_reply(messages.undo_done(team.name, report.calls))


def digest(svc: Services, command: Digest, inv: Invocation) -> blocks.Reply:
    """A private preview of the weekly digest (the same blocks the channel would get)."""
    team = resolve_team(svc, command.team, inv.channel_id, "digest")
    _, digest_blocks = preview_digest(svc, team, svc.clock())
    block_list = list(digest_blocks)
    title = messages.digest_preview_title(team.name)
    if not block_list:
        return blocks.text_reply(title)
    return blocks.Reply(text=title, blocks=block_list)
