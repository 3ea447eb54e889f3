"""The baseline for bench/read_api.py: a trivial FastAPI app that answers each URL
with a body precomputed from toolwatch's own answers (same bytes, same ETag, a 304
for a matching If-None-Match). It measures what the server stack alone costs.

Run by uvicorn: `uvicorn trivial_app:create_app --factory`, with
`TRIVIAL_BODIES` naming a pickle of {path?query: (body, etag)}.
"""

from __future__ import annotations

import os
import pickle

from fastapi import FastAPI, Request, Response


def create_app() -> FastAPI:
    with open(os.environ["TRIVIAL_BODIES"], "rb") as handle:
        bodies: dict[str, tuple[bytes, str]] = pickle.load(handle)
    app = FastAPI()

    @app.get("/{path:path}")
    async def answer(request: Request, path: str) -> Response:
        key = request.url.path + ("?" + request.url.query if request.url.query else "")
        found = bodies.get(key)
        if found is None:
            return Response(status_code=404)
        body, etag = found
        headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    return app
