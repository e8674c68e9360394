"""One scheduler at a time: a file lock on SQLite, an advisory lock on PostgreSQL."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, create_mock_engine, text

from bot.scheduling.leader import (
    FileElector,
    LeaderElectionError,
    PostgresElector,
    elector_for,
    sqlite_lock_path,
    wait_for_leadership,
)
from tests.conftest import TEST_DATABASE_URL


def take_over_in_background(elector, poll: float = 0.02):
    """A standby thread: polls for leadership until it wins or the test stops it."""
    stop = threading.Event()
    won = threading.Event()

    def standby() -> None:
        if wait_for_leadership(elector, stop, poll):
            won.set()

    thread = threading.Thread(target=standby, daemon=True)
    thread.start()
    return stop, won, thread


# ---------------------------------------------------------------- SQLite: a file lock


def test_only_one_of_two_schedulers_leads_on_sqlite(tmp_path):
    lock = sqlite_lock_path(str(tmp_path / "northstar.db"))
    first, second = FileElector(lock), FileElector(lock)

    assert first.try_acquire() is True
    assert second.try_acquire() is False
    assert first.still_leader() is True
    assert second.still_leader() is False
    first.release()


def test_a_standby_takes_over_when_the_leader_releases_on_sqlite(tmp_path):
    lock = tmp_path / "northstar.db.scheduler.lock"
    leader, standby = FileElector(lock), FileElector(lock)
    assert leader.try_acquire()
    stop, won, thread = take_over_in_background(standby)

    assert not won.wait(0.2)  # still standing by
    leader.release()

    assert won.wait(5)
    assert standby.still_leader()
    stop.set()
    thread.join(5)
    standby.release()


def test_a_standby_takes_over_when_the_leader_process_dies_on_sqlite(tmp_path):
    """The operating system frees the lock of a killed process; nobody has to clean up."""
    lock = tmp_path / "northstar.db.scheduler.lock"
    script = (
        "import sys, time\n"
        "from filelock import FileLock\n"
        f"held = FileLock({str(lock)!r}, thread_local=False)\n"
        "held.acquire(timeout=5)\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    leader = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    )
    try:
        assert leader.stdout is not None
        assert leader.stdout.readline().strip() == "locked"
        standby = FileElector(lock)
        assert standby.try_acquire() is False

        leader.kill()
        leader.wait(5)

        stop, won, thread = take_over_in_background(standby)
        assert won.wait(5)
        stop.set()
        thread.join(5)
        standby.release()
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait(5)
        if leader.stdout is not None:
            leader.stdout.close()


def test_the_lock_file_sits_beside_the_database():
    assert sqlite_lock_path("/srv/northstar/northstar.db") == Path(
        "/srv/northstar/northstar.db.scheduler.lock"
    )
    assert sqlite_lock_path(":memory:").name == "northstar-scheduler.lock"
    assert sqlite_lock_path(None).name == "northstar-scheduler.lock"


def test_the_elector_follows_the_database(tmp_path):
    sqlite = create_engine(f"sqlite:///{tmp_path / 'northstar.db'}")
    postgres = create_engine("postgresql+psycopg://u:p@localhost/northstar")
    try:
        assert isinstance(elector_for(sqlite), FileElector)
        assert isinstance(elector_for(postgres), PostgresElector)
        with pytest.raises(LeaderElectionError, match="PostgreSQL or SQLite"):
            elector_for(create_mock_engine("mysql://", lambda *a, **k: None))  # type: ignore[arg-type]
    finally:
        sqlite.dispose()
        postgres.dispose()


def test_waiting_for_leadership_stops_when_asked(tmp_path):
    lock = tmp_path / "lock"
    holder = FileElector(lock)
    holder.try_acquire()
    stop = threading.Event()
    stop.set()

    assert wait_for_leadership(FileElector(lock), stop, 0.01) is False
    holder.release()


# ---------------------------------------------------------------- PostgreSQL: an advisory lock


@pytest.fixture
def pg_engine():
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL not configured: set NORTHSTAR_TEST_DATABASE_URL")
    engine = create_engine(TEST_DATABASE_URL)
    yield engine
    engine.dispose()


@pytest.fixture
def lock_key() -> int:
    """A key of this test's own, so parallel tests and a real scheduler never collide."""
    return random.randint(1, 2**62)


@pytest.fixture
def electors(pg_engine, lock_key) -> Iterator[list[PostgresElector]]:
    made: list[PostgresElector] = []
    yield made
    for elector in made:
        elector.release()


@pytest.mark.postgres
def test_only_one_of_two_schedulers_leads_on_postgresql(pg_engine, lock_key, electors):
    first = PostgresElector(pg_engine, key=lock_key)
    second = PostgresElector(pg_engine, key=lock_key)
    electors += [first, second]

    assert first.try_acquire() is True
    assert second.try_acquire() is False
    assert first.still_leader() is True
    assert second.still_leader() is False


@pytest.mark.postgres
def test_the_second_scheduler_takes_over_after_the_first_releases(pg_engine, lock_key, electors):
    first = PostgresElector(pg_engine, key=lock_key)
    second = PostgresElector(pg_engine, key=lock_key)
    electors += [first, second]
    assert first.try_acquire()
    stop, won, thread = take_over_in_background(second)
    assert not won.wait(0.2)

    first.release()

    assert won.wait(5)
    assert second.still_leader()
    stop.set()
    thread.join(5)


@pytest.mark.postgres
def test_a_standby_takes_over_when_the_leaders_session_dies(pg_engine, lock_key, electors):
    """Kill the leader's backend as a crash or a network cut would: PostgreSQL frees the lock,
    the standby wins it, and the old leader notices it no longer leads.
    """
    leader = PostgresElector(pg_engine, key=lock_key)
    standby = PostgresElector(pg_engine, key=lock_key)
    electors += [leader, standby]
    assert leader.try_acquire()
    stop, won, thread = take_over_in_background(standby)

    with pg_engine.connect() as admin:
        killed = admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"
            ),
            {"key": lock_key},
        ).scalar()
        admin.commit()

    assert killed is True
    assert won.wait(5)
    assert leader.still_leader() is False
    stop.set()
    thread.join(5)
