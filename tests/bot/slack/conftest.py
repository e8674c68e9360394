"""Fixtures for the Slack app: a fake Web API, real storage, an in-memory backlog.

Everything across a process boundary is real or a fake at that boundary: Slack is the local
:class:`~tests.fakes.slack_api.FakeSlackServer` (real HTTP), the database is a real SQLite file
(and PostgreSQL when ``NORTHSTAR_TEST_DATABASE_URL`` is set), the backlog tool is the in-memory
connector the sample and file connectors are built on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.slack import roles
from tests.bot.slack.support import PO, PO_GROUP, FakeClock, SlackWorld, make_world
from tests.conftest import TEST_DATABASE_URL
from tests.fakes.slack_api import FakeSlackServer


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite always; PostgreSQL too when NORTHSTAR_TEST_DATABASE_URL is set.

    Each PostgreSQL test gets a schema of its own (dropped afterwards), so tests of other
    packages sharing the database never see these rows, nor these tests theirs.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'northstar.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL not configured: set NORTHSTAR_TEST_DATABASE_URL")
    schema = f"ns_slack_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
