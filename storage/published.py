"""The published view: ToolRecords built from the `published_values` snapshot.

Downstream (read API, exports, change feed) sees only this: tools with status
`published`, with the values editors let through; never candidates, never
unreviewed changes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.models import ToolRecord
from storage.ingest import is_empty
from storage.schema import PublishedValue, Tool
from storage.views import PublishedTool


def _build(tool: Tool, rows: list[PublishedValue]) -> PublishedTool:
    data: dict[str, Any] = {row.field: row.value for row in rows}
    data["slug"] = tool.slug
    data.setdefault("name", tool.name)
    data["provenance"] = {row.field: row.provenance for row in rows if row.provenance}
    return PublishedTool(
        slug=tool.slug,
        record=ToolRecord.model_validate(data),
        updated_at=max((row.updated_at for row in rows), default=None),
    )


def published_tool(session: Session, tool: Tool) -> PublishedTool | None:
    if tool.status != "published":
        return None
    rows = list(session.scalars(select(PublishedValue).where(PublishedValue.tool_id == tool.id)))
    return _build(tool, rows)


def published_tools(session: Session, *, vendor: str | None = None) -> list[PublishedTool]:
    tools = list(
        session.scalars(select(Tool).where(Tool.status == "published").order_by(Tool.slug))
    )
    rows: dict[int, list[PublishedValue]] = defaultdict(list)
    ids = [t.id for t in tools]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in session.scalars(select(PublishedValue).where(PublishedValue.tool_id.in_(chunk))):
            rows[row.tool_id].append(row)
    out = [_build(t, rows[t.id]) for t in tools]
    if vendor:
        wanted = vendor.casefold()
        out = [p for p in out if (p.record.vendor or "").casefold() == wanted]
    return out


def published_values(tool: PublishedTool) -> dict[str, Any]:
    """The snapshot fields of a published record as JSON (what `history.replay` yields)."""
    data = tool.record.model_dump(mode="json", exclude={"slug", "provenance", "warnings"})
    return {k: v for k, v in data.items() if not is_empty(v)}
