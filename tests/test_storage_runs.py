"""Crawl runs, crawl errors and `stats()`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from builders import T0, doc, item, record
from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.models import DocKind, NormalizeResult, RawDocument
from storage import Store
from storage.schema import CrawlError, CrawlRun, Document


def test_run_lifecycle(store: Store) -> None:
    run_id = store.start_run("hf_models", {"authors": ["meta-llama"], "since": T0})
    store.record_error(run_id, "https://huggingface.co/x", "http-404", "Not Found")
    store.record_error(None, "https://example.org/feed", "timeout", "")
    store.finish_run(run_id, "finished", {"item_scraped_count": 3, "finish_time": T0})
    with Session(store.engine) as session:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        assert (run.spider, run.status) == ("hf_models", "finished")
        assert run.args == {"authors": ["meta-llama"], "since": "2025-01-01T00:00:00Z"}
        assert run.stats == {"item_scraped_count": 3, "finish_time": "2025-01-01T00:00:00Z"}
        assert run.finished_at is not None and run.finished_at >= run.started_at
        errors = session.scalars(select(CrawlError).order_by(CrawlError.id)).all()
        assert [(e.run_id, e.kind) for e in errors] == [(run_id, "http-404"), (None, "timeout")]


def test_finish_run_validates(store: Store) -> None:
    run_id = store.start_run("s", {})
    with pytest.raises(ValueError, match="run status"):
        store.finish_run(run_id, "done")
    with pytest.raises(KeyError):
        store.finish_run(run_id + 100, "failed")


def test_documents_remember_their_first_run(store: Store) -> None:
    run_id = store.start_run("s", {})
    store.ingest_batch([item(doc("https://a", "a"), record("a"))], run_id=run_id)
    store.ingest_batch([item(doc("https://a", "a"), record("a"))], run_id=store.start_run("s", {}))
    with Session(store.engine) as session:
        assert session.scalars(select(Document.run_id)).all() == [run_id]


def crawl(store: Store, day: int) -> None:
    """One replayed crawl: same documents (fetched later), same failures."""
    at = T0 + timedelta(days=day)
    run_id = store.start_run("replay", {"cassette": "demo"})
    items: list[tuple[RawDocument, NormalizeResult]] = [
        item(
            doc("https://hf/a", "card a", fetched_at=at, state_key="hf:a", sha="1"),
            record("a", vendor="A"),
        ),
        item(
            doc("https://hf/api/a", "api a", kind=DocKind.HF_API, fetched_at=at),
            record("a", vendor="A Inc"),
        ),
        item(
            doc("https://blog/b", "post", kind=DocKind.ANNOUNCEMENT, fetched_at=at),
            record("b"),
            record("c"),
        ),
    ]
    store.ingest_batch(items[:2], run_id)
    store.ingest_batch(items[2:], run_id)
    store.record_error(run_id, "https://hf/missing", "http-404", "Not Found")
    store.record_error(run_id, "https://hf/limited", "http-429", "Too Many Requests")
    store.finish_run(run_id, "finished", {"items": 3})


def test_stats_are_stable_across_replayed_crawls(store: Store) -> None:
    crawl(store, 0)
    first = store.stats()
    crawl(store, 1)
    second = store.stats()
    json.dumps(second)  # serialisable as is

    assert first["crawl_runs"] == {
        "total": 1,
        "by_status": {"finished": 1},
        "errors_recorded": 2,
    }
    assert second["crawl_runs"] == {
        "total": 2,
        "by_status": {"finished": 2},
        "errors_recorded": 4,
    }
    del first["crawl_runs"], second["crawl_runs"]
    assert first == second
    assert second == {
        "documents": {
            "total": 3,
            "urls": 3,
            "by_kind": {"announcement": 1, "hf-api": 1, "hf-card": 1},
        },
        "claims": {"total": 10, "by_source_kind": {"announcement": 4, "hf-api": 3, "hf-card": 3}},
        "tools": {
            "total": 3,
            "by_status": {"candidate": 3, "published": 0, "rejected": 0, "merged": 0},
        },
        "variants": 0,
        "aliases": 3,
        "source_state": 1,
        "errors": {"distinct": 2, "by_kind": {"http-404": 1, "http-429": 1}},
    }


def test_stats_on_empty_database(store: Store) -> None:
    stats = store.stats()
    assert stats["documents"]["total"] == 0
    assert stats["tools"]["by_status"] == {
        "candidate": 0,
        "published": 0,
        "rejected": 0,
        "merged": 0,
    }
    assert stats["crawl_runs"] == {"total": 0, "by_status": {}, "errors_recorded": 0}
