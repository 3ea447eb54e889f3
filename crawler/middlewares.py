"""Downloader middlewares: polite retries, the optional Hub token, download limits."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.hub import HUB
from crawler.url_policy import Origin, origin_of


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
    """Adds `Authorization: Bearer $HF_TOKEN` to requests for the Hub's origin only.

    The origin is scheme + host + port of `HF_ENDPOINT` (default https://huggingface.co):
    a redirect to another port, another host or from https to plain http is another
    origin, and the header is not added there -- robots.txt requests included. If a
    redirect carried our header along (Scrapy keeps it on a same-host port change), it
    is taken off again. The token is read from the environment at run time so it never
    appears in the logged settings; the record middleware strips the header from cassettes.
    """

    def __init__(self, token: str | None, origins: set[Origin]) -> None:
        self.token = token
        self.origins = origins
        self.header = f"Bearer {token}".encode() if token else b""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HubTokenMiddleware:
        token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
        endpoint = crawler.settings.get("HF_ENDPOINT") or HUB
        origins = {o for o in (origin_of(endpoint),) if o is not None}
        return cls(token, origins)

    def process_request(self, request: Request, spider: object = None) -> None:
        if not self.token:
            return
        if origin_of(request.url) in self.origins:
            request.headers.setdefault(b"Authorization", self.header)
        elif request.headers.get(b"Authorization") == self.header:
            del request.headers[b"Authorization"]


class DownloadLimitsMiddleware:
    """Says which limit stopped a download: a body that outgrows DOWNLOAD_MAXSIZE with
    no Content-Length is cancelled by Scrapy with an empty message."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloadLimitsMiddleware:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_exception(
        self, request: Request, exception: Exception, spider: object = None
    ) -> None:
        if isinstance(exception, DownloadCancelledError) and not str(exception).strip():
            limit = request.meta.get("download_maxsize", self.maxsize)
            raise DownloadCancelledError(
                f"body grew past DOWNLOAD_MAXSIZE ({limit} bytes) with no Content-Length; "
                "download stopped at the limit"
            ) from exception
