"""The storage pipeline: raw capture first, normalising in worker processes.

Fetched documents are written as they came, in batches, by a worker thread (the
crawl never waits on the database); a document whose URL and content hash are
already stored is unchanged and costs nothing more. New documents go to the
normalise workers (`workers.pool`: a process pool here, RQ on Redis across
machines), so the crawl is not bound by the normalizer. A batch that cannot be
written (database down) is retried, then spooled to disk and written by the next
run against the same database: nothing fetched is lost.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from twisted.internet.defer import DeferredLock
from twisted.internet.threads import deferToThread

from crawler.items import CrawlFailure
from crawler.outcome import verdict
from crawler.spool import Spool
from normalizer import taxonomy
from normalizer.models import RawDocument
from storage.store import Store
from workers.normalize import normalize_document
from workers.pool import InlineNormalizers, Normalizers, PoolNormalizers

__all__ = ["StoragePipeline", "is_outage", "normalize_document", "spool_for"]

log = logging.getLogger(__name__)

TOTALS = ("claims_new", "tools_new", "tools_changed")
MODES = ("pool", "inline", "rq")


def is_outage(exc: BaseException) -> bool:
    """A database that cannot be reached (retry, then spool) rather than data it refuses."""
    if isinstance(exc, (OperationalError, InterfaceError, TimeoutError, ConnectionError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def spool_for(base: str | Path, db_url: str) -> Spool:
    """One spool per database, so an outage's batches go back where they belong."""
    return Spool(Path(base) / hashlib.sha256(db_url.encode()).hexdigest()[:16])


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_url: str = settings.get("TOOLWATCH_DB")
        self.batch_size = settings.getint("TOOLWATCH_BATCH_SIZE", 25)
        self.write_attempts = settings.getint("TOOLWATCH_WRITE_ATTEMPTS", 3)
        self.mode: str = settings.get("TOOLWATCH_NORMALIZE", "pool")
        if self.mode not in MODES:
            raise ValueError(f"TOOLWATCH_NORMALIZE must be one of {MODES}, not {self.mode!r}")
        self.workers = settings.getint("TOOLWATCH_NORMALIZE_WORKERS", 0) or None
        self.spool = spool_for(settings.get("TOOLWATCH_SPOOL_DIR"), self.db_url)
        self.docs: list[RawDocument] = []
        self.failures: list[CrawlFailure] = []
        self.lock = DeferredLock()
        self.store: Store | None = None
        self.run_id: int | None = None
        self.normalizers: Normalizers | None = None
        self.spider_name = ""
        self.run_args: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    # -- lifecycle ------------------------------------------------------------

    async def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        self.spider_name = spider.name
        self.run_args = dict(getattr(spider, "crawl_args", {}))
        taxonomy.configure(self.crawler.settings.get("TOOLWATCH_TAXONOMY"))
        if job := self.crawler.settings.get("TOOLWATCH_JOB"):
            self.run_args["job"] = job  # the scheduled job this run belongs to
        await self._in_thread(self._open)

    def _in_thread(self, fn: Any, *args: Any) -> Any:
        """Run `fn` in a worker thread, in order with every other write."""
        return maybe_deferred_to_future(self.lock.run(deferToThread, fn, *args))

    def _open(self) -> None:
        try:
            self._connect()
        except Exception as exc:  # noqa: BLE001 - crawl on; batches will spool
            log.error("database unavailable at start (%s): crawling on, writes will spool", exc)
            self.stats.set_value("toolwatch/db_unavailable", True)
            return
        self._drain_spool()

    def _connect(self) -> Store:
        """Open the store and the crawl run; retried lazily after an outage."""
        if self.store is None:
            self.store = Store(self.db_url)
        if self.run_id is None:
            self.run_id = self.store.start_run(self.spider_name, self.run_args)
            self.stats.set_value("toolwatch/run_id", self.run_id)
        if self.normalizers is None:
            self.normalizers = self._normalizers(self.store)
        return self.store

    def _normalizers(self, store: Store) -> Normalizers:
        if self.mode == "inline":
            return InlineNormalizers(store, self.run_id)
        if self.mode == "rq":
            from workers.rq_queue import RQNormalizers

            return RQNormalizers.from_settings(store, self.db_url, self.run_id, self.crawler)
        return PoolNormalizers(store, self.db_url, self.run_id, self.workers)

    async def close_spider(self, spider: Spider | None = None) -> None:
        try:
            await self._flush()
        finally:
            await self._in_thread(self._finish)

    def _finish(self) -> None:
        try:
            if self.normalizers is not None:
                done = self.normalizers.drain()
                for key in TOTALS:
                    self.stats.inc_value(f"toolwatch/{key}", int(getattr(done, key, 0)))
        except Exception as exc:  # noqa: BLE001 - the documents are stored; they stay pending
            log.error("normalising did not finish (%s); documents stay pending", exc)
        finally:
            if self.normalizers is not None:
                self.normalizers.close()
        stats = self.stats.get_stats()
        reason = stats.get("finish_reason") or "finished"
        outcome = verdict(stats)
        summary = {
            "pages": self.stats.get_value("downloader/response_count", 0),
            "requests": self.stats.get_value("downloader/request_count", 0),
            "errors": self.stats.get_value("toolwatch/errors", 0),
            "spooled": self.stats.get_value("toolwatch/spooled", 0),
            "normalize": self.mode,
            "finish_reason": reason,
        }
        try:
            if self.store is not None and self.run_id is not None:
                self.store.finish_run(self.run_id, outcome.status, summary, outcome.reason)
        except Exception as exc:  # noqa: BLE001 - the run log is not worth failing the crawl
            log.error("could not record the end of crawl run %s: %s", self.run_id, exc)
        finally:
            if self.store is not None:
                self.store.close()

    # -- items ----------------------------------------------------------------

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, RawDocument):
            self.docs.append(item)
        elif isinstance(item, CrawlFailure):
            self.failures.append(item)
            self.stats.inc_value("toolwatch/errors")
        else:
            return item
        if len(self.docs) + len(self.failures) >= self.batch_size:
            await self._flush()
        return item

    # -- writing --------------------------------------------------------------

    async def _flush(self) -> None:
        docs, failures = self.docs, self.failures
        self.docs, self.failures = [], []
        if docs or failures:
            await self._in_thread(self._write, docs, failures)

    def _write(self, docs: list[RawDocument], failures: list[CrawlFailure]) -> None:
        """Runs in a worker thread: one capture transaction per batch."""
        last_error: Exception | None = None
        for attempt in range(self.write_attempts):
            try:
                self._capture(docs, failures)
                return
            except Exception as exc:  # noqa: BLE001 - sorted below: outage or bad data
                if not is_outage(exc):
                    self._write_one_by_one(docs, failures, exc)
                    return
                last_error = exc
                log.warning("storage write failed (attempt %d): %s", attempt + 1, exc)
                if attempt + 1 < self.write_attempts:
                    time.sleep(min(2**attempt, 10))
        self._spool(docs, failures, last_error)

    def _write_one_by_one(
        self, docs: list[RawDocument], failures: list[CrawlFailure], cause: Exception
    ) -> None:
        """A batch refused for its data, not an outage: write what can be written and
        keep the refused documents in the spool's `failed/` for a fixed release."""
        log.error("storage refused a batch (%s); writing its documents one by one", cause)
        refused: list[RawDocument] = []
        for doc in docs:
            try:
                self._capture([doc], [])
            except Exception as exc:  # noqa: BLE001 - one document's problem
                if is_outage(exc):
                    self._spool(docs, failures, exc)
                    return
                refused.append(doc)
                log.error("storage refused %s: %s", doc.url, exc)
        try:
            self._capture([], failures)
            for doc in refused:
                self._connect().record_error(
                    self.run_id, doc.url, "store", "document refused by storage; kept in spool"
                )
        except Exception as exc:  # noqa: BLE001 - still keep what was refused
            log.error("could not record refused documents: %s", exc)
        if refused:
            path = self.spool.write(refused, [], failed=True)
            self.stats.inc_value("toolwatch/refused", len(refused))
            log.error("%d refused documents kept in %s", len(refused), path)

    def _spool(
        self, docs: list[RawDocument], failures: list[CrawlFailure], last_error: Exception | None
    ) -> None:
        path = self.spool.write(docs, failures)
        self.stats.inc_value("toolwatch/spooled", len(docs) + len(failures))
        log.error(
            "database unavailable (%s); %d documents spooled to %s", last_error, len(docs), path
        )

    def _capture(self, docs: list[RawDocument], failures: list[CrawlFailure]) -> None:
        store = self._connect()
        captured = store.capture(docs, self.run_id) if docs else None
        for f in failures:
            store.record_error(self.run_id, f.url, f.kind, f.message)
        if captured is None:
            return
        self.stats.inc_value("toolwatch/documents_new", len(captured.new_ids))
        self.stats.inc_value("toolwatch/documents_unchanged", captured.unchanged)
        if captured.new_ids and self.normalizers is not None:
            self.normalizers.submit(captured.new_ids)

    def _drain_spool(self) -> None:
        """Write what an earlier run could not; a file is removed only once written."""
        for path, docs, failures in self.spool.pending():
            try:
                self._capture(docs, failures)
            except Exception as exc:  # noqa: BLE001 - still down: keep the file
                if not is_outage(exc):
                    self.spool.set_aside(path, exc)  # bad data: never block later files
                    continue
                log.warning("spool %s not written yet: %s", path, exc)
                return
            self.stats.inc_value("toolwatch/unspooled", len(docs))
            path.unlink()
