"""The published set: the snapshot (`published_values`) and the form it is served in.

Downstream (read API, exports, change feed) sees only this: tools with status
`published`, with the values editors let through; never candidates, never
unreviewed changes.

Writing (the editorial workflow calls these; nothing else writes published data):

    publish(session, [Publication(tool, previous_status, values, provenance)], ...)
        tools enter the published set (any number at once: bulk accept)
    unpublish(session, tool, previous_status, ...)
        a tool left it (merged, withdrawn); the caller has set its new status
    republish(session, tool_ids=None)
        rebuild the stored documents (after an upgrade changed their form)

Every transaction that changes the snapshot, a published tool's variants or its
status marks the tool (`mark_stale`; `history` does it for each logged change);
before the transaction commits (`before_commit`, installed on the Store's write
sessions) the marked tools' documents (`PublishedDoc`: the API's JSON, its ETag,
the listing filters) and names are rebuilt, and the catalog version is bumped
when anything public changed. So a read is an indexed lookup and a copy, and the
stored form is never out of step with the snapshot.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from normalizer.models import ToolRecord, utcnow
from storage.ingest import is_empty
from storage.names import norm_alias
from storage.resolve import RECORD_FIELDS
from storage.schema import (
    CatalogState,
    Change,
    PublishedDoc,
    PublishedName,
    PublishedValue,
    Tool,
    Variant,
)
from storage.views import PublishedTool

STALE = "toolwatch_stale_docs"
"""`Session.info` key: ids of tools whose published document must be rebuilt."""
CHANGED = "toolwatch_catalog_changed"
"""`Session.info` key: a change was logged in this transaction."""
SNAPSHOTS = "toolwatch_snapshots"
"""`Session.info` key: {tool id: [SnapshotRow]} as `publish` just wrote them."""
CHUNK = 500
STATUS_FIELD = "_status"


class SnapshotRow(NamedTuple):
    field: str
    value: Any
    provenance: Any
    updated_at: datetime


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


# snapshot as ToolRecords (CLI, editorial tests) ----------------------------------------


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
    for chunk in _chunks([t.id for t in tools]):
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


# writing the published set --------------------------------------------------------------


@dataclass
class Publication:
    """A tool entering the published set with these (non-empty) field values."""

    tool: Tool
    previous_status: str
    values: Mapping[str, Any]
    provenance: Mapping[str, Any]


def mark_stale(session: Session, tool_ids: Iterable[int]) -> None:
    """Rebuild these tools' published documents before the transaction commits."""
    session.info.setdefault(STALE, set()).update(tool_ids)


def mark_changed(session: Session, tool_id: int) -> None:
    """A change to published data was logged for this tool."""
    session.info[CHANGED] = True
    session.info.get(SNAPSHOTS, {}).pop(tool_id, None)  # written since: read it again
    mark_stale(session, [tool_id])


def _field_order(field: str) -> int:
    return RECORD_FIELDS.index(field) if field in RECORD_FIELDS else len(RECORD_FIELDS)


