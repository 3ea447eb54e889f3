"""Incremental-crawl state for spiders: HF shas, feed-entry shas, ETags, Last-Modified.

An extension the crawler owns (`EXTENSIONS`), reading the database in a worker
thread so no spider callback ever blocks the reactor on a query. Spiders ask
through `stored_states(spider, keys)`; without the extension (unit tests, a crawl
with no database) or with `full` set, nothing is stored and everything is fetched.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from storage.store import Store
from storage.views import SourceState

__all__ = ["IncrementalState", "SourceState", "conditional_headers", "stored_shas", "stored_states"]

log = logging.getLogger(__name__)
T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a thread, awaited on whichever loop runs us (asyncio or Twisted)."""
    from scrapy.utils.reactor import is_asyncio_reactor_installed

    # Deferred threads need a running Twisted reactor; one that was merely imported (by
    # an earlier test, say) would leave the Deferred unfired forever.
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None or not getattr(reactor, "running", False) or is_asyncio_reactor_installed():
        return await asyncio.to_thread(fn, *args)
    return await maybe_deferred_to_future(deferToThread(fn, *args))


class IncrementalState:
    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalState:
        ext = cls(crawler.settings.get("TOOLWATCH_DB"))
        crawler.signals.connect(ext.close, signal=signals.spider_closed)
        return ext

    def _read(self, keys: list[str]) -> dict[str, SourceState]:
        if self._store is None:
            self._store = Store(self.db_url)
        return self._store.source_state(keys)

    async def states(self, keys: Iterable[str]) -> dict[str, SourceState]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        try:
            return await in_thread(self._read, wanted)
        except Exception as exc:  # noqa: BLE001 - an outage only costs extra requests
            log.warning("incremental state unavailable (%s): fetching in full", exc)
            return {}

    async def discovered(self) -> list[str]:
        """Hub repos other sources named whose tool has no Hub facts (discovery by links)."""

        def read() -> list[str]:
            if self._store is None:
                self._store = Store(self.db_url)
            return self._store.repos_without_hub_facts()

        try:
            return await in_thread(read)
        except Exception as exc:  # noqa: BLE001 - discovery is an extra, never a failure
            log.warning("discovered repos unavailable (%s): crawling the watchlist only", exc)
            return []

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


async def stored_states(spider: Spider, keys: Iterable[str]) -> dict[str, SourceState]:
    """The stored state of `keys` for `spider` (empty with `full` or no extension)."""
    crawler = getattr(spider, "crawler", None)
    if getattr(spider, "full", False) or crawler is None:
        return {}
    try:
        ext = crawler.get_extension(IncrementalState)
    except RuntimeError:  # no extension manager yet: nothing to read from
        return {}
    return {} if ext is None else await ext.states(keys)


async def discovered_repos(spider: Spider) -> list[str]:
    """Repos linked by the documents other spiders stored (none without the extension)."""
    crawler = getattr(spider, "crawler", None)
    try:
        ext = crawler.get_extension(IncrementalState) if crawler is not None else None
    except RuntimeError:
        return []
    return [] if ext is None else await ext.discovered()


async def stored_shas(spider: Spider, keys: Iterable[str]) -> dict[str, str | None]:
    return {k: s.sha for k, s in (await stored_states(spider, keys)).items()}


def conditional_headers(state: SourceState | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a stored state's validators."""
    headers: dict[str, str] = {}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers
