"""Read queries over a Session: claims per tool, resolved tools, listings, stats."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from normalizer.identity import canonical_keys, canonical_slug
from normalizer.models import RawDocument, ToolRecord
from storage.names import norm_alias, norm_source_id
from storage.overrides import load_overrides, override_views
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.resolve import ClaimData, Resolution, build_record, resolve_claims
from storage.schema import (
    Alias,
    Claim,
    CrawlError,
    CrawlRun,
    Document,
    MatchSuggestion,
    SourceStateRow,
    Tool,
    Variant,
)
from storage.views import (
    ClaimView,
    MatchView,
    ResolvedTool,
    SourceState,
    StoredDocument,
    ToolSummary,
)


def load_claims(
    session: Session, tool_ids: Iterable[int], also: Collection[int] = ()
) -> dict[int, list[ClaimData]]:
    """The current claims of these tools (plus the superseded claims `also` names),
    in id order; superseded claims are history and take no part in resolution."""
    ids = list(tool_ids)
    current = Claim.superseded_at.is_(None)
    if also:
        current = or_(current, Claim.id.in_(sorted(also)))
    out: dict[int, list[ClaimData]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(  # plain columns: no ORM objects for what only gets resolved
        select(
            Claim.tool_id,
            Claim.id,
            Claim.field,
            Claim.value,
            Claim.source_kind,
            Claim.source_url,
            Claim.method,
            Claim.evidence,
            Claim.confidence,
            Claim.observed_at,
            Claim.document_id,
            Document.url,
            Claim.record_key,
        )
        .join(Document, Claim.document_id == Document.id)
        .where(Claim.tool_id.in_(ids), current)
        .order_by(Claim.id)
    )
    for row in rows:
        out[row[0]].append(
            ClaimData(
                id=row[1],
                field=row[2],
                value=row[3],
                source_kind=row[4],
                source_url=row[5],
                method=row[6],
                evidence=row[7],
                confidence=row[8],
                observed_at=row[9],
                document_id=row[10],
                document_url=row[11],
                record_key=row[12],
            )
        )
    return out


BASE_FIELDS = ("base_model", "base_model_relation")


def without_own_base(
    claims: Sequence[ClaimData], tool_slug: str, variants: Sequence[str]
) -> list[ClaimData]:
    """The claims to resolve, minus base_model claims naming this same tool.

    An instruct repo's base (or a quantisation's original) is a variant of the tool,
    not its base model: such a claim and its record's `base_model_relation` neither
    win nor make a conflict. They stay in the claim history.
    """
    own_ids = {norm_source_id(v) for v in variants}
    own_keys = {tool_slug, *(key for v in variants for key in canonical_keys(v))}

    def own(value: Any) -> bool:
        return isinstance(value, str) and (
            norm_source_id(value) in own_ids or canonical_slug(value) in own_keys
        )

    self_based = {
        (c.document_url, c.record_key) for c in claims if c.field == "base_model" and own(c.value)
    }
    return [
        c
        for c in claims
        if c.field not in BASE_FIELDS or (c.document_url, c.record_key) not in self_based
    ]


def resolve_record(
    tool: Tool, claims: list[ClaimData], overrides: list[ClaimData], policy: RankPolicy
) -> tuple[ToolRecord, Resolution]:
    """The tool's record from its loaded claims and overrides (no query: `tool`'s
    variants and aliases must be loaded)."""
    variants = [v.source_id for v in tool.variants]
    resolution = resolve_claims(without_own_base(claims, tool.slug, variants), policy, overrides)
    overridden = {o.field for o in overrides}
    record = build_record(
        resolution,
        slug=tool.slug,
        name=tool.name,
        aliases=None if "aliases" in overridden else [a.alias for a in tool.aliases],
    )
    return record, resolution


def resolve_tool(
    session: Session,
    tool: Tool,
    policy: RankPolicy = DEFAULT_POLICY,
    *,
    claims: list[ClaimData] | None = None,
) -> ResolvedTool:
    """The tool resolved live; `claims`: its claims (`load_claims`) if already loaded."""
    if claims is None:
        claims = load_claims(session, [tool.id]).get(tool.id, [])
    variants = [v.source_id for v in tool.variants]
    overrides = load_overrides(session, [tool.id]).get(tool.id, [])
    record, resolution = resolve_record(tool, claims, overrides, policy)
    aliases = [a.alias for a in tool.aliases]
    merged_into = session.get(Tool, tool.merged_into_id) if tool.merged_into_id else None
    suggestions = [
        MatchView(slug=other.slug, name=other.name, score=s.score, reason=s.reason)
        for s, other in session.execute(
            select(MatchSuggestion, Tool)
            .join(Tool, Tool.id == MatchSuggestion.candidate_id)
            .where(MatchSuggestion.tool_id == tool.id)
            .order_by(MatchSuggestion.score.desc())
        ).all()
    ]
    return ResolvedTool(
        slug=tool.slug,
        status=tool.status,
        merged_into=merged_into.slug if merged_into else None,
        record=record,
        suggested_matches=suggestions,
        variants=variants,
        aliases=aliases,
        claims=[
            ClaimView(
                id=c.id,
                field=c.field,
                value=c.value,
                source_kind=c.source_kind,
                source_url=c.source_url,
                method=c.method,
                observed_at=c.observed_at,
                document_id=c.document_id,
                record_key=c.record_key,
                evidence=c.evidence,
                confidence=c.confidence,
            )
            for c in claims
        ],
        conflicts=resolution.conflicts,
        overrides=override_views(session, tool.id) if overrides else [],
    )


def get_tool(session: Session, slug: str) -> Tool | None:
    return session.scalar(
        select(Tool)
        .where(Tool.slug == slug)
        .options(selectinload(Tool.variants), selectinload(Tool.aliases))
    )


def list_tools(
    session: Session, status: str | None = None, policy: RankPolicy = DEFAULT_POLICY
) -> list[ToolSummary]:
    query = select(Tool).order_by(Tool.slug)
    if status is not None:
        query = query.where(Tool.status == status)
    tools = list(session.scalars(query))
    claims = load_claims(session, [t.id for t in tools])
    overrides = load_overrides(session, [t.id for t in tools])
    out: list[ToolSummary] = []
    for tool in tools:
        tool_claims = claims.get(tool.id, [])
        values = resolve_claims(tool_claims, policy, overrides.get(tool.id, ())).values
        license_ = values.get("license") or {}
        params = values.get("parameters") or {}
        out.append(
            ToolSummary(
                slug=tool.slug,
                name=values.get("name") or tool.name,
                vendor=values.get("vendor"),
                status=tool.status,
                license_id=license_.get("id"),
                params_total=params.get("total"),
                claims_count=len(tool_claims),
                source_kinds=sorted({c.source_kind for c in tool_claims}),
            )
        )
    return out


def find_tool_slug(session: Session, name_or_id: str) -> str | None:
    """Slug of the tool known by this slug, alias or HF repo id (normalised)."""
    text = name_or_id.strip()
    if not text:
        return None
    slug = session.scalar(select(Tool.slug).where(Tool.slug == text))
    if slug:
        return slug
    slug = session.scalar(
        select(Tool.slug)
        .outerjoin(Alias, Alias.tool_id == Tool.id)
        .outerjoin(Variant, Variant.tool_id == Tool.id)
        .where(
            or_(
                Variant.source_id_norm == norm_source_id(text),
                Alias.alias_norm == norm_alias(text),
            )
        )
        .order_by(Tool.id)
        .limit(1)
    )
    if slug:
        return slug
    # a spelling never seen before (`…-Instruct-Q4_K_M`): the tool key ingest would use
    keys = canonical_keys(text)
    return session.scalar(select(Tool.slug).where(Tool.slug.in_(keys)).limit(1))


def pending_documents(
    session: Session, version: str | None, run_id: int | None, after_id: int, limit: int
) -> list[int]:
    waiting = (
        Document.normalized_version.is_(None)
        if version is None
        else or_(Document.normalized_version.is_(None), Document.normalized_version != version)
    )
    query = select(Document.id).where(waiting, Document.id > after_id)
    if run_id is not None:
        query = query.where(Document.run_id == run_id)
    return list(session.scalars(query.order_by(Document.id).limit(limit)))


def load_documents(session: Session, ids: Sequence[int]) -> list[StoredDocument]:
    out: list[StoredDocument] = []
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        for row in session.scalars(
            select(Document).where(Document.id.in_(wanted[start : start + 500]))
        ):
            out.append(
                StoredDocument(
                    id=row.id,
                    run_id=row.run_id,
                    normalized_version=row.normalized_version,
                    document=RawDocument(
                        url=row.url,
                        kind=row.kind,
                        body=zlib.decompress(row.body),
                        status=row.status,
                        content_type=row.content_type,
                        fetched_at=row.fetched_at,
                        meta=row.meta or {},
                    ),
                )
            )
    return sorted(out, key=lambda d: d.id)


def documents_to_write(
    session: Session, ids: Sequence[int], version: str, redo: bool
) -> dict[int, Document]:
    """The documents among `ids` still to be written by `version` (bodies not loaded):
    pending ones, and with `redo` those another version wrote."""
    out: dict[int, Document] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        for row in session.scalars(
            select(Document)
            .options(defer(Document.body))
            .where(Document.id.in_(wanted[start : start + 500]))
        ):
            if row.normalized_version is None or (redo and row.normalized_version != version):
                out[row.id] = row
    return out


def get_states(session: Session, keys: Iterable[str]) -> dict[str, SourceState]:
    wanted = list(dict.fromkeys(keys))
    out: dict[str, SourceState] = {}
    for start in range(0, len(wanted), 500):  # stay under bind-parameter limits
        chunk = wanted[start : start + 500]
        for row in session.scalars(select(SourceStateRow).where(SourceStateRow.key.in_(chunk))):
            out[row.key] = state_view(row)
    return out


def state_view(row: SourceStateRow) -> SourceState:
    return SourceState(
        key=row.key,
        sha=row.sha,
        etag=row.etag,
        last_modified=row.last_modified,
        content_hash=row.content_hash,
        updated_at=row.updated_at,
    )


def collect_stats(session: Session) -> dict[str, Any]:
    """Counts for `toolwatch stats --json`.

    Everything outside `crawl_runs` depends only on what was crawled: replaying the
    same crawl again leaves it unchanged. Per-run tallies (runs, their statuses, the
    errors each run recorded) live under `crawl_runs`.
    """

    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def grouped(column: Any, *, distinct_of: Any = None) -> dict[str, int]:
        counted = func.count(distinct(distinct_of)) if distinct_of is not None else func.count()
        rows = session.execute(select(column, counted).group_by(column).order_by(column))
        return {str(key): int(n) for key, n in rows}

    tools_by_status = {status: 0 for status in ("candidate", "published", "rejected", "merged")}
    tools_by_status.update(grouped(Tool.status))
    error_pairs = select(CrawlError.url, CrawlError.kind).distinct().subquery()
    return {
        "documents": {
            "total": count(Document),
            "urls": int(session.scalar(select(func.count(distinct(Document.url)))) or 0),
            "by_kind": grouped(Document.kind),
        },
        "claims": {"total": count(Claim), "by_source_kind": grouped(Claim.source_kind)},
        "tools": {"total": count(Tool), "by_status": tools_by_status},
        "variants": count(Variant),
        "aliases": count(Alias),
        "source_state": count(SourceStateRow),
        "errors": {
            "distinct": int(session.scalar(select(func.count()).select_from(error_pairs)) or 0),
            "by_kind": {
                str(kind): int(n)
                for kind, n in session.execute(
                    select(error_pairs.c.kind, func.count())
                    .group_by(error_pairs.c.kind)
                    .order_by(error_pairs.c.kind)
                )
            },
        },
        "crawl_runs": {
            "total": count(CrawlRun),
            "by_status": grouped(CrawlRun.status),
            "errors_recorded": count(CrawlError),
        },
    }
