"""Review items: what editors must decide besides new candidates. Session helpers.

- `change`: a crawl (or a merge) would change a published tool's reviewed field
  (`REVIEWED_FIELDS`). The published value stays until an editor accepts. One
  pending item per (tool, field), kept up to date by later crawls; closed as
  `superseded` when the sources come back to the published value. A rejected
  change is not proposed again until the sources say something else.
- `conflict`: new claims disagree with an override (not `resolve.compatible`).
  Accepting drops the override (the sources' value takes over); rejecting keeps it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.diff import meaningfully_same
from storage.history import same
from storage.schema import ReviewItem, Tool
from storage.views import ReviewItemView

REVIEWED_FIELDS: tuple[str, ...] = ("license", "pricing", "parameters")
"""Fields of a published tool that change only when an editor accepts the change."""
MAX_SOURCES = 20


def pending(session: Session, tool_id: int, kind: str, field: str) -> ReviewItem | None:
    return session.scalar(
        select(ReviewItem).where(
            ReviewItem.tool_id == tool_id,
            ReviewItem.kind == kind,
            ReviewItem.field == field,
            ReviewItem.status == "pending",
        )
    )


def propose_change(
    session: Session,
    tool: Tool,
    field: str,
    old: Any,
    new: Any,
    sources: list[dict[str, Any]],
    at: datetime,
) -> ReviewItem | None:
    """Open (or update) the pending change of a published field."""
    sources = sources[:MAX_SOURCES]
    item = pending(session, tool.id, "change", field)
    if item is not None:
        if not (same(item.new, new) and same(item.old, old)):
            item.old, item.new, item.updated_at = old, new, at
        if not same(item.sources, sources):  # always the claims behind the value now
            item.sources = sources
        return item
    last_rejected = session.scalar(
        select(ReviewItem)
        .where(
            ReviewItem.tool_id == tool.id,
            ReviewItem.kind == "change",
            ReviewItem.field == field,
            ReviewItem.status == "rejected",
        )
        .order_by(ReviewItem.id.desc())
        .limit(1)
    )
    if (
        last_rejected is not None
        and same(last_rejected.old, old)
        and meaningfully_same(field, last_rejected.new, new)
    ):  # an editor already said no to this (perhaps checked again since)
        last_rejected.new, last_rejected.sources = new, sources
        return None
    item = ReviewItem(
        tool_id=tool.id,
        kind="change",
        field=field,
        old=old,
        new=new,
        sources=sources,
        status="pending",
        created_at=at,
        updated_at=at,
    )
    session.add(item)
    session.flush()
    return item


def supersede(session: Session, tool_id: int, field: str, at: datetime, note: str) -> None:
    """Close the pending change of a field that no longer needs a decision."""
    item = pending(session, tool_id, "change", field)
    if item is not None:
        item.status, item.updated_at, item.note = "superseded", at, note


def flag_conflict(
    session: Session,
    tool: Tool,
    field: str,
    override_value: Any,
    claimed: list[tuple[Any, dict[str, Any]]],
    at: datetime,
) -> ReviewItem:
    """Record claims disagreeing with an override: one pending item per (tool, field);
    `new` is the latest disagreeing value, `sources` every disagreeing claim."""
    sources = [{**source, "value": value} for value, source in claimed]
    item = pending(session, tool.id, "conflict", field)
    if item is None:
        item = ReviewItem(
            tool_id=tool.id,
            kind="conflict",
            field=field,
            old=override_value,
            new=claimed[-1][0],
            sources=sources[-MAX_SOURCES:],
            status="pending",
            created_at=at,
            updated_at=at,
        )
        session.add(item)
        session.flush()
        return item
    item.old, item.new = override_value, claimed[-1][0]
    item.sources = [*item.sources, *sources][-MAX_SOURCES:]
    item.updated_at = at
    return item


def item_view(item: ReviewItem, tool: Tool) -> ReviewItemView:
    return ReviewItemView(
        id=item.id,
        slug=tool.slug,
        tool_status=tool.status,
        kind=item.kind,
        field=item.field,
        old=item.old,
        new=item.new,
        sources=list(item.sources or []),
        status=item.status,
        created_at=item.created_at,
        updated_at=item.updated_at,
        decided_by=item.decided_by,
        decided_at=item.decided_at,
        note=item.note,
    )


def list_items(
    session: Session,
    *,
    status: str | None = "pending",
    slug: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[ReviewItemView]:
    """Oldest first. Items of merged tools are hidden (they wait for an unmerge)."""
    query = (
        select(ReviewItem, Tool)
        .join(Tool, Tool.id == ReviewItem.tool_id)
        .where(Tool.status != "merged")
        .order_by(ReviewItem.id)
    )
    if status is not None:
        query = query.where(ReviewItem.status == status)
    if slug is not None:
        query = query.where(Tool.slug == slug)
    if kind is not None:
        query = query.where(ReviewItem.kind == kind)
    if limit:
        query = query.limit(limit)
    return [item_view(item, tool) for item, tool in session.execute(query)]
