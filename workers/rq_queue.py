"""Normalise work on RQ (Redis), for normalise workers on other machines.

The crawl enqueues one job per captured batch (`run_batch`: database URL + document
ids) and does not wait: `toolwatch worker` processes, anywhere that reaches Redis and
the database, run them. The database stays the source of truth: a worker killed
mid-batch wrote nothing (one transaction), its documents are still pending, and
every worker sweeps the pending documents when it starts (`toolwatch worker`), so
the next worker to start finishes what the dead one left; RQ's own abandoned-job
retry (`Retry`) re-runs the job as well, which then writes nothing twice.
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue, Retry, Worker

from normalizer.version import normalizer_version
from storage.store import Store
from storage.views import IngestStats
from workers.normalize import run_batch

DEFAULT_QUEUE = "toolwatch-normalize"
JOB_TIMEOUT = 600
"""Seconds one batch may take before RQ gives up on it (it stays pending in the database)."""


def queue(redis_url: str, name: str = DEFAULT_QUEUE) -> Queue:
    return Queue(name, connection=Redis.from_url(redis_url))


class RQNormalizers:
    def __init__(
        self,
        store: Store,
        db_url: str,
        run_id: int | None,
        redis_url: str,
        queue_name: str = DEFAULT_QUEUE,
    ) -> None:
        self.store, self.db_url, self.run_id = store, db_url, run_id
        self.queue = queue(redis_url, queue_name)
        self.version = normalizer_version()
        self.enqueued = 0

    @classmethod
    def from_settings(
        cls, store: Store, db_url: str, run_id: int | None, crawler: Any
    ) -> RQNormalizers:
        settings = crawler.settings
        return cls(
            store,
            db_url,
            run_id,
            settings.get("TOOLWATCH_REDIS_URL"),
            settings.get("TOOLWATCH_NORMALIZE_QUEUE", DEFAULT_QUEUE),
        )

    def submit(self, ids: list[int]) -> None:
        if ids:
            self.queue.enqueue(
                run_batch,
                self.db_url,
                ids,
                self.version,
                job_timeout=JOB_TIMEOUT,
                retry=Retry(max=3),
                description=f"normalise {len(ids)} documents (run {self.run_id})",
            )
            self.enqueued += len(ids)

    def drain(self) -> IngestStats:
        """Nothing to wait for here: the workers count their work in the run's stats."""
        return IngestStats()

    def close(self) -> None:
        self.queue.connection.close()


def work(db_url: str, redis_url: str, queue_name: str = DEFAULT_QUEUE, burst: bool = False) -> None:
    """A normalise worker: first the documents left pending (by a dead worker, a crawl
    that enqueued nothing), then the queue's jobs (`burst`: until it is empty)."""
    from workers.pool import sweep

    with Store(db_url) as store:
        sweep(store, None)
    q = queue(redis_url, queue_name)
    Worker([q], connection=q.connection).work(burst=burst)
