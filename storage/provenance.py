"""Where a resolved field's value came from, for people: kind, URL, method, time and
confidence of the winning claim (or the editor's override). Pure, on a ResolvedTool."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from storage.ranking import OVERRIDE_KIND
from storage.views import ResolvedTool


class FieldSource(BaseModel):
    kind: str
    """A document kind (`hf-card`, `price-list`, ...) or `override`."""
    url: str | None = None
    method: str = ""
    observed_at: datetime | None = None
    confidence: float | None = None
    evidence: str | None = None
    rule: str | None = None
    """Which resolution rule picked the value, in words (when resolution says)."""


def field_source(resolved: ResolvedTool, field: str) -> FieldSource | None:
    """The source of `field`'s resolved value (None when the field is empty)."""
    for override in resolved.overrides:
        if override.field == field:
            return FieldSource(
                kind=OVERRIDE_KIND,
                method=f"override by {override.actor}",
                observed_at=override.created_at,
                evidence=override.reason,
            )
    prov = resolved.record.provenance.get(field)
    if prov is None:
        return None
    kind = getattr(prov, "source_kind", None)
    if kind is None:  # the winning claim: same document URL and method
        matching = [
            c
            for c in resolved.claims
            if c.field == field and c.source_url == prov.source_url and c.method == prov.method
        ]
        kind = matching[0].source_kind if matching else "source"
    return FieldSource(
        kind=str(kind),
        url=prov.source_url,
        method=prov.method,
        observed_at=prov.observed_at,
        confidence=prov.confidence,
        evidence=prov.evidence,
        rule=getattr(prov, "rule", None),
    )
