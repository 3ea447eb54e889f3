"""Writing a batch of (document, normalize result) pairs inside one transaction.

Order per item: the document (deduplicated by url + sha256 of the body), then per
record: find or create the tool, add its variant and aliases, add one claim per
non-empty field; then the source's incremental-crawl state. Nothing here commits:
the caller owns the transaction, so a failure anywhere leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.identity import canonical_keys
from normalizer.models import NormalizeResult, RawDocument, ToolRecord, utcnow
from storage.matching import suggest_matches
from storage.names import norm_alias, norm_source_id
from storage.queries import load_claims
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.resolve import RECORD_FIELDS, resolve_claims
from storage.schema import (
    Alias,
    Claim,
    Document,
    MatchSuggestion,
    SourceStateRow,
    Tool,
    Variant,
)
from storage.views import IngestStats

UNATTRIBUTED = "unattributed"
"""Claim method when a record gives no provenance for a field."""
STATE_FIELDS = ("sha", "etag", "last_modified")


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def is_empty(value: Any) -> bool:
    """None, "", [], {} and objects whose every member is empty carry no claim."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple):
        return len(value) == 0
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return False


def scrub(value: Any) -> Any:
    """Drop NUL characters, which PostgreSQL text and jsonb cannot hold."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


DERIVATIVE_WEIGHT = 0.5


def tool_keys(record: ToolRecord) -> list[str]:
    """Tool keys (one model at one size) from the repo id, else the record's name."""
    keys: list[str] = []
    for name in (record.source_id, record.name):
        for key in canonical_keys(name) if name else []:
            if key not in keys:
                keys.append(key)
        if keys:
            break
    return keys


def record_key(record: ToolRecord) -> str:
    return record.source_id or record.slug


