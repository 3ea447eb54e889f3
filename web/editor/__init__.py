"""The editors' web UI: login, the candidates queue, a tool's claims and decisions,
the review queue and a tool's history. Server-rendered (Jinja2), a little JS.

`install(app)` adds it to the app `web.app.create_app` builds: the signed session
cookie (Starlette `SessionMiddleware`, on the UI's paths only, key `app.state.secret_key`, SameSite=Lax,
`https_only` from the argument or `$TOOLWATCH_HTTPS_ONLY`), `/static`, the routes
and the handlers that turn "not logged in" and "bad CSRF token" into pages.

Security (see `web.editor.security`): every page but `/login` and `/static` needs a
logged-in editor; every POST carries the session's CSRF token (403 otherwise); the
session is renewed at login; scraped text is only ever rendered escaped, and only
http(s) URLs become links; pages are sent with a strict Content-Security-Policy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from web.api import is_public_path
from web.editor import copy_page, queue, routes, security, sources, tool_page

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "toolwatch_session"
SESSION_MAX_AGE = 12 * 3600  # an editor logs in again after 12 hours


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


class EditorSessions:
    """Starlette's signed-cookie sessions for the editors' UI only: a read API request
    neither reads nor sets the session cookie."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.app = app
        self.sessions = SessionMiddleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not is_public_path(scope.get("path", "")):
            await self.sessions(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI, *, https_only: bool | None = None) -> None:
    """Add the editor UI to `app` (which has `state.secret_key`; `state.store` is set
    by the app's lifespan). `https_only` marks the session cookie Secure (default:
    `$TOOLWATCH_HTTPS_ONLY`); use it whenever the UI is served over HTTPS."""
    secure = _env_flag("TOOLWATCH_HTTPS_ONLY") if https_only is None else https_only
    app.add_middleware(
        EditorSessions,
        secret_key=app.state.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=secure,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(security.LoginRequired, routes.login_required_handler)
    app.add_exception_handler(security.CsrfFailed, routes.csrf_failed_handler)
    app.include_router(queue.router)
    app.include_router(routes.router)
    app.include_router(sources.router)
    app.include_router(tool_page.router)
    app.include_router(copy_page.router)


__all__ = ["install"]
