"""Concurrent ingest: threads sharing a Store, and two Stores (think: two processes)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from builders import T0, doc, item, record

from normalizer.models import DocKind, NormalizeResult, Parameters, RawDocument
from storage import Store

BATCHES = 15
SHARED = ("alpha", "beta", "gamma")  # every worker finds-or-creates these tools


def batch(worker: int, n: int) -> list[tuple[RawDocument, NormalizeResult]]:
    at = T0 + timedelta(minutes=n)
    return [
        item(
            doc(
                f"https://w{worker}/{n}/{slug}",
                f"{worker}-{n}-{slug}",
                kind=DocKind.HF_CARD,
                fetched_at=at,
            ),
            record(slug, source_id=f"org/{slug}-{worker}", parameters=Parameters(total=n + 1)),
            record(f"{slug}-w{worker}-{n}"),
        )
        for slug in SHARED
    ]


def run_workers(targets: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                target()
            except BaseException as exc:  # collected and reported by the test
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return errors


def ingest_all(store: Store, worker: int) -> Callable[[], None]:
    def run() -> None:
        for n in range(BATCHES):
            store.ingest_batch(batch(worker, n))

    return run


def check_result(store: Store) -> None:
    stats = store.stats()
    assert stats["documents"]["total"] == 2 * BATCHES * len(SHARED)
    assert stats["tools"]["total"] == len(SHARED) + 2 * BATCHES * len(SHARED)
    assert stats["variants"] == 2 * len(SHARED)
    for slug in SHARED:
        # the tool's slug is the key of whichever worker's repo created it first
        tool_slug = store.tool_slug_for(slug)
        assert tool_slug in (f"{slug}-0", f"{slug}-1")
        resolved = store.resolve(tool_slug)
        assert resolved is not None
        assert sorted(resolved.variants) == [f"org/{slug}-0", f"org/{slug}-1"]
        assert resolved.record.parameters == Parameters(total=BATCHES)  # the newest claim


def test_two_threads_share_one_store(store: Store) -> None:
    def read() -> None:
        for _ in range(BATCHES):
            store.stats()
            store.list_tools()

    errors = run_workers([ingest_all(store, 0), ingest_all(store, 1), read])
    assert errors == []
    check_result(store)


def test_two_stores_on_one_database(db_url: str) -> None:
    with Store(db_url) as first, Store(db_url) as second:
        errors = run_workers([ingest_all(first, 0), ingest_all(second, 1)])
        assert errors == []
        check_result(first)
        assert second.stats() == first.stats()
