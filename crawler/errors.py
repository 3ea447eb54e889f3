"""One reading of a failed request for every spider: what kind of failure, said how."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import StatsCollector
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.items import CrawlFailure
from crawler.robots import RobotsUnavailable
from crawler.url_policy import AddressRefused, UrlRefused, connect_refusal


def _policy_refusal(failure: Failure) -> str | None:
    """The URL policy's reason, whether it refused before the request or at connect time
    (Scrapy re-raises the resolver's error as its own, keeping it as the cause)."""
    if failure.check(UrlRefused):
        return str(failure.value)
    exc: BaseException | None = failure.value
    while exc is not None:
        if isinstance(exc, AddressRefused):
            return str(exc)
        exc = exc.__cause__
    if failure.check(CannotResolveHostError, DNSLookupError):
        return connect_refusal(failure.request.url)  # type: ignore[attr-defined]
    return None


def failure_item(failure: Failure, stats: StatsCollector, stat_prefix: str) -> CrawlFailure:
    """A recorded failure for an errback: URL policy, robots.txt unreachable, HTTP status after retries, size
    limit, timeout, DNS, refused connection, or anything else by its exception name."""
    request = failure.request  # type: ignore[attr-defined]
    if (refusal := _policy_refusal(failure)) is not None:
        kind, msg = "url-policy", refusal
    elif failure.check(RobotsUnavailable):
        kind, msg = "robots", str(failure.value)
    elif failure.check(HttpError):
        response = failure.value.response
        kind = "http-5xx" if response.status >= 500 else f"http-{response.status}"
        msg = f"HTTP {response.status} after retries"
        if ra := response.headers.get(b"Retry-After"):
            msg += f" (Retry-After: {ra.decode('latin-1')})"
    elif failure.check(DownloadCancelledError):
        kind, msg = "size-limit", f"download cancelled: {failure.getErrorMessage()}"
    elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        kind, msg = "timeout", f"timed out after retries: {failure.getErrorMessage()}"
    elif failure.check(CannotResolveHostError, DNSLookupError):
        kind, msg = "dns", failure.getErrorMessage()
    elif failure.check(DownloadConnectionRefusedError):
        kind, msg = "connection", f"connection refused: {failure.getErrorMessage()}"
    else:
        kind, msg = "error", f"{failure.type.__name__}: {failure.getErrorMessage()}"
    stats.inc_value(f"{stat_prefix}/failed/{kind}")
    return CrawlFailure(
        url=request.url, kind=kind, message=msg, source_key=request.meta.get("source_key")
    )
