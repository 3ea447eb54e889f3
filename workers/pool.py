"""Where a crawl sends its captured documents to be normalised.

- `InlineNormalizers`: in the calling thread (tests, tiny crawls, one core).
- `PoolNormalizers`: a process pool on this machine, one process per core, so the
  crawl is not bound by the normalizer. A pool process that dies (killed, out of
  memory) breaks the pool: a new pool takes over and the unfinished batches are
  sent again; the database skips what was already written.
- `workers.rq_queue.RQNormalizers`: RQ jobs on Redis, for workers on other machines.

Each ends with `drain()`: wait for what was sent, then sweep the run's documents
still pending (what a dead worker left), so a crawl that returns left nothing
undone on this machine.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from normalizer.version import normalizer_version
from storage.store import Store
from storage.views import IngestStats
from workers.normalize import normalize_stored, run_batch

log = logging.getLogger(__name__)

SWEEP_BATCH = 25
MAX_RESTARTS = 3
"""Pools broken in a row before the batches are done in this thread instead."""


class Normalizers(Protocol):
    def submit(self, ids: list[int]) -> None: ...
    def drain(self) -> IngestStats: ...
    def close(self) -> None: ...


def sweep(
    store: Store,
    run_id: int | None,
    *,
    version: str | None = None,
    redo: bool = False,
    batch: int = SWEEP_BATCH,
) -> IngestStats:
    """Normalise, in this thread, every document still pending (of `run_id` if given)."""
    total = IngestStats()
    after = 0
    wanted = version if redo else None
    while ids := store.pending_documents(wanted, run_id=run_id, after_id=after, limit=batch):
        total = total + normalize_stored(store, ids, version=version, redo=redo, run_id=run_id)
        after = ids[-1]
    return total


class InlineNormalizers:
    def __init__(self, store: Store, run_id: int | None) -> None:
        self.store, self.run_id = store, run_id
        self.stats = IngestStats()

    def submit(self, ids: list[int]) -> None:
        self.stats = self.stats + normalize_stored(self.store, ids, run_id=self.run_id)

    def drain(self) -> IngestStats:
        self.stats = self.stats + sweep(self.store, self.run_id)
        return self.stats

    def close(self) -> None:
        pass


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class PoolNormalizers:
    """Batches of document ids to a process pool (spawned: no forked reactor state)."""

    def __init__(
        self,
        store: Store,
        db_url: str,
        run_id: int | None,
        workers: int | None = None,
        *,
        version: str | None = None,
        redo: bool = False,
    ) -> None:
        self.store, self.db_url, self.run_id = store, db_url, run_id
        self.workers = workers or default_workers()
        self.version = version or normalizer_version()
        self.redo = redo
        self.stats = IngestStats()
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future[dict[str, int]], list[int]] = {}
        self._restarts = 0

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def submit(self, ids: list[int]) -> None:
        if not ids:
            return
        self._collect(block=False)
        if self._restarts >= MAX_RESTARTS:  # processes cannot live here: do it ourselves
            self.stats = self.stats + normalize_stored(
                self.store, ids, version=self.version, redo=self.redo, run_id=self.run_id
            )
            return
        future = self._executor().submit(run_batch, self.db_url, ids, self.version, self.redo, None)
        self._futures[future] = ids

    def _collect(self, block: bool) -> None:
        """Add up finished batches; resend the batches of a broken pool to a new one."""
        lost: list[list[int]] = []
        for future, ids in list(self._futures.items()):
            if not block and not future.done():
                continue
            del self._futures[future]
            try:
                self.stats = self.stats + IngestStats(**future.result())
                self._restarts = 0
            except BrokenProcessPool:
                lost.append(ids)
            except Exception as exc:  # noqa: BLE001 - the documents stay pending
                log.error("normalise batch failed (%s); its documents stay pending", exc)
        if lost:
            log.warning("a normalise worker died; %d batches sent to a new pool", len(lost))
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            self._restarts += 1
            for ids in lost:
                self.submit(ids)

    def drain(self) -> IngestStats:
        while self._futures:
            self._collect(block=True)
        wanted = self.version if self.redo else None
        scope = None if self.redo else self.run_id  # a re-normalisation reads every document
        after = 0
        while ids := self.store.pending_documents(
            wanted, run_id=scope, after_id=after, limit=SWEEP_BATCH
        ):
            self.submit(ids)
            after = ids[-1]
        while self._futures:
            self._collect(block=True)
        return self.stats

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
