"""The editors' queue of candidates: each with its evidence, open conflicts, and
whether it came back after a rejection (`reopened`: new evidence arrived)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storage.queries import resolve_tool
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.schema import Decision, ReviewItem, Tool
from storage.views import Conflict, MatchView


class Evidence(BaseModel):
    source_kind: str
    urls: list[str]


class CandidateView(BaseModel):
    slug: str
    name: str
    vendor: str | None
    created_at: datetime
    aliases: list[str] = []
    license_id: str | None = None
    license_terms: str | None = None
    params_total: int | None = None
    params_active: int | None = None
    entry_price: float | None = None
    """Cheapest input price per million tokens over providers."""
    entry_currency: str | None = None
    entry_provider: str | None = None
    release_date: str | None = None
    last_seen: datetime | None = None
    """When the newest evidence was observed (not when the crawl ran)."""
    min_confidence: float | None = None
    """The lowest confidence among the record's resolved fields: how sure the weakest is."""
    evidence: list[Evidence]
    conflicts: list[Conflict]
    suggested_matches: list[MatchView]
    reopened: bool = False
    """Rejected earlier; back in the queue because a crawl brought new evidence."""
    reopened_reason: str | None = None
    rejection_reason: str | None = None
    overridden_fields: list[str] = []
    override_conflicts: int = 0
    """Pending review items: claims disagreeing with an override of this candidate."""


def _last_decisions(session: Session, tool_ids: list[int]) -> dict[int, Decision]:
    if not tool_ids:
        return {}
    last = (
        select(func.max(Decision.id))
        .where(Decision.tool_id.in_(tool_ids), Decision.action.in_(("reject", "reopen")))
        .group_by(Decision.tool_id)
    )
    return {d.tool_id: d for d in session.scalars(select(Decision).where(Decision.id.in_(last)))}


def list_candidates(
    session: Session,
    policy: RankPolicy = DEFAULT_POLICY,
    limit: int | None = None,
    *,
    source_kind: str | None = None,
    vendor: str | None = None,
    conflicts: bool | None = None,
    reopened: bool | None = None,
) -> list[CandidateView]:
    """Newest first: what a crawl just discovered is what editors look at first.

    Filters: evidence from `source_kind`; `vendor` (case-insensitive); with
    (`conflicts=True`) or without source conflicts; reopened or not."""
    query = (
        select(Tool)
        .where(Tool.status == "candidate")
        .order_by(Tool.created_at.desc(), Tool.id.desc())
        .options(selectinload(Tool.variants), selectinload(Tool.aliases))
    )
    filtered = any(f is not None for f in (source_kind, vendor, conflicts, reopened))
    if limit and not filtered:
        query = query.limit(limit)
    tools = list(session.scalars(query))
    decisions = _last_decisions(session, [t.id for t in tools])
    pending_conflicts = dict(
        session.execute(
            select(ReviewItem.tool_id, func.count())
            .where(ReviewItem.kind == "conflict", ReviewItem.status == "pending")
            .group_by(ReviewItem.tool_id)
        ).all()
    )
    out: list[CandidateView] = []
    for tool in tools:
        if limit and len(out) >= limit:
            break
        resolved = resolve_tool(session, tool, policy)
        last = decisions.get(tool.id)
        reopen = last if last is not None and last.action == "reopen" else None
        by_kind: dict[str, list[str]] = {}
        for claim in resolved.claims:
            urls = by_kind.setdefault(claim.source_kind, [])
            if claim.source_url and claim.source_url not in urls:
                urls.append(claim.source_url)
        rec = resolved.record
        priced = [p for p in (rec.pricing.prices if rec.pricing else []) if p.input_per_mtok]
        entry = min(priced, key=lambda p: p.input_per_mtok or 0) if priced else None
        confidences = [p.confidence for p in rec.provenance.values()]
        out.append(
            CandidateView(
                slug=tool.slug,
                name=tool.name,
                vendor=resolved.record.vendor,
                created_at=tool.created_at,
                aliases=resolved.aliases,
                license_id=(rec.license.id or rec.license.name) if rec.license else None,
                license_terms=rec.license.terms if rec.license else None,
                params_total=rec.parameters.total if rec.parameters else None,
                params_active=rec.parameters.active if rec.parameters else None,
                entry_price=entry.input_per_mtok if entry else None,
                entry_currency=entry.currency if entry else None,
                entry_provider=entry.provider if entry else None,
                release_date=rec.release_date,
                last_seen=max((c.observed_at for c in resolved.claims), default=None),
                min_confidence=min(confidences) if confidences else None,
                evidence=[Evidence(source_kind=k, urls=v) for k, v in sorted(by_kind.items())],
                conflicts=resolved.conflicts,
                suggested_matches=resolved.suggested_matches,
                reopened=reopen is not None,
                reopened_reason=reopen.reason if reopen else None,
                rejection_reason=(reopen.data or {}).get("rejection_reason") if reopen else None,
                overridden_fields=[o.field for o in resolved.overrides],
                override_conflicts=int(pending_conflicts.get(tool.id, 0)),
            )
        )
        view = out[-1]
        if (
            (source_kind is not None and source_kind not in {e.source_kind for e in view.evidence})
            or (vendor is not None and (view.vendor or "").casefold() != vendor.casefold())
            or (conflicts is not None and bool(view.conflicts) != conflicts)
            or (reopened is not None and view.reopened != reopened)
        ):
            out.pop()
    return out
