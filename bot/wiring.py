"""The composition root: settings and config in, connectors, storage and outbound Slack out.

:func:`build_services` is the one place a process (CLI command, web server, scheduler) wires
itself; nothing builds services behind the caller's back. Adapters are built inside it, never
as import-time defaults, so tests and each process get fresh, explicitly configured collaborators.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import NorthstarConfig, Team, load_config
from bot.errors import UserError
from bot.settings import Settings
from connectors.base import Connector
from connectors.registry import open_source
from rules.ruleset import Ruleset, compile_rules

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.chat.messenger import SlackMessenger
    from bot.storage import Store
    from bot.usecases.ports import Clock


def utc_now() -> datetime:
    """The one place the bot reads the clock; everything below takes ``now`` as an argument."""
    return datetime.now(tz=UTC)


class ConnectorPool:
    """One connector per team, built on first use and kept, so in-memory state persists.

    Bolt's threads, the Slack work threads and the scheduler's workers all ask for connectors,
    so building is under a lock: two threads never build two connectors for one team.
    """

    def __init__(self, factory: Callable[[Team], Connector]):
        self._factory = factory
        self._built: dict[str, Connector] = {}
        self._lock = threading.Lock()

    def get(self, team: Team) -> Connector:
        with self._lock:
            connector = self._built.get(team.name)
            if connector is None:
                connector = self._factory(team)
                self._built[team.name] = connector
            return connector


@dataclass(frozen=True)
class Services:
    """What a use case needs, built once per process by :func:`build_services`."""

    settings: Settings
    config: NorthstarConfig
    store: Store
    connector_factory: Callable[[Team], Connector]
    clock: Clock = utc_now
    connectors: ConnectorPool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "connectors", ConnectorPool(self.connector_factory))

    def connector_for(self, team: Team) -> Connector:
        """The team's connector (see :class:`ConnectorPool`)."""
        return self.connectors.get(team)

    @cached_property
    def ruleset(self) -> Ruleset:
        return compile_rules(self.config.rules)

    def slack_client(self) -> WebClient:
        """The bot's own Web API client (single workspace), with our base URL and retries."""
        from bot.chat.client import build_web_client

        return build_web_client(self.settings)

    def messenger(self, client: WebClient | None = None) -> SlackMessenger:
        """Outbound Slack for the use cases: over ``client`` (a workspace's) or the bot's own.

        Raises:
            UserError: no ``client`` and no bot token: Slack is off, so say so at once rather
                than let the Web API client retry a call that cannot succeed.
        """
        from bot.chat.messenger import SlackMessenger

        if client is None and not self.settings.slack_enabled:
            raise UserError(SLACK_OFF)
        web = client if client is not None else self.slack_client()
        return SlackMessenger(web, self.store, self.clock)


#: what every command and job that needs Slack says when it is not set up
SLACK_OFF = "Slack is not set up: set NORTHSTAR_SLACK_BOT_TOKEN (see README, Create the Slack app)"


def team_source_spec(team: Team) -> str:
    """The source spec of a team that does not read Jira: ``sample`` means its own sample."""
    return team.source if ":" in team.source else f"{team.source}:{team.name}"


def build_connector(
    settings: Settings,
    config: NorthstarConfig,
    team: Team,
    store: Store | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Connector:
    """The connector a team's ``source`` names: ``jira`` (default), ``sample``, ``csv:``...

    ``store`` keeps what a Jira connector learnt about the site between processes. A missing
    Jira URL or credentials is reported by :func:`bot.jira_wiring.jira_config`.
    """
    if team.source != "jira":
        return open_source(team_source_spec(team), writable=config.jira.fields.writable)
    from bot.jira_wiring import build_jira_connector

    return build_jira_connector(settings, config, team, cache=store, clock=clock)


def build_services(
    settings: Settings,
    config: NorthstarConfig | None = None,
    *,
    connector_factory: Callable[[Team], Connector] | None = None,
    clock: Clock = utc_now,
) -> Services:
    """Wire a process: load the config (the example one when none is set) and open the store.

    ``connector_factory`` replaces the connectors the config names (tests pass fakes).
    """
    from bot.storage import Store  # SQLAlchemy and Alembic: only for commands that use the store

    chosen = config if config is not None else load_config(settings.config)
    store = Store.open(settings.database_url)
    factory = connector_factory or (
        lambda team: build_connector(settings, chosen, team, store, clock)
    )
    return Services(
        settings=settings, config=chosen, store=store, connector_factory=factory, clock=clock
    )
