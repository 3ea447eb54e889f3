"""Writing the claims of normalised, already stored documents, in one transaction.

Per document (stored raw by `storage.capture`), per record: find or create the
tool, add its variant and aliases, add one claim per non-empty field, each claim
carrying the normalizer version that made it; then the document is marked as
normalised by that version. A document re-read by another normalizer version has
its earlier claims superseded (kept as history, out of resolution). Nothing here
commits: the caller owns the transaction, so a failure anywhere (a worker killed
mid-batch included) leaves nothing behind and the documents stay pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from normalizer.identity import canonical_keys, release_stamp
from normalizer.models import NormalizeResult, ToolRecord, utcnow
from storage.capture import CHUNK, content_hash, scrub
from storage.matching import MatchIndex, suggest_matches
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
    Tool,
    Variant,
)
from storage.views import IngestStats

__all__ = ["BatchWriter", "content_hash", "is_empty", "scrub"]

UNATTRIBUTED = "unattributed"
"""Claim method when a record gives no provenance for a field."""


def is_empty(value: Any) -> bool:
    """None, "", [], {} and objects whose every member is empty carry no claim."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple):
        return len(value) == 0
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return False


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


def _other_release(record: ToolRecord, tool: Tool) -> bool:
    """Names dated with different release stamps (`2407`, `2411`) are two releases,
    whatever key they share."""
    mine = release_stamp(record.source_id or record.name)
    theirs = release_stamp(tool.name)
    return bool(mine and theirs and mine != theirs)


def record_key(record: ToolRecord) -> str:
    return record.source_id or record.slug


@dataclass(eq=False)
class _PendingClaim:
    """A claim decided during the batch, inserted once tool and document have ids."""

    tool: Tool
    document: Document
    values: dict[str, Any]


