"""The public read API, `/api/v1`: published data only, no login.

    GET|HEAD /api/v1/tools              published tools, filtered, cursor-paginated
    GET|HEAD /api/v1/tools/{slug}       one published tool: fields, variants, aliases,
                                        prices per provider, links, provenance per field
    GET|HEAD /api/v1/compare?tools=a,b  the decision table of 2-5 published tools
    GET|HEAD /api/v1/changes?since=N    the change feed, for incremental sync
    GET|HEAD /healthz                   the database answers (for load balancers)

Everything is read through `storage.catalog` (the published documents built at
publish time), never through claims, overrides or review items: a candidate, a
rejected or merged tool and an unreviewed change are indistinguishable from
nothing at all. A tool asked for by another casing, its name or an alias of a
published tool is a 307 redirect to its slug.

Cursors: `/tools` pages are keyset-paginated on the slug; `next_cursor` is opaque
(base64url of the last slug: a position in slug order, so any well-formed cursor
is a valid position). `/changes` cursors are change ids: start from 0, or from an
export's `manifest.json` `version`, and pass back `next_cursor`.

Caching: every 200 carries a strong `ETag` and `Last-Modified`, both known before
any body is built (the stored document's sha256; the catalog version with the
filters, cursor and page size; the change-feed version), so `If-None-Match` (or,
without it, `If-Modified-Since`) is answered with a 304 after one indexed lookup.
`Cache-Control` is `public, no-cache` (caches keep answers and revalidate them,
which costs a 304) or `public, max-age=N` with `$TOOLWATCH_API_MAX_AGE=N`. Bodies
of 1 KiB or more are gzipped for clients that accept it (`Vary: Accept-Encoding`).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import text

from normalizer.models import LicenseTerms
from storage.catalog import (
    EXAMPLE_TOOL,
    MAX_ID,
    MAX_PAGE,
    PublicChange,
    PublicTool,
    Reader,
    StoredDoc,
    ToolFilters,
)
from storage.compare import DecisionTable, table_from_columns, tool_column

MAX_COMPARE = 5
GZIP_MIN_BYTES = 1024
LISTED_FIELDS: tuple[str, ...] = tuple(PublicTool.model_fields)
DEFAULT_LIST_FIELDS = tuple(f for f in LISTED_FIELDS if f != "provenance")
_FIELD = "(?:" + "|".join(LISTED_FIELDS) + ")"
FIELDS_PATTERN = f"^{_FIELD}(?:,{_FIELD})*$"
CURSOR_PATTERN = "^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"
"""base64url without padding (a length of 4n+1 is no base64)."""
COMPARE_PATTERN = f"^[^,]+(?:,[^,]+){{1,{MAX_COMPARE - 1}}}$"

Endpoint = Callable[..., Response]
router = APIRouter(prefix="/api/v1", tags=["read API"])


def is_public_path(path: str) -> bool:
    """Whether the public read API (or `/healthz`) answers `path`: no session, no
    login, CORS when configured."""
    return path.startswith("/api/") or path == "/healthz"


health = APIRouter(tags=["operations"])

ListedTool = create_model(  # type: ignore[call-overload]
    "ListedTool",
    __config__=ConfigDict(extra="forbid"),
    __doc__="A published tool in a list: the fields asked for (`fields`), slug always.",
    slug=(str, ...),
    **{
        name: (field.annotation | None, None)
        for name, field in PublicTool.model_fields.items()
        if name != "slug"
    },
)


class ToolPage(BaseModel):
    """One page of published tools, in slug order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [EXAMPLE_TOOL],
                    "next_cursor": "eyJhIjoibGxhbWEtMy4xLThiIiwiZiI6Int9In0",
                    "dataset_version": 1234,
                }
            ]
        },
    )

    items: list[ListedTool]  # type: ignore[valid-type]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    dataset_version: int = Field(description="The newest change id when this page was read.")


