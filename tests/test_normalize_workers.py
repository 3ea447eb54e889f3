"""Normalise workers: raw documents captured first, claims written by worker processes;
a worker killed mid-batch loses nothing and nothing is written twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hub_documents import demo, duplicate_claims, many
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from normalizer.version import normalizer_version
from storage.schema import Claim, Document, Tool
from storage.store import Store
from workers.pool import InlineNormalizers, PoolNormalizers

TOOLWATCH = str(Path(sys.executable).parent / "toolwatch")
BATCH = 10


def counts(store: Store) -> dict[str, int]:
    dupes = duplicate_claims(store.engine)
    with Session(store.engine) as s:
        return {
            "documents": s.scalar(select(func.count(Document.id))) or 0,
            "distinct_documents": s.scalar(
                select(func.count()).select_from(
                    select(Document.url, Document.content_hash).distinct().subquery()
                )
            )
            or 0,
            "pending": s.scalar(
                select(func.count(Document.id)).where(
                    func.coalesce(Document.normalized_version, "") != normalizer_version()
                )
            )
            or 0,
            "claims": s.scalar(select(func.count(Claim.id))) or 0,
            "duplicate_claims": dupes or 0,
            "tools": s.scalar(select(func.count(Tool.id))) or 0,
        }


def reference(tmp_path: Path, n: int) -> dict[str, int]:
    """What the same documents give when normalised inline, nothing killed."""
    with Store(f"sqlite:///{tmp_path}/reference.db") as store:
        ids = store.capture(many(n)).new_ids
        inline = InlineNormalizers(store, None)
        for start in range(0, len(ids), BATCH):
            inline.submit(ids[start : start + BATCH])
        return counts(store)


def wait_until(check: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def normalised(store: Store) -> int:
    with Session(store.engine) as s:
        return (
            s.scalar(
                select(func.count(Document.id)).where(Document.normalized_version.is_not(None))
            )
            or 0
        )


def test_capture_stores_raw_and_an_unchanged_document_is_not_normalised_again(
    store: Store,
) -> None:
    docs = demo()
    first = store.capture(docs)
    assert len(first.new_ids) == len(docs) and first.unchanged == 0
    assert counts(store)["claims"] == 0  # raw capture first: nothing normalised yet
    InlineNormalizers(store, None).submit(first.new_ids)
    after = counts(store)
    assert after["claims"] > 0 and after["pending"] == 0
    again = store.capture(docs)
    assert again.new_ids == [] and again.unchanged == len(docs)
    assert store.pending_documents() == []
    assert counts(store) == after


def test_a_pool_worker_killed_mid_batch_loses_nothing_and_writes_nothing_twice(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    n = 40
    expected = reference(tmp_path, n)
    ids = store.capture(many(n)).new_ids
    pool = PoolNormalizers(store, db_url, None, workers=1)
    try:
        for start in range(0, len(ids), BATCH):
            pool.submit(ids[start : start + BATCH])
        wait_until(lambda: normalised(store) >= BATCH)
        assert pool._pool is not None
        [process] = list(pool._pool._processes.values())
        os.kill(process.pid, signal.SIGKILL)
        assert normalised(store) < len(ids), "the kill came after the last batch"
        pool.drain()
    finally:
        pool.close()
    assert counts(store) == expected
    assert expected["pending"] == 0 and expected["duplicate_claims"] == 0


@pytest.fixture
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    url = os.environ.get("TOOLWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {url} ({exc})")
    client.close()
    yield url


def clean_queue(url: str, name: str) -> None:
    from redis import Redis
    from rq import Queue

    client = Redis.from_url(url)
    queue = Queue(name, connection=client)
    job_ids = set(queue.job_ids)
    for registry in (
        queue.started_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.deferred_job_registry,
        queue.scheduled_job_registry,
        queue.canceled_job_registry,
    ):
        job_ids |= set(registry.get_job_ids())
    for job_id in job_ids:
        client.delete(f"rq:job:{job_id}", f"rq:job:{job_id}:dependents")
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.srem("rq:queues", f"rq:queue:{name}")
    client.close()


def test_an_rq_worker_killed_mid_batch_loses_nothing_and_writes_nothing_twice(
    store: Store, db_url: str, redis_url: str, tmp_path: Path
) -> None:
    from workers.rq_queue import RQNormalizers

    n = 40
    expected = reference(tmp_path, n)
    name = f"toolwatch-test-{uuid.uuid4().hex[:12]}"
    try:
        ids = store.capture(many(n)).new_ids
        queue = RQNormalizers(store, db_url, None, redis_url, name)
        for start in range(0, len(ids), BATCH):
            queue.submit(ids[start : start + BATCH])
        queue.close()
        args = [TOOLWATCH, "worker", "--burst", "--queue", name, "--redis", redis_url]
        args += ["--db", db_url]
        first = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: normalised(store) >= BATCH)
        finally:
            # the whole worker dies at once: RQ's worker and the work horse it forked
            horses = subprocess.run(
                ["pgrep", "-P", str(first.pid)], capture_output=True, text=True
            ).stdout.split()
            for pid in [first.pid, *map(int, horses)]:
                os.kill(pid, signal.SIGKILL)
            first.wait(timeout=30)
        assert normalised(store) < len(ids), "the kill came after the last batch"
        subprocess.run(args, check=True, timeout=300, capture_output=True)
    finally:
        clean_queue(redis_url, name)
    assert counts(store) == expected
