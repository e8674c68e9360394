"""Alembic environment: runs the migrations on the connection the store hands over.

:meth:`bot.storage.Store.upgrade` configures Alembic in code (no ``alembic.ini``) and passes an
open connection in ``config.attributes["connection"]``, already inside the transaction that
holds the migration lock. Run from the ``alembic`` command line instead, ``sqlalchemy.url``
names the database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.storage.base import create_store_engine
from bot.storage.tables import VERSION_TABLE, Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url to the database to migrate")
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            run(connection)
    finally:
        engine.dispose()


main()
