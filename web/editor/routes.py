"""Routes of the editor UI. Every page needs a logged-in editor (`require_editor`),
every state change is a POST with the session's CSRF token (`editor_post`); Store
refusals (`EditorialError`) come back as flash messages on the page."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from rapidfuzz import fuzz, process
from starlette.responses import Response

from normalizer.models import DocKind
from storage.errors import EditorialError, ToolNotFound
from storage.overrides import OVERRIDABLE_FIELDS
from storage.resolve import RECORD_FIELDS
from storage.store import Store
from storage.views import ResolvedTool
from web.editor import security
from web.editor.render import render

router = APIRouter(include_in_schema=False)
throttle = security.LoginThrottle()

Editor = Annotated[str, Depends(security.require_editor)]
Poster = Annotated[str, Depends(security.editor_post)]
Text = Annotated[str, Form()]

SOURCE_KINDS = [k.value for k in DocKind]
MERGE_TARGET_STATUSES = ("candidate", "published")
MAX_PASSWORD_LENGTH = 1024


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def tool_url(slug: str, suffix: str = "") -> str:
    return f"/tools/{quote(slug, safe='')}{suffix}"


# errors --------------------------------------------------------------------------------


def login_required_handler(request: Request, _exc: Exception) -> Response:
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other("/login?" + urlencode({"next": target}))
    return render(
        request,
        "message.html",
        {"title": "Login required", "message": "Log in to make changes."},
        status_code=401,
    )


def csrf_failed_handler(request: Request, _exc: Exception) -> Response:
    return render(
        request,
        "message.html",
        {
            "title": "Form expired",
            "message": "This form is not valid for your session (missing or wrong CSRF "
            "token). Nothing was changed. Reload the page and try again.",
        },
        status_code=403,
    )


def not_found(request: Request, slug: str) -> Response:
    return render(
        request,
        "message.html",
        {"title": "Not found", "message": f"No tool {slug!r}."},
        status_code=404,
    )


# login ---------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if security.current_editor(request):
        return see_other(security.safe_next(next))
    return render(request, "login.html", {"next": security.safe_next(next), "name": ""})


@router.post("/login")
def login(
    request: Request,
    name: Text = "",
    password: Text = "",
    next: Text = "/",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    security.check_csrf(request, csrf_token)
    client = request.client.host if request.client else "unknown"
    context = {"next": security.safe_next(next), "name": name}
    if throttle.blocked(client):
        security.flash(request, "Too many failed logins; wait a few minutes.", "error")
        return render(request, "login.html", context, status_code=429)
    if (
        not name
        or not password
        or len(password) > MAX_PASSWORD_LENGTH  # argon2 of megabytes is a DoS, not a login
        or not store_of(request).verify_editor(name, password)
    ):
        throttle.failed(client)
        security.flash(request, "Wrong name or password.", "error")
        return render(request, "login.html", context, status_code=401)
    throttle.succeeded(client)
    security.log_in(request, name)
    return see_other(security.safe_next(next))


@router.get("/logout")
def logout_page(request: Request, editor: Editor) -> Response:
    return render(request, "logout.html")


@router.post("/logout")
def logout(request: Request, editor: Poster) -> Response:
    security.log_out(request)
    security.flash(request, "Logged out.")
    return see_other("/login")


# queue and tools -----------------------------------------------------------------------


def _tristate(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").lower())


@router.get("/")
def queue(
    request: Request,
    editor: Editor,
    source_kind: str = "",
    vendor: str = "",
    conflicts: str = "",
    reopened: str = "",
) -> Response:
    store = store_of(request)
    filters: dict[str, Any] = {
        "source_kind": source_kind or None,
        "vendor": vendor or None,
        "conflicts": _tristate(conflicts),
        "reopened": _tristate(reopened),
    }
    filtered = any(v is not None for v in filters.values())
    everything = store.candidates()
    shown = store.candidates(**filters) if filtered else everything
    vendors = sorted({c.vendor for c in everything if c.vendor}, key=str.casefold)
    return render(
        request,
        "queue.html",
        {
            "nav": "queue",
            "candidates": shown,
            "total": len(everything),
            "filtered": filtered,
            "vendors": vendors,
            "source_kinds": SOURCE_KINDS,
            "f": {
                "source_kind": source_kind,
                "vendor": vendor,
                "conflicts": conflicts,
                "reopened": reopened,
            },
        },
    )


@router.get("/tools")
def tools(request: Request, editor: Editor, status: str = "") -> Response:
    rows = store_of(request).list_tools(status or None)
    return render(
        request,
        "tools.html",
        {
            "nav": "tools",
            "tools": rows,
            "status": status,
            "statuses": ["candidate", "published", "rejected", "merged"],
        },
    )


def fuzzy_targets(store: Store, slug: str, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Tools a duplicate could be merged into whose name or slug is like `query`."""
    names = {
        t.slug: t
        for t in store.list_tools()
        if t.slug != slug and t.status in MERGE_TARGET_STATUSES
    }
    choices = {key: f"{t.name} {key}" for key, t in names.items()}
    found = process.extract(
        query, choices, scorer=fuzz.WRatio, processor=str.casefold, limit=limit, score_cutoff=50
    )
    return [
        {"slug": key, "name": names[key].name, "status": names[key].status, "score": score}
        for _text, score, key in found
    ]


