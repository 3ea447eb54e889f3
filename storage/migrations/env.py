"""Alembic environment for toolwatch: target metadata is `storage.schema.Base.metadata`.

Run programmatically by `storage.db.init_db` / `toolwatch db upgrade`, which hand
over an open connection (`config.attributes["connection"]`) already inside the
schema lock; or from the command line (`alembic -x db=URL upgrade head`, else
`$TOOLWATCH_DB`), which connects itself.

The version table is created unqualified, i.e. in the first schema of the
connection's `search_path` on PostgreSQL (the test fixtures' per-test schemas).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.db import default_db_url, make_engine, normalize_url
from storage.schema import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("db") or default_db_url()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(
        url=normalize_url(_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # inside init_db's transaction and lock
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
