"""Prometheus metrics at `/metrics` (prometheus-client).

- API: requests by route and status, and their latency, counted in this process (with
  several server workers set `PROMETHEUS_MULTIPROC_DIR` and each worker's counts are
  merged, prometheus-client's multiprocess mode).
- Crawls and queues: read from the database when scraped, so every crawl process and
  machine that writes to it is counted, and nothing is lost when one restarts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage.health import ORDER

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class DatabaseCollector(Collector):
    """Crawl and queue figures, read from the database at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        from storage.schema import CrawlError, CrawlRun, Document, ReviewItem, Tool

        store = getattr(self.app.state, "store", None)
        if store is None:
            return
        runs = CounterMetricFamily(
            "toolwatch_crawl_runs",
            "Crawl runs recorded, by spider and status",
            labels=["spider", "status"],
        )
        pages = CounterMetricFamily(
            "toolwatch_crawl_pages", "Pages fetched by finished runs, by spider", labels=["spider"]
        )
        last = GaugeMetricFamily(
            "toolwatch_crawl_last_finished_timestamp_seconds",
            "When the latest run of each spider finished",
            labels=["spider"],
        )
        duration = GaugeMetricFamily(
            "toolwatch_crawl_last_duration_seconds",
            "Duration of each spider's latest run",
            labels=["spider"],
        )
        health = GaugeMetricFamily(
            "toolwatch_crawl_last_health",
            "Health of each spider's latest run: 0 ok, 1 warning, 2 failing",
            labels=["spider"],
        )
        errors = CounterMetricFamily(
            "toolwatch_crawl_errors", "Crawl errors recorded, by kind", labels=["kind"]
        )
        documents = GaugeMetricFamily("toolwatch_documents", "Documents stored")
        tools = GaugeMetricFamily("toolwatch_tools", "Tools by status", labels=["status"])
        reviews = GaugeMetricFamily(
            "toolwatch_review_items", "Review items by status", labels=["status"]
        )
        with store.transaction() as session:
            for spider, status, n in session.execute(
                select(CrawlRun.spider, CrawlRun.status, func.count()).group_by(
                    CrawlRun.spider, CrawlRun.status
                )
            ):
                runs.add_metric([spider, status], n)
            latest: dict[str, CrawlRun] = {}
            totals: dict[str, int] = {}
            for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())):
                latest.setdefault(run.spider, run)
                if run.status == "finished":
                    pages_of_run = int((run.stats or {}).get("pages") or 0)
                    totals[run.spider] = totals.get(run.spider, 0) + pages_of_run
            for spider, n in totals.items():
                pages.add_metric([spider], n)
            for spider, run in latest.items():
                if run.finished_at is not None:
                    last.add_metric([spider], run.finished_at.timestamp())
                    duration.add_metric(
                        [spider], (run.finished_at - run.started_at).total_seconds()
                    )
                if run.health:
                    health.add_metric([spider], ORDER.get(run.health.get("status", "ok"), 0))
            for kind, n in session.execute(
                select(CrawlError.kind, func.count()).group_by(CrawlError.kind)
            ):
                errors.add_metric([kind], n)
            documents.add_metric([], session.scalar(select(func.count(Document.id))) or 0)
            for status, n in session.execute(
                select(Tool.status, func.count()).group_by(Tool.status)
            ):
                tools.add_metric([status], n)
            for status, n in session.execute(
                select(ReviewItem.status, func.count()).group_by(ReviewItem.status)
            ):
                reviews.add_metric([status], n)
        yield from (runs, pages, last, duration, health, errors, documents, tools, reviews)


class RequestMetrics:
    """Counts and times every HTTP request by route template and status. A plain ASGI
    middleware: Starlette's `BaseHTTPMiddleware` costs more per request than a
    cached API answer does."""

    def __init__(self, app: ASGIApp, *, requests: Counter, latency: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.latency.labels(method, name).observe(time.perf_counter() - started)
            self.requests.labels(method, name, str(status)).inc()


def install(app: FastAPI) -> None:
    """Count every request and serve `/metrics` (no login: put it behind the
    operator's network, as Prometheus endpoints usually are)."""
    registry = CollectorRegistry(auto_describe=True)
    requests = Counter(
        "toolwatch_http_requests",
        "HTTP requests served, by route and status",
        ["method", "route", "status"],
        registry=registry,
    )
    latency = Histogram(
        "toolwatch_http_request_duration_seconds",
        "Time to answer, by route",
        ["method", "route"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    registry.register(DatabaseCollector(app))

    app.add_middleware(RequestMetrics, requests=requests, latency=latency)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            merged.register(DatabaseCollector(app))
            return Response(generate_latest(merged), media_type=CONTENT_TYPE_LATEST)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
