"""Alembic migrations: a fresh database upgraded to head matches the models exactly."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import Store
from storage.db import make_engine
from storage.migrations import UnversionedSchema, current_revision, head_revision, upgrade
from storage.schema import Base


def diff_against_models(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_empty_database_matches_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        before, after = upgrade(engine)
        assert (before, after) == (None, head_revision())
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert upgrade(engine) == (after, after)  # already at head: nothing to do
    finally:
        engine.dispose()
    assert diff_against_models(db_url) == []


def test_store_migrates_a_fresh_database(db_url: str) -> None:
    with Store(db_url) as store, store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_version_table_lives_in_the_search_path_schema(pg_url: str) -> None:
    with Store(pg_url) as store, store.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        found = conn.execute(
            text(
                "SELECT table_schema FROM information_schema.tables"
                " WHERE table_name = 'alembic_version' AND table_schema = :s"
            ),
            {"s": schema},
        ).all()
        assert found == [(schema,)]


def test_unversioned_database_is_refused_untouched(db_url: str) -> None:
    """Toolwatch tables without `alembic_version` (made by hand or before migrations)
    are not guessed at: the upgrade refuses, and the rows and tables stay as they were."""
    engine = make_engine(db_url)
    try:
        unversioned = [Base.metadata.tables[name] for name in ("crawl_runs", "tools")]
        with engine.begin() as conn:
            Base.metadata.create_all(conn, tables=unversioned)
            conn.execute(
                text(
                    "INSERT INTO crawl_runs (spider, args, started_at, status, stats)"
                    " VALUES ('s', '{}', '2025-01-01 00:00:00', 'finished', '{}')"
                )
            )
        with pytest.raises(UnversionedSchema, match="no alembic_version"):
            upgrade(engine)
        assert set(inspect(engine).get_table_names()) == {"crawl_runs", "tools"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM crawl_runs")).scalar() == 1
    finally:
        engine.dispose()


def test_concurrent_upgrades(db_url: str) -> None:
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
    assert diff_against_models(db_url) == []


@pytest.mark.parametrize("target", ["0001"])
def test_downgrade_and_upgrade_again(db_url: str, target: str) -> None:
    from alembic import command

    from storage.migrations import alembic_config

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), target)
        assert "editors" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "editors" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert diff_against_models(db_url) == []
