"""The FastAPI application behind `toolwatch serve`.

One app serves the public read API (`/api/v1`, published data only, no login)
and the editors' UI (`/`, login required). Both talk to `storage.Store` only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from storage.db import default_db_url
from storage.store import Store


def create_app(db_url: str | None = None, *, secret_key: str | None = None) -> FastAPI:
    """Build the app for one database. `secret_key` signs editor sessions; without
    one (and without $TOOLWATCH_SECRET_KEY) a random key is made, so sessions end
    when the server restarts."""
    url = db_url or default_db_url()
    key = secret_key or os.environ.get("TOOLWATCH_SECRET_KEY") or secrets.token_urlsafe(32)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = Store(url)
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
    _mount(app)
    return app


def _mount(app: FastAPI) -> None:
    """Attach the API and the editor UI (each lives in its own module)."""
    from web import api, editor, metrics

    app.include_router(api.router)
    editor.install(app)
    metrics.install(app)
