"""`toolwatch renormalize`: every stored document re-read by the current normalizer.

Documents are kept raw so that a better normalizer can re-derive everything. This
runs the normalise workers (`workers.pool`) over every document another normalizer
version read (or none did), as its own run in `crawl_runs` (spider `renormalize`).
Each batch is one transaction that supersedes the document's earlier claims (kept,
out of resolution), writes the new ones and marks the document with the version,
then applies the editorial rules exactly as after a crawl: overrides, decisions and
published snapshots stay, a changed license, pricing or parameters of a published
tool opens a review item. Killed, a second run resumes: documents already marked
with the version are not read again.
"""

from __future__ import annotations

from typing import Any

from normalizer.version import normalizer_version
from storage.store import Store
from workers.pool import PoolNormalizers


def renormalize(db_url: str, workers: int | None = None) -> dict[str, Any]:
    version = normalizer_version()
    with Store(db_url) as store:
        reviews_before = len(store.review_queue(status=None))
        todo = len(store.pending_documents(version, limit=10**9))
        run_id = store.start_run("renormalize", {"version": version})
        pool = PoolNormalizers(store, db_url, run_id, workers, version=version, redo=True)
        status = "interrupted"
        try:
            stats = pool.drain()
            status = "finished"
        finally:
            pool.close()
            store.finish_run(run_id, status, {"finish_reason": status, "version": version})
        return {
            "version": version,
            "run": run_id,
            "documents": todo,
            "claims_new": stats.claims_new,
            "tools_new": stats.tools_new,
            "tools_changed": stats.tools_changed,
            "review_items": len(store.review_queue(status=None)) - reviews_before,
        }
