"""Services over the built-in sample backlog and a fresh SQLite file, with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.config import load_config
from bot.settings import Settings
from bot.storage import Store
from bot.wiring import Services
from connectors.registry import open_source


@contextmanager
def sample_services(folder: Path, now: datetime) -> Iterator[Services]:
    """The example config's teams on their sample backlogs, as at ``now``; closed afterwards."""
    url = f"sqlite:///{folder / 'northstar.db'}"
    config = load_config(None)
    connectors = {
        team.name: open_source(
            f"sample:{team.name}", writable=config.jira.fields.writable, clock=lambda: now
        )
        for team in config.teams
    }
    services = Services(
        settings=Settings(_env_file=None, database_url=url),
        config=config,
        store=Store.open(url),
        connector_factory=lambda team: connectors[team.name],
        clock=lambda: now,
    )
    try:
        yield services
    finally:
        services.store.close()
