"""Run Scrapy crawls in-process with a live progress display."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader


def project_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


def spider_names(settings: Settings | None = None) -> list[str]:
    return sorted(SpiderLoader.from_settings(settings or project_settings({})).list())


def demo_fixtures() -> tuple[Path, Path]:
    """The cassettes and watchlist bundled with the package (what `--demo` replays)."""
    root = Path(str(resources.files("crawler") / "fixtures"))
    return root / "cassettes", root / "demo_sources.toml"


@dataclass
class CrawlOutcome:
    spider: str
    stats: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)


LAST = ("huggingface",)
"""Spiders that run after the others: the Hub spider crawls the repos the posts,
catalogs and price lists of the same run linked (discovery by links)."""


def _run_in_order(process: CrawlerProcess, crawlers: list[tuple[str, Any]], args: dict) -> None:
    """The other spiders together, then the `LAST` ones; stop when all are done."""
    from twisted.internet import defer

    groups = [
        [c for n, c in crawlers if n not in LAST],
        [c for n, c in crawlers if n in LAST],
    ]

    @defer.inlineCallbacks
    def run() -> Any:
        for group in groups:
            if group:
                yield defer.DeferredList(
                    [process.crawl(c, **args) for c in group], consumeErrors=True
                )

    def stop(_: Any) -> None:
        from twisted.internet import reactor

        if reactor.running:  # type: ignore[attr-defined]
            reactor.stop()  # type: ignore[attr-defined]

    run().addBoth(stop)
    process.start(stop_after_crawl=False)


def run_crawls(
    spiders: list[str], settings: Settings, spider_args: dict[str, Any], console: Console
) -> list[CrawlOutcome]:
    process = CrawlerProcess(settings)
    outcomes: list[CrawlOutcome] = []
    crawlers = []
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[pages]} pages · {task.fields[docs]} documents"),
        TextColumn("· {task.fields[errors]} errors"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        for name in spiders:
            crawler = process.create_crawler(name)
            task = progress.add_task(name, total=None, pages=0, docs=0, errors=0)

            def bump(key: str, task_id: int = task, **_: Any) -> None:
                fields = progress.tasks[task_id].fields
                progress.update(task_id, **{key: fields[key] + 1})

            crawler.signals.connect(
                lambda *a, _b=bump, **k: _b("pages"), signal=signals.response_received, weak=False
            )
            crawler.signals.connect(
                lambda item, *a, _b=bump, **k: _b(
                    "errors" if type(item).__name__ == "CrawlFailure" else "docs"
                ),
                signal=signals.item_scraped,
                weak=False,
            )
            crawler.signals.connect(
                lambda *a, _t=task, **k: progress.update(_t, total=1, completed=1),
                signal=signals.spider_closed,
                weak=False,
            )
            crawlers.append((name, crawler))
        _run_in_order(process, crawlers, spider_args)
    for name, crawler in crawlers:
        outcomes.append(CrawlOutcome(name, dict(crawler.stats.get_stats())))
    return outcomes
