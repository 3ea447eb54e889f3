"""Crawl runs as operators see them: listing, dead runs, per-source locks, errors.

A run is started by the storage pipeline (`Store.start_run`), which records the host
and process that runs it. A run left `running` by a process that no longer exists
(killed, crashed, machine rebooted) is marked `failed` with the reason as soon as
the next run of the same spider starts, so nothing stays `running` forever.

Locks: the scheduler holds one `run_locks` row per source while that source is being
crawled, refreshed by a heartbeat. A second scheduler (another process or machine)
skips a source whose lock is held; a lock whose heartbeat is older than
`LOCK_STALE_AFTER` belonged to a dead holder and may be taken over.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from normalizer.models import utcnow
from storage.schema import CrawlError, CrawlRun, RunLock

LOCK_STALE_AFTER = timedelta(minutes=5)
"""A lock not refreshed for this long belongs to a holder that died."""
OTHER_HOST_STALE_AFTER = timedelta(hours=12)
"""A run of another machine still `running` after this long is taken as dead (its
process cannot be checked from here)."""


def this_host() -> str:
    return socket.gethostname()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@dataclass(frozen=True)
class RunView:
    id: int
    spider: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    job: str | None
    reason: str | None
    pages: int
    documents_new: int
    tools_new: int
    tools_changed: int
    errors: int
    health: str | None
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "spider": self.spider,
            "status": self.status,
            "job": self.job,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": self.duration_s,
            "pages": self.pages,
            "documents_new": self.documents_new,
            "tools_new": self.tools_new,
            "tools_changed": self.tools_changed,
            "errors": self.errors,
            "reason": self.reason,
            "health": self.health,
            "checks": self.checks,
        }


def _count(stats: dict[str, Any], key: str) -> int:
    try:
        return int(stats.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def run_view(run: CrawlRun) -> RunView:
    stats = run.stats or {}
    health = run.health or {}
    return RunView(
        id=run.id,
        spider=run.spider,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        job=(run.args or {}).get("job"),
        reason=run.reason,
        pages=_count(stats, "pages"),
        documents_new=_count(stats, "documents_new"),
        tools_new=_count(stats, "tools_new"),
        tools_changed=_count(stats, "tools_changed"),
        errors=_count(stats, "errors"),
        health=health.get("status"),
        checks=list(health.get("checks") or []),
    )


def list_runs(
    session: Session,
    *,
    spider: str | None = None,
    status: str | None = None,
    job: str | None = None,
    limit: int = 50,
) -> list[RunView]:
    query = select(CrawlRun).order_by(CrawlRun.id.desc())
    if spider:
        query = query.where(CrawlRun.spider == spider)
    if status:
        query = query.where(CrawlRun.status == status)
    rows = session.scalars(query.limit(limit * 4 if job else limit)).all()
    views = [run_view(r) for r in rows]
    if job:
        views = [v for v in views if v.job == job]
    return views[:limit]


def previous_runs(session: Session, run: CrawlRun, limit: int = 5) -> list[CrawlRun]:
    """The runs of the same spider (and job) before `run`, newest first."""
    query = (
        select(CrawlRun)
        .where(CrawlRun.spider == run.spider, CrawlRun.id < run.id)
        .order_by(CrawlRun.id.desc())
        .limit(limit * 4)
    )
    job = (run.args or {}).get("job")
    rows = [r for r in session.scalars(query) if (r.args or {}).get("job") == job]
    return rows[:limit]


def fail_dead_runs(session: Session, spider: str, now: datetime | None = None) -> list[int]:
    """Mark `failed` every `running` run of `spider` whose process is gone."""
    now = now or utcnow()
    here = this_host()
    failed: list[int] = []
    for run in session.scalars(
        select(CrawlRun).where(CrawlRun.spider == spider, CrawlRun.status == "running")
    ):
        if run.host == here and run.pid is not None:
            if run.pid == os.getpid() or process_alive(run.pid):
                continue
            reason = (
                f"process {run.pid} on {here} ended without closing the run (killed or crashed)"
            )
        elif run.started_at < now - OTHER_HOST_STALE_AFTER:
            where = f"on {run.host}" if run.host else "of an unknown process"
            reason = f"still running {where} after {OTHER_HOST_STALE_AFTER}; taken as dead"
        else:
            continue
        run.status = "failed"
        run.reason = reason
        run.finished_at = run.finished_at or now
        failed.append(run.id)
    return failed


# -- locks --------------------------------------------------------------------------


def holder_name() -> str:
    return f"{this_host()}:{os.getpid()}"


def acquire_locks(session: Session, keys: Sequence[str], holder: str) -> bool:
    """Take every lock in `keys` or none (caller commits); False when any is held."""
    now = utcnow()
    stale = now - LOCK_STALE_AFTER
    taken: list[str] = []
    for key in sorted(set(keys)):
        try:
            with session.begin_nested():
                session.add(RunLock(key=key, holder=holder, acquired_at=now, heartbeat_at=now))
            taken.append(key)
            continue
        except IntegrityError:
            pass
        result = session.execute(
            update(RunLock)
            .where(RunLock.key == key, RunLock.heartbeat_at < stale)
            .values(holder=holder, acquired_at=now, heartbeat_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if taken:
                session.execute(
                    delete(RunLock).where(RunLock.key.in_(taken), RunLock.holder == holder)
                )
            return False
        taken.append(key)
    return True


def refresh_locks(session: Session, keys: Iterable[str], holder: str) -> int:
    result = session.execute(
        update(RunLock)
        .where(RunLock.key.in_(list(keys)), RunLock.holder == holder)
        .values(heartbeat_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_locks(session: Session, keys: Iterable[str], holder: str) -> None:
    session.execute(delete(RunLock).where(RunLock.key.in_(list(keys)), RunLock.holder == holder))


def held_locks(session: Session) -> dict[str, str]:
    return {row.key: row.holder for row in session.scalars(select(RunLock))}


# -- errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorGroup:
    source: str
    kind: str
    count: int
    last_at: datetime
    example_url: str
    example_message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "count": self.count,
            "last_at": self.last_at.isoformat(),
            "example_url": self.example_url,
            "example_message": self.example_message,
        }


def error_groups(
    session: Session,
    *,
    run_id: int | None = None,
    spider: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int = 10_000,
) -> list[ErrorGroup]:
    """Crawl errors grouped by source (the spider and the host of the URL) and kind."""
    from urllib.parse import urlsplit

    query = (
        select(CrawlError, CrawlRun.spider)
        .outerjoin(CrawlRun, CrawlRun.id == CrawlError.run_id)
        .order_by(CrawlError.id.desc())
    )
    if run_id is not None:
        query = query.where(CrawlError.run_id == run_id)
    if spider:
        query = query.where(CrawlRun.spider == spider)
    if kind:
        query = query.where(CrawlError.kind == kind)
    if since is not None:
        query = query.where(CrawlError.at >= since)
    counts: Counter[tuple[str, str]] = Counter()
    latest: dict[tuple[str, str], CrawlError] = {}
    for error, spider_name in session.execute(query.limit(limit)):
        host = urlsplit(error.url).hostname or error.url[:40]
        key = (f"{spider_name or '?'} {host}", error.kind)
        counts[key] += 1
        latest.setdefault(key, error)
    return [
        ErrorGroup(
            source=key[0],
            kind=key[1],
            count=n,
            last_at=latest[key].at,
            example_url=latest[key].url,
            example_message=latest[key].message,
        )
        for key, n in counts.most_common()
    ]


def error_count(session: Session, run_id: int) -> int:
    query = select(func.count(CrawlError.id)).where(CrawlError.run_id == run_id)
    return int(session.scalar(query) or 0)
