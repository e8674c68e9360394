"""The composition root: settings and config in, connectors, storage and use cases out.

Adapters are built inside these functions, never as import-time defaults, so tests and each
process (CLI, web, scheduler) get fresh, explicitly configured collaborators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import NorthstarConfig, Team, load_config
from bot.settings import Settings
from bot.storage import Store
from connectors.base import Connector, ConnectorConfigError
from connectors.registry import open_source
from rules.ruleset import Ruleset, compile_rules

if TYPE_CHECKING:
    from slack_sdk import WebClient


def utc_now() -> datetime:
    """The one place the bot reads the clock; everything below takes ``now`` as an argument."""
    return datetime.now(tz=UTC)


@dataclass
class Services:
    """What a use case needs, built once per process."""

    settings: Settings
    config: NorthstarConfig
    store: Store
    connector_factory: Callable[[Team], Connector]
    clock: Callable[[], datetime] = utc_now
    _connectors: dict[str, Connector] = field(default_factory=dict)

    def connector_for(self, team: Team) -> Connector:
        """The team's connector, built on first use and kept, so in-memory state persists."""
        if team.name not in self._connectors:
            self._connectors[team.name] = self.connector_factory(team)
        return self._connectors[team.name]

    @cached_property
    def ruleset(self) -> Ruleset:
        return compile_rules(self.config.rules)

    def slack_client(self) -> WebClient:
        from bot.chat.client import build_web_client

        return build_web_client(self.settings)


def build_connector(
    settings: Settings,
    config: NorthstarConfig,
    team: Team,
    store: Store | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Connector:
    """The connector a team's ``source`` names: ``jira`` (default), ``sample``, ``csv:``...

    ``store`` keeps what a Jira connector learnt about the site between processes.
    """
    if team.source != "jira":
        spec = team.source if ":" in team.source else f"{team.source}:{team.name}"
        return open_source(spec, writable=config.jira.fields.writable)
    from bot.jira_wiring import build_jira_connector

    if settings.jira_url is None:
        raise ConnectorConfigError(
            f"team {team.name!r} reads Jira but NORTHSTAR_JIRA_URL is not set; set it, with "
            "NORTHSTAR_JIRA_EMAIL and NORTHSTAR_JIRA_API_TOKEN (Cloud) or NORTHSTAR_JIRA_PAT "
            "(Data Center)"
        )
    return build_jira_connector(settings, config, team, cache=store, clock=clock)


def build_services(settings: Settings, config: NorthstarConfig | None = None) -> Services:
    """Wire a process: load the config (the example one when none is set) and open the store."""
    if config is None:
        config = load_config(settings.config)
    store = Store.open(settings.database_url)
    return Services(
        settings=settings,
        config=config,
        store=store,
        connector_factory=lambda team: build_connector(settings, config, team, store),
    )
