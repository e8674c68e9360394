"""The engine, transactions and upserts every part of the store shares.

Only SQLite and PostgreSQL are supported: the upserts are their ``INSERT ... ON CONFLICT``,
and the scheduler's leader election knows only these two.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.errors import ConfigError
from bot.storage.tables import Base

SUPPORTED = ("sqlite", "postgresql")
#: How long a SQLite writer waits for another one before giving up with "database is locked".
SQLITE_BUSY_SECONDS = 30.0
#: SQLite allows 999 bound parameters in old builds; ``IN (...)`` lists are sent in chunks.
IN_CHUNK = 500


class UnsupportedDatabaseError(ConfigError):
    """The database URL names a database Northstar cannot store its data in.

    A setting that cannot work, so a :class:`~bot.config.ConfigError`: every edge shows its
    message as one line instead of burying it under a traceback.
    """


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Hand transaction control to SQLAlchemy (see _sqlite_begin) and enforce foreign keys,
    # which SQLite otherwise ignores.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front. A deferred transaction that reads and
    # then writes fails at once with "database is locked" when another process wrote
    # meanwhile (SQLite cannot wait there without deadlocking), which would break claim_run's
    # exactly-once promise across two processes. It also makes DDL, and so each migration,
    # transactional. See https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#pysqlite-serializable
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``, set up for several threads and processes sharing the database.

    Raises:
        UnsupportedDatabaseError: the URL is neither SQLite nor PostgreSQL.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise UnsupportedDatabaseError(
            f"Northstar stores its data in SQLite or PostgreSQL, not {backend}; set "
            "NORTHSTAR_DATABASE_URL to sqlite:///northstar.db or postgresql+psycopg://..."
        )
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def chunked(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


class StoreBase:
    """The engine and the two helpers every part of the store writes with."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One session in one transaction: committed on success, rolled back on error."""
        with Session(self.engine) as session, session.begin():
            yield session

    def _insert(self, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
        """An INSERT that can say ``ON CONFLICT``, in this database's dialect."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(model)
        return sqlite.insert(model)
