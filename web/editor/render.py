"""Templates and the filters that show scraped values safely.

Everything a source said is untrusted text: autoescaping is on for every template,
values are shown as text (never `|safe`), and only http(s) URLs become links.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from web.editor import security
from web.editor.format import FILTERS

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def http_url(value: Any) -> str | None:
    """The URL if it is an absolute http(s) URL, else None (no javascript:, data:...)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def show(value: Any, width: int | None = None) -> str:
    """A value as one line of text: strings as they are, the rest as compact JSON
    (None members of objects dropped); `width` shortens it."""
    if value is None:
        text = "—"
    elif isinstance(value, str):
        text = value
    else:
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
        text = json.dumps(value, ensure_ascii=False, default=str)
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def pretty(value: Any) -> str:
    """Indented JSON for the override editor (strings too, so they round-trip)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value[:16].replace("T", " ")
    return value.strftime("%Y-%m-%d %H:%M")


def short_url(value: str, width: int = 60) -> str:
    text = value.split("://", 1)[-1]
    return text if len(text) <= width else text[: width - 1] + "…"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(show=show, pretty=pretty, when=when, http_url=http_url, short_url=short_url)
    env.filters.update(FILTERS)
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """Render `editor/<name>` with what every page needs: the editor, the CSRF
    token, flash messages, the number of pending review items."""
    ctx: dict[str, Any] = {
        "editor": security.current_editor(request),
        "csrf_field": security.CSRF_FIELD,
        "csrf_token": security.csrf_token(request),
        "flashes": security.pop_flashes(request),
        "pending_reviews": None,
        "nav": "",
    }
    if ctx["editor"]:
        store = request.app.state.store
        ctx["pending_reviews"] = len(store.review_queue(status="pending"))
    ctx.update(context or {})
    response = templates.TemplateResponse(request, f"editor/{name}", ctx, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
