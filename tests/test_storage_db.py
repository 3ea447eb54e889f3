"""Engines, URLs, schema creation and column types on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, exc, inspect, text
from sqlalchemy.orm import Session

from storage import Store, default_db_url, init_db, make_engine
from storage.db import normalize_url
from storage.schema import Base, Claim, CrawlRun, Tool


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_normalize_url(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


def test_default_db_url(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.delenv("TOOLWATCH_DB", raising=False)
    assert default_db_url() == "sqlite:///toolwatch.db"
    url = f"sqlite:///{tmp_path}/env.db"
    monkeypatch.setenv("TOOLWATCH_DB", url)
    assert default_db_url() == url
    with Store() as store:
        assert store.engine.url.database == f"{tmp_path}/env.db"


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_sqlite_in_memory_is_usable_across_threads() -> None:
    import threading

    with Store("sqlite:///:memory:") as store:
        run_ids: list[int] = []
        thread = threading.Thread(target=lambda: run_ids.append(store.start_run("s", {})))
        thread.start()
        thread.join()
        assert store.stats()["crawl_runs"]["total"] == 1 == len(run_ids)


def test_postgres_uses_psycopg3(db_url: str, backend: str) -> None:
    with Store(db_url) as store:
        expected = "psycopg" if backend == "postgresql" else "pysqlite"
        assert store.engine.dialect.driver == expected


def test_schema_created_idempotently(store: Store) -> None:
    init_db(store.engine)  # again: no error
    tables = set(inspect(store.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    assert tables == {
        "documents",
        "tools",
        "variants",
        "aliases",
        "claims",
        "crawl_runs",
        "crawl_errors",
        "source_state",
        "match_suggestions",
        # editorial workflow
        "editors",
        "overrides",
        "published_values",
        "changes",
        "review_items",
        "decisions",
        # crawl operations
        "run_locks",
        "scheduled_jobs",
        # published form served by the read API
        "published_docs",
        "published_names",
        "catalog_state",
    }


def test_constraints_are_enforced(store: Store) -> None:
    now = datetime.now(UTC)
    with pytest.raises(exc.IntegrityError), Session(store.engine) as session, session.begin():
        session.add(
            Claim(
                tool_id=999,  # no such tool / document: foreign keys are on
                document_id=999,
                record_key="k",
                field="name",
                value="x",
                source_kind="hf-card",
                method="m",
                observed_at=now,
            )
        )
    with pytest.raises(exc.IntegrityError), Session(store.engine) as session, session.begin():
        session.add(Tool(slug="x", name="x", status="bogus", created_at=now, updated_at=now))


def test_timestamps_round_trip_as_aware_utc(store: Store) -> None:
    cest = timezone(timedelta(hours=2))
    local = datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=cest)
    naive = datetime(2025, 6, 1, 12, 0)
    with Session(store.engine) as session, session.begin():
        session.add_all(
            [
                CrawlRun(id=1, spider="a", started_at=local),
                CrawlRun(id=2, spider="b", started_at=naive),
            ]
        )
    with Session(store.engine) as session:
        first, second = session.get(CrawlRun, 1), session.get(CrawlRun, 2)
        assert first is not None and second is not None
        assert first.started_at == local and first.started_at.tzinfo == UTC
        assert second.started_at == naive.replace(tzinfo=UTC)


def test_json_and_binary_columns(store: Store, backend: str) -> None:
    engine: Engine = store.engine
    with engine.connect() as conn:
        if backend == "postgresql":
            kinds = dict(
                conn.execute(
                    text(
                        "SELECT column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND table_name = 'documents'"
                    )
                ).all()
            )
            assert (kinds["meta"], kinds["body"]) == ("jsonb", "bytea")
        else:
            cols = {c["name"]: str(c["type"]) for c in inspect(conn).get_columns("documents")}
            assert (cols["meta"], cols["body"]) == ("JSON", "BLOB")


def test_concurrent_schema_creation(db_url: str) -> None:
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        try:
            start.wait()
            Store(db_url).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
