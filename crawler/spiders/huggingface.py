"""Hugging Face Hub spider: author listings -> model info -> config.json -> model card.

Thin by design: it builds requests and wraps responses into `RawDocument`s;
extraction happens in `normalizer`, persistence in the storage pipeline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlparse

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import hub
from crawler.documents import document
from crawler.errors import failure_item
from crawler.items import CrawlFailure
from crawler.sources import HuggingFaceSources, spider_sources
from crawler.state import discovered_repos, stored_shas
from normalizer.models import DocKind, RawDocument

# Statuses the callbacks see themselves (recorded as failures, never retried).
HANDLED_ERRORS = [401, 403, 404, 410]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class HuggingFaceSpider(scrapy.Spider):
    name = "huggingface"
    endpoint = hub.HUB

    def __init__(
        self,
        sources: str | None = None,
        authors: str | None = None,
        models: str | None = None,
        full: str | bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sources_path = sources
        self._authors_arg = _split(authors)
        self._models_arg = _split(models)
        self.full = str(full).lower() in {"1", "true", "yes"}
        self.crawl_args = {
            k: v for k, v in {"sources": sources, "authors": authors, "models": models}.items() if v
        } | ({"full": True} if self.full else {})

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> HuggingFaceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.endpoint = crawler.settings.get("HF_ENDPOINT", hub.HUB).rstrip("/")
        # Offsite protection: a Link header may only lead back to the same Hub.
        spider.allowed_domains = [urlparse(spider.endpoint).hostname or "huggingface.co"]
        return spider

    def watchlist(self) -> HuggingFaceSources:
        if self._authors_arg or self._models_arg:
            return HuggingFaceSources(authors=self._authors_arg, models=self._models_arg)
        return spider_sources(self._sources_path, self.settings).huggingface

    async def start(self) -> AsyncIterator[scrapy.Request]:
        wl = self.watchlist()
        for author in wl.authors:
            yield self._listing_request(
                hub.listing_url(author, wl.page_size, self.endpoint), author
            )
        for repo_id in wl.models:
            yield self._model_request(repo_id, listed_sha=None)
        for repo_id in await self.discovered(wl):
            self.crawler.stats.inc_value("huggingface/discovered")
            yield self._model_request(repo_id, listed_sha=None)

    async def discovered(self, wl: HuggingFaceSources) -> list[str]:
        """Repos linked from posts, catalogs and price lists (stored by the spiders that ran
        before this one) whose tool has no Hub facts yet: watched authors' repos come with
        their listing, others up to `discovery_budget`. Off with `-a authors=/models=`."""
        if self._authors_arg or self._models_arg or wl.discovery_budget == 0:
            return []
        return hub.choose_discovered(
            await discovered_repos(self), wl.authors, wl.discovery_budget, already=wl.models
        )

    # -- requests -------------------------------------------------------------

    def _listing_request(self, url: str, author: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"author": author},
            meta={"handle_httpstatus_list": HANDLED_ERRORS, "source_key": f"hf-author:{author}"},
        )

    def _model_request(self, repo_id: str, listed_sha: str | None) -> scrapy.Request:
        return scrapy.Request(
            hub.model_api_url(repo_id, self.endpoint),
            callback=self.parse_model,
            errback=self.on_error,
            cb_kwargs={"repo_id": repo_id, "listed_sha": listed_sha},
            meta={"handle_httpstatus_list": HANDLED_ERRORS, "source_key": hub.state_key(repo_id)},
        )

    # -- callbacks ------------------------------------------------------------

    async def _stored_shas(self, repo_ids: list[str]) -> dict[str, str | None]:
        return await stored_shas(self, [hub.state_key(r) for r in repo_ids])

    async def parse_listing(self, response: Response, author: str) -> AsyncIterator[Any]:
        """An author's listing page: a model request per new or changed model.

        @url https://huggingface.co/api/models?author=HuggingFaceH4&limit=1&expand=sha&expand=lastModified&expand=private&expand=gated
        @cb_kwargs {"author": "HuggingFaceH4"}
        @returns items 0 0
        @returns requests 1 1
        """
        if response.status != 200:
            yield self._failure(response, f"listing for {author!r}")
            return
        try:
            listed = hub.parse_listing(response.body)
        except hub.HubFormatError as exc:
            yield CrawlFailure(url=response.url, kind="parse", message=str(exc))
            return
        stored = await self._stored_shas([m.repo_id for m in listed])
        stats = self.crawler.stats
        for model in listed:
            stats.inc_value("huggingface/models_listed")
            if model.private:
                stats.inc_value("huggingface/skipped_private")
                continue
            if model.sha and stored.get(hub.state_key(model.repo_id)) == model.sha:
                stats.inc_value("huggingface/unchanged")
                continue
            yield self._model_request(model.repo_id, model.sha)
        nxt = hub.next_page(response.headers.get("Link", b"").decode("latin-1"))
        if nxt:
            yield self._listing_request(nxt, author)

    async def parse_model(
        self, response: Response, repo_id: str, listed_sha: str | None
    ) -> AsyncIterator[Any]:
        """Model info: stored, and the card requested.

        @url https://huggingface.co/api/models/HuggingFaceH4/zephyr-7b-beta?expand=author&expand=sha&expand=lastModified&expand=private&expand=gated&expand=tags&expand=siblings&expand=cardData&expand=config&expand=createdAt&expand=safetensors&expand=baseModels&expand=pipeline_tag&expand=library_name&expand=inferenceProviderMapping
        @cb_kwargs {"repo_id": "HuggingFaceH4/zephyr-7b-beta", "listed_sha": null}
        @returns items 1 1
        @returns requests 1 1
        @scrapes url body kind meta
        """
        key = hub.state_key(repo_id)
        if response.status != 200:
            yield self._failure(response, f"model info for {repo_id}", key)
            return
        try:
            sha = hub.parse_model_sha(response.body)
        except hub.HubFormatError as exc:
            yield CrawlFailure(url=response.url, kind="parse", message=str(exc), source_key=key)
            return
        if listed_sha is None and sha and (await self._stored_shas([repo_id])).get(key) == sha:
            self.crawler.stats.inc_value("huggingface/unchanged")
            return
        yield self._document(response, DocKind.HF_API, repo_id)
        if hub.lists_file(response.body, "config.json"):
            yield scrapy.Request(
                hub.config_url(repo_id, self.endpoint),
                callback=self.parse_config,
                errback=self.on_error,
                cb_kwargs={"repo_id": repo_id, "sha": sha},
                meta={"handle_httpstatus_list": HANDLED_ERRORS, "source_key": key},
            )
        else:
            yield self._card_request(repo_id, sha)

    def _card_request(self, repo_id: str, sha: str | None) -> scrapy.Request:
        return scrapy.Request(
            hub.card_url(repo_id, self.endpoint),
            callback=self.parse_card,
            errback=self.on_error,
            cb_kwargs={"repo_id": repo_id, "sha": sha},
            meta={"handle_httpstatus_list": HANDLED_ERRORS, "source_key": hub.state_key(repo_id)},
        )

    def parse_config(self, response: Response, repo_id: str, sha: str | None) -> Iterable[Any]:
        """config.json is its own document (exact context, experts, architecture); the
        chain goes on to the card whatever it answered, the card closing it.

        @url https://huggingface.co/HuggingFaceH4/zephyr-7b-beta/raw/main/config.json
        @cb_kwargs {"repo_id": "HuggingFaceH4/zephyr-7b-beta", "sha": null}
        @meta {"handle_httpstatus_list": [401, 403, 404, 410]}
        @returns items 0 0
        @returns requests 1 1
        """
        if response.status == 200:
            yield self._document(response, DocKind.HF_CONFIG, repo_id)
        elif response.status == 404:  # gone since the model info listed it: nothing to retry
            self.crawler.stats.inc_value("huggingface/no_config")
        else:
            yield self._failure(response, f"config.json for {repo_id}", hub.state_key(repo_id))
        yield self._card_request(repo_id, sha)

    def parse_card(self, response: Response, repo_id: str, sha: str | None) -> Iterable[Any]:
        """The model card, which closes the model's chain (its sha is recorded).

        @url https://huggingface.co/HuggingFaceH4/zephyr-7b-beta/raw/main/README.md
        @cb_kwargs {"repo_id": "HuggingFaceH4/zephyr-7b-beta", "sha": "0000000000000000000000000000000000000000"}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url body kind meta
        """
        key = hub.state_key(repo_id)
        if response.status == 404:
            # A repo without README.md is normal; the model info alone still counts.
            self.crawler.stats.inc_value("huggingface/no_card")
            yield self._document(response, DocKind.HF_CARD, repo_id, sha=sha)
            return
        if response.status != 200:
            yield self._failure(response, f"model card for {repo_id}", key)
            return
        # The card closes the model's chain: only now is the sha recorded as crawled.
        yield self._document(response, DocKind.HF_CARD, repo_id, sha=sha)

    # -- wrapping -------------------------------------------------------------

    def _document(
        self, response: Response, kind: DocKind, repo_id: str, sha: str | None = None
    ) -> RawDocument:
        meta: dict[str, Any] = {"source_id": repo_id}
        if sha is not None:
            meta |= {"state_key": hub.state_key(repo_id), "sha": sha}
        return document(response, kind, meta)

    def _failure(self, response: Response, what: str, key: str | None = None) -> CrawlFailure:
        code = response.headers.get(b"X-Error-Code", b"").decode("latin-1")
        message = response.headers.get(b"X-Error-Message", b"").decode("utf-8", "replace")
        detail = f" ({code}{': ' + message if message else ''})" if code else ""
        self.crawler.stats.inc_value(f"huggingface/http_{response.status}")
        return CrawlFailure(
            url=response.url,
            kind=f"http-{response.status}",
            message=f"{what}: HTTP {response.status}{detail}",
            source_key=key,
        )

    def on_error(self, failure: Failure) -> Iterable[Any]:
        yield failure_item(failure, self.crawler.stats, "huggingface")
