"""Scheduled crawls on APScheduler, its job store in the crawl database.

Each source in `sources.toml` may carry a `schedule` (a crontab line such as
`"0 */6 * * *"`, or an interval such as `"every 6h"`); `[schedules]` gives a default
per section. Sources of one section that share a schedule form one job, crawled as
one `toolwatch crawl` subprocess over a watchlist of just those sources.

- Missed runs coalesce: a scheduler that was down runs each late job once.
- One run per source at a time, across processes and machines: a job first takes a
  lock per source (`storage.runs.acquire_locks`); if another scheduler holds any,
  this one skips the run.
- SIGTERM stops cleanly: no new runs start, running crawls get SIGTERM (Scrapy
  closes them gracefully) and their locks are released.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

JOB_TABLE = "scheduled_jobs"
SECTION_SPIDERS = {
    "huggingface": "huggingface",
    "feeds": "announcements",
    "posts": "announcements",
    "price_lists": "prices",
}
"""Which spider crawls each section of the watchlist."""
_INTERVAL = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
HEARTBEAT_S = 30.0
STOP_GRACE_S = 120.0


class ScheduleError(ValueError):
    """A schedule that is neither a crontab line nor `every N s|m|h|d`."""


@dataclass(frozen=True)
class Schedule:
    text: str
    trigger: BaseTrigger
    period: timedelta
    """The time between two runs (for crontab lines, between the next two)."""


def parse_schedule(text: str) -> Schedule:
    text = " ".join(text.split())
    match = _INTERVAL.match(text)
    if match:
        delta = timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
        if delta <= timedelta(0):
            raise ScheduleError(f"{text!r}: an interval must be positive")
        return Schedule(text, IntervalTrigger(seconds=delta.total_seconds(), timezone=UTC), delta)
    try:
        trigger = CronTrigger.from_crontab(text, timezone=UTC)
    except ValueError as exc:
        raise ScheduleError(
            f"{text!r}: not a crontab line (5 fields) nor 'every N s|m|h|d': {exc}"
        ) from exc
    now = datetime.now(UTC)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    if first is None or second is None:
        raise ScheduleError(f"{text!r}: never fires")
    return Schedule(text, trigger, second - first)


@dataclass(frozen=True)
class Job:
    """Sources of one section sharing one schedule: one crawl per firing."""

    key: str
    section: str
    spider: str
    schedule: Schedule
    sources: dict[str, Any]
    """The watchlist of this job alone, as TOML-ready data."""
    locks: tuple[str, ...]


def jobs_from(sources: Any) -> list[Job]:
    """The jobs a validated watchlist (`crawler.sources.Sources`) schedules."""
    defaults = sources.schedules
    health = sources.health.model_dump(mode="json")  # each job's crawl keeps the thresholds
    jobs: list[Job] = []
    hf = sources.huggingface
    if hf.authors or hf.models:
        text = hf.schedule or defaults.huggingface
        if text:
            data = {"huggingface": hf.model_dump(mode="json", exclude_none=True), "health": health}
            data["huggingface"].pop("schedule", None)
            jobs.append(_job("huggingface", text, data, ("huggingface",)))
    for section in ("feeds", "posts", "price_lists"):
        groups: dict[str, list[Any]] = {}
        for item in getattr(sources, section):
            text = item.schedule or getattr(defaults, section)
            if text:
                groups.setdefault(" ".join(text.split()), []).append(item)
        for text, items in groups.items():
            entries = [i.model_dump(mode="json", exclude_none=True) for i in items]
            for entry in entries:
                entry.pop("schedule", None)
            locks = tuple(f"{section}:{e['url']}" for e in entries)
            jobs.append(_job(section, text, {section: entries, "health": health}, locks))
    return jobs


def _job(section: str, text: str, data: dict[str, Any], locks: tuple[str, ...]) -> Job:
    schedule = parse_schedule(text)
    return Job(
        key=f"{section}@{schedule.text}",
        section=section,
        spider=SECTION_SPIDERS[section],
        schedule=schedule,
        sources=data,
        locks=locks,
    )


# -- running one job -------------------------------------------------------------------

_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()
_stopping = threading.Event()
_scrapyd: Any = None


def crawl_command(
    job: Job, sources_file: Path, db_url: str, replay: str | None = None
) -> list[str]:
    cmd = [sys.executable, "-m", "cli", "crawl", job.spider, "--sources", str(sources_file)]
    cmd += ["--db", db_url, "--job", job.key]
    if replay:
        cmd += ["--replay", replay]
    return cmd


def run_job(job_key: str, sources_path: str, db_url: str, replay: str | None = None) -> int | None:
    """Crawl one job now (APScheduler calls this by reference; arguments are plain
    strings so the job store can keep them). Returns the crawl's exit code, or None
    when skipped because another process holds one of its sources."""
    import tomli_w

    from crawler.sources import load_sources
    from storage import runs
    from storage.store import Store

    if _stopping.is_set():
        return None
    jobs = {j.key: j for j in jobs_from(load_sources(sources_path))}
    job = jobs.get(job_key)
    if job is None:
        log.warning("job %s is no longer in %s; skipped", job_key, sources_path)
        return None
    holder = f"{runs.holder_name()}:{job.key}"
    with Store(db_url) as store:
        with store.transaction(write=True) as session:
            if not runs.acquire_locks(session, job.locks, holder):
                log.info("job %s skipped: another process is crawling its sources", job.key)
                return None
        try:
            if _scrapyd is not None:
                return _on_scrapyd(_scrapyd, store, job, holder, db_url, replay)
            with tempfile.TemporaryDirectory(prefix="toolwatch-job-") as tmp:
                watchlist = Path(tmp) / "sources.toml"
                watchlist.write_text(tomli_w.dumps(job.sources), encoding="utf-8")
                return _supervise(store, job, holder, crawl_command(job, watchlist, db_url, replay))
        finally:
            with store.transaction(write=True) as session:
                runs.release_locks(session, job.locks, holder)


def _supervise(store: Any, job: Job, holder: str, cmd: list[str]) -> int:
    from storage import runs

    log.info("job %s: %s", job.key, " ".join(cmd))
    proc = subprocess.Popen(cmd)  # noqa: S603 - our own command, no shell
    with _children_lock:
        _children.add(proc)
    try:
        while True:
            try:
                code = proc.wait(timeout=HEARTBEAT_S)
                break
            except subprocess.TimeoutExpired:
                with store.transaction(write=True) as session:
                    runs.refresh_locks(session, job.locks, holder)
    finally:
        with _children_lock:
            _children.discard(proc)
    log.info("job %s: crawl exited %s", job.key, code)
    return code


def use_scrapyd(server: Any) -> None:
    """Hand due jobs to this Scrapyd server (`crawler.scrapyd.Scrapyd`) instead of
    starting crawl processes here; None: back to local processes. Kept in the process,
    not in the job store, so that no credential is written to the database."""
    global _scrapyd
    _scrapyd = server


def _on_scrapyd(
    server: Any, store: Any, job: Job, holder: str, db_url: str, replay: str | None
) -> int:
    """One job as a Scrapyd job; 0 when its run finished and its health is not failing."""
    import tomli_w

    from crawler import scrapyd
    from crawler.sources import parse_sources
    from storage import runs

    toml = tomli_w.dumps(job.sources)
    health = parse_sources(toml).health.model_dump(mode="json")
    with store.transaction() as session:
        last = runs.list_runs(session, job=job.key, limit=1)
    before = last[0].id if last else 0

    def heartbeat() -> None:
        with store.transaction(write=True) as session:
            runs.refresh_locks(session, job.locks, holder)

    try:
        settings = scrapyd.job_settings(job.key, toml, health, db_url, replay)
        job_id = server.schedule(job.spider, settings)
        log.info("job %s: Scrapyd %s job %s", job.key, server.url, job_id)
        end = scrapyd.wait(server, job_id, heartbeat=heartbeat, stopping=_stopping.is_set)
    except scrapyd.ScrapydError as exc:
        log.error("job %s: %s", job.key, exc)
        return 1
    if end != "finished":
        log.error("job %s: Scrapyd job %s %s", job.key, job_id, end)
        return 1
    with store.transaction() as session:
        last = runs.list_runs(session, job=job.key, limit=1)
    if not last or last[0].id <= before:
        log.error(
            "job %s: Scrapyd job %s finished without writing a run (see its log on %s)",
            job.key, job_id, server.url,
        )  # fmt: skip
        return 1
    run = last[0]
    code = 0 if run.status == "finished" and run.health != "failing" else 1
    log.info("job %s: Scrapyd job %s: run %s %s", job.key, job_id, run.id, run.status)
    return code


def stop_children(grace: float = STOP_GRACE_S) -> None:
    """SIGTERM every running crawl and wait for them (their runs close as interrupted)."""
    _stopping.set()
    with _children_lock:
        children = list(_children)
    for proc in children:
        if proc.poll() is None:
            proc.terminate()
    for proc in children:
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- the scheduler process --------------------------------------------------------------


def build_scheduler(
    sources_path: str, db_url: str, *, replay: str | None = None, workers: int = 4
) -> Any:
    """A background scheduler (started paused) whose jobs mirror the watchlist; unchanged jobs keep their
    stored next run time so runs missed while no scheduler ran coalesce into one."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from crawler.sources import load_sources
    from storage.db import make_engine

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=make_engine(db_url), tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    jobs = jobs_from(load_sources(sources_path))
    scheduler.start(paused=True)
    wanted = {job.key for job in jobs}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            stored.remove()
    for job in jobs:
        args = [job.key, str(sources_path), db_url, replay]
        stored = scheduler.get_job(job.key)
        if stored is not None and str(stored.trigger) == str(job.schedule.trigger):
            if list(stored.args) != args:
                stored.modify(args=args)
            continue
        scheduler.add_job(
            "crawler.schedule:run_job",
            trigger=job.schedule.trigger,
            id=job.key,
            name=f"crawl {job.spider}: {job.key}",
            args=args,
            replace_existing=True,
        )
    return scheduler


