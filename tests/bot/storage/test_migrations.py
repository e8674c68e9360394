"""The Alembic migrations: they build the schema on a fresh database, twice is harmless, and
two processes opening a fresh database at once both end up with one schema."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect

from bot.storage import Store, UnsupportedDatabaseError
from bot.storage.store import alembic_config
from bot.storage.tables import VERSION_TABLE, Base

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def revision(store: Store) -> str | None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def test_opening_a_fresh_database_creates_every_table(database_url):
    store = Store.open(database_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert VERSION_TABLE in tables
        assert revision(store) == HEAD
    finally:
        store.close()


def test_a_store_not_upgraded_has_no_tables_until_upgrade(database_url):
    store = Store(database_url)
    try:
        assert not set(Base.metadata.tables) & set(inspect(store.engine).get_table_names())
        store.upgrade()
        assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())
    finally:
        store.close()


def test_upgrading_again_changes_nothing_and_keeps_the_data(store, database_url):
    store.record_message("payments", "C1", "digest", NOW)
    store.upgrade()
    again = Store.open(database_url)
    try:
        assert revision(again) == HEAD
        assert again.messages_on("payments", NOW.date(), ZoneInfo("UTC")) == 1
    finally:
        again.close()


def test_the_migrations_build_exactly_the_models(store):
    """A change to tables.py without a migration (or the reverse) shows up here."""
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []


def test_tables_of_other_components_are_left_alone(database_url):
    """Slack's installation store and APScheduler keep their own tables in the same database."""
    bare = Store(database_url)
    foreign = Table("apscheduler_jobs", MetaData(), Column("id", Integer, primary_key=True))
    try:
        foreign.create(bare.engine)
        bare.upgrade()
        bare.upgrade()
        assert "apscheduler_jobs" in inspect(bare.engine).get_table_names()
    finally:
        bare.close()


def test_two_processes_opening_a_fresh_database_at_once_both_succeed(database_url):
    barrier = threading.Barrier(2)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            opened.append(Store.open(database_url))
        except Exception as e:  # noqa: BLE001 - reported below; lost in a thread otherwise
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert [revision(store) for store in opened] == [HEAD, HEAD]
    finally:
        for store in opened:
            store.close()


def test_an_unsupported_database_is_refused_with_what_to_do():
    with pytest.raises(UnsupportedDatabaseError, match="SQLite or PostgreSQL, not mysql"):
        Store("mysql://user@localhost/northstar")
