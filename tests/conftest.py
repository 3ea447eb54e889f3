"""Shared database fixtures: every storage test runs on SQLite AND PostgreSQL.

- `db_url` is parametrised `[sqlite]` / `[pg]`. SQLite: a file under `tmp_path`.
  PostgreSQL: `TOOLWATCH_PG_URL` (default the local `test` database); each test
  gets a fresh schema `tw_<random>` selected through libpq `options=-csearch_path`,
  dropped afterwards, so parallel and CI runs never collide.
- PostgreSQL unreachable: the `[pg]` cases skip with the reason, or fail when
  `TOOLWATCH_REQUIRE_PG=1`.
- `store` is a `Store` on `db_url` with the schema created.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from storage.db import make_engine, normalize_url
from storage.store import Store

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Crawls under test normalise in the pipeline's thread: a process pool costs seconds of
# start-up per crawl subprocess. The pool (the default outside tests) has tests of its
# own (test_normalize_workers, test_renormalize) and the full demo crawl runs with it.
os.environ.setdefault("TOOLWATCH_NORMALIZE", "inline")


def pg_base_url() -> str:
    return os.environ.get("TOOLWATCH_PG_URL") or DEFAULT_PG_URL


@pytest.fixture(scope="session")
def pg_admin_engine() -> Iterator[Engine]:
    """An engine on the PostgreSQL test database (skips/fails if unreachable)."""
    url = pg_base_url()
    engine = make_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        engine.dispose()
        shown = normalize_url(url).render_as_string(hide_password=True)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        reason = f"PostgreSQL not reachable at {shown} ({detail})"
        if os.environ.get("TOOLWATCH_REQUIRE_PG") == "1":
            pytest.fail(f"{reason}; TOOLWATCH_REQUIRE_PG=1", pytrace=False)
        pytest.skip(f"{reason}; set TOOLWATCH_PG_URL, or TOOLWATCH_REQUIRE_PG=1 to fail")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin_engine: Engine) -> Iterator[str]:
    """URL of a fresh, empty schema in the PostgreSQL test database."""
    schema = f"tw_{uuid.uuid4().hex[:12]}"
    with pg_admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = normalize_url(pg_base_url())
    options = " ".join(filter(None, [base.query.get("options"), f"-csearch_path={schema}"]))
    url = base.update_query_dict({"options": options})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with pg_admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite:///{os.path.join(tmp_path, 'toolwatch.db')}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="pg", marks=pytest.mark.pg),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """A database URL for an empty database, once per backend."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as opened:
        yield opened


@pytest.fixture
def backend(db_url: str) -> str:
    """`sqlite` or `postgresql`."""
    return make_url(db_url).get_backend_name()
