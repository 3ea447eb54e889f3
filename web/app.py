"""The FastAPI application behind `toolwatch serve`.

One app serves the public read API (`/api/v1`, published data only, no login),
`/healthz`, and the editors' UI (`/`, login required). All talk to `storage.Store`.

Settings (arguments of `create_app`, else the environment):

- `TOOLWATCH_DB`: the database URL.
- `TOOLWATCH_SECRET_KEY`: signs editor sessions (random at start without it, so
  sessions end with the server; several workers need the same key: `toolwatch
  serve --workers N` makes one for all of them).
- `TOOLWATCH_CORS_ORIGINS`: comma-separated origins allowed to read the API from a
  browser (`*` for any); unset, no CORS headers are sent. Never applies to the UI.
- `TOOLWATCH_API_MAX_AGE`: seconds caches may serve an API answer without
  revalidating (`Cache-Control: public, max-age=N`); default 0: `public, no-cache`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from storage.catalog import snapshot_engine, statement_engine
from storage.db import default_db_url, pool_size
from storage.store import Store
from web.api import is_public_path


class ApiCORS:
    """CORS for the read API and `/healthz` only: the editors' UI never answers a
    cross-origin read."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "HEAD"],
            allow_headers=["If-None-Match", "If-Modified-Since"],
            expose_headers=["ETag", "Last-Modified"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public_path(scope.get("path", "")):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _origins(value: str | None) -> list[str]:
    return [o.strip() for o in (value or "").split(",") if o.strip()]


def cache_control(max_age: int) -> str:
    return f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"


def create_app(
    db_url: str | None = None,
    *,
    secret_key: str | None = None,
    cors_origins: Sequence[str] | None = None,
    max_age: int | None = None,
) -> FastAPI:
    """Build the app for one database (see the module docstring for the settings)."""
    url = db_url or default_db_url()
    key = secret_key or os.environ.get("TOOLWATCH_SECRET_KEY") or secrets.token_urlsafe(32)
    origins = (
        list(cors_origins)
        if cors_origins is not None
        else _origins(os.environ.get("TOOLWATCH_CORS_ORIGINS"))
    )
    age = max_age if max_age is not None else int(os.environ.get("TOOLWATCH_API_MAX_AGE") or 0)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # blocking handlers run on threads, each holding a pooled connection: as many
        # threads as the pool keeps, so that none opens a connection per request (more
        # threads than that only contend for the interpreter lock)
        anyio.to_thread.current_default_thread_limiter().total_tokens = pool_size()
        app.state.store = Store(url)
        app.state.api_engine = snapshot_engine(app.state.store.engine)
        app.state.api_rows = statement_engine(app.state.store.engine)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="toolwatch",
        version="1",
        summary="A reviewed catalog of AI models: every value with its source.",
        lifespan=lifespan,
    )
    app.state.secret_key = key
    app.state.api_cache_control = cache_control(age)
    if origins:
        app.add_middleware(ApiCORS, origins=origins)
    _mount(app)
    return app


def _mount(app: FastAPI) -> None:
    """Attach the API and the editor UI (each lives in its own module)."""
    from web import api, editor, metrics

    app.include_router(api.router)
    app.include_router(api.health)
    editor.install(app)
    metrics.install(app)
