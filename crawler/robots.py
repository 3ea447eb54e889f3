"""robots.txt by RFC 9309, answering every request waiting for the same robots.txt.

- 2xx: the rules are obeyed. 3xx: followed (Scrapy's redirects) up to a final answer.
- 4xx ("unavailable"): no rules, everything is allowed.
- 5xx or no answer at all ("unreachable"): everything on that host is disallowed; the
  requests are refused with `RobotsUnavailable` (recorded as `robots` crawl errors)
  and robots.txt is asked again once `TOOLWATCH_ROBOTS_RETRY_AFTER` seconds have
  passed (Scrapy's stock middleware parses a 503 page as rules and allows everything).

Scrapy's stock middleware awaits the pending robots.txt Deferred through
`Deferred.asFuture`, which hands the parsed rules to the first waiter only: the
other requests that arrived while robots.txt was downloading see `None` and are
let through unchecked. Each waiter here gets its own Deferred fed from the shared one.
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobots
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.url_policy import connect_refusal

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsUnavailable(IgnoreRequest):
    """robots.txt answered 5xx or not at all: the host is off limits for now."""


class RobotsTxtMiddleware(_ScrapyRobots):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.retry_after = crawler.settings.getfloat("TOOLWATCH_ROBOTS_RETRY_AFTER", 600)
        # netloc -> (why, monotonic time after which robots.txt is asked again)
        self._unreachable: dict[str, tuple[str, float]] = {}

    # -- what robots.txt answered ---------------------------------------------------

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Response:
        """Reads a robots.txt answer by its status before Scrapy parses the body."""
        if not (request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt")):
            return response
        netloc = urlparse_cached(request).netloc
        if response.status >= 500:
            self._mark_unreachable(netloc, f"robots.txt answered HTTP {response.status}")
            return response.replace(body=DISALLOW_ALL)
        if 400 <= response.status < 500:
            self.crawler.stats.inc_value("robotstxt/unavailable_allow_all")
            return response.replace(body=b"")
        return response

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """No answer at all (refused, timed out): disallow, as a 5xx."""
        super()._robots_error(exc, netloc)
        if isinstance(exc, IgnoreRequest) or connect_refusal(f"http://{netloc}/"):
            return  # refused by the URL policy: the request itself is refused the same way
        self._mark_unreachable(netloc, f"robots.txt unreachable ({type(exc).__name__}: {exc})")
        self._parsers[netloc] = self._parserimpl.from_crawler(self.crawler, DISALLOW_ALL)

    def _mark_unreachable(self, netloc: str, why: str) -> None:
        self.crawler.stats.inc_value("robotstxt/unreachable")
        self._unreachable[netloc] = (why, time.monotonic() + self.retry_after)

    # -- deciding -------------------------------------------------------------------

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            unreachable = self._unreachable.get(urlparse_cached(request).netloc)
            if unreachable is None:
                raise
            self.crawler.stats.inc_value("robotstxt/refused_unreachable")
            raise RobotsUnavailable(
                f"{unreachable[0]}: every request to this host is disallowed until it "
                f"answers (RFC 9309); asked again after {self.retry_after:g} s"
            ) from None

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        unreachable = self._unreachable.get(netloc)
        if unreachable is not None and time.monotonic() >= unreachable[1]:
            del self._unreachable[netloc]  # time to ask robots.txt again
            self._parsers.pop(netloc, None)
        pending = self._parsers.get(netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(result: RobotParser | None) -> RobotParser | None:
            mine.callback(result)
            return result  # keep it for the next waiter

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
