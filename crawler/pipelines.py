"""The one pipeline: normalise documents and write them to storage in batches.

Writes run in a worker thread so the crawl never waits on the database. A batch
that cannot be written (database down) is retried, then spooled to disk and
written by the next run against the same database: nothing fetched is lost.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.threads import deferToThread

from crawler.items import CrawlFailure
from crawler.spool import Spool
from normalizer import normalize
from normalizer.errors import DocumentRefused
from normalizer.models import NormalizeResult, RawDocument
from storage.store import Store
from storage.views import SourceState

log = logging.getLogger(__name__)

TOTALS = ("documents_new", "documents_seen", "claims_new", "tools_new", "tools_changed")


def normalize_document(doc: RawDocument) -> NormalizeResult:
    """Normalise one fetched document; a failure becomes a warning, never a lost document."""
    if doc.status != 200:
        return NormalizeResult(kind=doc.kind, source_url=doc.url, warnings=[f"HTTP {doc.status}"])
    try:
        return normalize(
            doc.kind,
            doc.body,
            doc.url,
            doc.fetched_at,
            repo_id=doc.meta.get("source_id"),
            content_type=doc.content_type,
        )
    except DocumentRefused as exc:  # bad input (alias bomb, over budget, undecodable)
        log.warning("normalizer refused %s: %s", doc.url, exc)
        return NormalizeResult(
            kind=doc.kind, source_url=doc.url, warnings=[f"normalizer error: refused: {exc}"]
        )
    except Exception as exc:  # noqa: BLE001 - the raw document is still stored
        log.exception("normalizer failed on %s", doc.url)
        return NormalizeResult(
            kind=doc.kind,
            source_url=doc.url,
            warnings=[f"normalizer error: {type(exc).__name__}: {exc}"],
        )


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
        self.spool = spool_for(settings.get("TOOLWATCH_SPOOL_DIR"), self.db_url)
        self.docs: list[RawDocument] = []
        self.failures: list[CrawlFailure] = []
        self.lock = DeferredLock()
        self.store: Store | None = None
        self.run_id: int | None = None
        self.spider_name = ""
        self.run_args: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    # -- lifecycle ------------------------------------------------------------

    def open_spider(self, spider: Spider | None = None) -> Deferred:
        spider = spider or self.crawler.spider
        self.spider_name = spider.name
        self.run_args = dict(getattr(spider, "crawl_args", {}))
        if job := self.crawler.settings.get("TOOLWATCH_JOB"):
            self.run_args["job"] = job  # the scheduled job this run belongs to
        if hasattr(spider, "state_lookup"):
            spider.state_lookup = self._stored_shas
        if hasattr(spider, "state_details"):  # sha + ETag/Last-Modified (conditional requests)
            spider.state_details = self._stored_states
        return self.lock.run(deferToThread, self._open)

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
        return self.store

    def close_spider(self, spider: Spider | None = None) -> Deferred:
        d = self._flush()
        d.addBoth(lambda result: self.lock.run(deferToThread, self._finish, result))
        return d

    def _finish(self, result: Any) -> Any:
        reason = self.stats.get_value("finish_reason") or "finished"
        summary = {
            "pages": self.stats.get_value("downloader/response_count", 0),
            "requests": self.stats.get_value("downloader/request_count", 0),
            "errors": self.stats.get_value("toolwatch/errors", 0),
            "spooled": self.stats.get_value("toolwatch/spooled", 0),
            "finish_reason": reason,
            **{k: self.stats.get_value(f"toolwatch/{k}", 0) for k in TOTALS},
        }
        status = "finished" if reason == "finished" else "interrupted"
        if self.stats.get_value("toolwatch/spooled"):
            status = "failed"
        try:
            if self.store is not None and self.run_id is not None:
                self.store.finish_run(self.run_id, status, summary)
        except Exception as exc:  # noqa: BLE001 - the run log is not worth failing the crawl
            log.error("could not record the end of crawl run %s: %s", self.run_id, exc)
        finally:
            if self.store is not None:
                self.store.close()
        return result

    # -- items ----------------------------------------------------------------

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, RawDocument):
            self.docs.append(item)
        elif isinstance(item, CrawlFailure):
            self.failures.append(item)
            self.stats.inc_value("toolwatch/errors")
        else:
            return item
        if len(self.docs) + len(self.failures) >= self.batch_size:
            d = self._flush()
            d.addCallback(lambda _: item)
            return d
        return item

    def _stored_shas(self, keys: list[str]) -> dict[str, str | None]:
        if self.store is None or self.run_id is None:
            return {}  # database unavailable: fetch everything, it spools
        try:
            return {k: s.sha for k, s in self.store.source_state(keys).items()}
        except Exception as exc:  # noqa: BLE001 - an outage only costs extra requests
            log.warning("incremental state unavailable (%s): fetching in full", exc)
            return {}

    def _stored_states(self, keys: list[str]) -> dict[str, SourceState]:
        if self.store is None or self.run_id is None:
            return {}
        try:
            return self.store.source_state(keys)
        except Exception as exc:  # noqa: BLE001 - an outage only costs extra requests
            log.warning("incremental state unavailable (%s): fetching in full", exc)
            return {}

    # -- writing --------------------------------------------------------------

    def _flush(self) -> Deferred:
        docs, failures = self.docs, self.failures
        self.docs, self.failures = [], []
        if not docs and not failures:
            return self.lock.run(lambda: None)  # wait for writes already under way
        return self.lock.run(deferToThread, self._write, docs, failures)

    def _write(self, docs: list[RawDocument], failures: list[CrawlFailure]) -> None:
        """Runs in a worker thread: normalise, then one transaction per batch."""
        batch = [(doc, normalize_document(doc)) for doc in docs]
        last_error: Exception | None = None
        for attempt in range(self.write_attempts):
            try:
                self._ingest(batch, failures)
                return
            except Exception as exc:  # noqa: BLE001 - sorted below: outage or bad data
                if not is_outage(exc):
                    self._write_one_by_one(batch, failures, exc)
                    return
                last_error = exc
                log.warning("storage write failed (attempt %d): %s", attempt + 1, exc)
                if attempt + 1 < self.write_attempts:
                    time.sleep(min(2**attempt, 10))
        self._spool(docs, failures, last_error)

    def _write_one_by_one(
        self,
        batch: list[tuple[RawDocument, NormalizeResult]],
        failures: list[CrawlFailure],
        cause: Exception,
    ) -> None:
        """A batch refused for its data, not an outage: write what can be written and
        keep the refused documents in the spool's `failed/` for a fixed release."""
        log.error("storage refused a batch (%s); writing its documents one by one", cause)
        refused: list[RawDocument] = []
        for item in batch:
            try:
                self._ingest([item], [])
            except Exception as exc:  # noqa: BLE001 - one document's problem
                if is_outage(exc):
                    self._spool([d for d, _ in batch], failures, exc)
                    return
                refused.append(item[0])
                log.error("storage refused %s: %s", item[0].url, exc)
        try:
            self._ingest([], failures)
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

    def _ingest(
        self, batch: list[tuple[RawDocument, NormalizeResult]], failures: list[CrawlFailure]
    ) -> None:
        store = self._connect()
        result = store.ingest_batch(batch, self.run_id)
        for f in failures:
            store.record_error(self.run_id, f.url, f.kind, f.message)
        for doc, res in batch:
            for w in res.warnings:
                if w.startswith("normalizer error"):
                    store.record_error(self.run_id, doc.url, "normalize", w)
        for key in TOTALS:
            self.stats.inc_value(f"toolwatch/{key}", int(getattr(result, key, 0)))

    def _drain_spool(self) -> None:
        """Write what an earlier run could not; a file is removed only once written."""
        for path, docs, failures in self.spool.pending():
            batch = [(doc, normalize_document(doc)) for doc in docs]
            try:
                self._ingest(batch, failures)
            except Exception as exc:  # noqa: BLE001 - still down: keep the file
                if not is_outage(exc):
                    self.spool.set_aside(path, exc)  # bad data: never block later files
                    continue
                log.warning("spool %s not written yet: %s", path, exc)
                return
            self.stats.inc_value("toolwatch/unspooled", len(docs))
            path.unlink()
