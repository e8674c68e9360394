"""Rank a backlog straight from a file or the sample: no database, no credentials.

``rank`` and ``why`` pick a team like every other command (the only one, or ``--team``) and
read that team's configured ``source``; ``--source`` reads another file or sample instead.
A team, or a sample, that does not exist is an error listing the ones that do: ranking an
invented backlog would look like an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from bot.config import NorthstarConfig, Team
from bot.errors import UserError
from bot.usecases.score import TeamScores, score_and_rank
from bot.wiring import team_source_spec, utc_now
from connectors.files import FileConnector
from connectors.registry import open_source, parse_source
from connectors.sample import SAMPLE_TODAY
from rules.ruleset import compile_rules

#: the sample backlogs tuned by hand; any configured team with ``source = "sample"`` has one too
SAMPLE_TEAMS = ("payments", "growth")


@dataclass(frozen=True)
class SourceRanking:
    """The ranking, and what the source left out or read differently (one line each)."""

    scores: TeamScores
    notes: tuple[str, ...] = ()
    sample: bool = False
    #: keys the source holds that are done, so left out of the ranking
    done: frozenset[str] = frozenset()


def _reads_jira(team: str | None) -> UserError:
    who = f"team {team!r} reads Jira" if team else "the jira source needs credentials"
    return UserError(
        f"{who}: `rank` and `why` read files and the sample offline; run `northstar sync` and "
        "`northstar score` to rank a Jira backlog, or pass --source csv:PATH"
    )


def choose(source: str | None, config: NorthstarConfig, team_name: str | None) -> tuple[Team, str]:
    """The team whose rules apply and the source spec to read.

    Raises:
        ConfigError: ``team_name`` is not configured, or several teams are and none is named.
        UserError: the source is Jira, or a sample team that does not exist.
    """
    if source is None:
        team = config.team(team_name)
        if team.source == "jira":
            raise _reads_jira(team.name)
        return team, team_source_spec(team)
    kind, argument = parse_source(source)
    if kind == "jira":
        raise _reads_jira(team_name)
    configured = {team.name: team for team in config.teams}
    if kind == "sample":
        name = argument or team_name
        if name is None:  # `--source sample`: the first sample team, as the demo uses
            name = next((t.name for t in config.teams if t.source == "sample"), SAMPLE_TEAMS[0])
        known = sorted({*SAMPLE_TEAMS, *(t.name for t in config.teams if t.source == "sample")})
        if name not in known:
            raise UserError(f"no sample team {name!r} (sample teams: {', '.join(known)})")
        return configured.get(name) or Team(name=name, source="sample"), f"sample:{name}"
    if team_name is not None:
        return config.team(team_name), source
    label = argument.rsplit("/", 1)[-1] if argument else kind
    return Team(name=label, source=source), source


def rank_source(
    source: str | None, config: NorthstarConfig, *, team_name: str | None = None
) -> SourceRanking:
    """Fetch everything from the chosen source and score and rank it with ``config``."""
    team, spec = choose(source, config, team_name)
    connector = open_source(spec, writable=config.jira.fields.writable)
    items = connector.fetch_items().items
    sample = parse_source(spec)[0] == "sample"
    # the sample is a snapshot of its own Monday; scored on it, as the demo is (same ranking)
    now = datetime.combine(SAMPLE_TODAY, time(9, 0), tzinfo=UTC) if sample else utc_now()
    scores = score_and_rank(
        items, [], config, compile_rules(config.rules), team, now, connector.read_order()
    )
    notes = tuple(connector.summary.notes()) if isinstance(connector, FileConnector) else ()
    done = frozenset(item.key for item in items if item.is_done)
    return SourceRanking(scores, notes, sample=sample, done=done)