def publish(
    session: Session,
    items: Sequence[Publication],
    *,
    actor: str,
    reason: str,
    at: datetime | None = None,
) -> int:
    """Put tools (status already `published`) into the published set, in bulk.

    Each one's snapshot becomes exactly `values` (diffed against what an earlier
    publication left, so only real changes are logged), with one `_status` change
    when it was not published before. Returns the number of changes logged."""
    at = at or utcnow()
    session.flush()
    ids = [item.tool.id for item in items]
    old: dict[int, dict[str, SnapshotRow]] = defaultdict(dict)
    for chunk in _chunks(ids):
        for row in session.execute(
            select(
                PublishedValue.tool_id,
                PublishedValue.field,
                PublishedValue.value,
                PublishedValue.provenance,
                PublishedValue.updated_at,
            ).where(PublishedValue.tool_id.in_(chunk))
        ):
            old[row[0]][row[1]] = SnapshotRow(*row[1:])
    written: dict[int, list[SnapshotRow]] = {}
    from storage.history import change_row, same  # history imports this module

    changes: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[tuple[int, str]] = []
    for item in items:
        tool = item.tool
        if tool.status != "published":
            raise ValueError(f"publish {tool.slug!r}: its status is {tool.status}")

        def log(field: str, before: Any, after: Any, tool: Tool = tool) -> None:
            changes.append(
                change_row(tool, field, before, after, actor=actor, reason=reason, at=at)
            )

        if item.previous_status != "published":
            log(STATUS_FIELD, item.previous_status, "published")
        current = old.get(tool.id, {})
        values = {f: v for f, v in item.values.items() if not is_empty(v)}
        final = dict(current)
        for field in sorted(set(current) | set(values), key=_field_order):
            before = current[field].value if field in current else None
            after = values.get(field)
            if (before is None) == (after is None) and same(before, after):
                continue
            row = dict(
                tool_id=tool.id,
                field=field,
                value=after,
                provenance=item.provenance.get(field),
                updated_at=at,
            )
            if after is None:
                deletes.append((tool.id, field))
                final.pop(field, None)
            else:
                (inserts if before is None else updates).append(row)
                final[field] = SnapshotRow(field, after, row["provenance"], at)
            log(field, before, after)
        written[tool.id] = list(final.values())
    for start in range(0, len(deletes), CHUNK):
        keys = deletes[start : start + CHUNK]
        session.execute(
            delete(PublishedValue).where(
                tuple_(PublishedValue.tool_id, PublishedValue.field).in_(keys)
            )
        )
    conn = session.connection()  # Core inserts: no ORM bookkeeping for 10,000s of rows
    if inserts:
        conn.execute(insert(PublishedValue.__table__), inserts)
    if updates:
        session.execute(update(PublishedValue), updates)
    if changes:
        conn.execute(insert(Change.__table__), changes)
        session.info[CHANGED] = True
    mark_stale(session, ids)
    session.info.setdefault(SNAPSHOTS, {}).update(written)
    session.expire_all()
    return len(changes)


def unpublish(
    session: Session,
    tool: Tool,
    previous_status: str,
    *,
    actor: str,
    reason: str,
    at: datetime | None = None,
) -> Change | None:
    """Log that `tool` (its status already changed by the caller) left the published
    set; its document and names go at commit. The snapshot rows stay, dormant, so a
    later `publish` logs only what differs."""
    from storage.history import record_status

    return record_status(
        session, tool, previous_status, tool.status, actor=actor, reason=reason, at=at or utcnow()
    )


# the stored form ------------------------------------------------------------------------


