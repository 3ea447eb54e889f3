"""Announcements spider: RSS/Atom feeds and individual posts/changelog pages.

Thin by design: it builds requests and wraps responses into `RawDocument`s (kind
`announcement`); feed reading lives in `crawler.feeds`, extraction in `normalizer`,
persistence in the storage pipeline.

Feeds (`[[feeds]]`)
    GET the feed, conditional on the ETag/Last-Modified stored for `feed:<url>`
    (a 304 means unchanged: nothing else is requested). For every entry that is
    new or changed (entry state `feed-entry:<feed url>#<entry id>`, sha from
    `FeedEntry.sha`):

    - full-content entry: stored as its own XML element cut from the feed
      (`crawler.feeds`), url = the entry link; no request;
    - summary-only entry: its article page is fetched and stored (HTML).

    The feed itself is stored too (state key `feed:<url>` with its validators),
    but only once every article it led to was stored: if one failed, the feed is
    stored without validators, so the next crawl reads it in full and fetches just
    what is still missing.

Posts (`[[posts]]`)
    GET each URL (conditional, like feeds); a body whose sha256 equals the stored
    one is unchanged. Markdown, MDX and HTML are all read by the announcement
    normalizer.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import feeds
from crawler.documents import document, provenance_headers
from crawler.errors import failure_item
from crawler.items import CrawlFailure
from crawler.sources import FeedSource, PostSource, Sources, spider_sources
from crawler.state import SourceState, conditional_headers, stored_shas, stored_states
from normalizer.models import DocKind, RawDocument

HANDLED_ERRORS = [401, 403, 404, 410]
STAT = "announcements"


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@dataclass
class _FeedRun:
    """A fetched feed waiting for the articles it led to."""

    document: RawDocument
    pending: int = 0
    failed: bool = False


class AnnouncementsSpider(scrapy.Spider):
    name = "announcements"

    def __init__(
        self,
        sources: str | None = None,
        feeds: str | None = None,
        posts: str | None = None,
        full: str | bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sources_path = sources
        self._feeds_arg = _split(feeds)
        self._posts_arg = _split(posts)
        self.full = str(full).lower() in {"1", "true", "yes"}
        self._runs: dict[str, _FeedRun] = {}
        self.crawl_args = {
            k: v for k, v in {"sources": sources, "feeds": feeds, "posts": posts}.items() if v
        } | ({"full": True} if self.full else {})

    def watchlist(self) -> Sources:
        if self._feeds_arg or self._posts_arg:
            return Sources.model_validate(
                {
                    "feeds": [{"url": u} for u in self._feeds_arg],
                    "posts": [{"url": u} for u in self._posts_arg],
                }
            )
        return spider_sources(self._sources_path, self.settings)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        wl = self.watchlist()
        keys = [feeds.state_key(str(f.url)) for f in wl.feeds]
        keys += [feeds.post_state_key(str(p.url)) for p in wl.posts]
        states = await stored_states(self, keys)
        for source in wl.feeds:
            yield self._feed_request(source, states.get(feeds.state_key(str(source.url))))
        for post in wl.posts:
            yield self._post_request(post, states.get(feeds.post_state_key(str(post.url))))

    # -- requests -------------------------------------------------------------

    def _feed_request(
        self, source: FeedSource, stored: SourceState | None = None
    ) -> scrapy.Request:
        url = str(source.url)
        key = feeds.state_key(url)
        return scrapy.Request(
            url,
            headers=conditional_headers(stored),
            callback=self.parse_feed,
            errback=self.on_error,
            cb_kwargs={"source": source},
            meta={"handle_httpstatus_list": [304, *HANDLED_ERRORS], "source_key": key},
            dont_filter=True,
        )

    def _post_request(self, post: PostSource, stored: SourceState | None = None) -> scrapy.Request:
        url = str(post.url)
        key = feeds.post_state_key(url)
        return scrapy.Request(
            url,
            headers=conditional_headers(stored),
            callback=self.parse_post,
            errback=self.on_error,
            cb_kwargs={"post": post},
            meta={"handle_httpstatus_list": [304, *HANDLED_ERRORS], "source_key": key},
            dont_filter=True,
        )

    # -- feeds ----------------------------------------------------------------

    async def parse_feed(self, response: Response, source: FeedSource) -> AsyncIterator[Any]:
        """A feed: its entries (cut from the feed, or article requests) and the feed.

        @url https://raw.githubusercontent.com/0xSMW/rss-feeds/main/feeds/feed_xai_news.xml
        @model_kwarg source crawler.sources.FeedSource {"url": "https://raw.githubusercontent.com/0xSMW/rss-feeds/main/feeds/feed_xai_news.xml"}
        @returns items 1
        @scrapes url body kind meta
        """
        stats = self.crawler.stats
        feed_url = str(source.url)
        key = feeds.state_key(feed_url)
        if response.status == 304:
            stats.inc_value(f"{STAT}/feeds_not_modified")
            return
        if response.status != 200:
            yield self._failure(response, f"feed {feed_url}", key)
            return
        try:
            feed = feeds.parse_feed(response.body, feed_url)
        except feeds.FeedError as exc:
            yield CrawlFailure(url=response.url, kind="parse", message=str(exc), source_key=key)
            return
        stats.inc_value(f"{STAT}/feeds")
        for w in feed.warnings:
            self.logger.warning("%s: %s", feed_url, w)
        run = _FeedRun(
            self._document(
                response,
                state_key=key,
                sha=hashlib.sha256(response.body).hexdigest(),
                validators=True,
                extra={
                    "feed_title": feed.title,
                    "feed_version": feed.version,
                    "entries": len(feed.entries),
                },
            )
        )
        self._runs[feed_url] = run
        keys = {e.entry_id: feeds.entry_state_key(feed_url, e.entry_id) for e in feed.entries}
        stored = await stored_shas(self, keys.values())
        seen: set[str] = set()
        for entry in feed.entries:
            stats.inc_value(f"{STAT}/entries")
            ekey = keys[entry.entry_id]
            if ekey in seen:  # the same id twice in one feed: the first one counts
                stats.inc_value(f"{STAT}/entries_duplicate")
                continue
            seen.add(ekey)
            if stored.get(ekey) == entry.sha:
                stats.inc_value(f"{STAT}/entries_unchanged")
                continue
            stats.inc_value(f"{STAT}/entries_{'updated' if ekey in stored else 'new'}")
            store_fragment = entry.full_content or not source.fetch_articles or not entry.link
            if store_fragment and entry.fragment is not None:
                stats.inc_value(f"{STAT}/entries_from_feed")
                yield self._entry_document(response, feed_url, entry, ekey)
            elif entry.link:
                run.pending += 1
                stats.inc_value(f"{STAT}/article_requests")
                yield scrapy.Request(
                    entry.link,
                    callback=self.parse_article,
                    errback=self.on_article_error,
                    cb_kwargs={"feed_url": feed_url, "entry": entry, "key": ekey},
                    meta={"handle_httpstatus_list": HANDLED_ERRORS, "source_key": ekey},
                    dont_filter=True,
                )
            else:
                yield CrawlFailure(
                    url=feed_url,
                    kind="parse",
                    message=f"entry {entry.entry_id!r}: no link and no fragment to store",
                    source_key=ekey,
                )
        if run.pending == 0:
            yield self._close_run(feed_url)

    def parse_article(
        self, response: Response, feed_url: str, entry: feeds.FeedEntry, key: str
    ) -> Iterable[Any]:
        """A feed entry's article, stored with the entry's metadata; the feed closes last.

        An article whose feed run is not open (a contract check calls it alone) is
        stored all the same: there is no feed document to close.

        @url https://raw.githubusercontent.com/FableFatale/hf-blog-translation/7e1428056c3599423c289693cf508774e5ad7861/llama31.md
        @cb_kwargs {"feed_url": "https://huggingface.co/blog/feed.xml", "key": "feed-entry:https://huggingface.co/blog/feed.xml#llama31"}
        @model_kwarg entry crawler.feeds.FeedEntry {"entry_id": "llama31", "link": "https://raw.githubusercontent.com/FableFatale/hf-blog-translation/7e1428056c3599423c289693cf508774e5ad7861/llama31.md", "title": "Llama 3.1", "published": null, "updated": null, "body_html": null, "summary": null, "fragment": null}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url body kind meta
        """
        run = self._runs.get(feed_url)
        if run is not None:
            run.pending -= 1
        if response.status != 200:
            if run is not None:
                run.failed = True
            yield self._failure(response, f"article of feed entry {entry.entry_id}", key)
        else:
            self.crawler.stats.inc_value(f"{STAT}/articles")
            meta = self._entry_meta(feed_url, entry, key)
            if response.url != entry.link:
                meta["entry_link"] = entry.link
            yield self._document(response, extra=meta)
        if run is not None and run.pending == 0:
            yield self._close_run(feed_url)

    def on_article_error(self, failure: Failure) -> Iterable[Any]:
        request = failure.request  # type: ignore[attr-defined]
        feed_url = request.cb_kwargs["feed_url"]
        run = self._runs[feed_url]
        run.pending -= 1
        run.failed = True
        yield from self.on_error(failure)
        if run.pending == 0:
            yield self._close_run(feed_url)

    def _close_run(self, feed_url: str) -> RawDocument:
        """The feed document, last: its validators only if every article was stored."""
        run = self._runs.pop(feed_url)
        doc = run.document
        if run.failed:
            doc.meta.pop("etag", None)
            doc.meta.pop("last_modified", None)
            doc.meta["incomplete"] = True
        return doc

    def _entry_meta(self, feed_url: str, entry: feeds.FeedEntry, key: str) -> dict[str, Any]:
        return {
            "feed_url": feed_url,
            "entry_id": entry.entry_id,
            "title": entry.title,
            "published": entry.published or entry.updated,
            "state_key": key,
            "sha": entry.sha,
        }

    def _entry_document(
        self, response: Response, feed_url: str, entry: feeds.FeedEntry, key: str
    ) -> RawDocument:
        assert entry.fragment is not None
        meta = self._entry_meta(feed_url, entry, key) | {
            "fragment_of": response.url,
            "namespaces": entry.namespaces,
            "full_content": entry.full_content,
        }
        meta |= provenance_headers(response)
        return RawDocument(
            url=entry.link or f"{feed_url}#{entry.entry_id}",
            kind=DocKind.ANNOUNCEMENT,
            body=entry.fragment,
            status=200,
            content_type="application/xml; charset=utf-8",
            meta=meta,
        )

    # -- posts ----------------------------------------------------------------

    async def parse_post(self, response: Response, post: PostSource) -> AsyncIterator[Any]:
        """A single post or changelog page, stored unless unchanged.

        @url https://raw.githubusercontent.com/mistralai/platform-docs-public/222f4ba9114f84ce9f2d718b9a12fbac1e527f4b/changelog/en/2024-04-17.mdx
        @model_kwarg post crawler.sources.PostSource {"url": "https://raw.githubusercontent.com/mistralai/platform-docs-public/222f4ba9114f84ce9f2d718b9a12fbac1e527f4b/changelog/en/2024-04-17.mdx"}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url body kind meta
        """
        url = str(post.url)
        key = feeds.post_state_key(url)
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value(f"{STAT}/posts_not_modified")
            return
        if response.status != 200:
            yield self._failure(response, f"post {url}", key)
            return
        sha = hashlib.sha256(response.body).hexdigest()
        if (await stored_shas(self, [key])).get(key) == sha:
            stats.inc_value(f"{STAT}/posts_unchanged")
            return
        stats.inc_value(f"{STAT}/posts")
        yield self._document(response, state_key=key, sha=sha, validators=True)

    # -- wrapping -------------------------------------------------------------

    def _document(
        self,
        response: Response,
        *,
        state_key: str | None = None,
        sha: str | None = None,
        validators: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> RawDocument:
        meta: dict[str, Any] = dict(extra or {})
        if state_key is not None:
            meta |= {"state_key": state_key, "sha": sha}
        return document(response, DocKind.ANNOUNCEMENT, meta, validators=validators)

    def _failure(self, response: Response, what: str, key: str | None = None) -> CrawlFailure:
        self.crawler.stats.inc_value(f"{STAT}/http_{response.status}")
        return CrawlFailure(
            url=response.url,
            kind=f"http-{response.status}",
            message=f"{what}: HTTP {response.status}",
            source_key=key,
        )

    def on_error(self, failure: Failure) -> Iterable[Any]:
        yield failure_item(failure, self.crawler.stats, STAT)
