"""Discovery by links: Hub repos that posts, catalogs and price lists name, whose tool
has no Hub facts yet. The Hugging Face spider crawls them in the same run (after the
other spiders; `crawler.hub.choose_discovered` applies the watchlist and budget)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage.schema import Claim, Variant

HUB_KINDS = ("hf-api", "hf-card", "hf-config")


def repos_without_hub_facts(session: Session, limit: int = 1000) -> list[str]:
    """Repo ids grouped under a tool (from any source) whose tool has no Hub claim."""
    has_hub = exists().where(Claim.tool_id == Variant.tool_id, Claim.source_kind.in_(HUB_KINDS))
    rows = session.scalars(
        select(Variant.source_id).where(~has_hub).order_by(Variant.id).limit(limit)
    )
    return [r for r in rows if "/" in r]
