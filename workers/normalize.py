"""One unit of normalise work: read stored documents, normalise, write their claims.

Runs anywhere: in the crawl's pipeline thread, in a pool process, in an RQ worker.
The normalizer runs outside any transaction; the write is one transaction per
batch (`Store.ingest_normalized`) that skips documents someone else already wrote,
so a batch done twice is written once and a batch killed mid-way writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache

from normalizer import normalize
from normalizer.errors import DocumentRefused
from normalizer.models import NormalizeResult, RawDocument
from normalizer.version import normalizer_version
from storage.store import Store
from storage.views import IngestStats

log = logging.getLogger(__name__)

ERROR_PREFIX = "normalizer error"


def normalize_document(doc: RawDocument) -> NormalizeResult:
    """Normalise one fetched document; a failure becomes a warning, never a lost document."""
    if doc.status != 200:
        return NormalizeResult(kind=doc.kind, source_url=doc.url, warnings=[f"HTTP {doc.status}"])
    try:
        return normalize(
            doc.kind,
            doc.body,
            doc.url,
            doc.fetched_at,
            repo_id=doc.meta.get("source_id"),
            content_type=doc.content_type,
        )
    except DocumentRefused as exc:  # bad input (alias bomb, over budget, undecodable)
        log.warning("normalizer refused %s: %s", doc.url, exc)
        return NormalizeResult(
            kind=doc.kind, source_url=doc.url, warnings=[f"{ERROR_PREFIX}: refused: {exc}"]
        )
    except Exception as exc:  # noqa: BLE001 - the raw document is still stored
        log.exception("normalizer failed on %s", doc.url)
        return NormalizeResult(
            kind=doc.kind,
            source_url=doc.url,
            warnings=[f"{ERROR_PREFIX}: {type(exc).__name__}: {exc}"],
        )


def normalize_stored(
    store: Store,
    ids: Sequence[int],
    *,
    version: str | None = None,
    redo: bool = False,
    run_id: int | None = None,
) -> IngestStats:
    """Normalise the stored documents `ids` that still need it and write their claims.
    A normalizer error is recorded as a crawl error of the document's run (kind
    `normalize`); the rest of the batch is written."""
    version = version or normalizer_version()
    todo = [
        d
        for d in store.load_documents(ids)
        if d.normalized_version is None or (redo and d.normalized_version != version)
    ]
    if not todo:
        return IngestStats()
    results = [(d.id, normalize_document(d.document)) for d in todo]
    stats = store.ingest_normalized(results, version, redo=redo, run_id=run_id)
    for stored, (_, result) in zip(todo, results, strict=True):
        for warning in result.warnings:
            if warning.startswith(ERROR_PREFIX):
                store.record_error(
                    run_id if run_id is not None else stored.run_id,
                    stored.document.url,
                    "normalize",
                    warning,
                )
    return stats


@cache
def _store(db_url: str) -> Store:
    """One Store per worker process and database (engines are not shared across forks)."""
    return Store(db_url)


def run_batch(
    db_url: str,
    ids: list[int],
    version: str | None = None,
    redo: bool = False,
    run_id: int | None = None,
) -> dict[str, int]:
    """The job a pool process or an RQ worker runs (plain arguments: picklable)."""
    stats = normalize_stored(_store(db_url), ids, version=version, redo=redo, run_id=run_id)
    return stats.model_dump()
