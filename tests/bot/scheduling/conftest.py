"""Fixtures for the scheduler tests: the Slack fake, a hand-moved clock, a wired world.

The world (real SQLite store, sample backlogs) is imported lazily, so the trigger, budget and
leader tests run even where storage is not importable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.bot.scheduling.support import FakeTime, UploadReceiver, allow_uploads
from tests.fakes.slack_api import FakeSlackServer
from tests.pg import postgres_database_url, postgres_url  # noqa: F401 - fixtures

if TYPE_CHECKING:
    from tests.bot.scheduling.world import FakeClock, World


@pytest.fixture
def slack_api() -> Iterator[FakeSlackServer]:
    with FakeSlackServer() as server:
        yield server


@pytest.fixture
def uploads(slack_api: FakeSlackServer) -> Iterator[UploadReceiver]:
    """Chart uploads succeed (files_upload_v2's three steps), the bytes are kept."""
    with UploadReceiver() as receiver:
        allow_uploads(slack_api.state, receiver, count=20)
        yield receiver


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def clock() -> FakeClock:
    from tests.bot.scheduling.world import FakeClock

    return FakeClock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'northstar.db'}"


@pytest.fixture
def world(
    sqlite_url: str, slack_api: FakeSlackServer, clock: FakeClock, uploads: UploadReceiver
) -> Iterator[World]:
    from tests.bot.scheduling.world import make_world

    built = make_world(sqlite_url, slack_api, clock)
    yield built
    built.store.close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgresql"],
)
def any_world(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    slack_api: FakeSlackServer,
    clock: FakeClock,
    uploads: UploadReceiver,
) -> Iterator[World]:
    """The world on SQLite, and on PostgreSQL when ``NORTHSTAR_TEST_DATABASE_URL`` is set."""
    from tests.bot.scheduling.world import make_world

    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    built = make_world(url, slack_api, clock)
    yield built
    built.store.close()