def _claims_by_field(resolved: ResolvedTool) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for claim in sorted(resolved.claims, key=lambda c: c.observed_at, reverse=True):
        grouped[claim.field].append(claim)
    return grouped


def _jsonish(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@router.get("/tools/{slug}")
def tool_page(request: Request, slug: str, editor: Editor, q: str = "") -> Response:
    store = store_of(request)
    resolved = store.resolve(slug)
    if resolved is None:
        return not_found(request, slug)
    published = store.published(slug)
    record = resolved.record.model_dump(mode="json")
    published_record = published.record.model_dump(mode="json") if published else None
    grouped = _claims_by_field(resolved)
    conflicts = {c.field: c for c in resolved.conflicts}
    overrides = {o.field: o for o in resolved.overrides}
    rows = []
    for field in RECORD_FIELDS:
        claims = grouped.get(field, [])
        value = record.get(field)
        if not claims and field not in overrides and value in (None, [], {}):
            continue
        pub = published_record.get(field) if published_record is not None else None
        rows.append(
            {
                "field": field,
                "value": value,
                "published": pub,
                "published_differs": published_record is not None
                and _jsonish(pub) != _jsonish(value),
                "override": overrides.get(field),
                "conflict": conflicts.get(field),
                "claims": [
                    {"claim": c, "agrees": _jsonish(c.value) == _jsonish(value)} for c in claims
                ],
            }
        )
    targets = fuzzy_targets(store, slug, q) if q.strip() else []
    suggested = [m for m in resolved.suggested_matches if m.slug != slug]
    reviews = store.review_queue(status="pending", slug=slug)
    return render(
        request,
        "tool.html",
        {
            "nav": "",
            "tool": resolved,
            "rows": rows,
            "q": q,
            "targets": targets,
            "suggested": suggested,
            "reviews": reviews,
            "overridable": OVERRIDABLE_FIELDS,
            "current_values": {f: record.get(f) for f in OVERRIDABLE_FIELDS},
            "published": published,
        },
    )


@router.get("/tools/{slug}/history")
def history_page(request: Request, slug: str, editor: Editor) -> Response:
    store = store_of(request)
    resolved = store.resolve(slug)
    if resolved is None:
        return not_found(request, slug)
    return render(
        request,
        "history.html",
        {
            "tool": resolved,
            "changes": list(reversed(store.history(slug))),
            "decisions": list(reversed(store.decisions(slug))),
        },
    )


# decisions -----------------------------------------------------------------------------


def _act(
    request: Request,
    done: str | Callable[[Any], str],
    back: str,
    action: Callable[[], Any],
    *,
    back_on_error: str | None = None,
) -> Response:
    """Run a Store action, flash `done` (or `done(result)`) and go to `back`; a
    refusal (`EditorialError`) becomes an error flash instead."""
    try:
        result = action()
    except ToolNotFound as exc:
        security.flash(request, str(exc), "error")
        return see_other("/")
    except EditorialError as exc:
        security.flash(request, str(exc), "error")
        return see_other(back_on_error or back)
    security.flash(request, done(result) if callable(done) else done)
    return see_other(back)


@router.post("/tools/{slug}/accept")
def accept(request: Request, slug: str, editor: Poster, reason: Text = "") -> Response:
    return _act(
        request,
        f"Published {slug}.",
        tool_url(slug),
        lambda: store_of(request).accept(slug, editor, reason.strip()),
    )


@router.post("/tools/{slug}/reject")
def reject(request: Request, slug: str, editor: Poster, reason: Text = "") -> Response:
    return _act(
        request,
        f"Rejected {slug}.",
        tool_url(slug),
        lambda: store_of(request).reject(slug, editor, reason.strip()),
    )


@router.post("/tools/{slug}/merge")
def merge(
    request: Request, slug: str, editor: Poster, into: Text = "", reason: Text = ""
) -> Response:
    target = into.strip()
    if not target:
        security.flash(request, "Choose the tool to merge into.", "error")
        return see_other(tool_url(slug))
    store = store_of(request)
    target = store.tool_slug_for(target) or target
    return _act(
        request,
        f"Merged {slug} into {target}.",
        tool_url(target),
        lambda: store.merge(slug, target, editor, reason.strip()),
        back_on_error=tool_url(slug),
    )


@router.post("/tools/{slug}/unmerge")
def unmerge(request: Request, slug: str, editor: Poster, reason: Text = "") -> Response:
    return _act(
        request,
        f"Unmerged {slug}.",
        tool_url(slug),
        lambda: store_of(request).unmerge(slug, editor, reason.strip()),
    )


def parse_value(text: str, mode: str) -> Any:
    """`json`: the text must be JSON; `text`: the text itself; `auto`: JSON when it
    parses as JSON, else the text (as `toolwatch override` does)."""
    if mode == "text":
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if mode == "json":
            raise EditorialError(f"the value is not valid JSON: {exc.msg}") from exc
        return text


@router.post("/tools/{slug}/override")
def override(
    request: Request,
    slug: str,
    editor: Poster,
    field: Text = "",
    value: Text = "",
    mode: Text = "auto",
    reason: Text = "",
) -> Response:
    def run() -> Any:
        return store_of(request).override(
            slug, field, parse_value(value.strip(), mode), editor, reason.strip()
        )

    return _act(
        request, f"Override set: {field} (reason kept in the history).", tool_url(slug), run
    )


@router.post("/tools/{slug}/clear-override")
def clear_override(
    request: Request, slug: str, editor: Poster, field: Text = "", reason: Text = ""
) -> Response:
    def run() -> bool:
        return store_of(request).clear_override(slug, field, editor, reason.strip())

    def done(cleared: bool) -> str:
        return f"Override of {field} {'cleared' if cleared else 'was not set'}."

    return _act(request, done, tool_url(slug), run)


# review --------------------------------------------------------------------------------


@router.get("/review")
def review_page(request: Request, editor: Editor, kind: str = "") -> Response:
    store = store_of(request)
    pending = store.review_queue(status="pending", kind=kind or None)
    decided = [i for i in store.review_queue(status=None) if i.status != "pending"]
    decided.sort(key=lambda i: i.decided_at or i.updated_at, reverse=True)
    return render(
        request,
        "review.html",
        {"nav": "review", "items": pending, "decided": decided[:20], "kind": kind},
    )


def _decide(request: Request, item_id: int, accept_it: bool, editor: str, note: str) -> Response:
    verb = "accepted" if accept_it else "rejected"
    return _act(
        request,
        f"Review #{item_id} {verb}.",
        "/review",
        lambda: store_of(request).decide_review(item_id, accept_it, editor, note.strip()),
    )


@router.post("/review/{item_id}/accept")
def review_accept(request: Request, item_id: int, editor: Poster, note: Text = "") -> Response:
    return _decide(request, item_id, True, editor, note)


@router.post("/review/{item_id}/reject")
def review_reject(request: Request, item_id: int, editor: Poster, note: Text = "") -> Response:
    return _decide(request, item_id, False, editor, note)
