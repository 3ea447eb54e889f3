"""Operators' commands: `scheduler`, `runs`, `errors`, `health`.

`health` exits 0 / 1 / 2 for ok / warning / failing, so cron, systemd timers and
monitoring probes can act on it.
"""

from __future__ import annotations

import json
import logging
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.options import DbOption, JsonOption, SourcesOption

console = Console()
err = Console(stderr=True)

LimitOption = Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most N rows")]
EXIT_CODES = {"ok": 0, "warning": 1, "failing": 2}


def _db(db: str | None) -> str:
    from cli.database import database_url

    return database_url(db)


def _open(db: str | None, *, create: bool = False) -> Any:
    from cli.database import open_store

    return open_store(db, create=create)


def _watchlist(path: Path | None) -> Any:
    from crawler.settings import TOOLWATCH_SOURCES
    from crawler.sources import SourcesError, load_sources

    try:
        return load_sources(path or Path(TOOLWATCH_SOURCES))
    except SourcesError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def scheduler(
    sources: SourcesOption = None,
    replay: Annotated[
        Path | None, typer.Option("--replay", help="Replay cassettes from DIR (tests, demos)")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Crawls at once")] = 4,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the jobs and their next runs, then exit")
    ] = False,
    scrapyd: Annotated[
        str | None,
        typer.Option(
            "--scrapyd",
            envvar="TOOLWATCH_SCRAPYD_URL",
            show_envvar=True,
            help="Hand due jobs to this Scrapyd server (http://[user:password@]host:6800) "
            "instead of crawling here",
        ),
    ] = None,
    scrapyd_project: Annotated[
        str, typer.Option("--scrapyd-project", help="The project's name on Scrapyd")
    ] = "toolwatch",
    db: DbOption = None,
) -> None:
    """Run the watchlist's schedules until SIGTERM/SIGINT (APScheduler; its job store
    is in the database). Missed runs coalesce; two schedulers never crawl the same
    source at once. With --scrapyd, Scrapyd runs the crawls."""
    from crawler import schedule

    path = sources or Path("sources.toml")
    watchlist = _watchlist(path)
    url = _db(db)
    jobs = schedule.jobs_from(watchlist)
    if list_only:
        rows = list(schedule.describe(jobs, schedule.next_runs(url)))
        for row in rows:
            console.print(
                f"{row['job']}  next: {_when(row['next_run'])}  {len(row['sources'])} sources"
            )
        return
    if not jobs:
        err.print(
            "[yellow]no source in the watchlist has a schedule ([schedules] or schedule = ...)"
        )
        raise typer.Exit(2)
    if scrapyd:
        schedule.use_scrapyd(_scrapyd_server(scrapyd, scrapyd_project))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    _open(db, create=True).close()  # the scheduler writes runs: create or migrate it
    sched = schedule.build_scheduler(
        str(path.resolve()), url, replay=str(replay.resolve()) if replay else None, workers=workers
    )

    def stop(signum: int, _frame: Any) -> None:
        logging.getLogger(__name__).info("signal %s: stopping the scheduler", signum)
        schedule.stop_children()
        sched.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for job in jobs:
        err.print(f"scheduled {job.key} ({job.spider}, {len(job.locks)} sources)")
    sched.resume()
    try:
        _block(sched)
    finally:
        err.print("scheduler stopped")