class BatchWriter:
    """One ingest transaction. Use `write(items)` once, then `stats`."""

    def __init__(
        self,
        session: Session,
        run_id: int | None = None,
        policy: RankPolicy = DEFAULT_POLICY,
    ) -> None:
        self.session = session
        self.run_id = run_id
        self.policy = policy
        self.stats = IngestStats()
        self._docs: dict[tuple[str, str], Document] = {}
        self._states: dict[str, SourceStateRow] = {}
        self._before: dict[int, dict[str, Any]] = {}
        """Resolved values of pre-existing tools before this batch touched them."""
        self._new_tools: set[int] = set()

    def write(self, items: Sequence[tuple[RawDocument, NormalizeResult]]) -> IngestStats:
        for doc, result in items:
            self._write_item(doc, result)
        self.session.flush()
        self._refresh_tools()
        return self.stats

    # documents ---------------------------------------------------------------

    def _write_item(self, doc: RawDocument, result: NormalizeResult) -> None:
        digest = content_hash(doc.body)
        row, is_new = self._document(doc, digest)
        existing: set[tuple[str, str]] = set()
        if not is_new:
            existing = {
                (key, name)
                for key, name in self.session.execute(
                    select(Claim.record_key, Claim.field).where(Claim.document_id == row.id)
                )
            }
        for record in result.records:
            self._write_record(row, doc, result, record, existing)
        self._update_state(doc, digest)

    def _document(self, doc: RawDocument, digest: str) -> tuple[Document, bool]:
        key = (doc.url, digest)
        row = self._docs.get(key) or self.session.scalar(
            select(Document).where(Document.url == doc.url, Document.content_hash == digest)
        )
        if row is not None:
            self.stats.documents_seen += 1
            if doc.fetched_at > row.last_seen_at:
                row.last_seen_at = doc.fetched_at
            self._docs[key] = row
            return row, False
        row = Document(
            url=doc.url,
            kind=str(doc.kind),
            content_hash=digest,
            body=zlib.compress(doc.body, 6),
            status=doc.status,
            content_type=doc.content_type,
            fetched_at=doc.fetched_at,
            last_seen_at=doc.fetched_at,
            meta=scrub(to_jsonable_python(doc.meta)),
            run_id=self.run_id,
        )
        self.session.add(row)
        self.session.flush()  # id for the claims
        self._docs[key] = row
        self.stats.documents_new += 1
        return row, True

    # tools -------------------------------------------------------------------

    def _write_record(
        self,
        row: Document,
        doc: RawDocument,
        result: NormalizeResult,
        record: ToolRecord,
        existing: set[tuple[str, str]],
    ) -> None:
        tool = self._tool_for(record)
        self._add_variant(tool, record.source_id)
        for alias in (record.name, record.slug, *record.aliases):
            self._add_alias(tool, alias)
        key = record_key(record)
        # A quantised re-upload describes the tool second-hand: its claims rank
        # below the original's (vendor, license, dates) within the same source kind.
        weight = DERIVATIVE_WEIGHT if record.base_model_relation == "quantized" else 1.0
        values = record.model_dump(mode="json")
        for name in RECORD_FIELDS:
            value = values.get(name)
            if is_empty(value) or (key, name) in existing:
                continue
            existing.add((key, name))
            prov = record.provenance.get(name)
            self.session.add(
                Claim(
                    tool_id=tool.id,
                    document_id=row.id,
                    record_key=key,
                    field=name,
                    value=scrub(value),
                    source_kind=str(result.kind),
                    source_url=scrub(
                        (prov.source_url if prov else None) or result.source_url or doc.url
                    ),
                    method=scrub(prov.method) if prov else UNATTRIBUTED,
                    evidence=scrub(prov.evidence) if prov else None,
                    confidence=(prov.confidence if prov else 1.0) * weight,
                    observed_at=(prov.observed_at if prov else None) or doc.fetched_at,
                )
            )
            self.stats.claims_new += 1

    def _tool_for(self, record: ToolRecord) -> Tool:
        tool = self._match(record)
        if tool is None:
            now = utcnow()
            tool = Tool(
                slug=self._free_slug(record),
                name=record.name or record.slug,
                family=record.family,
                vendor=record.vendor,
                status="candidate",
                created_at=now,
                updated_at=now,
            )
            self.session.add(tool)
            self.session.flush()
            self._new_tools.add(tool.id)
            self.stats.tools_new += 1
            self._suggest(tool, record)
            return tool
        tool = self._follow_merges(tool)
        if tool.id not in self._new_tools and tool.id not in self._before:
            claims = load_claims(self.session, [tool.id]).get(tool.id, [])
            self._before[tool.id] = resolve_claims(claims, self.policy).values
        return tool

    def _match(self, record: ToolRecord) -> Tool | None:
        """By HF repo id (variant), then tool key (`canonical_keys`), then slug, then
        any normalised name/alias. Anything less certain is only suggested."""
        if record.source_id:
            tool = self.session.scalar(
                select(Tool)
                .join(Variant, Variant.tool_id == Tool.id)
                .where(Variant.source_id_norm == norm_source_id(record.source_id))
            )
            if tool is not None:
                return tool
        for key in tool_keys(record):
            tool = self.session.scalar(select(Tool).where(Tool.slug == key))
            if tool is not None:
                return tool
        if record.slug:
            tool = self.session.scalar(select(Tool).where(Tool.slug == record.slug))
            if tool is not None:
                return tool
        for text in (record.slug, record.name, *record.aliases):
            norm = norm_alias(text)
            if not norm:
                continue
            tool = self.session.scalar(
                select(Tool).join(Alias, Alias.tool_id == Tool.id).where(Alias.alias_norm == norm)
            )
            if tool is not None:
                return tool
        return None

    def _follow_merges(self, tool: Tool) -> Tool:
        seen = {tool.id}
        while tool.status == "merged" and tool.merged_into_id and tool.merged_into_id not in seen:
            target = self.session.get(Tool, tool.merged_into_id)
            if target is None:
                break
            seen.add(target.id)
            tool = target
        return tool

    def _suggest(self, tool: Tool, record: ToolRecord) -> None:
        others = self.session.scalars(
            select(Tool).where(Tool.id != tool.id, Tool.status != "rejected")
        ).all()
        for other, score, reason in suggest_matches(tool, record, others):
            self.session.add(
                MatchSuggestion(
                    tool_id=tool.id,
                    candidate_id=other.id,
                    score=score,
                    reason=reason,
                    created_at=utcnow(),
                )
            )

    def _free_slug(self, record: ToolRecord) -> str:
        keys = tool_keys(record)
        base = (
            (keys[0] if keys else "")
            or record.slug.strip()
            or norm_alias(record.name)
            or norm_alias(record.source_id)
            or "unnamed"
        )
        slug, n = base, 1
        while self.session.scalar(select(Tool.id).where(Tool.slug == slug)) is not None:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _add_variant(self, tool: Tool, source_id: str | None) -> None:
        norm = norm_source_id(source_id)
        if not source_id or not norm:
            return
        exists = self.session.scalar(select(Variant.id).where(Variant.source_id_norm == norm))
        if exists is None:
            self.session.add(Variant(tool_id=tool.id, source_id=source_id, source_id_norm=norm))
            self.session.flush()

    def _add_alias(self, tool: Tool, alias: str | None) -> None:
        """A name already taken by another tool stays with that tool."""
        norm = norm_alias(alias)
        if not alias or not norm:
            return
        exists = self.session.scalar(select(Alias.id).where(Alias.alias_norm == norm))
        if exists is None:
            self.session.add(Alias(tool_id=tool.id, alias=scrub(alias), alias_norm=norm))
            self.session.flush()

    # state and summaries -----------------------------------------------------

    def _update_state(self, doc: RawDocument, digest: str) -> None:
        key = doc.meta.get("state_key")
        if not key:
            return
        key = str(key)
        row = self._states.get(key) or self.session.get(SourceStateRow, key)
        if row is None:
            row = SourceStateRow(key=key, updated_at=doc.fetched_at)
            self.session.add(row)
        elif doc.fetched_at < row.updated_at:
            return  # an older fetch never overwrites newer state
        self._states[key] = row
        for name in STATE_FIELDS:
            value = doc.meta.get(name)
            if value is not None:
                text = value.isoformat() if isinstance(value, datetime) else str(value)
                setattr(row, name, text)
        row.content_hash = digest
        row.updated_at = doc.fetched_at

    def _refresh_tools(self) -> None:
        """Count changed tools; keep the denormalised name/vendor/family current."""
        touched = set(self._before) | self._new_tools
        if not touched:
            return
        claims = load_claims(self.session, touched)
        now = utcnow()
        for tool_id in sorted(touched):
            values = resolve_claims(claims.get(tool_id, []), self.policy).values
            tool = self.session.get(Tool, tool_id)
            assert tool is not None
            if tool_id in self._before and values != self._before[tool_id]:
                self.stats.tools_changed += 1
                tool.updated_at = now
            name = values.get("name") or tool.name
            if (tool.name, tool.vendor, tool.family) != (
                name,
                values.get("vendor"),
                values.get("family"),
            ):
                tool.name, tool.vendor, tool.family = (
                    name,
                    values.get("vendor"),
                    values.get("family"),
                )
