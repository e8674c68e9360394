"""Rank a backlog straight from a file or the sample: no database, no credentials."""

from __future__ import annotations

from bot.config import NorthstarConfig, Team
from bot.usecases.score import TeamScores, score_and_rank
from bot.wiring import utc_now
from connectors.registry import open_source, parse_source
from rules.ruleset import compile_rules


def team_for_source(source: str, config: NorthstarConfig, team_name: str | None) -> Team:
    """The configured team a source belongs to, or an ad-hoc one named after the source."""
    kind, argument = parse_source(source)
    name = team_name or (argument if kind == "sample" and argument else None)
    for team in config.teams:
        if team.name == name or (name is None and kind == "sample"):
            return team
    label = name or (argument.rsplit("/", 1)[-1] if argument else kind)
    return Team(name=label, source=source)


def rank_source(
    source: str, config: NorthstarConfig, *, team_name: str | None = None
) -> TeamScores:
    """Fetch everything from ``source`` and score and rank it with ``config``."""
    team = team_for_source(source, config, team_name)
    kind, _ = parse_source(source)
    spec = f"sample:{team.name}" if kind == "sample" else source
    connector = open_source(spec, writable=config.jira.fields.writable)
    items = connector.fetch_items().items
    return score_and_rank(
        items, [], config, compile_rules(config.rules), team, utc_now(), connector.read_order()
    )