class BatchWriter:
    """One ingest transaction. Use `write(items)` once, then `stats`.

    `items` are (stored document row, its normalise result). Decisions are taken
    item by item, record by record, in input order (exactly as if each were written
    and flushed in turn), but against in-memory indexes of the rows the batch can
    touch, loaded with one query per table up front (variants, tool slugs, aliases,
    current claim keys of the documents). New tools are flushed once; variants,
    aliases, match suggestions and claims are then bulk-inserted in the order they
    were decided. Touched tools are resolved once, from one load of their claims:
    before (the claims current when the batch started) and after; the current
    claims are kept in `claims` for the editorial hook (`editorial.after_crawl`).
    """

    def __init__(
        self,
        session: Session,
        run_id: int | None = None,
        policy: RankPolicy = DEFAULT_POLICY,
        claim_mark: int | None = None,
        version: str | None = None,
    ) -> None:
        self.session = session
        self.run_id = run_id
        self.policy = policy
        self.version = version
        """The normalizer version the claims are recorded with."""
        self.stats = IngestStats()
        self.claim_mark = claim_mark
        """Newest claim id before the batch: claims up to it are the `before` state."""
        self.claims: dict[int, list[ClaimData]] = {}
        """After `write`: every current claim of every touched tool, by tool id."""
        self.superseded_tools: set[int] = set()
        """Tools that had claims superseded by this batch (re-normalised documents)."""
        self._superseded: set[int] = set()
        self._doc_claims: dict[int, set[tuple[str, str]]] = {}
        """(record key, field) already claimed, per document (by `id()` of its row)."""
        self._touched: set[int] = set()
        """Pre-existing tools this batch touched (their before/after are compared)."""
        self._new_tools: list[Tool] = []
        self._tools: dict[int, Tool] = {}
        self._slugs: dict[str, int | Tool | None] = {}
        """Tool slug -> tool id (pre-existing), Tool (new in the batch) or None (free)."""
        self._variants: dict[str, int | Tool | None] = {}
        self._aliases: dict[str, int | Tool | None] = {}
        self._others: MatchIndex | None = None
        """Match-suggestion candidates (every tool not rejected), loaded on first use."""
        self._new_variants: list[tuple[Tool, dict[str, Any]]] = []
        self._new_aliases: list[tuple[Tool, dict[str, Any]]] = []
        self._suggestions: list[tuple[Tool, Any, dict[str, Any]]] = []
        self._claims: list[_PendingClaim] = []

    def write(self, items: Sequence[tuple[Document, NormalizeResult]]) -> IngestStats:
        if self.claim_mark is None:
            self.claim_mark = int(self.session.scalar(select(func.max(Claim.id))) or 0)
        self._supersede([row for row, _ in items])
        self._preload(items)
        with self.session.no_autoflush:
            for row, result in items:
                self._write_item(row, result)
                row.normalized_version = self.version
        self.session.flush()  # tools: ids for what follows
        self._insert_pending()
        self._refresh_tools()
        return self.stats

    # preloading --------------------------------------------------------------

    def _supersede(self, rows: list[Document]) -> None:
        """Claims another normalizer version made from these documents become history."""
        ids = sorted({row.id for row in rows if row.normalized_version is not None})
        if not ids:
            return
        now = utcnow()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            current = (
                Claim.document_id.in_(chunk),
                Claim.superseded_at.is_(None),
                func.coalesce(Claim.normalizer_version, "") != (self.version or ""),
            )
            for claim_id, tool_id in self.session.execute(
                select(Claim.id, Claim.tool_id).where(*current)
            ):
                self._superseded.add(claim_id)
                self.superseded_tools.add(tool_id)
            self.session.execute(
                update(Claim).where(*current).values(superseded_at=now),
                execution_options={"synchronize_session": False},
            )
        self._touched |= self.superseded_tools

    def _in(self, query: Any, column: Any, values: set[Any]) -> list[Any]:
        rows: list[Any] = []
        wanted = sorted(values)
        for start in range(0, len(wanted), CHUNK):
            rows += self.session.execute(query.where(column.in_(wanted[start : start + CHUNK])))
        return rows

    def _preload(self, items: Sequence[tuple[Document, NormalizeResult]]) -> None:
        stored = {row.id: row for row, _ in items}
        for row in stored.values():
            self._doc_claims[id(row)] = set()
        for doc_id, key, name in self._in(
            select(Claim.document_id, Claim.record_key, Claim.field).where(
                Claim.superseded_at.is_(None)
            ),
            Claim.document_id,
            set(stored),
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

    def _tool(self, ref: int | Tool) -> Tool:
        if isinstance(ref, Tool):
            return ref
        tool = self._tools.get(ref) or self.session.get(Tool, ref)
        assert tool is not None
        self._tools[ref] = tool
        return tool

    # documents ---------------------------------------------------------------

    def _write_item(self, row: Document, result: NormalizeResult) -> None:
        existing = self._doc_claims.setdefault(id(row), set())
        for record in result.records:
            self._write_record(row, result, record, existing)

    # tools -------------------------------------------------------------------

    def _write_record(
        self,
        row: Document,
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
                            (prov.source_url if prov else None) or result.source_url or row.url
                        ),
                        "method": scrub(prov.method) if prov else UNATTRIBUTED,
                        "evidence": scrub(prov.evidence) if prov else None,
                        "confidence": (prov.confidence if prov else 1.0) * weight,
                        "observed_at": (prov.observed_at if prov else None) or row.fetched_at,
                        "normalizer_version": self.version,
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
        if not record.source_id:  # a name a tool is known by (a catalog's API name) is exact
            ref = self._aliases.get(norm_alias(record.name))
            if ref is not None:
                return self._tool(ref)
        for key in [*tool_keys(record), record.slug]:
            ref = self._slugs.get(key) if key else None
            if ref is not None and not _other_release(record, tool := self._tool(ref)):
                return tool
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
            self._others = MatchIndex(
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

    # summaries ---------------------------------------------------------------

    def _refresh_tools(self) -> None:
        """Count changed tools; keep the denormalised name/vendor/family current (as
        resolved: an editor's override wins there too, as in `editorial`)."""
        touched = self._touched | {t.id for t in self._new_tools}
        if not touched:
            return
        loaded = load_claims(self.session, touched, also=self._superseded)
        self.claims = {
            tool_id: [c for c in claims if c.id not in self._superseded]
            for tool_id, claims in loaded.items()
        }
        overrides = load_overrides(self.session, self._touched)
        mark = self.claim_mark or 0
        now = utcnow()
        for tool_id in sorted(touched):
            claims = self.claims.get(tool_id, [])
            values = resolve_claims(claims, self.policy).values
            tool = self._tool(tool_id)
            if tool_id in self._touched:
                earlier = [c for c in loaded.get(tool_id, []) if c.id <= mark]
                before = resolve_claims(earlier, self.policy).values
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
