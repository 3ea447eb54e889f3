"""Small builders for tests that feed the Store (no normalizer needed); kept out of the wheel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from normalizer.models import (
    DocKind,
    FieldProvenance,
    NormalizeResult,
    RawDocument,
    ToolRecord,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def doc(
    url: str,
    body: str | bytes = "body",
    kind: DocKind | str = DocKind.HF_CARD,
    fetched_at: datetime = T0,
    **meta: Any,
) -> RawDocument:
    return RawDocument(
        url=url,
        kind=DocKind(kind),
        body=body.encode() if isinstance(body, str) else body,
        fetched_at=fetched_at,
        content_type="text/markdown",
        meta=meta,
    )


def record(
    slug: str,
    *,
    method: str = "test",
    source_url: str | None = None,
    observed_at: datetime | None = None,
    **fields: Any,
) -> ToolRecord:
    """A ToolRecord with provenance for every field given (name defaults to slug)."""
    fields.setdefault("name", slug)
    prov = FieldProvenance(source_url=source_url, method=method, observed_at=observed_at)
    provenance = {
        name: prov.model_copy(update={"method": f"{method}:{name}"})
        for name in fields
        if name != "aliases"
    }
    return ToolRecord(slug=slug, provenance=provenance, **fields)


def item(raw: RawDocument, *records: ToolRecord) -> tuple[RawDocument, NormalizeResult]:
    return raw, NormalizeResult(kind=DocKind(raw.kind), source_url=raw.url, records=list(records))
