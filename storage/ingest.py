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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, defer

from normalizer.identity import canonical_keys
from normalizer.models import NormalizeResult, RawDocument, ToolRecord, utcnow
from storage.matching import suggest_matches
from storage.names import norm_alias, norm_source_id
from storage.overrides import load_overrides
from storage.queries import load_claims
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.resolve import RECORD_FIELDS, ClaimData, resolve_claims
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


CHUNK = 500
"""Values per `IN (...)` list: stays under every backend's bind-parameter limit."""


@dataclass(eq=False)
class _PendingClaim:
    """A claim decided during the batch, inserted once tool and document have ids."""

    tool: Tool
    document: Document
    values: dict[str, Any]


class BatchWriter:
    """One ingest transaction. Use `write(items)` once, then `stats`.

    Decisions are taken item by item, record by record, in input order (exactly as
    if each were written and flushed in turn), but against in-memory indexes of the
    rows the batch can touch, loaded with one query per table up front (documents
    by url + hash, variants, tool slugs, aliases, source state, claim keys of
    documents already stored). New documents and tools are flushed once; variants,
    aliases, match suggestions and claims are then bulk-inserted in the order they
    were decided. Touched tools are resolved once, from one load of their claims:
    before (the claims that existed when the batch started) and after; the loaded
    claims are kept in `claims` for the editorial hook (`editorial.after_crawl`).
    """

    def __init__(
        self,
        session: Session,
        run_id: int | None = None,
        policy: RankPolicy = DEFAULT_POLICY,
        claim_mark: int | None = None,
    ) -> None:
        self.session = session
        self.run_id = run_id
        self.policy = policy
        self.stats = IngestStats()
        self.claim_mark = claim_mark
        """Newest claim id before the batch: claims up to it are the `before` state."""
        self.claims: dict[int, list[ClaimData]] = {}
        """After `write`: every claim of every touched tool, by tool id."""
        self._docs: dict[tuple[str, str], Document] = {}
        self._doc_claims: dict[int, set[tuple[str, str]]] = {}
        """(record key, field) already claimed, per document (by `id()` of its row)."""
        self._states: dict[str, SourceStateRow | None] = {}
        self._touched: set[int] = set()
        """Pre-existing tools this batch touched (their before/after are compared)."""
        self._new_tools: list[Tool] = []
        self._tools: dict[int, Tool] = {}
        self._slugs: dict[str, int | Tool | None] = {}
        """Tool slug -> tool id (pre-existing), Tool (new in the batch) or None (free)."""
        self._variants: dict[str, int | Tool | None] = {}
        self._aliases: dict[str, int | Tool | None] = {}
        self._others: list[Any] | None = None
        """Match-suggestion candidates (every tool not rejected), loaded on first use."""
        self._new_variants: list[tuple[Tool, dict[str, Any]]] = []
        self._new_aliases: list[tuple[Tool, dict[str, Any]]] = []
        self._suggestions: list[tuple[Tool, Any, dict[str, Any]]] = []
        self._claims: list[_PendingClaim] = []

    def write(self, items: Sequence[tuple[RawDocument, NormalizeResult]]) -> IngestStats:
        if self.claim_mark is None:
            self.claim_mark = int(self.session.scalar(select(func.max(Claim.id))) or 0)
        digests = [content_hash(doc.body) for doc, _ in items]
        self._preload(items, digests)
        with self.session.no_autoflush:
            for (doc, result), digest in zip(items, digests, strict=True):
                self._write_item(doc, result, digest)
        self.session.flush()  # documents, tools, source state: ids for what follows
        self._insert_pending()
        self._refresh_tools()
        return self.stats

    # preloading --------------------------------------------------------------

    def _in(self, query: Any, column: Any, values: set[Any]) -> list[Any]:
        rows: list[Any] = []
        wanted = sorted(values)
        for start in range(0, len(wanted), CHUNK):
            rows += self.session.execute(query.where(column.in_(wanted[start : start + CHUNK])))
        return rows

    def _preload(
        self, items: Sequence[tuple[RawDocument, NormalizeResult]], digests: list[str]
    ) -> None:
        wanted_set = {(doc.url, digest) for (doc, _), digest in zip(items, digests, strict=True)}
        wanted = sorted(wanted_set)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            urls = sorted({url for url, _ in chunk})
            hashes = sorted({digest for _, digest in chunk})
            for row in self.session.scalars(
                select(Document)
                .options(defer(Document.body))
                .where(Document.url.in_(urls), Document.content_hash.in_(hashes))
            ):
                if (row.url, row.content_hash) in wanted_set:
                    self._docs[(row.url, row.content_hash)] = row
        stored = {row.id: row for row in self._docs.values()}
        for row in stored.values():
            self._doc_claims[id(row)] = set()
        for doc_id, key, name in self._in(
            select(Claim.document_id, Claim.record_key, Claim.field), Claim.document_id, set(stored)
        ):
            self._doc_claims[id(stored[doc_id])].add((key, name))

        source_ids: set[str] = set()
        slugs: set[str] = set()
        aliases: set[str] = set()
        for _, result in items:
            for record in result.records:
                if norm := norm_source_id(record.source_id):
                    source_ids.add(norm)
                slugs.update(tool_keys(record))
                slugs.add(record.slug)
                slugs.add(self._slug_base(record))
                for text in (record.name, record.slug, *record.aliases):
                    if norm := norm_alias(text):
                        aliases.add(norm)
        self._variants = dict.fromkeys(source_ids)
        self._variants.update(
            self._in(
                select(Variant.source_id_norm, Variant.tool_id), Variant.source_id_norm, source_ids
            )
        )
        self._aliases = dict.fromkeys(aliases)
        self._aliases.update(
            self._in(select(Alias.alias_norm, Alias.tool_id), Alias.alias_norm, aliases)
        )
        self._slugs = dict.fromkeys(slugs)
        for (tool,) in self._in(select(Tool), Tool.slug, slugs):
            self._slugs[tool.slug] = tool.id
            self._tools[tool.id] = tool
        ids = {v for v in (*self._variants.values(), *self._aliases.values()) if v is not None}
        for (tool,) in self._in(select(Tool), Tool.id, ids - set(self._tools)):
            self._tools[tool.id] = tool

        keys = {str(doc.meta["state_key"]) for doc, _ in items if doc.meta.get("state_key")}
        self._states = dict.fromkeys(keys)
        for (row,) in self._in(select(SourceStateRow), SourceStateRow.key, keys):
            self._states[row.key] = row

    def _tool(self, ref: int | Tool) -> Tool:
        if isinstance(ref, Tool):
            return ref
        tool = self._tools.get(ref) or self.session.get(Tool, ref)
        assert tool is not None
        self._tools[ref] = tool
        return tool

    # documents ---------------------------------------------------------------

    def _write_item(self, doc: RawDocument, result: NormalizeResult, digest: str) -> None:
        row = self._document(doc, digest)
        existing = self._doc_claims.setdefault(id(row), set())
        for record in result.records:
            self._write_record(row, doc, result, record, existing)
        self._update_state(doc, digest)

    def _document(self, doc: RawDocument, digest: str) -> Document:
        key = (doc.url, digest)
        row = self._docs.get(key)
        if row is not None:
            self.stats.documents_seen += 1
            if doc.fetched_at > row.last_seen_at:
                row.last_seen_at = doc.fetched_at
            return row
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
        self._docs[key] = row
        self.stats.documents_new += 1
        return row

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
            self._claims.append(
                _PendingClaim(
                    tool,
                    row,
                    {
                        "record_key": key,
                        "field": name,
                        "value": scrub(value),
                        "source_kind": str(result.kind),
                        "source_url": scrub(
                            (prov.source_url if prov else None) or result.source_url or doc.url
                        ),
                        "method": scrub(prov.method) if prov else UNATTRIBUTED,
                        "evidence": scrub(prov.evidence) if prov else None,
                        "confidence": (prov.confidence if prov else 1.0) * weight,
                        "observed_at": (prov.observed_at if prov else None) or doc.fetched_at,
                    },
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
            self._slugs[tool.slug] = tool
            self._new_tools.append(tool)
            self.stats.tools_new += 1
            self._suggest(tool, record)
            return tool
        tool = self._follow_merges(tool)
        if tool.id is not None:  # None: created earlier in this batch
            self._touched.add(tool.id)
        return tool

    def _match(self, record: ToolRecord) -> Tool | None:
        """By HF repo id (variant), then tool key (`canonical_keys`), then slug, then
        any normalised name/alias. Anything less certain is only suggested."""
        if record.source_id:
            ref = self._variants.get(norm_source_id(record.source_id))
            if ref is not None:
                return self._tool(ref)
        for key in tool_keys(record):
            ref = self._slugs.get(key)
            if ref is not None:
                return self._tool(ref)
        if record.slug:
            ref = self._slugs.get(record.slug)
            if ref is not None:
                return self._tool(ref)
        for text in (record.slug, record.name, *record.aliases):
            norm = norm_alias(text)
            if not norm:
                continue
            ref = self._aliases.get(norm)
            if ref is not None:
                return self._tool(ref)
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
        if self._others is None:
            self._others = list(
                self.session.execute(
                    select(Tool.id, Tool.slug, Tool.name, Tool.family, Tool.vendor)
                    .where(Tool.status != "rejected")
                    .order_by(Tool.id)
                )
            )
        for other, score, reason in suggest_matches(tool, record, self._others):
            self._suggestions.append(
                (tool, other, {"score": score, "reason": reason, "created_at": utcnow()})
            )
        self._others.append(tool)  # new tools are candidates: later ones may match it

    def _slug_base(self, record: ToolRecord) -> str:
        keys = tool_keys(record)
        return (
            (keys[0] if keys else "")
            or record.slug.strip()
            or norm_alias(record.name)
            or norm_alias(record.source_id)
            or "unnamed"
        )

    def _slug_taken(self, slug: str) -> bool:
        if slug not in self._slugs:
            self._slugs[slug] = self.session.scalar(select(Tool.id).where(Tool.slug == slug))
        return self._slugs[slug] is not None

    def _free_slug(self, record: ToolRecord) -> str:
        base = self._slug_base(record)
        slug, n = base, 1
        while self._slug_taken(slug):
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _add_variant(self, tool: Tool, source_id: str | None) -> None:
        norm = norm_source_id(source_id)
        if not source_id or not norm:
            return
        if self._variants.get(norm) is None:
            self._variants[norm] = tool
            self._new_variants.append((tool, {"source_id": source_id, "source_id_norm": norm}))

    def _add_alias(self, tool: Tool, alias: str | None) -> None:
        """A name already taken by another tool stays with that tool."""
        norm = norm_alias(alias)
        if not alias or not norm:
            return
        if self._aliases.get(norm) is None:
            self._aliases[norm] = tool
            self._new_aliases.append((tool, {"alias": scrub(alias), "alias_norm": norm}))

    def _insert_pending(self) -> None:
        """Bulk-insert, in decision order, what needed tool and document ids."""
        batches: list[tuple[Any, list[dict[str, Any]]]] = [
            (Variant, [{"tool_id": t.id, **v} for t, v in self._new_variants]),
            (Alias, [{"tool_id": t.id, **v} for t, v in self._new_aliases]),
            (
                MatchSuggestion,
                [{"tool_id": t.id, "candidate_id": o.id, **v} for t, o, v in self._suggestions],
            ),
            (
                Claim,
                [
                    {"tool_id": c.tool.id, "document_id": c.document.id, **c.values}
                    for c in self._claims
                ],
            ),
        ]
        for model, rows in batches:
            if rows:  # multi-row INSERTs (insertmanyvalues), as a flush does; Core: no ORM rows
                table = model.__table__
                self.session.connection().execute(insert(table).returning(table.c.id), rows).all()

    # state and summaries -----------------------------------------------------

    def _update_state(self, doc: RawDocument, digest: str) -> None:
        key = doc.meta.get("state_key")
        if not key:
            return
        key = str(key)
        row = self._states.get(key)
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
        """Count changed tools; keep the denormalised name/vendor/family current (as
        resolved: an editor's override wins there too, as in `editorial`)."""
        touched = self._touched | {t.id for t in self._new_tools}
        if not touched:
            return
        self.claims = load_claims(self.session, touched)
        overrides = load_overrides(self.session, self._touched)
        mark = self.claim_mark or 0
        now = utcnow()
        for tool_id in sorted(touched):
            claims = self.claims.get(tool_id, [])
            values = resolve_claims(claims, self.policy).values
            tool = self._tool(tool_id)
            if tool_id in self._touched:
                before = resolve_claims([c for c in claims if c.id <= mark], self.policy).values
                if values != before:
                    self.stats.tools_changed += 1
                    tool.updated_at = now
            shown = values | {o.field: o.value for o in overrides.get(tool_id, ())}
            name = shown.get("name") or tool.name
            if (tool.name, tool.vendor, tool.family) != (
                name,
                shown.get("vendor"),
                shown.get("family"),
            ):
                tool.name, tool.vendor, tool.family = (
                    name,
                    shown.get("vendor"),
                    shown.get("family"),
                )
