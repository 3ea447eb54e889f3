"""Wrapping a response into the `RawDocument` every spider yields."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from normalizer.models import DocKind, RawDocument

VALIDATORS = ((b"ETag", "etag"), (b"Last-Modified", "last_modified"))
FIXTURE_HEADERS = (b"X-Toolwatch-Assembled", b"X-Toolwatch-Source")


def provenance_headers(response: Response) -> dict[str, str]:
    """Where a replayed body came from (corpus file, or what it was assembled from)."""
    out = {}
    for header in FIXTURE_HEADERS:
        if value := response.headers.get(header):
            out[header.decode().lower()] = value.decode("utf-8", "replace")
    return out


def document(
    response: Response, kind: DocKind, meta: dict[str, Any], *, validators: bool = True
) -> RawDocument:
    """The response as stored: body, status, content type, crawl context in `meta`,
    plus its ETag/Last-Modified (for conditional requests) and fixture provenance."""
    meta = dict(meta)
    if validators:
        for header, name in VALIDATORS:
            if value := response.headers.get(header):
                meta[name] = value.decode("latin-1")
    meta |= provenance_headers(response)
    ctype = response.headers.get(b"Content-Type")
    return RawDocument(
        url=response.url,
        kind=kind,
        body=response.body,
        status=response.status,
        content_type=ctype.decode("latin-1") if ctype else None,
        meta=meta,
    )
