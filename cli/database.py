"""Opening the database for a command: one home for where it is, whether it may be
created, and how failing to open it is said.

Only commands that write crawled data or set the database up on purpose (`crawl`,
`scheduler`, `db upgrade`, `editor add`) may create a database; every other command
refuses a SQLite file that does not exist (a typo or a missing crawl). A URL that
does not parse and a database that cannot be reached are one red line each, with the
traceback only under `toolwatch --debug`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

err = Console(stderr=True)
DEBUG = {"on": False}
"""Set by `toolwatch --debug`: show tracebacks instead of one-line errors."""


def display_url(url: str) -> str:
    """The URL as it may be printed (no password)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given
        return url


def fail(message: str, exc: BaseException | None = None, code: int = 2) -> typer.Exit:
    """Print one red line (the traceback too under --debug); the Exit to raise."""
    if exc is not None and DEBUG["on"]:
        err.print_exception(show_locals=False)
    hint = "" if DEBUG["on"] or exc is None else " (--debug for the traceback)"
    err.print(f"[red]{message}[/red]{hint}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def short_error(exc: BaseException) -> str:
    """The first line of the driver's own message, without SQLAlchemy's decorations."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def database_url(db: str | None) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from storage.db import default_db_url

    url = db or default_db_url()
    try:
        make_url(url)
    except ArgumentError as exc:
        raise fail(
            f"--db {url!r} is not a database URL (sqlite:///file.db or postgresql://user@host/db)",
            exc,
        ) from exc
    return url


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite URL's file when it does not exist (None otherwise)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:":
        return None if Path(path).exists() else path
    return None


def require_existing(db: str | None) -> str:
    """The URL of a database that must already exist (read and editorial commands)."""
    url = database_url(db)
    if (path := missing_sqlite_file(url)) is not None:
        raise fail(f"no database at {path} (run `toolwatch crawl` first, or check --db)")
    return url


def open_store(db: str | None, *, create: bool = False) -> Any:
    """A Store, opened and reachable. `create=False` refuses a missing SQLite file."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from storage.db import DriverMissing
    from storage.store import Store

    url = database_url(db) if create else require_existing(db)
    try:
        store = Store(url)
        with store.engine.connect():
            pass
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        logging.getLogger(__name__).debug("opening %s failed", display_url(url), exc_info=True)
        raise fail(f"cannot open the database {display_url(url)}: {short_error(exc)}", exc) from exc
    except DriverMissing as exc:  # a PostgreSQL URL without the driver installed
        raise fail(f"cannot open the database {display_url(url)}: {exc}") from exc
    return store