class ChangePage(BaseModel):
    """Changes to the published dataset after `since`, oldest first."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "changes": [
                        {
                            "id": 41,
                            "slug": "llama-3.1-8b",
                            "field": "_status",
                            "old": "unpublished",
                            "new": "published",
                            "at": "2025-01-10T08:00:00Z",
                        },
                        {
                            "id": 42,
                            "slug": "llama-3.1-8b",
                            "field": "context_length",
                            "old": None,
                            "new": 128000,
                            "at": "2025-01-10T08:00:00Z",
                        },
                    ],
                    "next_cursor": 42,
                    "has_more": False,
                }
            ]
        },
    )

    changes: list[PublicChange]
    next_cursor: int = Field(
        description="Pass as `since` next time (equals `since` when nothing is new)."
    )
    has_more: bool = Field(description="More changes are waiting: ask again at once.")


class Problem(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "Not Modified: the `If-None-Match` ETag (or `If-Modified-Since`) is current."
    },
}
REDIRECT = {307: {"description": "Another name of a published tool: `Location` has its slug."}}
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="An `ETag` from an earlier response: 304 when unchanged.",
    ),
]
IfModifiedSince = Annotated[
    str | None,
    Header(
        alias="If-Modified-Since",
        description="A `Last-Modified` from an earlier response (used without `If-None-Match`).",
    ),
]


class Health(BaseModel):
    status: str = Field(description="`ok`, or `unavailable` when the database does not answer.")
    dataset_version: int | None = None


def get_and_head(on: APIRouter, path: str, **kwargs: Any) -> Callable[[Endpoint], Endpoint]:
    """Register an endpoint for GET and HEAD (same headers, no body), each with
    its own OpenAPI operation."""

    def register(endpoint: Endpoint) -> Endpoint:
        name = endpoint.__name__
        on.add_api_route(path, endpoint, methods=["GET"], operation_id=name, **kwargs)
        on.add_api_route(path, endpoint, methods=["HEAD"], operation_id=f"{name}_head", **kwargs)
        return endpoint

    return register


# reading ------------------------------------------------------------------------------


@contextmanager
def reader(request: Request) -> Iterator[Reader]:
    """One read transaction on one snapshot (`catalog.snapshot_engine`)."""
    with request.app.state.api_engine.connect() as conn, conn.begin():
        yield Reader(conn)


@contextmanager
def row_reader(request: Request) -> Iterator[Reader]:
    """Reads each a snapshot of their own (`catalog.statement_engine`): for answers
    that one row decides."""
    with request.app.state.api_rows.connect() as conn:
        yield Reader(conn)


# caching ------------------------------------------------------------------------------


def version_tag(*parts: Any) -> str:
    """A strong ETag from the data's version and the request's parameters."""
    raw = json.dumps(parts, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _matches(header: str, tag: str) -> bool:
    if header.strip() == "*":
        return True
    for part in header.split(","):
        value = part.strip().removeprefix("W/").strip('"')
        if value == tag:
            return True
    return False


def _modified_since(header: str, last_modified: datetime | None) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return True
    if last_modified is None or since is None:
        return True
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) > since


def _headers(request: Request, tag: str, last_modified: datetime | None) -> dict[str, str]:
    headers = {
        "ETag": f'"{tag}"',
        "Cache-Control": request.app.state.api_cache_control,
        "Vary": "Accept-Encoding",
    }
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(
            last_modified.astimezone(UTC).replace(microsecond=0), usegmt=True
        )
    return headers


def not_modified(
    request: Request, tag: str, last_modified: datetime | None = None
) -> Response | None:
    """A 304 when the client's copy is current (`If-None-Match` first, else
    `If-Modified-Since`), decided before any body is built; else None."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        fresh = _matches(inm, tag)
    else:
        ims = request.headers.get("if-modified-since")
        fresh = ims is not None and not _modified_since(ims, last_modified)
    if not fresh:
        return None
    return Response(status_code=304, headers=_headers(request, tag, last_modified))


def send(
    request: Request, body: bytes | str, tag: str, last_modified: datetime | None = None
) -> Response:
    """A 200 with the body as JSON, its validators, gzipped if accepted and large."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = _headers(request, tag, last_modified)
    if len(data) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        data = gzip.compress(data, compresslevel=5)
        headers["Content-Encoding"] = "gzip"  # same ETag: no ranges are served
    return Response(data, media_type="application/json", headers=headers)


class _Cache:
    """A small LRU keyed by content hashes (an ETag): an entry can never be stale."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, build: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = build()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


COLUMNS = _Cache(20_000)
"""Each published document's decision-table column (sanitised once per version)."""
TABLES = _Cache(2048)
"""Decision tables by the ETags of their tools."""
PAGES = _Cache(1024)
"""Change-feed pages by their ETag (the feed's position, `since` and `limit`)."""


# cursors ------------------------------------------------------------------------------