def next_runs(db_url: str) -> dict[str, datetime]:
    """Next run time of each stored job (empty when no scheduler ever ran here)."""
    from sqlalchemy import inspect, text

    from storage.db import make_engine

    engine = make_engine(db_url)
    try:
        if not inspect(engine).has_table(JOB_TABLE):
            return {}
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOB_TABLE}"))
            return {
                row.id: datetime.fromtimestamp(row.next_run_time, UTC)
                for row in rows
                if row.next_run_time is not None
            }
    finally:
        engine.dispose()


def describe(jobs: list[Job], upcoming: dict[str, datetime]) -> Iterator[dict[str, Any]]:
    for job in jobs:
        yield {
            "job": job.key,
            "spider": job.spider,
            "schedule": job.schedule.text,
            "period_s": job.schedule.period.total_seconds(),
            "sources": list(job.locks),
            "next_run": upcoming.get(job.key),
        }


def source_status(sources: Any, db_url: str, session: Any) -> list[dict[str, Any]]:
    """Per scheduled job: schedule, sources, last run, next run, health, errors; then
    one row per unscheduled section with sources (what the Sources page shows)."""
    from storage import runs
    from storage.health import freshness

    jobs = jobs_from(sources)
    upcoming = next_runs(db_url)
    rows: list[dict[str, Any]] = []
    for job in jobs:
        fresh = freshness(session, job.key, job.spider, job.schedule.period)
        last = runs.list_runs(session, job=job.key, limit=1)
        rows.append(
            {
                "job": job.key,
                "spider": job.spider,
                "schedule": job.schedule.text,
                "sources": [lock.partition(":")[2] or lock for lock in job.locks],
                "next_run": upcoming.get(job.key),
                "last_run": last[0] if last else None,
                "errors": runs.error_count(session, last[0].id) if last else 0,
                "health": fresh.status,
                "message": fresh.message,
            }
        )
    scheduled = {lock for job in jobs for lock in job.locks}
    for section, spider in SECTION_SPIDERS.items():
        if section == "huggingface":
            hf = sources.huggingface
            names = [*hf.authors, *hf.models] if "huggingface" not in scheduled else []
        else:
            names = [
                str(i.url)
                for i in getattr(sources, section)
                if f"{section}:{i.url}" not in scheduled
            ]
        if names:
            last = runs.list_runs(session, spider=spider, limit=1)
            rows.append(
                {
                    "job": f"{section} (unscheduled)",
                    "spider": spider,
                    "schedule": None,
                    "sources": names,
                    "next_run": None,
                    "last_run": last[0] if last else None,
                    "errors": runs.error_count(session, last[0].id) if last else 0,
                    "health": (last[0].health if last else None) or "—",
                    "message": "crawled only by hand (`toolwatch crawl`)",
                }
            )
    return rows