def _scrapyd_server(url: str, project: str) -> Any:
    """The Scrapyd server, checked before the first job: it answers and knows the project."""
    from crawler.scrapyd import Scrapyd, ScrapydError

    try:
        server = Scrapyd.from_url(url, project)
        projects = server.call("listprojects.json", []).get("projects") or []
    except ScrapydError as exc:
        err.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    if project not in projects:
        err.print(
            f"Scrapyd {server.url} has no project {project!r} (it has: "
            f"{', '.join(projects) or 'none'}); deploy it, or map it in scrapyd.conf [settings]",
            style="red",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(2)
    return server


def _block(sched: Any) -> None:
    """Wait until the scheduler is shut down (by a signal)."""
    import time

    from apscheduler.schedulers.base import STATE_STOPPED

    while sched.state != STATE_STOPPED:
        time.sleep(0.2)


def runs(
    spider: Annotated[str | None, typer.Option(help="Only runs of this spider")] = None,
    status: Annotated[
        str | None, typer.Option(help="running | finished | failed | interrupted")
    ] = None,
    limit: LimitOption = 20,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Crawl runs, newest first: status, pages, new and changed tools, errors, duration, health."""
    from storage import runs as run_log
    from storage.schema import RUN_STATUSES

    if status and status not in RUN_STATUSES:
        err.print(f"[red]--status must be one of {', '.join(RUN_STATUSES)}[/red]")
        raise typer.Exit(2)
    with _open(db) as store, store.transaction() as session:
        views = run_log.list_runs(session, spider=spider, status=status, limit=limit)
    if as_json:
        _emit([v.as_json() for v in views])
        return
    table = Table(title="Crawl runs")
    for col in ("id", "spider", "status", "started", "duration", "pages", "new tools"):
        table.add_column(col, justify="right" if col in ("id", "pages", "new tools") else "left")
    for col in ("changed", "errors", "health", "reason"):
        table.add_column(col, justify="right" if col in ("changed", "errors") else "left")
    for v in views:
        duration = f"{v.duration_s:.1f}s" if v.duration_s is not None else "—"
        table.add_row(
            str(v.id),
            v.spider + (f" [dim]{v.job}[/dim]" if v.job else ""),
            v.status,
            _when(v.started_at),
            duration,
            str(v.pages),
            str(v.tools_new),
            str(v.tools_changed),
            str(v.errors),
            v.health or "—",
            v.reason or "",
        )
    console.print(table)


def errors(
    run: Annotated[int | None, typer.Option("--run", help="Only errors of this run")] = None,
    spider: Annotated[str | None, typer.Option(help="Only errors of this spider")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind (http-404, timeout, ...)")
    ] = None,
    days: Annotated[int | None, typer.Option(min=1, help="Only the last N days")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Recorded crawl errors grouped by source and kind, with the latest example."""
    from storage import runs as run_log

    since = datetime.now(UTC) - timedelta(days=days) if days else None
    with _open(db) as store, store.transaction() as session:
        groups = run_log.error_groups(session, run_id=run, spider=spider, kind=kind, since=since)
    if as_json:
        _emit([g.as_json() for g in groups])
        return
    if not groups:
        console.print("no crawl errors recorded")
        return
    table = Table(title="Crawl errors by source and kind")
    for col in ("source", "kind", "count", "last seen", "latest"):
        table.add_column(col, justify="right" if col == "count" else "left", overflow="fold")
    for g in groups:
        table.add_row(
            g.source,
            g.kind,
            str(g.count),
            _when(g.last_at),
            f"{g.example_url}\n{g.example_message}",
        )
    console.print(table)


def health(
    sources: SourcesOption = None,
    alert: Annotated[
        bool, typer.Option("--alert", help="Also send alerts (webhook/email) when not ok")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Health of every scheduled job (freshness, last run's checks), or of each spider's
    latest run when nothing is scheduled. Exit 0 ok, 1 warning, 2 failing."""
    from crawler.alerts import Alert, AlertSettings, send
    from crawler.schedule import jobs_from
    from storage.health import freshness, worst

    jobs = jobs_from(_watchlist(sources))
    rows: list[dict[str, Any]] = []
    with _open(db) as store, store.transaction() as session:
        if jobs:
            for job in jobs:
                fresh = freshness(session, job.key, job.spider, job.schedule.period)
                status = worst([fresh.status, fresh.last_health or "ok"])
                rows.append({**fresh.model_dump(mode="json"), "status": status})
        else:
            rows = _latest_per_spider(session)
    overall = worst(r["status"] for r in rows)
    if as_json:
        _emit({"status": overall, "sources": rows})
    else:
        table = Table(title=f"Health: {overall}")
        for col in ("job", "status", "last run", "last health", "message"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(
                r["job"],
                r["status"],
                str(r.get("last_run_id") or "—"),
                str(r.get("last_health") or "—"),
                r["message"],
            )
        console.print(table)
    if alert and overall != "ok":
        lines = [f"{r['job']}: {r['status']}: {r['message']}" for r in rows if r["status"] != "ok"]
        send(
            Alert(status=overall, title=f"toolwatch health is {overall}", lines=lines),
            AlertSettings.from_env(),
        )
    raise typer.Exit(EXIT_CODES[overall])


def _latest_per_spider(session: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from storage.schema import CrawlRun

    seen: dict[str, dict[str, Any]] = {}
    for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(500)):
        if run.spider in seen:
            continue
        report = run.health or {}
        status = report.get("status") or ("failing" if run.status == "failed" else "ok")
        problems = [
            f"{c['name']}: {c['message']}" for c in report.get("checks", []) if c["status"] != "ok"
        ]
        seen[run.spider] = {
            "job": run.spider,
            "status": status,
            "last_run_id": run.id,
            "last_health": report.get("status"),
            "message": "; ".join(problems) or run.reason or run.status,
        }
    return list(seen.values())


def register(app: typer.Typer) -> None:
    for command in (scheduler, runs, errors, health):
        app.command()(command)