def _key(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _etag(doc: str) -> str:
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()[:32]


def _names(public: Any) -> set[str]:
    names = {norm_alias(public.slug), norm_alias(public.name)}
    names.update(norm_alias(a) for a in public.aliases)
    return {n for n in names if n}


def _later(previous: datetime | None, now: datetime) -> datetime:
    """`now`, but in a later whole second than `previous`: Last-Modified (whole
    seconds) then tells every two versions apart."""
    if previous is None:
        return now
    floor = previous.replace(microsecond=0)
    return max(now, floor + timedelta(seconds=1))


def refresh(session: Session, tool_ids: Iterable[int], *, at: datetime | None = None) -> int:
    """Rebuild the published documents and names of these tools from the snapshot
    (delete them for tools no longer published); bump the catalog version if any
    document changed or a change was logged. Returns the documents changed."""
    from storage.catalog import PUBLIC_RECORD_FIELDS, PublicTool

    at = at or utcnow()
    session.flush()
    changed = 0
    for chunk in _chunks(sorted(set(tool_ids))):
        tools = {
            row.id: row
            for row in session.execute(
                select(Tool.id, Tool.slug, Tool.name, Tool.status).where(Tool.id.in_(chunk))
            )
        }
        existing = {
            row.tool_id: row
            for row in session.execute(
                select(PublishedDoc.tool_id, PublishedDoc.etag, PublishedDoc.updated_at).where(
                    PublishedDoc.tool_id.in_(chunk)
                )
            )
        }
        live = [i for i in chunk if i in tools and tools[i].status == "published"]
        known = session.info.get(SNAPSHOTS, {})
        values: dict[int, list[Any]] = defaultdict(list)
        values.update({i: known[i] for i in live if i in known})
        for row in session.execute(
            select(
                PublishedValue.tool_id,
                PublishedValue.field,
                PublishedValue.value,
                PublishedValue.provenance,
                PublishedValue.updated_at,
            ).where(PublishedValue.tool_id.in_([i for i in live if i not in known]))
        ):
            values[row.tool_id].append(row)
        variants: dict[int, list[str]] = defaultdict(list)
        for tool_id, source_id in session.execute(
            select(Variant.tool_id, Variant.source_id)
            .where(Variant.tool_id.in_(live))
            .order_by(Variant.source_id)
        ):
            variants[tool_id].append(source_id)
        gone = [i for i in chunk if i not in live and i in existing]
        new_rows: list[dict[str, Any]] = []
        upd_rows: list[dict[str, Any]] = []
        names: list[dict[str, Any]] = []
        for tool_id in live:
            tool = tools[tool_id]
            pvs = sorted(values[tool_id], key=lambda pv: _field_order(pv.field))  # one order
            data: dict[str, Any] = {
                pv.field: pv.value for pv in pvs if pv.field in PUBLIC_RECORD_FIELDS
            }
            data.setdefault("name", tool.name)
            data["slug"] = tool.slug
            data["variants"] = variants[tool_id]
            data["provenance"] = {
                pv.field: pv.provenance
                for pv in pvs
                if pv.provenance and pv.field in PUBLIC_RECORD_FIELDS
            }
            data["updated_at"] = max((pv.updated_at for pv in pvs), default=None)
            public = PublicTool.model_validate(data)
            doc = public.model_dump_json()
            etag = _etag(doc)
            before = existing.get(tool_id)
            if before is not None and before.etag == etag:
                continue
            lic = public.license
            row = dict(
                tool_id=tool_id,
                slug=tool.slug,
                etag=etag,
                updated_at=_later(before.updated_at if before else None, at),
                doc=doc,
                summary=public.model_dump_json(exclude={"provenance"}),
                vendor_key=_key(public.vendor),
                task_key=_key(public.task),
                category_key=_key(public.category),
                license_terms=str(lic.terms) if lic is not None and lic.terms else None,
                open_weights=public.open_weights,
            )
            (upd_rows if before is not None else new_rows).append(row)
            names += [dict(name_norm=n, tool_id=tool_id) for n in sorted(_names(public))]
        touched = [r["tool_id"] for r in new_rows + upd_rows] + gone
        if touched:
            session.execute(delete(PublishedName).where(PublishedName.tool_id.in_(touched)))
        if gone:
            session.execute(delete(PublishedDoc).where(PublishedDoc.tool_id.in_(gone)))
        if new_rows or upd_rows or gone:
            version = _bump(session, at)
            for row in new_rows + upd_rows:
                row["version"] = version
        if new_rows:
            session.connection().execute(insert(PublishedDoc.__table__), new_rows)
        if upd_rows:
            session.execute(update(PublishedDoc), upd_rows)
        if names:
            session.connection().execute(insert(PublishedName.__table__), names)
        changed += len(new_rows) + len(upd_rows) + len(gone)
    if session.info.pop(CHANGED, False):
        _bump(session, at)
    return changed


def _bump(session: Session, at: datetime) -> int:
    """The catalog version for this transaction (bumped once per transaction)."""
    from storage.history import last_change_id

    state = session.get(CatalogState, 1)
    bumped = session.info.get("toolwatch_catalog_version")
    if state is None:
        state = CatalogState(id=1, version=0, change_id=0, updated_at=at)
        session.add(state)
    if bumped is None or state.version != bumped:
        state.version += 1
        state.updated_at = _later(state.updated_at if state.version > 1 else None, at)
        session.info["toolwatch_catalog_version"] = state.version
    state.change_id = last_change_id(session)
    session.flush()
    return state.version


def before_commit(session: Session) -> None:
    """Session hook: rebuild the documents of tools marked in this transaction."""
    stale = session.info.pop(STALE, None)
    if stale or session.info.get(CHANGED):
        refresh(session, stale or ())
    session.info.pop("toolwatch_catalog_version", None)
    session.info.pop(SNAPSHOTS, None)


def republish(session: Session, tool_ids: Iterable[int] | None = None) -> int:
    """Rebuild the stored documents of these tools (default: every tool that is
    published or has a document). Returns how many changed."""
    if tool_ids is None:
        published = session.scalars(select(Tool.id).where(Tool.status == "published"))
        documented = session.scalars(select(PublishedDoc.tool_id))
        tool_ids = set(published) | set(documented)
    return refresh(session, tool_ids)
