"""Health of crawl runs and sources, framework-neutral (the Scrapy adapter is
`crawler.monitors`, which runs these checks through spidermon at the end of a crawl).

A run is judged against the previous runs of the same source (same spider and
scheduled job), because what is normal differs per source: a feed of policy posts
yields no model records, a Hub listing always does. Statuses order ok < warning <
failing; a report's status is its worst check.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.models import utcnow
from storage.runs import previous_runs
from storage.schema import Claim, CrawlRun, Document

Status = Literal["ok", "warning", "failing"]
ORDER: dict[str, int] = {"ok": 0, "warning": 1, "failing": 2}
KEY_FIELDS = ("license", "parameters", "context_length", "release_date")
"""The fields a comparison page cannot do without; their coverage is watched."""


class Thresholds(BaseModel):
    """Where a run stops being ok; operators may tune them (`[health]` in sources.toml)."""

    error_rate_warning: float = 0.10
    error_rate_failing: float = 0.50
    volume_drop: float = 0.5
    """Warn when a run fetches less than this share of its usual pages."""
    coverage_drop: float = 0.5
    """Warn when new records fill less than this share of the usual key-field coverage."""
    min_documents: int = 3
    """Fewer documents than this say nothing about a format change."""


class Check(BaseModel):
    name: str
    status: Status
    message: str


class HealthReport(BaseModel):
    status: Status
    checks: list[Check]
    checked_at: datetime

    @classmethod
    def of(cls, checks: Sequence[Check]) -> HealthReport:
        worst = max((c.status for c in checks), key=ORDER.__getitem__, default="ok")
        return cls(status=worst, checks=list(checks), checked_at=utcnow())

    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status != "ok"]

    def summary(self) -> str:
        bad = self.problems()
        return "; ".join(f"{c.name}: {c.message}" for c in bad) if bad else "all checks ok"


def worst(statuses: Iterable[str]) -> Status:
    return max(statuses, key=ORDER.__getitem__, default="ok")  # type: ignore[return-value]


def _stat(run: CrawlRun, key: str) -> int:
    try:
        return int((run.stats or {}).get(key) or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class _Yield:
    documents: int
    with_records: int
    records: int
    coverage: float | None


def _yield(session: Session, run_id: int) -> _Yield:
    """Documents a run stored, how many yielded a record, and key-field coverage."""
    # Only documents already normalised count: with RQ workers a crawl may close first.
    docs = session.scalars(
        select(Document.id).where(
            Document.run_id == run_id,
            Document.status == 200,
            Document.normalized_version.is_not(None),
        )
    ).all()
    if not docs:
        return _Yield(0, 0, 0, None)
    fields: dict[tuple[int, str], set[str]] = defaultdict(set)
    for doc_id, key, field in session.execute(
        select(Claim.document_id, Claim.record_key, Claim.field).where(Claim.document_id.in_(docs))
    ):
        fields[(doc_id, key)].add(field)
    with_records = len({doc for doc, _ in fields})
    coverage = (
        statistics.fmean(len(f & set(KEY_FIELDS)) / len(KEY_FIELDS) for f in fields.values())
        if fields
        else None
    )
    return _Yield(len(docs), with_records, len(fields), coverage)


def check_run(session: Session, run: CrawlRun, limits: Thresholds | None = None) -> HealthReport:
    limits = limits or Thresholds()
    checks = [_finish(run)]
    pages, requests, errors = _stat(run, "pages"), _stat(run, "requests"), _stat(run, "errors")
    if pages == 0:
        checks.append(
            Check(
                name="fetched",
                status="failing",
                message=f"fetched nothing ({requests} requests, {errors} errors)",
            )
        )
    else:
        checks.append(Check(name="fetched", status="ok", message=f"{pages} pages"))
    rate = errors / max(requests, pages, 1)
    level: Status = (
        "failing"
        if rate >= limits.error_rate_failing
        else "warning"
        if rate >= limits.error_rate_warning
        else "ok"
    )
    checks.append(
        Check(name="error_rate", status=level, message=f"{errors} errors in {requests} requests")
    )
    before = [r for r in previous_runs(session, run) if r.status == "finished"]
    checks.append(_volume(run, before, limits))
    now, then = _yield(session, run.id), [_yield(session, r.id) for r in before]
    checks.append(_records(now, then, limits))
    checks.append(_coverage(now, then, limits))
    return HealthReport.of(checks)


def _finish(run: CrawlRun) -> Check:
    reason = (run.stats or {}).get("finish_reason") or run.reason
    if run.status == "finished":
        return Check(name="finish", status="ok", message=f"finished ({reason or 'finished'})")
    if run.status == "interrupted":
        return Check(name="finish", status="warning", message=f"stopped early: {reason}")
    if run.status == "running":
        return Check(name="finish", status="warning", message="still running")
    return Check(name="finish", status="failing", message=f"failed: {reason or 'no reason given'}")


def _volume(run: CrawlRun, before: list[CrawlRun], limits: Thresholds) -> Check:
    usual = [_stat(r, "pages") for r in before if _stat(r, "pages")]
    pages = _stat(run, "pages")
    if not usual:
        return Check(name="volume", status="ok", message="no earlier run to compare with")
    median = statistics.median(usual)
    if pages < limits.volume_drop * median:
        return Check(
            name="volume",
            status="warning",
            message=f"{pages} pages where earlier runs fetched about {median:g}",
        )
    return Check(name="volume", status="ok", message=f"{pages} pages (usually {median:g})")


def _records(now: _Yield, then: list[_Yield], limits: Thresholds) -> Check:
    if now.documents < limits.min_documents:
        return Check(
            name="records", status="ok", message=f"{now.documents} new documents, too few to judge"
        )
    earlier = [y for y in then if y.documents]
    usual = (
        sum(y.with_records for y in earlier) / sum(y.documents for y in earlier) if earlier else 0
    )
    share = now.with_records / now.documents
    text = f"{now.with_records} of {now.documents} new documents yielded records"
    if now.with_records == 0:
        # With a history of records, none now means the pages changed under us.
        # Records before and none now: the pages changed under us. No history: suspect.
        status: Status = "failing" if usual > 0 else "warning" if not earlier else "ok"
        hint = "; has the source's format changed?" if status != "ok" else ""
        return Check(name="records", status=status, message=text + hint)
    if usual and share < usual / 2:
        return Check(name="records", status="warning", message=f"{text} (usually {usual:.0%} do)")
    return Check(name="records", status="ok", message=text)


def _coverage(now: _Yield, then: list[_Yield], limits: Thresholds) -> Check:
    if now.coverage is None:
        return Check(name="coverage", status="ok", message="no new records")
    usual = [y.coverage for y in then if y.coverage is not None]
    text = f"new records fill {now.coverage:.0%} of {', '.join(KEY_FIELDS)}"
    if usual and now.coverage < limits.coverage_drop * statistics.fmean(usual):
        return Check(
            name="coverage",
            status="warning",
            message=f"{text} (usually {statistics.fmean(usual):.0%})",
        )
    return Check(name="coverage", status="ok", message=text)


def record_health(session: Session, run_id: int, report: HealthReport) -> None:
    run = session.get(CrawlRun, run_id)
    if run is not None:
        run.health = report.model_dump(mode="json")


# -- freshness ----------------------------------------------------------------------


class JobFreshness(BaseModel):
    job: str
    spider: str
    period_s: float
    last_run_id: int | None
    last_good_at: datetime | None
    last_status: str | None
    last_health: str | None
    status: Status
    message: str


def freshness(
    session: Session, job: str, spider: str, period: timedelta, now: datetime | None = None
) -> JobFreshness:
    """Stale when the last good run (finished, health not failing) is older than
    twice the job's schedule period."""
    now = now or utcnow()
    runs = session.scalars(
        select(CrawlRun).where(CrawlRun.spider == spider).order_by(CrawlRun.id.desc()).limit(200)
    ).all()
    mine = [r for r in runs if (r.args or {}).get("job") == job]
    last = mine[0] if mine else None
    good = next(
        (r for r in mine if r.status == "finished" and (r.health or {}).get("status") != "failing"),
        None,
    )
    base: dict[str, Any] = {
        "job": job,
        "spider": spider,
        "period_s": period.total_seconds(),
        "last_run_id": last.id if last else None,
        "last_status": last.status if last else None,
        "last_health": (last.health or {}).get("status") if last else None,
        "last_good_at": (good.finished_at or good.started_at) if good else None,
    }
    if good is None:
        return JobFreshness(**base, status="warning", message="no good run yet")
    age = now - (good.finished_at or good.started_at)
    if age > 2 * period:
        return JobFreshness(
            **base,
            status="failing",
            message=f"last good run {_ago(age)} ago; scheduled every {_ago(period)}",
        )
    return JobFreshness(**base, status="ok", message=f"last good run {_ago(age)} ago")


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}".replace(".0", "")
    return f"{seconds}s"
