"""Sessions, login, CSRF and login throttling for the editor UI.

- The session is Starlette's signed cookie (itsdangerous, `app.state.secret_key`):
  `editor` (the logged-in name), `sv` (the editor's session version when it was
  made), `sid` (a random id: a new cookie at every login), `csrf` (this session's
  token), `flash` (messages for the next page). Its content is signed, not secret:
  no password ever goes in.
- Revocation: every request compares `sv` with the editor's session version in the
  database. Logging out and changing the password raise it, so every cookie signed
  before -- a copy saved earlier, another browser of the same editor -- stops
  working at once, not when it expires.
- CSRF: every form carries `csrf_token`; a POST whose token does not equal the
  session's (constant-time compare) is refused with 403 before anything runs.
  The login form has one too (no login CSRF); logging in renews the session
  (no fixation).
- `next` after login is a local path only (no open redirect).
- Failed logins per client address are counted; too many in a window → 429 without
  even checking the password (argon2 is slow on purpose; this bounds guessing).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Annotated, Any

from fastapi import Form, Request

CSRF_FIELD = "csrf_token"
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_FAILURES = 10


class LoginRequired(Exception):
    """No editor is logged in (pages redirect to /login, other methods get 401)."""


class CsrfFailed(Exception):
    """The form's CSRF token is missing or not this session's (403)."""


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not submitted
        or not secrets.compare_digest(expected.encode(), submitted.encode())
    ):
        raise CsrfFailed()


def _store(request: Request) -> Any:
    return request.app.state.store


def current_editor(request: Request) -> str | None:
    """The logged-in editor, if the session is still valid (its version is current)."""
    name = request.session.get("editor")
    version = request.session.get("sv")
    if not isinstance(name, str) or not name or not isinstance(version, int):
        return None
    if _store(request).editor_session_version(name) != version:
        request.session.clear()  # revoked (logout, new password) or editor gone
        return None
    return name


def require_editor(request: Request) -> str:
    """Dependency of every page: the logged-in editor's name."""
    name = current_editor(request)
    if name is None:
        raise LoginRequired()
    return name


def editor_post(
    request: Request, csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None
) -> str:
    """Dependency of every state-changing route: logged in (else 401), and the
    form's CSRF token is this session's (else 403). Returns the editor's name."""
    name = require_editor(request)
    check_csrf(request, csrf_token)
    return name


def log_in(request: Request, name: str) -> None:
    """A fresh session for `name`: new id and CSRF token, nothing carried over."""
    version = _store(request).editor_session_version(name)
    request.session.clear()
    request.session["editor"] = name
    request.session["sv"] = version if version is not None else -1
    request.session["sid"] = secrets.token_urlsafe(16)
    request.session["csrf"] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    """End this editor's sessions everywhere: every cookie signed so far is void."""
    name = current_editor(request)
    if name is not None:
        _store(request).end_editor_sessions(name)
    request.session.clear()


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else becomes `/`."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target


def flash(request: Request, message: str, level: str = "ok") -> None:
    messages = list(request.session.get("flash") or [])
    messages.append([level, message[:500]])
    request.session["flash"] = messages[-5:]


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    messages = request.session.pop("flash", None) or []
    return [(str(level), str(text)) for level, text in messages]


class LoginThrottle:
    """Failed logins per client in a sliding window (in memory, per process)."""

    def __init__(
        self, max_failures: int = LOGIN_MAX_FAILURES, window: float = LOGIN_WINDOW_SECONDS
    ) -> None:
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures[client]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client, time.monotonic())) >= self.max_failures

    def failed(self, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(client, now).append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
