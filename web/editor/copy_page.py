"""Editorial copy: the words a comparison page shows (best-for line, description,
category, an editor's short verdict), written or accepted by an editor, with a
preview of the downstream decision table of this tool beside another one.

Saving sets an override for each field the editor changed (one path for every
change: who, why and when go to the history; on a published tool the change is
published at once). Fields left as the sources say stay with the sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from normalizer.models import ToolRecord
from normalizer.taxonomy import rules
from storage.compare import decision_table
from storage.errors import EditorialError
from storage.store import Store
from web.editor import security
from web.editor.render import render
from web.editor.tool_page import tool_url

router = APIRouter(include_in_schema=False)
Editor = Annotated[str, Depends(security.require_editor)]
Poster = Annotated[str, Depends(security.editor_post)]
Text = Annotated[str, Form()]

COPY_FIELDS = ("tagline", "description", "category", "verdict")
LABELS = {
    "tagline": "Best for (one line)",
    "description": "Description",
    "category": "Category",
    "verdict": "Verdict (short, the editors' own words)",
}
MAX_LENGTH = {"tagline": 200, "description": 4000, "category": 80, "verdict": 400}


def copy_form(
    tagline: Text = "", description: Text = "", category: Text = "", verdict: Text = ""
) -> dict[str, str]:
    """The copy fields of a posted form."""
    return {
        "tagline": tagline,
        "description": description,
        "category": category,
        "verdict": verdict,
    }


Copy = Annotated[dict[str, str], Depends(copy_form)]


def _draft(record: ToolRecord, params: Any) -> dict[str, str]:
    """The copy being edited: the request's values where given, else the record's."""
    return {
        f: str(params[f]).strip()[: MAX_LENGTH[f]] if f in params else (getattr(record, f) or "")
        for f in COPY_FIELDS
    }


def _comparable(store: Store, slug: str) -> list[tuple[str, str]]:
    """Tools to preview beside this one: published first, then the rest, by name."""
    rows = [t for t in store.list_tools() if t.slug != slug and t.status != "merged"]
    rows.sort(key=lambda t: (t.status != "published", t.name.casefold()))
    return [(t.slug, f"{t.name} ({t.status})") for t in rows]


def _record_for(store: Store, slug: str) -> tuple[Any, str] | None:
    """What a comparison page would show for `slug`: the published record if there is
    one, else the live resolution (labelled with its status)."""
    published = store.published(slug)
    if published is not None:
        return published.record, "published"
    resolved = store.resolve(slug)
    return (resolved.record, resolved.status) if resolved else None


@router.get("/tools/{slug}/copy")
def copy_page(request: Request, slug: str, editor: Editor, other: str = "") -> Response:
    return _page(request, slug, {}, other)


@router.post("/tools/{slug}/copy/preview")
def preview_copy(
    request: Request, slug: str, editor: Poster, form: Copy, other: Text = ""
) -> Response:
    """The page again with the draft in the preview; nothing is saved."""
    return _page(request, slug, form, other)


def _page(request: Request, slug: str, params: dict[str, str], other: str) -> Response:
    from web.editor.routes import not_found

    store: Store = request.app.state.store
    resolved = store.resolve(slug)
    if resolved is None:
        return not_found(request, slug)
    draft = _draft(resolved.record, params)
    choices = _comparable(store, slug)
    other = other or (choices[0][0] if choices else "")
    previewed = resolved.record.model_copy(update={f: draft[f] or None for f in COPY_FIELDS})
    beside = _record_for(store, other) if other else None
    tools = [(previewed, resolved.status)] + ([beside] if beside else [])
    table = decision_table(tools)
    return render(
        request,
        "copy.html",
        {
            "tool": resolved,
            "draft": draft,
            "labels": LABELS,
            "fields": COPY_FIELDS,
            "limits": MAX_LENGTH,
            "categories": sorted({r.category for r in rules()}, key=str.casefold),
            "choices": choices,
            "other": other,
            "table": table,
            "verdicts": [draft["verdict"], (beside[0].verdict if beside else None)],
            "overridden": {o.field for o in resolved.overrides},
        },
    )


@router.post("/tools/{slug}/copy")
def save_copy(
    request: Request, slug: str, editor: Poster, form: Copy, reason: Text = ""
) -> Response:
    from web.editor.routes import see_other

    store: Store = request.app.state.store
    resolved = store.resolve(slug)
    if resolved is None:
        security.flash(request, f"no tool {slug!r}", "error")
        return see_other("/")
    draft = _draft(resolved.record, form)
    changed = [f for f in COPY_FIELDS if draft[f] != (getattr(resolved.record, f) or "")]
    if not changed:
        security.flash(request, "The copy is as the sources (and overrides) say: nothing to save.")
        return see_other(tool_url(slug, "/copy"))
    why = reason.strip()
    if not why:
        security.flash(request, "Say why (kept in the history with the copy).", "error")
        return see_other(tool_url(slug, "/copy"))
    try:
        for field in changed:
            store.override(slug, field, draft[field] or None, editor, f"copy: {why}")
    except EditorialError as exc:
        security.flash(request, str(exc), "error")
        return see_other(tool_url(slug, "/copy"))
    security.flash(request, f"Copy saved: {', '.join(changed)} (reason kept in the history).")
    return see_other(tool_url(slug, "/copy"))
