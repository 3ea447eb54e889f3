"""The editorial workflow on a Session: lifecycle, overrides, published snapshot.

Lifecycle: candidate → published (`accept`) | rejected (`reject`) | merged
(`merge`, undone by `unmerge`). A rejected tool comes back to the queue as a
`reopened` candidate when a crawl brings a claim from a document newer than the
rejection (`after_crawl`); the `decisions` table logs every step.

Published data is a snapshot (`published_values`), written only here:

- `accept` publishes every resolved field;
- afterwards `sync_published` compares the resolved record (override > source
  rank > recency) with the snapshot. A differing field is written to the snapshot
  and logged in `changes` directly, except the reviewed fields (`license`,
  `pricing`, `parameters`) when the change comes from sources (crawls, merges,
  unmerges): those become pending `change` review items and the published value
  stays until an editor accepts. Overrides and review decisions are editor
  decisions about a field and are published at once.

Merging moves the source's claims, variants and aliases to the target (recording
their ids); unmerging moves exactly those back, plus claims that arrived during
the merge through the source's own identity (record keys matching its variants or
aliases). The source's overrides, snapshot and review items stay with it, dormant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from normalizer.models import ToolRecord, utcnow
from storage.diff import meaningfully_same
from storage.errors import InvalidOverride, InvalidTransition, ReviewNotFound, ToolNotFound
from storage.history import record_status, same, set_published_value, snapshot
from storage.ingest import is_empty
from storage.names import norm_alias, norm_source_id
from storage.overrides import load_overrides, overrides_of, validate_override
from storage.published import Publication, mark_stale, publish
from storage.queries import get_tool, load_claims, resolve_record, resolve_tool
from storage.ranking import RankPolicy
from storage.resolve import FACT_FIELDS, RECORD_FIELDS, ClaimData, compatible
from storage.review import REVIEWED_FIELDS, flag_conflict, propose_change
from storage.schema import Alias, Claim, Decision, Document, Override, ReviewItem, Tool, Variant
from storage.views import ResolvedTool

PUBLISHED_FIELDS: tuple[str, ...] = tuple(f for f in RECORD_FIELDS if f != "slug")
"""Fields kept in the published snapshot (the slug is the tool's key)."""
CONFLICT_FIELDS = FACT_FIELDS
"""Fields whose overrides are checked against later claims."""


def tool_or_fail(session: Session, slug: str) -> Tool:
    tool = get_tool(session, slug)
    if tool is None:
        raise ToolNotFound(f"no tool {slug!r}")
    return tool


def _require(tool: Tool, allowed: Collection[str], action: str) -> None:
    if tool.status not in allowed:
        raise InvalidTransition(
            f"cannot {action} {tool.slug!r}: it is {tool.status}"
            + (f" (allowed from: {', '.join(allowed)})" if allowed else "")
        )


def _decide(
    session: Session,
    tool: Tool,
    action: str,
    actor: str,
    reason: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> Decision:
    decision = Decision(
        tool_id=tool.id, action=action, actor=actor, reason=reason, at=at, data=data or {}
    )
    session.add(decision)
    session.flush()
    return decision


def last_decision(session: Session, tool_id: int, *actions: str) -> Decision | None:
    return session.scalar(
        select(Decision)
        .where(Decision.tool_id == tool_id, Decision.action.in_(actions))
        .order_by(Decision.id.desc())
        .limit(1)
    )


# resolved vs published ---------------------------------------------------------------


def current_values(
    session: Session, tool: Tool, policy: RankPolicy, claims: list[ClaimData] | None = None
) -> tuple[ResolvedTool, dict[str, Any], dict[str, Any]]:
    """The resolved tool, its non-empty field values and their provenance.

    `claims`: the tool's current claims if the caller already loaded them."""
    session.flush()
    session.expire(tool)
    resolved = resolve_tool(session, tool, policy, claims=claims)
    return resolved, *record_values(resolved.record)


def record_values(record: ToolRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record's non-empty published field values and their provenance."""
    data = record.model_dump(mode="json")
    provenance = data.pop("provenance") or {}
    values = {f: data[f] for f in PUBLISHED_FIELDS if not is_empty(data.get(f))}
    return values, {f: provenance.get(f) for f in values}


def _sources(resolved: ResolvedTool, field: str) -> list[dict[str, Any]]:
    claims = sorted(
        (c for c in resolved.claims if c.field == field), key=lambda c: c.id, reverse=True
    )
    return [
        {
            "value": c.value,
            "source_kind": c.source_kind,
            "source_url": c.source_url,
            "document_id": c.document_id,
            "method": c.method,
            "observed_at": c.observed_at.isoformat(),
        }
        for c in claims
    ]


def sync_published(
    session: Session,
    tool: Tool,
    policy: RankPolicy,
    *,
    actor: str,
    reason: str,
    decided: Collection[str] = (),
    at: datetime | None = None,
    claims: list[ClaimData] | None = None,
) -> None:
    """Bring a published tool's snapshot up to its resolved record.

    Fields in `decided` (an editor's decision about that field) and non-reviewed
    fields are written directly; other reviewed fields become pending changes.
    `claims`: the tool's current claims if the caller already loaded them."""
    if tool.status != "published":
        return
    mark_stale(session, [tool.id])  # variants may have moved even if no field changed
    at = at or utcnow()
    resolved, values, provenance = current_values(session, tool, policy, claims)
    published = snapshot(session, tool.id)
    overridden = set(overrides_of(session, tool.id))
    pending_changes: dict[str, ReviewItem] = {}
    for item in session.scalars(
        select(ReviewItem).where(
            ReviewItem.tool_id == tool.id,
            ReviewItem.kind == "change",
            ReviewItem.status == "pending",
        )
    ):
        pending_changes.setdefault(item.field, item)

    def supersede(field: str, note: str) -> None:  # `review.supersede`, one query in all
        item = pending_changes.get(field)
        if item is not None:
            item.status, item.updated_at, item.note = "superseded", at, note

    for field in PUBLISHED_FIELDS:
        new = values.get(field)
        old = published[field].value if field in published else None
        if same(new, old):
            supersede(field, "the sources agree with the published value")
            continue
        direct = field in decided or field in overridden or field not in REVIEWED_FIELDS
        if direct:
            set_published_value(
                session, tool, field, new, provenance.get(field), actor=actor, reason=reason, at=at
            )
            supersede(field, f"published by {actor}: {reason}")
        elif meaningfully_same(field, old, new):  # a re-check: history, not review
            set_published_value(
                session,
                tool,
                field,
                new,
                provenance.get(field),
                actor=actor,
                reason=f"{reason}: re-checked, no change beyond check times or rounding",
                at=at,
            )
            supersede(field, "re-checked: the sources agree with the published value")
        else:
            propose_change(session, tool, field, old, new, _sources(resolved, field), at)
    _refresh_columns(tool, values)


def _refresh_columns(tool: Tool, values: dict[str, Any]) -> None:
    """Keep the denormalised name / vendor / family in line with overrides."""
    tool.name = values.get("name") or tool.name
    tool.vendor, tool.family = values.get("vendor"), values.get("family")


# lifecycle ---------------------------------------------------------------------------


def accept(session: Session, slug: str, actor: str, policy: RankPolicy, reason: str = "") -> Tool:
    return accept_many(session, [slug], actor, policy, reason)[0]


def accept_many(
    session: Session, slugs: Sequence[str], actor: str, policy: RankPolicy, reason: str = ""
) -> list[Tool]:
    """Publish candidates (or rejected tools): each one's resolved record becomes its
    published snapshot. Any number at once, with one write per table (bulk accept);
    nothing is published unless every tool may be."""
    wanted = list(dict.fromkeys(slugs))
    found: dict[str, Tool] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for tool in session.scalars(
            select(Tool)
            .where(Tool.slug.in_(chunk))
            .options(selectinload(Tool.variants), selectinload(Tool.aliases))
        ):
            found[tool.slug] = tool
    tools = [found.get(slug) or tool_or_fail(session, slug) for slug in wanted]
    for tool in tools:
        _require(tool, ("candidate", "rejected"), "accept")
    now = utcnow()
    why = reason or "accepted"
    ids = [t.id for t in tools]
    claims: dict[int, list[ClaimData]] = {}
    overrides: dict[int, list[ClaimData]] = {}
    for start in range(0, len(ids), 500):
        claims.update(load_claims(session, ids[start : start + 500]))
        overrides.update(load_overrides(session, ids[start : start + 500]))
    previous = {t.id: t.status for t in tools}
    for tool in tools:
        tool.status, tool.updated_at = "published", now
    session.connection().execute(
        insert(Decision.__table__),
        [
            dict(tool_id=i, action="accept", actor=actor, reason=reason, at=now, data={})
            for i in ids
        ],
    )
    items: list[Publication] = []
    for tool in tools:  # resolved from what was loaded above: no query per tool
        record, _ = resolve_record(
            tool, claims.get(tool.id, []), overrides.get(tool.id, []), policy
        )
        values, provenance = record_values(record)
        _refresh_columns(tool, values)
        items.append(Publication(tool, previous[tool.id], values, provenance))
    publish(session, items, actor=actor, reason=why, at=now)
    for start in range(0, len(ids), 500):
        session.execute(
            update(ReviewItem)
            .where(
                ReviewItem.tool_id.in_(ids[start : start + 500]),
                ReviewItem.kind == "change",
                ReviewItem.status == "pending",
            )
            .values(status="superseded", updated_at=now, note=f"published by {actor}: {why}")
        )
    return tools


def reject(session: Session, slug: str, actor: str, reason: str) -> Tool:
    if not reason.strip():
        raise InvalidTransition("a rejection needs a reason")
    tool = tool_or_fail(session, slug)
    _require(tool, ("candidate",), "reject")
    now = utcnow()
    tool.status, tool.updated_at = "rejected", now
    _decide(session, tool, "reject", actor, reason, now, {"document_mark": _document_mark(session)})
    return tool


def _document_mark(session: Session) -> int:
    """The newest document id: evidence from a newer document may reopen the tool."""
    return int(session.scalar(select(func.max(Document.id))) or 0)


def withdraw(session: Session, slug: str, actor: str, reason: str) -> Tool:
    """Unpublish a published tool: it leaves the published set (a `_status` change in
    the feed) and becomes `rejected`, logged as a `withdraw` decision. Like a rejection,
    it comes back to the queue only with new evidence; accepting publishes it again."""
    if not reason.strip():
        raise InvalidTransition("a withdrawal needs a reason")
    tool = tool_or_fail(session, slug)
    _require(tool, ("published",), "withdraw")
    now = utcnow()
    tool.status, tool.updated_at = "rejected", now
    _decide(
        session, tool, "withdraw", actor, reason, now, {"document_mark": _document_mark(session)}
    )
    record_status(session, tool, "published", "rejected", actor=actor, reason=reason, at=now)
    session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.tool_id == tool.id,
            ReviewItem.kind == "change",
            ReviewItem.status == "pending",
        )
        .values(status="superseded", updated_at=now, note=f"withdrawn by {actor}: {reason}")
    )
    return tool


def merge(
    session: Session, slug: str, into: str, actor: str, policy: RankPolicy, reason: str = ""
) -> Tool:
    source, target = tool_or_fail(session, slug), tool_or_fail(session, into)
    if source.id == target.id:
        raise InvalidTransition("cannot merge a tool into itself")
    _require(source, ("candidate", "published", "rejected"), "merge")
    _require(target, ("candidate", "published"), f"merge into {target.slug!r}: target")
    now = utcnow()
    why = reason or f"merged {source.slug} into {target.slug}"
    claim_mark = int(session.scalar(select(func.max(Claim.id))) or 0)
    claims = list(session.scalars(select(Claim.id).where(Claim.tool_id == source.id)))
    variants = [v.id for v in source.variants]
    aliases = [a.id for a in source.aliases]
    known = {a.alias_norm for a in source.aliases}
    added: list[int] = []
    for name in (source.slug, source.name):  # the target gains the source's names
        norm = norm_alias(name)
        if (
            norm
            and norm not in known
            and not session.scalar(select(Alias.id).where(Alias.alias_norm == norm))
        ):
            alias = Alias(tool_id=target.id, alias=name, alias_norm=norm)
            session.add(alias)
            session.flush()
            added.append(alias.id)
            known.add(norm)
    _move(session, Claim, claims, target.id)
    _move(session, Variant, variants, target.id)
    _move(session, Alias, aliases, target.id)
    old = source.status
    source.status, source.merged_into_id, source.updated_at = "merged", target.id, now
    target.updated_at = now
    _decide(
        session,
        source,
        "merge",
        actor,
        reason,
        now,
        {
            "into": target.id,
            "into_slug": target.slug,
            "previous_status": old,
            "claim_mark": claim_mark,
            "claims": claims,
            "variants": variants,
            "aliases": aliases,
            "added_aliases": added,
        },
    )
    record_status(session, source, old, "merged", actor=actor, reason=why, at=now)
    sync_published(session, target, policy, actor=actor, reason=why, at=now)
    return source


def unmerge(session: Session, slug: str, actor: str, policy: RankPolicy, reason: str = "") -> Tool:
    source = tool_or_fail(session, slug)
    _require(source, ("merged",), "unmerge")
    decision = last_decision(session, source.id, "merge")
    target = session.get(Tool, source.merged_into_id) if source.merged_into_id else None
    if decision is None or target is None:
        raise InvalidTransition(f"{slug!r} has no merge to undo")
    if target.status == "merged":
        raise InvalidTransition(f"unmerge {target.slug!r} first: {slug!r} was merged into it")
    data = decision.data
    now = utcnow()
    why = reason or f"unmerged {source.slug} from {target.slug}"
    variants = _on(session, Variant, data["variants"], target.id)
    aliases = _on(session, Alias, data["aliases"], target.id)
    moved_norms = {
        norm_source_id(v.source_id)
        for v in session.scalars(select(Variant).where(Variant.id.in_(variants)))
    } | {a.alias_norm for a in session.scalars(select(Alias).where(Alias.id.in_(aliases)))}
    claims = _on(session, Claim, data["claims"], target.id)
    arrived = [  # claims about the source's own identity that came in while merged
        cid
        for cid, key in session.execute(
            select(Claim.id, Claim.record_key).where(
                Claim.tool_id == target.id, Claim.id > data["claim_mark"]
            )
        )
        if norm_source_id(key) in moved_norms or norm_alias(key) in moved_norms
    ]
    _move(session, Variant, variants, source.id)
    _move(session, Alias, aliases, source.id)
    _move(session, Claim, [*claims, *arrived], source.id)
    for alias_id in data.get("added_aliases", []):
        alias = session.get(Alias, alias_id)
        if alias is not None and alias.tool_id == target.id:
            session.delete(alias)
    old = data["previous_status"]
    source.status, source.merged_into_id, source.updated_at = old, None, now
    target.updated_at = now
    _decide(session, source, "unmerge", actor, reason, now, {"from": target.id, "arrived": arrived})
    record_status(session, source, "merged", old, actor=actor, reason=why, at=now)
    session.flush()
    session.expire_all()
    for tool in (source, target):
        sync_published(session, tool, policy, actor=actor, reason=why, at=now)
    return source


def _move(session: Session, model: Any, ids: list[int], tool_id: int) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(update(model).where(model.id.in_(chunk)).values(tool_id=tool_id))
    session.expire_all()


def _on(session: Session, model: Any, ids: list[int], tool_id: int) -> list[int]:
    out: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        out += session.scalars(
            select(model.id).where(model.id.in_(chunk), model.tool_id == tool_id)
        ).all()
    return out


# overrides ---------------------------------------------------------------------------


def set_override(
    session: Session,
    slug: str,
    field: str,
    value: Any,
    actor: str,
    reason: str,
    policy: RankPolicy,
) -> Any:
    if not reason.strip():
        raise InvalidTransition("an override needs a reason")
    stored = validate_override(field, value)
    _refuse_negative(field, stored)
    tool = tool_or_fail(session, slug)
    _require(tool, ("candidate", "published", "rejected"), "override")
    now = utcnow()
    row = overrides_of(session, tool.id).get(field)
    if row is None:
        session.add(
            Override(
                tool_id=tool.id,
                field=field,
                value=stored,
                actor=actor,
                reason=reason,
                created_at=now,
            )
        )
    else:
        row.value, row.actor, row.reason, row.created_at = stored, actor, reason, now
    item = session.scalar(
        select(ReviewItem).where(
            ReviewItem.tool_id == tool.id,
            ReviewItem.field == field,
            ReviewItem.kind == "conflict",
            ReviewItem.status == "pending",
        )
    )
    if item is not None and not same(item.old, stored):
        item.status, item.updated_at, item.note = "superseded", now, "override changed"
    tool.updated_at = now
    _decide(session, tool, "override", actor, reason, now, {"field": field, "value": stored})
    _after_override(session, tool, field, actor, f"override: {reason}", policy, now)
    return stored


def _refuse_negative(field: str, value: Any, path: str = "") -> None:
    """Sizes, lengths and prices are never below zero: such a value is a typo."""
    where = path or field
    if isinstance(value, bool):
        return
    if isinstance(value, int | float) and value < 0:
        raise InvalidOverride(f"invalid value for {field!r}: {where} cannot be negative ({value})")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_negative(field, item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_negative(field, item, f"{where}[{i}]")


def clear_override(
    session: Session, slug: str, field: str, actor: str, reason: str, policy: RankPolicy
) -> bool:
    tool = tool_or_fail(session, slug)
    row = overrides_of(session, tool.id).get(field)
    if row is None:
        return False
    now = utcnow()
    session.delete(row)
    item = session.scalar(
        select(ReviewItem).where(
            ReviewItem.tool_id == tool.id,
            ReviewItem.field == field,
            ReviewItem.kind == "conflict",
            ReviewItem.status == "pending",
        )
    )
    if item is not None:
        item.status, item.updated_at, item.note = "superseded", now, "override cleared"
    tool.updated_at = now
    _decide(
        session, tool, "clear-override", actor, reason, now, {"field": field, "value": row.value}
    )
    why = f"override cleared: {reason}" if reason else "override cleared"
    _after_override(session, tool, field, actor, why, policy, now)
    return True


def _after_override(
    session: Session,
    tool: Tool,
    field: str,
    actor: str,
    reason: str,
    policy: RankPolicy,
    at: datetime,
) -> None:
    if tool.status == "published":
        sync_published(session, tool, policy, actor=actor, reason=reason, decided=(field,), at=at)
    else:
        _, values, _ = current_values(session, tool, policy)
        _refresh_columns(tool, values)


# review decisions --------------------------------------------------------------------


def decide_review(
    session: Session, item_id: int, accept: bool, actor: str, policy: RankPolicy, note: str = ""
) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise ReviewNotFound(f"no review item {item_id}")
    if item.status != "pending":
        raise InvalidTransition(f"review item {item_id} is already {item.status}")
    tool = session.get(Tool, item.tool_id)
    assert tool is not None
    if tool.status == "merged":
        raise InvalidTransition(f"{tool.slug!r} is merged; unmerge it to decide its reviews")
    now = utcnow()
    item.status = "accepted" if accept else "rejected"
    item.decided_by, item.decided_at, item.updated_at = actor, now, now
    item.note = note or None
    _decide(
        session,
        tool,
        "review-accept" if accept else "review-reject",
        actor,
        note,
        now,
        {"item": item.id, "kind": item.kind, "field": item.field, "old": item.old, "new": item.new},
    )
    if not accept:
        return item
    why = f"review #{item.id} accepted" + (f": {note}" if note else "")
    if item.kind == "conflict":
        row = overrides_of(session, tool.id).get(item.field)
        if row is not None:
            session.delete(row)
            session.flush()
    if tool.status == "published":
        sync_published(
            session, tool, policy, actor=actor, reason=why, decided=(item.field,), at=now
        )
    return item


# crawls ------------------------------------------------------------------------------


def claim_mark(session: Session) -> int:
    """The newest claim id: `after_crawl(since=...)` looks at claims above it."""
    return int(session.scalar(select(func.max(Claim.id))) or 0)


def after_crawl(
    session: Session,
    since: int,
    run_id: int | None,
    policy: RankPolicy,
    claims: Mapping[int, list[ClaimData]] | None = None,
    also: Iterable[int] = (),
) -> None:
    """Apply the editorial rules to the tools an ingest batch gave new claims, and to
    the tools in `also` (whose claims a re-normalisation superseded).

    `claims`: every claim of every tool the batch touched, as the ingest loaded them
    (`queries.load_claims`, after its last insert): the new claims are taken from
    there instead of being queried again, and resolutions reuse them."""
    by_tool: dict[int, list[tuple[Claim | ClaimData, str]]] = defaultdict(list)
    for tool_id in also:
        by_tool[tool_id] = []
    if claims is None:
        for claim, url in session.execute(
            select(Claim, Document.url)
            .join(Document, Document.id == Claim.document_id)
            .where(Claim.id > since)
            .order_by(Claim.id)
        ):
            by_tool[claim.tool_id].append((claim, url))
    else:
        for tool_id, tool_claims in claims.items():
            for data in tool_claims:  # in id order, as `load_claims` returns them
                if data.id > since:
                    by_tool[tool_id].append((data, data.document_url))
    if not by_tool:
        return
    actor = f"crawl:{run_id}" if run_id is not None else "crawl"
    now = utcnow()
    all_overrides: dict[int, dict[str, Override]] = defaultdict(dict)
    for row in session.scalars(
        select(Override).where(Override.tool_id.in_(sorted(by_tool))).order_by(Override.id)
    ):
        all_overrides[row.tool_id][row.field] = row
    loaded = claims or {}
    for tool_id, new_claims in sorted(by_tool.items()):
        tool = session.get(Tool, tool_id)
        if tool is None or tool.status == "merged":
            continue
        if tool.status == "rejected":
            _maybe_reopen(session, tool, new_claims, actor, now)
        overrides = all_overrides.get(tool.id, {})
        disagreeing: dict[str, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
        for claim, url in new_claims:
            row = overrides.get(claim.field)
            if row is None or claim.field not in CONFLICT_FIELDS:
                continue
            if not compatible(row.value, claim.value):
                disagreeing[claim.field].append(
                    (
                        claim.value,
                        {
                            "claim_id": claim.id,
                            "source_kind": claim.source_kind,
                            "source_url": claim.source_url or url,
                            "document_id": claim.document_id,
                            "method": claim.method,
                            "observed_at": claim.observed_at.isoformat(),
                        },
                    )
                )
        for field, found in disagreeing.items():
            flag_conflict(session, tool, field, overrides[field].value, found, now)
        if tool.status == "published":
            sync_published(
                session,
                tool,
                policy,
                actor=actor,
                reason="crawl",
                at=now,
                claims=loaded.get(tool_id),
            )
        elif overrides:
            _, values, _ = current_values(session, tool, policy, loaded.get(tool_id))
            _refresh_columns(tool, values)


def _maybe_reopen(
    session: Session,
    tool: Tool,
    claims: list[tuple[Claim | ClaimData, str]],
    actor: str,
    at: datetime,
) -> None:
    rejection = last_decision(session, tool.id, "reject", "withdraw")
    mark = int((rejection.data or {}).get("document_mark", 0)) if rejection else 0
    fresh = [(c, url) for c, url in claims if c.document_id > mark]
    if not fresh:
        return
    urls = list(dict.fromkeys(url for _, url in fresh))
    kinds = sorted({c.source_kind for c, _ in fresh})
    reason = f"new evidence since the rejection: {', '.join(urls[:3])}" + (
        f" (+{len(urls) - 3} more)" if len(urls) > 3 else ""
    )
    tool.status, tool.updated_at = "candidate", at
    _decide(
        session,
        tool,
        "reopen",
        actor,
        reason,
        at,
        {
            "documents": sorted({c.document_id for c, _ in fresh}),
            "source_kinds": kinds,
            "rejected_by": rejection.actor if rejection else None,
            "rejection_reason": rejection.reason if rejection else None,
        },
    )
