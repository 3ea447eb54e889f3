"""Provider price-list spider: one request per `[[price_lists]]` URL of the watchlist.

Thin by design: it fetches each list and wraps the response into one
`RawDocument(kind="price-list")`; `normalizer.price_list` recognises the format
and reads the entries, the storage pipeline stores document and claims.

Incremental:
- conditional requests: the ETag / Last-Modified stored for `price:<url>` are sent
  as If-None-Match / If-Modified-Since; a 304 stores nothing and costs nothing;
- a 200 whose body is byte-identical to the stored one is deduplicated by storage
  (same URL + content hash: no new document, no new claim).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.documents import document
from crawler.errors import failure_item
from crawler.items import CrawlFailure
from crawler.sources import PriceListSource, spider_sources
from crawler.state import conditional_headers, stored_states
from normalizer.models import DocKind

# Statuses the callback sees itself: 304 is "unchanged", the others are recorded failures.
HANDLED = [304, 401, 403, 404, 410]


def state_key(url: str) -> str:
    return f"price:{url}"


class PricesSpider(scrapy.Spider):
    name = "prices"

    def __init__(self, sources: str | None = None, full: str | bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self._sources_path = sources
        self.full = str(full).lower() in {"1", "true", "yes"}
        self.crawl_args = {k: v for k, v in {"sources": sources}.items() if v} | (
            {"full": True} if self.full else {}
        )

    def watchlist(self) -> list[PriceListSource]:
        return spider_sources(self._sources_path, self.settings).price_lists

    # What a subclass for another kind of single-URL source changes (see `catalogs`).
    kind = DocKind.PRICE_LIST
    key_prefix = "price"

    def sources(self) -> list[Any]:
        return self.watchlist()

    def label(self, source: Any) -> str:
        return f"price list ({source.provider})"

    def doc_meta(self, source: Any) -> dict[str, Any]:
        return {"provider": source.provider, "format": source.format}

    def key(self, url: str) -> str:
        return f"{self.key_prefix}:{url}"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        lists = self.sources()
        states = await stored_states(self, [self.key(str(s.url)) for s in lists])
        for source in lists:
            url = str(source.url)
            headers = conditional_headers(states.get(self.key(url)))
            if headers:
                self.crawler.stats.inc_value(f"{self.name}/conditional")
            yield scrapy.Request(
                url,
                headers=headers,
                callback=self.parse_list,
                errback=self.on_error,
                cb_kwargs={"source": source},
                meta={"handle_httpstatus_list": HANDLED, "source_key": self.key(url)},
                dont_filter=True,
            )

    def parse_list(self, response: Response, source: Any) -> Iterable[Any]:
        """One price list, stored whole as a `price-list` document.

        @url https://openrouter.ai/api/v1/models
        @model_kwarg source crawler.sources.PriceListSource {"url": "https://openrouter.ai/api/v1/models", "provider": "openrouter", "format": "openrouter"}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url body kind status meta
        """
        key = self.key(str(source.url))
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value(f"{self.name}/not_modified")
            return
        if response.status != 200:
            stats.inc_value(f"{self.name}/http_{response.status}")
            yield CrawlFailure(
                url=response.url,
                kind=f"http-{response.status}",
                message=f"{self.label(source)}: HTTP {response.status}",
                source_key=key,
            )
            return
        stats.inc_value(f"{self.name}/lists")
        yield document(response, self.kind, {"state_key": key, **self.doc_meta(source)})

    def on_error(self, failure: Failure) -> Iterable[Any]:
        yield failure_item(failure, self.crawler.stats, self.name)
