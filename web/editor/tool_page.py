"""A tool's page (its record at a glance: formatted values, where each came from,
claims folded by field) and its history (changes to published data and every
editor decision, in words)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from storage.overrides import OVERRIDABLE_FIELDS
from storage.provenance import field_source
from storage.resolve import RECORD_FIELDS
from storage.store import Store
from storage.views import DecisionView, ResolvedTool
from web.editor import queue, security
from web.editor.render import render

router = APIRouter(include_in_schema=False)
Editor = Annotated[str, Depends(security.require_editor)]

FIELD_LABELS = {
    "source_id": "HF repo",
    "tagline": "best for",
    "context_length": "context",
    "release_date": "released",
    "base_model_relation": "relation to base",
    "open_weights": "open weights",
    "verdict": "verdict",
}
DECISION_WORDS = {
    "accept": "published",
    "reject": "rejected",
    "withdraw": "withdrawn (unpublished)",
    "merge": "merged",
    "unmerge": "unmerged",
    "reopen": "reopened by new evidence",
    "override": "override set",
    "clear-override": "override cleared",
    "review-accept": "review accepted",
    "review-reject": "review rejected",
}


def tool_url(slug: str, suffix: str = "") -> str:
    return f"/tools/{quote(slug, safe='')}{suffix}"


def _jsonish(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _claims_by_field(resolved: ResolvedTool) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for claim in sorted(resolved.claims, key=lambda c: c.observed_at, reverse=True):
        grouped[claim.field].append(claim)
    return grouped


def withdrawn(decisions: list[DecisionView]) -> bool:
    """A rejected tool whose last lifecycle step was a withdrawal (it was published)."""
    lifecycle = [d for d in decisions if d.action in ("accept", "reject", "withdraw", "reopen")]
    return bool(lifecycle) and lifecycle[-1].action == "withdraw"


def _rows(resolved: ResolvedTool, published: Any) -> list[dict[str, Any]]:
    record = resolved.record.model_dump(mode="json")
    published_record = published.record.model_dump(mode="json") if published else None
    grouped = _claims_by_field(resolved)
    conflicts = {c.field: c for c in resolved.conflicts}
    overrides = {o.field: o for o in resolved.overrides}
    rows = []
    for field in RECORD_FIELDS:
        if field == "slug":  # the page's heading shows it
            continue
        claims = grouped.get(field, [])
        value = record.get(field)
        if not claims and field not in overrides and value in (None, [], {}):
            continue
        pub = published_record.get(field) if published_record is not None else None
        agreeing = sum(_jsonish(c.value) == _jsonish(value) for c in claims)
        rows.append(
            {
                "field": field,
                "label": FIELD_LABELS.get(field, field.replace("_", " ")),
                "value": value,
                "source": field_source(resolved, field),
                "published": pub,
                "published_differs": published_record is not None
                and _jsonish(pub) != _jsonish(value),
                "override": overrides.get(field),
                "rule": getattr(resolved.record.provenance.get(field), "rule", None),
                "conflict": conflicts.get(field),
                "agreeing": agreeing,
                "claims": [
                    {"claim": c, "agrees": _jsonish(c.value) == _jsonish(value)} for c in claims
                ],
            }
        )
    return rows


def _next_item(store: Store, request: Request, slug: str) -> tuple[str, str | None]:
    """(where to go after deciding this candidate, the next candidate's slug): the
    next row of the queue the editor came from (`from` keeps its filters and sort)."""
    origin = request.query_params.get("from", "")
    query = queue.parse_query(dict(parse_qsl(origin)))
    following = queue.next_after(store.candidates(), query, slug)
    back = query.url()
    if following is None:
        return back, None
    params = query.params()
    return tool_url(following) + (f"?from={quote(urlencode(params))}" if params else ""), following


@router.get("/tools/{slug}")
def tool_page(request: Request, slug: str, editor: Editor, q: str = "") -> Response:
    from web.editor.routes import fuzzy_targets, not_found

    store: Store = request.app.state.store
    resolved = store.resolve(slug)
    if resolved is None:
        return not_found(request, slug)
    published = store.published(slug)
    record = resolved.record.model_dump(mode="json")
    next_url, next_slug = (
        _next_item(store, request, slug) if resolved.status == "candidate" else ("", None)
    )
    targets = fuzzy_targets(store, slug, q) if q.strip() else []
    return render(
        request,
        "tool.html",
        {
            "nav": "",
            "tool": resolved,
            "withdrawn": withdrawn(store.decisions(slug)),
            "rows": _rows(resolved, published),
            "q": q,
            "targets": targets,
            "suggested": [m for m in resolved.suggested_matches if m.slug != slug],
            "reviews": store.review_queue(status="pending", slug=slug),
            "overridable": OVERRIDABLE_FIELDS,
            "current_values": {f: record.get(f) for f in OVERRIDABLE_FIELDS},
            "published": published,
            "next_url": next_url,
            "next_slug": next_slug,
        },
    )


@router.get("/tools/{slug}/history")
def history_page(request: Request, slug: str, editor: Editor) -> Response:
    from web.editor.routes import not_found

    store: Store = request.app.state.store
    resolved = store.resolve(slug)
    if resolved is None:
        return not_found(request, slug)
    decisions = store.decisions(slug)
    return render(
        request,
        "history.html",
        {
            "tool": resolved,
            "withdrawn": withdrawn(decisions),
            "changes": list(reversed(store.history(slug))),
            "decisions": list(reversed(decisions)),
            "words": DECISION_WORDS,
        },
    )
