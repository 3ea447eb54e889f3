"""Routes of the editor UI. Every page needs a logged-in editor (`require_editor`),
every state change is a POST with the session's CSRF token (`editor_post`); Store
refusals (`EditorialError`) come back as flash messages on the page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from rapidfuzz import fuzz, process
from starlette.responses import Response

from storage.errors import EditorialError, ToolNotFound
from storage.store import Store
from web.editor import security
from web.editor.render import render

router = APIRouter(include_in_schema=False)
throttle = security.LoginThrottle()

Editor = Annotated[str, Depends(security.require_editor)]
Poster = Annotated[str, Depends(security.editor_post)]
Text = Annotated[str, Form()]

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


def _then(slug: str, next_url: str) -> str:
    """Where to go after a decision: `next` (the next item, or the queue) when the form
    names one, else back to the tool."""
    return security.safe_next(next_url) if next_url.strip() else tool_url(slug)


@router.post("/tools/{slug}/accept")
def accept(
    request: Request, slug: str, editor: Poster, reason: Text = "", next: Text = ""
) -> Response:
    return _act(
        request,
        f"Published {slug}.",
        _then(slug, next),
        lambda: store_of(request).accept(slug, editor, reason.strip()),
        back_on_error=tool_url(slug),
    )


@router.post("/tools/{slug}/reject")
def reject(
    request: Request, slug: str, editor: Poster, reason: Text = "", next: Text = ""
) -> Response:
    return _act(
        request,
        f"Rejected {slug}.",
        _then(slug, next),
        lambda: store_of(request).reject(slug, editor, reason.strip()),
        back_on_error=tool_url(slug),
    )


@router.post("/tools/{slug}/withdraw")
def withdraw(request: Request, slug: str, editor: Poster, reason: Text = "") -> Response:
    return _act(
        request,
        f"Withdrew {slug}: it is no longer published.",
        tool_url(slug),
        lambda: store_of(request).withdraw(slug, editor, reason.strip()),
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
