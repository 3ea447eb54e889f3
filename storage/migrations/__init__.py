"""Schema migrations (Alembic). Every database, SQLite or PostgreSQL, is created and
upgraded by running these revisions; nothing calls `create_all` any more.

- `upgrade(engine)`: bring a database to head (`storage.db.init_db` and
  `toolwatch db upgrade` call it). Processes starting at once take turns: the
  whole upgrade runs in one transaction under the schema lock (SQLite
  `BEGIN IMMEDIATE`, PostgreSQL advisory lock); a database already at head costs
  one query and takes no lock.
- A database with toolwatch tables but no `alembic_version` (made by hand, or by a
  toolwatch older than its migrations) is refused, untouched: its shape is unknown.
- New revision after changing `storage/schema.py`:
  `alembic revision --autogenerate -m "..." -x db=sqlite:///scratch.db` from the
  repository root (`alembic.ini`), on a scratch database upgraded to head.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

HERE = Path(__file__).resolve().parent
SCHEMA_LOCK_KEY = 0x746F6F6C736368  # pg_advisory_xact_lock key for schema changes


class UnversionedSchema(RuntimeError):
    """Toolwatch tables without an Alembic version: upgrading would guess their shape."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to `revision`; returns (revision before, revision after)."""
    from storage.db import WRITE_OPTIONS  # storage.db imports this module lazily

    if revision == "head":
        with engine.connect() as conn:
            current = current_revision(conn)
        if current == head_revision():
            return current, current
    with engine.execution_options(**WRITE_OPTIONS).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        before = current_revision(conn)
        config = alembic_config(conn)
        if before is None and inspect(conn).has_table("tools"):
            raise UnversionedSchema(
                "the database has toolwatch tables but no alembic_version: use a new "
                "database, or `alembic stamp REVISION` once you know which revision it is"
            )
        command.upgrade(config, revision)
        return before, current_revision(conn) or ""
