"""A store on SQLite (always) and on PostgreSQL (when NORTHSTAR_TEST_DATABASE_URL is set).

Each PostgreSQL test gets an empty schema of its own in a database of this session's own
(see :mod:`tests.pg`), so suites sharing the server never see each other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Store
from tests.pg import postgres_database_url, postgres_url  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'northstar.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    yield opened
    opened.close()


@pytest.fixture
def second_store(database_url: str, store: Store) -> Iterator[Store]:
    """Another process's store on the same database."""
    opened = Store.open(database_url)
    yield opened
    opened.close()
