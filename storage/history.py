"""History of published data: the `published_values` snapshot and the `changes` log.

Every write to the snapshot goes through `set_published_value` (or
`record_status`), which appends the matching `Change` row in the same
transaction. So the change feed (`changes_since`), replayed from cursor 0 with
`replay`, reproduces the published snapshot exactly:

    state = {}                                  # slug -> {field: value}, status
    for change in feed:
        if change.field == "_status": status[slug] = change.new
        elif change.new is None:      state[slug].pop(change.field)
        else:                         state[slug][change.field] = change.new
    published = {slug: state[slug] for slug with status "published"}

Every logged change also marks the tool's published document for rebuilding at
commit (`storage.published`), so the served form follows the snapshot.

Change ids come from one sequence and every writer holds the ingest/editorial lock
until it commits, so ids are committed in order: a reader that saw cursor N never
later finds a change with id <= N that it missed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.published import STATUS_FIELD, mark_changed
from storage.schema import Change, PublishedValue, Tool
from storage.views import ChangeView


def canonical(value: Any) -> str:
    """Order-insensitive JSON text for comparing stored values."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def same(a: Any, b: Any) -> bool:
    return canonical(a) == canonical(b)


def snapshot(session: Session, tool_id: int) -> dict[str, PublishedValue]:
    return {
        row.field: row
        for row in session.scalars(select(PublishedValue).where(PublishedValue.tool_id == tool_id))
    }


def set_published_value(
    session: Session,
    tool: Tool,
    field: str,
    value: Any,
    provenance: dict[str, Any] | None,
    *,
    actor: str,
    reason: str,
    at: datetime,
) -> Change | None:
    """Write one snapshot field (None deletes it) and log the change; no-op if equal."""
    row = session.get(PublishedValue, (tool.id, field))
    old = row.value if row is not None else None
    if same(old, value):
        return None
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            PublishedValue(
                tool_id=tool.id, field=field, value=value, provenance=provenance, updated_at=at
            )
        )
    else:
        row.value, row.provenance, row.updated_at = value, provenance, at
    return _log(session, tool, field, old, value, actor=actor, reason=reason, at=at)


def record_status(
    session: Session, tool: Tool, old: str, new: str, *, actor: str, reason: str, at: datetime
) -> Change | None:
    """Log a status change when it enters or leaves the published set."""
    if old == new or "published" not in (old, new):
        return None
    return _log(session, tool, STATUS_FIELD, old, new, actor=actor, reason=reason, at=at)


def change_row(
    tool: Tool, field: str, old: Any, new: Any, *, actor: str, reason: str, at: datetime
) -> dict[str, Any]:
    """The columns of the `Change` logging this (for one row or a bulk insert)."""
    return dict(
        tool_id=tool.id,
        slug=tool.slug,
        field=field,
        old=old,
        new=new,
        actor=actor,
        reason=reason,
        at=at,
    )


def _log(
    session: Session,
    tool: Tool,
    field: str,
    old: Any,
    new: Any,
    *,
    actor: str,
    reason: str,
    at: datetime,
) -> Change:
    change = Change(**change_row(tool, field, old, new, actor=actor, reason=reason, at=at))
    session.add(change)
    session.flush()
    mark_changed(session, tool.id)
    return change


def change_view(change: Change) -> ChangeView:
    return ChangeView(
        id=change.id,
        slug=change.slug,
        field=change.field,
        old=change.old,
        new=change.new,
        actor=change.actor,
        reason=change.reason,
        at=change.at,
    )


def tool_history(session: Session, tool_id: int) -> list[ChangeView]:
    rows = session.scalars(select(Change).where(Change.tool_id == tool_id).order_by(Change.id))
    return [change_view(c) for c in rows]


def changes_since(session: Session, since: int, limit: int) -> tuple[list[ChangeView], int]:
    """Changes with id > `since`, oldest first, at most `limit`; and the next cursor
    (the last id returned, or `since` when there is nothing new)."""
    rows = list(
        session.scalars(
            select(Change).where(Change.id > since).order_by(Change.id).limit(max(limit, 0))
        )
    )
    return [change_view(c) for c in rows], (rows[-1].id if rows else since)


def last_change_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Change.id))) or 0)


def replay(changes: Iterable[ChangeView]) -> dict[str, dict[str, Any]]:
    """The published snapshot ({slug: {field: value}}) a change feed describes."""
    values: dict[str, dict[str, Any]] = {}
    status: dict[str, str] = {}
    for change in changes:
        if change.field == STATUS_FIELD:
            status[change.slug] = str(change.new)
            continue
        fields = values.setdefault(change.slug, {})
        if change.new is None:
            fields.pop(change.field, None)
        else:
            fields[change.field] = change.new
    return {slug: values.get(slug, {}) for slug, st in sorted(status.items()) if st == "published"}
