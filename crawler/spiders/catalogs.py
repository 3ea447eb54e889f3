"""Vendor catalog spider: one request per `[[catalogs]]` URL of the watchlist.

Thin like the price-list spider it extends: each catalog file becomes one
`RawDocument(kind="catalog")`; `normalizer.catalogs` recognises the format (Mistral
docs registry, LM Studio, GPT4All, Azure ML spec, Docker Hub card) and reads it.
Incremental the same way: conditional requests from the stored ETag/Last-Modified
(`catalog:<url>`), a 304 costs nothing, an identical body is deduplicated by storage.
"""

from __future__ import annotations

from typing import Any

from crawler.sources import CatalogSource, spider_sources
from crawler.spiders.prices import PricesSpider
from normalizer.models import DocKind


class CatalogsSpider(PricesSpider):
    name = "catalogs"
    kind = DocKind.CATALOG
    key_prefix = "catalog"

    def sources(self) -> list[CatalogSource]:
        return spider_sources(self._sources_path, self.settings).catalogs

    def label(self, source: Any) -> str:
        return f"catalog {source.name or source.url}"

    def doc_meta(self, source: Any) -> dict[str, Any]:
        vendor = getattr(source, "vendor", None)  # the inherited contract passes a price list
        return {"vendor": vendor} if vendor else {}
