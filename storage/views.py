"""Pydantic models the Store returns (its read side and ingest report)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from normalizer.models import ToolRecord


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestStats(_View):
    documents_new: int = 0
    documents_seen: int = 0
    """Documents whose exact content (url + hash) was already stored."""
    claims_new: int = 0
    tools_new: int = 0
    tools_changed: int = 0
    """Pre-existing tools whose resolved record changed in this batch."""

    def __add__(self, other: IngestStats) -> IngestStats:
        return IngestStats(
            **{name: getattr(self, name) + getattr(other, name) for name in type(self).model_fields}
        )


class SourceState(_View):
    """Incremental-crawl state for one source key (`hf:<repo id>`, a feed URL, ...)."""

    key: str
    sha: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    updated_at: datetime | None = None


class ClaimView(_View):
    id: int
    field: str
    value: Any
    source_kind: str
    source_url: str | None
    method: str
    observed_at: datetime
    document_id: int
    record_key: str
    evidence: str | None = None
    confidence: float = 1.0


class ConflictSource(_View):
    source_kind: str
    source_url: str | None
    document_id: int
    method: str
    observed_at: datetime


class ConflictValue(_View):
    value: Any
    sources: list[ConflictSource]


class Conflict(_View):
    """Current claims from different documents that disagree about one field."""

    field: str
    facet: str | None = None
    """Part of the field in dispute, e.g. `model` or `price:openrouter` for pricing."""
    chosen: Any = None
    """The value resolution picked."""
    values: list[ConflictValue]


class MatchView(_View):
    """An existing tool that a candidate may be the same model as (for editors)."""

    slug: str
    name: str
    score: float
    reason: str


class ResolvedTool(_View):
    slug: str
    status: str
    merged_into: str | None = None
    record: ToolRecord
    """The canonical record; `provenance` names the winning claim of each field."""
    variants: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    claims: list[ClaimView] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    suggested_matches: list[MatchView] = Field(default_factory=list)


class ToolSummary(_View):
    slug: str
    name: str
    vendor: str | None
    status: str
    license_id: str | None
    params_total: int | None
    claims_count: int
    source_kinds: list[str]