def encode_cursor(after: str) -> str:
    return base64.urlsafe_b64encode(after.encode("utf-8")).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:  # the pattern keeps these out
        raise HTTPException(400, "invalid cursor") from exc
    return raw.decode("utf-8", "replace")


def _redirect(request: Request, path: str, **params: str) -> Response:
    query = dict(request.query_params) | params
    url = path + ("?" + urlencode(query) if query else "")
    return RedirectResponse(url, status_code=307, headers={"Cache-Control": "public, no-cache"})


# endpoints ----------------------------------------------------------------------------


@get_and_head(
    router,
    "/tools",
    response_model=ToolPage,
    summary="List published tools",
    responses=ERRORS,
)
def list_tools(
    request: Request,
    vendor: Annotated[
        str | None,
        Query(description="Vendor, case-insensitive.", examples=["Meta"], max_length=255),
    ] = None,
    task: Annotated[
        str | None,
        Query(
            description="Hugging Face pipeline tag.", examples=["text-generation"], max_length=255
        ),
    ] = None,
    license_terms: Annotated[
        LicenseTerms | None, Query(description="License terms.", examples=["permissive"])
    ] = None,
    open_weights: Annotated[
        bool | None, Query(description="Weights downloadable.", examples=[True])
    ] = None,
    category: Annotated[
        str | None,
        Query(
            description="Site category, case-insensitive.", examples=["Chat & Text"], max_length=255
        ),
    ] = None,
    fields: Annotated[
        str | None,
        Query(
            description="Comma-separated fields of each item (the slug always comes). "
            "Default: every field but `provenance`; add `provenance` to get it.",
            examples=["slug,name,license,pricing", "slug,provenance"],
            pattern=FIELDS_PATTERN,
            max_length=1024,
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            description="`next_cursor` of the previous page.",
            pattern=CURSOR_PATTERN,
            min_length=2,
            max_length=1400,
        ),
    ] = None,
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> Response:
    """Published tools in slug order, `limit` per page. Follow `next_cursor` until it
    is null: every tool published throughout the walk is returned exactly once, even
    while tools are published, changed or withdrawn between requests."""
    filters = ToolFilters(
        vendor=vendor,
        task=task,
        license_terms=license_terms,
        open_weights=open_weights,
        category=category,
    )
    chosen = tuple(dict.fromkeys(fields.split(","))) if fields else DEFAULT_LIST_FIELDS
    after = decode_cursor(cursor) if cursor else None
    with reader(request) as read:
        state = read.state()
        tag = version_tag("tools", state.version, filters.fingerprint(), after, limit, chosen)
        cached = not_modified(request, tag, state.updated_at)
        if cached is not None:
            return cached
        full = "provenance" in chosen
        rows, more = read.page_json(after=after, limit=limit, filters=filters, full=full)
    if chosen not in (DEFAULT_LIST_FIELDS, LISTED_FIELDS):
        keep = {"slug", *chosen}
        items = [
            json.dumps({k: v for k, v in json.loads(doc).items() if k in keep}, ensure_ascii=False)
            for _, doc in rows
        ]
    else:
        items = [doc for _, doc in rows]
    next_cursor = encode_cursor(rows[-1][0]) if more and rows else None
    body = (
        '{"items":['
        + ",".join(items)
        + '],"next_cursor":'
        + json.dumps(next_cursor)
        + ',"dataset_version":'
        + str(state.change_id)
        + "}"
    )
    return send(request, body, tag, state.updated_at)


@get_and_head(
    router,
    "/tools/{slug}",
    response_model=PublicTool,
    summary="One published tool",
    responses={
        **ERRORS,
        **REDIRECT,
        404: {"model": Problem, "description": "No published tool by that name."},
    },
)
def get_tool(
    request: Request,
    slug: Annotated[
        str,
        Path(
            description="The tool's slug (or its name, an alias, any casing: redirected).",
            examples=["llama-3.1-8b"],
            max_length=512,
        ),
    ],
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> Response:
    """Resolved published fields, variants, aliases, prices per provider, links and
    the provenance of every field."""
    conditional = "if-none-match" in request.headers or "if-modified-since" in request.headers
    with row_reader(request) as read:
        if conditional and (version := read.doc_version(slug)) is not None:
            cached = not_modified(request, *version)  # decided before the body is read
            if cached is not None:
                return cached
        found = read.docs([slug])
        named = [] if found else read.named(slug)
    if found:
        doc = found[0]
        return not_modified(request, doc.etag, doc.updated_at) or send(
            request, doc.doc, doc.etag, doc.updated_at
        )
    if len(named) == 1:
        return _redirect(request, f"{router.prefix}/tools/{named[0]}")
    if named:
        raise HTTPException(404, f"{slug!r} names several published tools: {', '.join(named)}")
    raise HTTPException(404, f"no published tool {slug!r}")


@get_and_head(
    router,
    "/compare",
    response_model=DecisionTable,
    summary="Decision table of published tools",
    responses={
        **ERRORS,
        **REDIRECT,
        400: {"model": Problem, "description": "The names are fewer than 2 distinct tools."},
        404: {"model": Problem, "description": "A tool is not published."},
    },
)
def compare(
    request: Request,
    tools: Annotated[
        str,
        Query(
            description=f"2 to {MAX_COMPARE} comma-separated slugs (names or aliases redirect).",
            examples=["llama-3.1-8b,llama-3-8b"],
            pattern=COMPARE_PATTERN,
            max_length=2048,
        ),
    ],
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> Response:
    """Pricing summary and entry price, license and terms, best for, category,
    parameters, context, release date and links side by side. Rows where one
    value is objectively better (cheaper, more permissive, longer context, newer
    release) name the tools holding it in `better`; other rows never do."""
    names = [s.strip() for s in tools.split(",")]
    with reader(request) as read:
        state = read.state()
        docs = {d.slug: d for d in read.docs(names)}
        renamed = {n: read.named(n) for n in names if n not in docs}
    missing = [n for n, found in renamed.items() if len(found) != 1]
    if missing:
        raise HTTPException(404, "no published tool " + ", ".join(repr(s) for s in missing))
    canonical = [n if n in docs else renamed[n][0] for n in names]
    slugs = list(dict.fromkeys(canonical))
    if len(slugs) < 2:
        raise HTTPException(400, f"compare 2 to {MAX_COMPARE} distinct tools")
    if renamed:
        return _redirect(request, f"{router.prefix}/compare", tools=",".join(canonical))
    chosen: list[StoredDoc] = [docs[s] for s in slugs]
    tag = version_tag("compare", [d.etag for d in chosen])
    cached = not_modified(request, tag, state.updated_at)
    if cached is not None:
        return cached

    def column(doc: StoredDoc) -> dict[str, Any]:
        return COLUMNS.get(
            doc.etag, lambda: tool_column(PublicTool.model_validate_json(doc.doc), "published")
        )

    def build() -> bytes:
        return table_from_columns([column(d) for d in chosen]).model_dump_json().encode()

    return send(request, TABLES.get(tag, build), tag, state.updated_at)


@get_and_head(
    router,
    "/changes",
    response_model=ChangePage,
    summary="Change feed",
    responses=ERRORS,
)
def changes(
    request: Request,
    since: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_ID,
            description="Cursor: 0, an export's manifest `version`, or the last `next_cursor`.",
        ),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many changes.")] = 100,
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> Response:
    """Every change to the published dataset after `since`, oldest first. Applying
    them in order (a `null` new value removes the field; `_status` says a tool
    entered or left the published set) reproduces the full export."""
    with reader(request) as read:
        state = read.state()
        tag = version_tag("changes", state.change_id, since, limit)
        cached = not_modified(request, tag, state.updated_at)
        if cached is not None:
            return cached

        def build() -> str:
            items, cursor, more = read.changes_json(since, limit)
            return (
                '{"changes":['
                + ",".join(items)
                + f'],"next_cursor":{cursor},"has_more":{"true" if more else "false"}}}'
            )

        body = PAGES.get(tag, build)
    return send(request, body, tag, state.updated_at)


@get_and_head(
    health,
    "/healthz",
    response_model=Health,
    summary="Health check",
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
def healthz(request: Request) -> Response:
    """200 when the database answers a query, 503 otherwise; never cached."""
    headers = {"Cache-Control": "no-store"}
    try:
        with reader(request) as read:
            read.session.execute(text("SELECT 1"))
            version = read.state().change_id
    except Exception:  # any database failure means "not healthy", never a 500
        body = Health(status="unavailable").model_dump()
        return JSONResponse(body, status_code=503, headers=headers)
    return JSONResponse(Health(status="ok", dataset_version=version).model_dump(), headers=headers)
