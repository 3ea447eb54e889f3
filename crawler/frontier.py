"""One frontier for many crawler processes: scrapy-redis's scheduler and dupefilter.

Set `TOOLWATCH_FRONTIER` to a Redis URL (and `TOOLWATCH_FRONTIER_KEY` to a name for
this crawl, the same in every process) and start as many `toolwatch crawl` /
`scrapy crawl` processes as wanted, on any machines that reach Redis and the one
PostgreSQL: requests go to one Redis queue, each URL is fetched once (the Redis
dupefilter), and each process takes the next request from the shared queue.

A plain spider closes as soon as it has nothing to do, which in a shared crawl is
too early: another process may be about to push the next listing page's models.
`FrontierIdle` keeps a process open while the shared queue holds requests or
another process of the crawl is still busy (a heartbeat in a Redis sorted set; a
process silent for `STALE_AFTER` seconds, e.g. killed, no longer counts). The last
process to finish removes the crawl's keys, so the next crawl starts fresh.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import BaseSettings

STALE_AFTER = 30.0
HEARTBEAT_EVERY = 1.0


def keys(prefix: str) -> dict[str, str]:
    return {
        "requests": f"{prefix}:%(spider)s:requests",
        "dupefilter": f"{prefix}:%(spider)s:dupefilter",
        "busy": f"{prefix}:%(spider)s:busy",
    }


class SharedFrontier:
    """Scrapy add-on: with TOOLWATCH_FRONTIER set, the scrapy-redis scheduler and
    dupefilter under the crawl's key prefix, and `FrontierIdle`."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("TOOLWATCH_FRONTIER")
        if not url:
            return
        prefix = f"toolwatch:{settings.get('TOOLWATCH_FRONTIER_KEY') or 'crawl'}"
        k = keys(prefix)
        settings.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("REDIS_URL", url, "addon")
        settings.set("SCHEDULER_QUEUE_KEY", k["requests"], "addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", k["dupefilter"], "addon")
        settings.set("DUPEFILTER_KEY", k["dupefilter"], "addon")
        # never flush the shared queue when one process closes: `FrontierIdle` cleans up
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("TOOLWATCH_FRONTIER_BUSY_KEY", k["busy"], "addon")
        settings["EXTENSIONS"].update({"crawler.frontier.FrontierIdle": 200})


class FrontierIdle:
    def __init__(self, crawler: Crawler) -> None:
        from redis import Redis

        settings = crawler.settings
        if not settings.get("TOOLWATCH_FRONTIER"):
            raise NotConfigured
        self.crawler = crawler
        self.redis = Redis.from_url(settings.get("TOOLWATCH_FRONTIER"))
        self.templates = {
            "requests": settings.get("SCHEDULER_QUEUE_KEY"),
            "dupefilter": settings.get("SCHEDULER_DUPEFILTER_KEY"),
            "busy": settings.get("TOOLWATCH_FRONTIER_BUSY_KEY"),
        }
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self._beat = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierIdle:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _key(self, name: str, spider: Spider) -> str:
        return self.templates[name] % {"spider": spider.name}

    def spider_opened(self, spider: Spider) -> None:
        self._mark(spider)

    def _mark(self, spider: Spider) -> None:
        now = time.time()
        self._beat = now
        self.redis.zadd(self._key("busy", spider), {self.me: now})

    def busy(self, spider: Spider, **_: Any) -> None:
        if time.time() - self._beat >= HEARTBEAT_EVERY:
            self._mark(spider)

    def _others_busy(self, spider: Spider) -> int:
        key = self._key("busy", spider)
        self.redis.zremrangebyscore(key, 0, time.time() - STALE_AFTER)
        return sum(1 for m in self.redis.zrange(key, 0, -1) if m.decode() != self.me)

    def spider_idle(self, spider: Spider) -> None:
        self.redis.zrem(self._key("busy", spider), self.me)
        self._beat = 0.0
        if self.redis.zcard(self._key("requests", spider)) or self._others_busy(spider):
            raise DontCloseSpider

    def spider_closed(self, spider: Spider) -> None:
        self.redis.zrem(self._key("busy", spider), self.me)
        if not self._others_busy(spider) and not self.redis.zcard(self._key("requests", spider)):
            self.redis.delete(*(self._key(name, spider) for name in self.templates))
        self.redis.close()
