"""The editors' queue of candidates: each with its evidence and open conflicts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.queries import resolve_tool
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.schema import Tool
from storage.views import Conflict, MatchView


class Evidence(BaseModel):
    source_kind: str
    urls: list[str]


class CandidateView(BaseModel):
    slug: str
    name: str
    vendor: str | None
    created_at: datetime
    evidence: list[Evidence]
    conflicts: list[Conflict]
    suggested_matches: list[MatchView]


def list_candidates(
    session: Session, policy: RankPolicy = DEFAULT_POLICY, limit: int | None = None
) -> list[CandidateView]:
    """Newest first: what a crawl just discovered is what editors look at first."""
    query = (
        select(Tool)
        .where(Tool.status == "candidate")
        .order_by(Tool.created_at.desc(), Tool.id.desc())
        .options(selectinload(Tool.variants), selectinload(Tool.aliases))
    )
    if limit:
        query = query.limit(limit)
    out = []
    for tool in session.scalars(query):
        resolved = resolve_tool(session, tool, policy)
        by_kind: dict[str, list[str]] = {}
        for claim in resolved.claims:
            urls = by_kind.setdefault(claim.source_kind, [])
            if claim.source_url and claim.source_url not in urls:
                urls.append(claim.source_url)
        out.append(
            CandidateView(
                slug=tool.slug,
                name=tool.name,
                vendor=resolved.record.vendor,
                created_at=tool.created_at,
                evidence=[Evidence(source_kind=k, urls=v) for k, v in sorted(by_kind.items())],
                conflicts=resolved.conflicts,
                suggested_matches=resolved.suggested_matches,
            )
        )
    return out
