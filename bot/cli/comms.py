"""The commands that talk to people: digest, remind, checkin (Slack, through the bot's token)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli import options
from bot.cli.options import JsonOption, TeamOption
from bot.cli.output import emit_json, out

commands = typer.Typer()


@commands.command()
def digest(
    team: TeamOption = None,
    post: Annotated[bool, typer.Option("--post", help="Post to the team's channel.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Preview the weekly value digest, or post it with --post."""
    from bot.chat.digest_blocks import digest_text
    from bot.chat.mrkdwn import unescape
    from bot.usecases.channel_posts import post_digest
    from bot.usecases.digest import preview_digest

    svc = options.services()
    chosen = options.team_of(svc, team)
    now = svc.clock()
    if post:
        out.print(str(post_digest(svc, svc.messenger(), chosen, now, force=True)))
        return
    model, blocks = preview_digest(svc, chosen, now)
    if as_json:
        emit_json({"blocks": [block.to_dict() for block in blocks]})
        return
    out.print(unescape(digest_text(model)), highlight=False)


@commands.command()
def remind(team: TeamOption = None) -> None:
    """Post the sprint-start reminder for newly active sprints now."""
    from bot.usecases.channel_posts import post_reminders

    svc = options.services()
    out.print(str(post_reminders(svc, svc.messenger(), options.team_of(svc, team), svc.clock())))


@commands.command()
def checkin(
    team: TeamOption = None,
    item: Annotated[str | None, typer.Option("--item", help="Ask about one issue only.")] = None,
) -> None:
    """Start a stakeholder check-in round (direct messages in Slack)."""
    from bot.usecases.checkins import open_round

    svc = options.services()
    started = open_round(
        svc,
        options.team_of(svc, team),
        items=[item] if item else None,
        started_by=None,
        messenger=svc.messenger(),
    )
    out.print(f"Check-in round {started.round_id} started.")
