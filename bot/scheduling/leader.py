"""Leader election: at most one scheduler runs at a time, however many are started.

A scheduler inside every web worker is the classic way to post each digest N times, so web
processes never start one (``northstar serve`` does not import :mod:`bot.scheduling.runner`).
``northstar scheduler`` may still be started more than once (a rolling deploy, two replicas for
availability); each instance asks for leadership first and only the winner schedules jobs:

* **PostgreSQL**: ``pg_try_advisory_lock(<constant key>)`` on a dedicated connection kept open
  for the life of the process. The lock belongs to the database session, so when the leader
  exits, crashes or loses its network, PostgreSQL ends the session and frees the lock, and a
  standby polling every few seconds takes over.
* **SQLite**: a :class:`filelock.FileLock` next to the database file (non-blocking try, then
  poll). The operating system frees it when the holding process dies. SQLite means one host, so
  a file lock is enough.

The idempotency keys in :mod:`bot.scheduling.jobs` remain the last line of defence: even two
leaders at once (a network split) would post each digest once.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

#: The advisory lock key every Northstar scheduler competes for ("NSSCHED1" in ASCII).
LOCK_KEY = 0x4E53_5343_4845_4431


class LeaderElectionError(RuntimeError):
    """The database cannot host a leader election (only PostgreSQL and SQLite can)."""


class Elector(Protocol):
    """One candidate for leadership."""

    @property
    def description(self) -> str: ...

    def try_acquire(self) -> bool:
        """Become leader if nobody is; never blocks. True when this candidate leads."""
        ...

    def still_leader(self) -> bool:
        """Whether the leadership is still held (the database session or lock is alive)."""
        ...

    def release(self) -> None:
        """Give leadership up (idempotent), so a standby can take over at once."""
        ...


class PostgresElector:
    """Leadership is a session-level advisory lock on a connection of its own.

    The connection comes from a separate engine without a pool, so no pool recycling or
    ``dispose()`` elsewhere can close it by accident, and it runs in autocommit, so the session
    never sits idle inside a transaction.
    """

    def __init__(self, engine: Engine, *, key: int = LOCK_KEY):
        self.key = key
        self._engine = create_engine(engine.url, poolclass=NullPool)
        self._connection: Connection | None = None
        self._leading = False
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        return f"PostgreSQL advisory lock {self.key} on {self._engine.url.database}"

    def _connect(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
        return self._connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except SQLAlchemyError:
                logger.debug("closing the leader connection failed", exc_info=True)
        self._connection = None
        self._leading = False

    def try_acquire(self) -> bool:
        with self._lock:
            if self._leading:
                return True
            try:
                got = (
                    self._connect()
                    .execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
                    .scalar()
                )
            except SQLAlchemyError as e:
                logger.warning("leader election: database unreachable (%s); will retry", e)
                self._drop_connection()
                return False
            self._leading = bool(got)
            return self._leading

    def still_leader(self) -> bool:
        with self._lock:
            if not self._leading or self._connection is None:
                return False
            try:
                # the lock lives as long as the session: a live session means we still hold it
                self._connection.execute(text("SELECT 1"))
            except SQLAlchemyError as e:
                logger.error("leader connection lost (%s): leadership is gone", e)
                self._drop_connection()
                return False
            return True

    def release(self) -> None:
        with self._lock:
            if self._leading and self._connection is not None:
                try:
                    self._connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                    )
                except SQLAlchemyError:
                    logger.debug("unlock failed; closing the session frees it", exc_info=True)
            self._drop_connection()
            self._engine.dispose()


class FileElector:
    """Leadership is an exclusive lock on a file beside the SQLite database."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = FileLock(str(path), thread_local=False)

    @property
    def description(self) -> str:
        return f"file lock {self.path}"

    def try_acquire(self) -> bool:
        if self._lock.is_locked:
            return True
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def still_leader(self) -> bool:
        return bool(self._lock.is_locked)

    def release(self) -> None:
        while self._lock.is_locked:
            self._lock.release()


def sqlite_lock_path(database: str | None) -> Path:
    """``northstar.db`` -> ``northstar.db.scheduler.lock``; in-memory databases use the tmp dir."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return Path(tempfile.gettempdir()) / "northstar-scheduler.lock"
    path = Path(database.removeprefix("file:").split("?", 1)[0])
    return path.with_name(f"{path.name}.scheduler.lock")


def elector_for(engine: Engine, *, key: int = LOCK_KEY) -> Elector:
    """The elector for the store's database.

    Raises:
        LeaderElectionError: the database is neither PostgreSQL nor SQLite.
    """
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return PostgresElector(engine, key=key)
    if dialect == "sqlite":
        return FileElector(sqlite_lock_path(engine.url.database))
    raise LeaderElectionError(
        f"the scheduler needs PostgreSQL or SQLite to elect a leader, not {dialect}; "
        "set NORTHSTAR_DATABASE_URL to a postgresql+psycopg:// or sqlite:/// URL"
    )


def wait_for_leadership(elector: Elector, stop: threading.Event, poll_seconds: float) -> bool:
    """Try to lead, polling every ``poll_seconds``; False when ``stop`` is set first."""
    announced = False
    while not stop.is_set():
        if elector.try_acquire():
            logger.info("leading: holding the %s", elector.description)
            return True
        if not announced:
            logger.info(
                "another scheduler is active (%s is held); standing by, checking every %g s",
                elector.description,
                poll_seconds,
            )
            announced = True
        stop.wait(poll_seconds)
    return False
