"""The one pipeline: normalise documents and write them to storage in batches.

Writes run in a worker thread so the crawl never waits on the database. A batch
that cannot be written (database down) is retried, then spooled to disk and
written by the next run: nothing fetched is lost.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.threads import deferToThread

from crawler.items import CrawlFailure
from crawler.spool import Spool
from normalizer import normalize
from normalizer.models import NormalizeResult, RawDocument
from storage.store import Store

log = logging.getLogger(__name__)


def normalize_document(doc: RawDocument) -> NormalizeResult:
    """Normalise one fetched document; a failure becomes a warning, never a lost document."""
    if doc.status != 200:
        return NormalizeResult(kind=doc.kind, source_url=doc.url, warnings=[f"HTTP {doc.status}"])
    try:
        return normalize(doc.kind, doc.body, doc.url, doc.fetched_at)
    except Exception as exc:  # noqa: BLE001 - the raw document is still stored
        log.exception("normalizer failed on %s", doc.url)
        return NormalizeResult(
            kind=doc.kind,
            source_url=doc.url,
            warnings=[f"normalizer error: {type(exc).__name__}: {exc}"],
        )


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db_url: str = settings.get("TOOLWATCH_DB")
        self.batch_size = settings.getint("TOOLWATCH_BATCH_SIZE", 25)
        self.write_attempts = settings.getint("TOOLWATCH_WRITE_ATTEMPTS", 3)
        self.spool = Spool(settings.get("TOOLWATCH_SPOOL_DIR"))
        self.docs: list[RawDocument] = []
        self.failures: list[CrawlFailure] = []
        self.lock = DeferredLock()
        self.store: Store | None = None
        self.run_id: int | None = None
        self.totals: dict[str, int] = {}
        self.errors = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    # -- lifecycle ------------------------------------------------------------

    def open_spider(self, spider: Spider | None = None) -> Deferred:
        spider = spider or self.crawler.spider
        self.store = Store(self.db_url)
        self.run_id = self.store.start_run(spider.name, getattr(spider, "crawl_args", {}))
        if hasattr(spider, "state_lookup"):
            spider.state_lookup = self._stored_shas
        return self.lock.run(deferToThread, self._drain_spool)

    def close_spider(self, spider: Spider | None = None) -> Deferred:
        d = self._flush()
        d.addBoth(self._finish)
        return d

    def _finish(self, result: Any) -> Any:
        assert self.store is not None and self.run_id is not None
        stats = self.crawler.stats
        failed = isinstance(result, Exception) or getattr(result, "value", None) is not None
        reason = stats.get_value("finish_reason") or "finished"
        summary = {
            "pages": stats.get_value("downloader/response_count", 0),
            "requests": stats.get_value("downloader/request_count", 0),
            "errors": self.errors,
            "finish_reason": reason,
            **self.totals,
        }
        status = "failed" if failed else ("finished" if reason == "finished" else "interrupted")
        try:
            self.store.finish_run(self.run_id, status, summary)
        finally:
            self.store.close()
        return result

    # -- items ----------------------------------------------------------------

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, RawDocument):
            self.docs.append(item)
        elif isinstance(item, CrawlFailure):
            self.failures.append(item)
            self.errors += 1
            self.crawler.stats.inc_value("toolwatch/errors")
        else:
            return item
        if len(self.docs) + len(self.failures) >= self.batch_size:
            d = self._flush()
            d.addCallback(lambda _: item)
            return d
        return item

    def _stored_shas(self, keys: list[str]) -> dict[str, str | None]:
        assert self.store is not None
        return {k: s.sha for k, s in self.store.source_state(keys).items()}

    # -- writing --------------------------------------------------------------

    def _flush(self) -> Deferred:
        docs, failures = self.docs, self.failures
        self.docs, self.failures = [], []
        if not docs and not failures:
            return self.lock.run(lambda: None)  # wait for writes already under way
        return self.lock.run(deferToThread, self._write, docs, failures)

    def _write(self, docs: list[RawDocument], failures: list[CrawlFailure]) -> None:
        """Runs in a worker thread: normalise, then one transaction per batch."""
        assert self.store is not None
        batch = [(doc, normalize_document(doc)) for doc in docs]
        last_error: Exception | None = None
        for attempt in range(self.write_attempts):
            try:
                result = self.store.ingest_batch(batch, self.run_id)
                for f in failures:
                    self.store.record_error(self.run_id, f.url, f.kind, f.message)
                for doc, res in batch:
                    for w in res.warnings:
                        if w.startswith("normalizer error"):
                            self.store.record_error(self.run_id, doc.url, "normalize", w)
                self._add_totals(result)
                return
            except Exception as exc:  # noqa: BLE001 - database outage: retry, then spool
                last_error = exc
                log.warning("storage write failed (attempt %d): %s", attempt + 1, exc)
                time.sleep(min(2**attempt, 10))
        path = self.spool.write(docs, failures)
        self.totals["spooled"] = self.totals.get("spooled", 0) + len(docs) + len(failures)
        self.crawler.stats.inc_value("toolwatch/spooled", len(docs) + len(failures))
        log.error("database unavailable (%s); %d items spooled to %s", last_error, len(docs), path)

    def _drain_spool(self) -> None:
        """Write what an earlier run could not; a file is removed only once written."""
        assert self.store is not None
        for path, docs, failures in self.spool.pending():
            batch = [(doc, normalize_document(doc)) for doc in docs]
            try:
                result = self.store.ingest_batch(batch, self.run_id)
                for f in failures:
                    self.store.record_error(self.run_id, f.url, f.kind, f.message)
            except Exception as exc:  # noqa: BLE001 - still down: keep the file
                log.warning("spool %s not written yet: %s", path, exc)
                return
            self._add_totals(result)
            self.totals["unspooled"] = self.totals.get("unspooled", 0) + len(docs)
            path.unlink()

    def _add_totals(self, result: Any) -> None:
        for key in ("documents_new", "documents_seen", "claims_new", "tools_new", "tools_changed"):
            value = int(getattr(result, key, 0))
            self.totals[key] = self.totals.get(key, 0) + value
            self.crawler.stats.inc_value(f"toolwatch/{key}", value)
