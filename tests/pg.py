"""Fresh PostgreSQL databases for tests, so suites sharing one server never see each other's rows.

``NORTHSTAR_TEST_DATABASE_URL`` names a server and a database other suites use too; nothing
here writes to that database. Each test session gets a database of its own
(``northstar_t_<random>``, dropped at the end) and each test a schema of its own in it.

Use the fixtures from a ``conftest.py``::

    from tests.pg import postgres_database_url, postgres_url  # noqa: F401

and ask for ``postgres_url`` (a fresh, empty schema for one test), or ``postgres_database_url``
(the session's database). Both skip the test when the variable is not set.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from tests.conftest import TEST_DATABASE_URL

SKIP_REASON = "NORTHSTAR_TEST_DATABASE_URL is not set: PostgreSQL store tests skipped"


def _admin(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new database on ``server_url``'s server, its URL yielded, dropped afterwards."""
    name = f"northstar_t_{uuid.uuid4().hex[:12]}"
    admin = _admin(server_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                # FORCE: a connection a failed test left open must not keep the database alive
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def fresh_postgres_schema(database_url: str) -> Iterator[str]:
    """A new schema in ``database_url``; the URL yielded puts it first on the search path."""
    name = f"ns_{uuid.uuid4().hex[:12]}"
    admin = _admin(database_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={name}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """This test session's own PostgreSQL database (skips when none is configured)."""
    if not TEST_DATABASE_URL:
        pytest.skip(SKIP_REASON)
    with fresh_postgres_database(TEST_DATABASE_URL) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_database_url: str) -> Iterator[str]:
    """An empty schema of its own for one test, in the session's database."""
    with fresh_postgres_schema(postgres_database_url) as url:
        yield url
