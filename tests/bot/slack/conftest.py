"""Fixtures for the Slack app: a fake Web API, real storage, an in-memory backlog.

Everything across a process boundary is real or a fake at that boundary: Slack is the local
:class:`~tests.fakes.slack_api.FakeSlackServer` (real HTTP), the database is a real SQLite file
(and PostgreSQL when ``NORTHSTAR_TEST_DATABASE_URL`` is set), the backlog tool is the in-memory
connector the sample and file connectors are built on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack import roles
from tests.bot.slack.support import PO, PO_GROUP, FakeClock, SlackWorld, make_world
from tests.fakes.slack_api import FakeSlackServer
from tests.pg import postgres_database_url, postgres_url  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite always; PostgreSQL too when NORTHSTAR_TEST_DATABASE_URL is set.

    Each PostgreSQL test gets an empty schema of its own in this session's own database
    (:mod:`tests.pg`), so parallel runs and other suites sharing the server never clash.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'northstar.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'northstar.db'}"


@pytest.fixture
def slack_api() -> Iterator[FakeSlackServer]:
    roles.group_cache.clear()
    with FakeSlackServer() as server:
        server.state.usergroups[PO_GROUP] = [PO]
        yield server
    roles.group_cache.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(sqlite_url: str, slack_api: FakeSlackServer, clock: FakeClock) -> Iterator[SlackWorld]:
    built = make_world(sqlite_url, slack_api, clock)
    yield built
    built.store.close()


@pytest.fixture
def any_db_world(
    database_url: str, slack_api: FakeSlackServer, clock: FakeClock
) -> Iterator[SlackWorld]:
    """The same world on SQLite and (when configured) PostgreSQL."""
    built = make_world(database_url, slack_api, clock)
    yield built
    built.store.close()
