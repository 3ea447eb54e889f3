"""Pydantic models the Store returns (its read side and ingest report)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from normalizer.models import RawDocument, ToolRecord


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


class CaptureStats(_View):
    """What a raw capture stored: new documents (to normalise) and unchanged ones."""

    new_ids: list[int] = Field(default_factory=list)
    unchanged: int = 0


class StoredDocument(_View):
    """A stored document as a normalise worker reads it back."""

    id: int
    run_id: int | None = None
    normalized_version: str | None = None
    document: RawDocument


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
    overrides: list[OverrideView] = Field(default_factory=list)
    """Editors' values in force (they win over every claim)."""


class ToolSummary(_View):
    slug: str
    name: str
    vendor: str | None
    status: str
    license_id: str | None
    params_total: int | None
    claims_count: int
    source_kinds: list[str]


# editorial workflow ----------------------------------------------------------------


class OverrideView(_View):
    field: str
    value: Any
    actor: str
    reason: str
    created_at: datetime


class ChangeView(_View):
    """One change to published data. `id` is the change-feed cursor; `field` is a
    ToolRecord field or `_status` (the tool entering / leaving the published set)."""

    id: int
    slug: str
    field: str
    old: Any = None
    new: Any = None
    actor: str
    """An editor's name, or `crawl:<run id>`."""
    reason: str = ""
    at: datetime


class DecisionView(_View):
    """An entry of a tool's editorial log (accept, reject, merge, unmerge, reopen)."""

    id: int
    slug: str
    action: str
    actor: str
    reason: str = ""
    at: datetime
    data: dict[str, Any] = Field(default_factory=dict)


class ReviewItemView(_View):
    """`change`: a crawl would change a published tool's reviewed field (`old` is the
    published value, `new` what the sources now say). `conflict`: claims disagree
    with an override (`old` is the override, `new` the claimed value)."""

    id: int
    slug: str
    tool_status: str
    kind: str
    field: str
    old: Any = None
    new: Any = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    status: str
    created_at: datetime
    updated_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None


class PublishedTool(_View):
    """A published tool as downstream sees it: the snapshot, never unreviewed data."""

    slug: str
    record: ToolRecord
    updated_at: datetime | None = None
