"""Downloader middlewares: polite retries and the optional Hub token."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, but a 429/503 waits as long as the server's Retry-After asks.

    A wait longer than TOOLWATCH_MAX_RETRY_AFTER is not retried: the response goes
    on to the spider's error handling and is recorded.
    """

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.max_wait = settings.getfloat("TOOLWATCH_MAX_RETRY_AFTER", 120)

    @classmethod
    def from_crawler(cls, crawler: Crawler):  # type: ignore[no-untyped-def]
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: object = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None:
            if wait > self.max_wait:
                self.crawler.stats.inc_value("retry/retry_after_too_long")
                return response
            self.crawler.stats.inc_value("retry/retry_after_waits")
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return self._retry(request, f"{response.status} response") or response


class HubTokenMiddleware:
    """Adds `Authorization: Bearer $HF_TOKEN` to Hugging Face requests only.

    The token is read from the environment at run time so it never appears in the
    logged settings; the record middleware strips the header from cassettes.
    """

    def __init__(self, token: str | None, hosts: set[str]) -> None:
        self.token = token
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HubTokenMiddleware:
        token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
        endpoint = urlparse(crawler.settings.get("HF_ENDPOINT", "https://huggingface.co"))
        return cls(token, {"huggingface.co", endpoint.hostname or "huggingface.co"})

    def process_request(self, request: Request, spider: object = None) -> None:
        if self.token and urlparse(request.url).hostname in self.hosts:
            request.headers.setdefault(b"Authorization", f"Bearer {self.token}".encode())
