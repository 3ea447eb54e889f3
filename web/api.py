"""The public read API, `/api/v1`: published data only, no login.

    GET /api/v1/tools              published tools, filtered, cursor-paginated
    GET /api/v1/tools/{slug}       one published tool: fields, variants, aliases,
                                   prices per provider, links, provenance per field
    GET /api/v1/compare?tools=a,b  the decision table of 2-5 published tools
    GET /api/v1/changes?since=N    the change feed, for incremental sync

Everything is read through `storage.catalog` (the published snapshot), never
through claims, overrides or review items: a candidate, a rejected or merged tool
and an unreviewed change are indistinguishable from nothing at all.

Cursors: `/tools` pages are keyset-paginated on the slug; `next_cursor` is opaque
(base64url JSON of the last slug and the filters it belongs to; reusing it with
other filters is a 400). `/changes` cursors are change ids: start from 0, or from
an export's `manifest.json` `version`, and pass back `next_cursor`.

Caching: every 200 carries a strong `ETag` (sha256 of the body) and
`Cache-Control: no-cache`; a request whose `If-None-Match` matches gets a 304
with no body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from normalizer.models import LicenseTerms
from storage.catalog import (
    EXAMPLE_TOOL,
    MAX_ID,
    MAX_PAGE,
    PublicChange,
    PublicTool,
    ToolFilters,
    reading,
)
from storage.compare import DecisionTable, decision_table

MAX_COMPARE = 5

router = APIRouter(prefix="/api/v1", tags=["read API"])


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

    items: list[PublicTool]
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
    304: {"description": "Not Modified: the `If-None-Match` ETag is current."},
}
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="An `ETag` from an earlier response: 304 when unchanged.",
    ),
]


# ETags --------------------------------------------------------------------------------


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = tag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == wanted for part in header.split(","))


def cached_json(model: BaseModel, if_none_match: str | None) -> Response:
    """The model as JSON with its ETag, or a 304 when the client's copy is current."""
    body = model.model_dump_json().encode("utf-8")
    tag = _etag(body)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if _matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


# cursors ------------------------------------------------------------------------------


def encode_cursor(after: str, filters: ToolFilters) -> str:
    raw = json.dumps({"a": after, "f": filters.fingerprint()}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, filters: ToolFilters) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        after, fingerprint = data["a"], data["f"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise HTTPException(400, "invalid cursor") from exc
    if not isinstance(after, str) or fingerprint != filters.fingerprint():
        raise HTTPException(400, "invalid cursor (it belongs to other filters)")
    return after


# endpoints ----------------------------------------------------------------------------


@router.get(
    "/tools",
    response_model=ToolPage,
    summary="List published tools",
    responses={**ERRORS, 400: {"model": Problem, "description": "Invalid cursor."}},
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
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 50,
    cursor: Annotated[
        str | None,
        Query(description="`next_cursor` of the previous page.", max_length=2048),
    ] = None,
    if_none_match: IfNoneMatch = None,
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
    after = decode_cursor(cursor, filters) if cursor else None
    with reading(request.app.state.store) as reader:
        items, more = reader.page(after=after, limit=limit, filters=filters)
        version = reader.version()
    next_cursor = encode_cursor(items[-1].slug, filters) if more and items else None
    return cached_json(
        ToolPage(items=items, next_cursor=next_cursor, dataset_version=version), if_none_match
    )


@router.get(
    "/tools/{slug}",
    response_model=PublicTool,
    summary="One published tool",
    responses={**ERRORS, 404: {"model": Problem, "description": "No published tool."}},
)
def get_tool(
    request: Request,
    slug: Annotated[str, Path(description="The tool's slug.", examples=["llama-3.1-8b"])],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Resolved published fields, variants, aliases, prices per provider, links and
    the provenance of every field."""
    with reading(request.app.state.store) as reader:
        tool = reader.tool(slug)
    if tool is None:
        raise HTTPException(404, f"no published tool {slug!r}")
    return cached_json(tool, if_none_match)


@router.get(
    "/compare",
    response_model=DecisionTable,
    summary="Decision table of published tools",
    responses={
        **ERRORS,
        400: {"model": Problem, "description": "Fewer than 2 or more than 5 tools."},
        404: {"model": Problem, "description": "A tool is not published."},
    },
)
def compare(
    request: Request,
    tools: Annotated[
        str,
        Query(
            description=f"2 to {MAX_COMPARE} comma-separated slugs.",
            examples=["llama-3.1-8b,llama-3-8b"],
            max_length=2048,
        ),
    ],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Pricing summary and entry price, license and terms, best for, category,
    parameters, context, release date and links side by side. Rows where one
    value is objectively better (cheaper, more permissive, longer context, newer
    release) name the tools holding it in `better`; other rows never do."""
    slugs = list(dict.fromkeys(s.strip() for s in tools.split(",") if s.strip()))
    if not 2 <= len(slugs) <= MAX_COMPARE:
        raise HTTPException(400, f"compare 2 to {MAX_COMPARE} distinct tools")
    with reading(request.app.state.store) as reader:
        found = reader.tools(slugs)
    missing = [s for s in slugs if s not in {t.slug for t in found}]
    if missing:
        raise HTTPException(404, "no published tool " + ", ".join(repr(s) for s in missing))
    return cached_json(decision_table([(t, "published") for t in found]), if_none_match)


@router.get(
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
) -> Response:
    """Every change to the published dataset after `since`, oldest first. Applying
    them in order (a `null` new value removes the field; `_status` says a tool
    entered or left the published set) reproduces the full export."""
    with reading(request.app.state.store) as reader:
        items, cursor, more = reader.changes(since, limit)
    return cached_json(ChangePage(changes=items, next_cursor=cursor, has_more=more), if_none_match)
