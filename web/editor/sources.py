"""The Sources page: every watched source with its schedule, last and next run,
health and errors, for the operator who wonders whether the crawls are alive."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.editor.render import render
from web.editor.routes import Editor, store_of

router = APIRouter(include_in_schema=False)


@router.get("/sources")
def sources_page(request: Request, editor: Editor) -> Response:
    from crawler.schedule import source_status
    from crawler.sources import SourcesError, load_sources
    from storage import runs

    path = Path(
        getattr(request.app.state, "sources_path", None)
        or os.environ.get("TOOLWATCH_SOURCES", "sources.toml")
    )
    store = store_of(request)
    problem = None
    rows: list[dict[str, object]] = []
    with store.transaction() as session:
        try:
            watchlist = load_sources(path)
        except SourcesError as exc:
            problem = str(exc)
        else:
            rows = source_status(watchlist, str(store.engine.url.render_as_string(False)), session)
        errors = runs.error_groups(session, limit=2000)[:15]
    return render(
        request,
        "sources.html",
        {"nav": "sources", "rows": rows, "errors": errors, "path": str(path), "problem": problem},
    )
