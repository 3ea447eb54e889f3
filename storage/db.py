"""Engines: SQLite (embedded default, WAL) and PostgreSQL (psycopg 3), one code path.

SQLite: WAL journal, foreign keys on, a busy timeout, and SQLAlchemy in charge of
BEGIN (the sqlite3 module's legacy transaction handling is switched off) so that a
write transaction can start with `BEGIN IMMEDIATE` (`WRITE_OPTIONS`): two writers
then queue on the busy timeout instead of failing on a read-to-write lock upgrade.

PostgreSQL: `postgresql://` URLs are rewritten to the psycopg 3 driver. Extra libpq
parameters go in the URL query, e.g. `?options=-csearch_path%3Dmyschema`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

DEFAULT_DB_URL = "sqlite:///toolwatch.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTIONS: dict[str, Any] = {"toolwatch_write": True}
"""Execution options for a write transaction (SQLite: `BEGIN IMMEDIATE`)."""


class DriverMissing(ImportError):
    """The database URL names a driver that is not installed (an optional extra)."""


def pool_size() -> int:
    """Connections each process keeps open (`TOOLWATCH_DB_POOL_SIZE`, default 8; as
    many again may open under load). A server with N workers needs N x 2 x this."""
    return max(1, int(os.environ.get("TOOLWATCH_DB_POOL_SIZE") or 8))


def default_db_url() -> str:
    """`TOOLWATCH_DB` if set, else a `toolwatch.db` SQLite file in the working directory."""
    return os.environ.get("TOOLWATCH_DB") or DEFAULT_DB_URL


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; plain `postgresql://` / `postgres://` select psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """Create an engine for `url` (default: `default_db_url()`)."""
    parsed = normalize_url(url or default_db_url())
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", pool_size())
        kwargs.setdefault("max_overflow", pool_size())
    try:
        return create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:  # the driver is an extra: say which one
        extra = "toolwatch[postgresql]" if backend == "postgresql" else f"a {backend} driver"
        raise DriverMissing(
            f"{parsed.drivername} URLs need the {exc.name!r} module: pip install '{extra}'"
        ) from exc


def _set_wal(cursor: Any) -> None:
    """Switch a file to WAL. SQLite answers "database is locked" at once (no busy
    wait) while another connection is opening the same new file, so retry until the
    busy timeout; once a file is in WAL mode this is a no-op."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    delay = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    connect_args: dict[str, Any] = {
        "check_same_thread": False,
        "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        **kwargs.pop("connect_args", {}),
    }
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:  # one shared connection; only for serialised (test/demo) use
        kwargs.setdefault("poolclass", StaticPool)
    else:  # as for PostgreSQL: a connection (and its PRAGMAs) is not opened per request
        kwargs.setdefault("pool_size", pool_size())
        kwargs.setdefault("max_overflow", pool_size())
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cursor = dbapi_conn.cursor()
        try:
            if not in_memory:
                _set_wal(cursor)
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("toolwatch_autocommit"):
            return  # each statement its own transaction (`catalog.statement_engine`)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("toolwatch_write") else "BEGIN")

    return engine


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest migration (`storage.migrations.upgrade`).

    Fresh SQLite files and PostgreSQL schemas are created by the same Alembic
    revisions as production databases. Processes starting at once take turns
    (SQLite `BEGIN IMMEDIATE`, PostgreSQL advisory lock); a database already at
    head is checked with one query and no lock."""
    from storage.migrations import upgrade

    upgrade(engine)
