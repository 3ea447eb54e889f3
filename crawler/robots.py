"""robots.txt middleware that answers every request waiting for the same robots.txt.

Scrapy's stock middleware awaits the pending robots.txt Deferred through
`Deferred.asFuture`, which hands the parsed rules to the first waiter only: the
other requests that arrived while robots.txt was downloading see `None` and are
let through unchecked. Each waiter here gets its own Deferred fed from the shared one.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobots
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(_ScrapyRobots):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(result: RobotParser | None) -> RobotParser | None:
            mine.callback(result)
            return result  # keep it for the next waiter

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
