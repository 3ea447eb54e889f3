"""Per-run counters in `crawl_runs.stats`, written by whoever did the work.

A crawl run's documents are captured by the crawler and normalised later by
workers (other processes, maybe other machines), so each step adds its own counts
to the run inside its own transaction: a batch rolled back (a worker killed)
counts nothing, and a batch written counts once. Writers hold the ingest lock, so
these read-modify-writes never race. Keys: `documents_new`, `documents_unchanged`,
`documents_normalized`, `claims_new`, `tools_new`, `tools_changed`; the crawler adds
`pages`, `requests`, `errors`, ... when the run finishes (`merged`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from storage.schema import CrawlRun

COUNTERS = (
    "documents_new",
    "documents_unchanged",
    "documents_normalized",
    "claims_new",
    "tools_new",
    "tools_changed",
)


def account(session: Session, run_id: int | None, counts: Mapping[str, int]) -> None:
    if run_id is None or not any(counts.values()):
        return
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    stats = dict(run.stats or {})
    for key, value in counts.items():
        stats[key] = int(stats.get(key) or 0) + int(value)
    run.stats = stats


def merged(stored: Mapping[str, Any] | None, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The crawler's closing summary over the stored stats; the counters the storage
    steps keep are theirs (they may still grow after the crawl ends)."""
    out = dict(stored or {})
    out.update({k: v for k, v in summary.items() if k not in COUNTERS})
    return out
