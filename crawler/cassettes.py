"""vcrpy cassette helpers shared by the replay middleware and the cassette builder.

No Scrapy here: only vcrpy's own model (`vcr.request.Request`, the response dict
``{"status": {"code", "message"}, "headers": {name: [values]}, "body": {"string"}}``),
its matchers, its YAML serializer and its filesystem persister. Files written with
these helpers are ordinary vcrpy cassettes (``version: 1`` + ``interactions``) that
any vcrpy user can load with ``vcr.use_cassette(path)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.client import responses as _REASONS
from pathlib import Path
from typing import Any

from vcr import matchers
from vcr.cassette import Cassette
from vcr.persisters.filesystem import FilesystemPersister
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest
from vcr.serializers import yamlserializer

# Method + full URL. vcrpy's `query` matcher compares sorted(parse_qsl(query)), so the
# order of query parameters does not matter (repeated keys such as expand=... count).
MATCH_ON = (
    matchers.method,
    matchers.scheme,
    matchers.host,
    matchers.port,
    matchers.path,
    matchers.query,
)

# Never written to a cassette, on either side of an interaction.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
_SENSITIVE_PATTERN = re.compile(r"^x-(?:[a-z0-9-]+-)?token$", re.IGNORECASE)

CASSETTE_SUFFIXES = (".yaml", ".yml")

ResponseDict = dict[str, Any]
Interaction = tuple[VcrRequest, ResponseDict]


def is_sensitive_header(name: str, extra: Iterable[str] = ()) -> bool:
    lname = name.strip().lower()
    return (
        lname in SENSITIVE_HEADERS
        or lname in {e.lower() for e in extra}
        or bool(_SENSITIVE_PATTERN.match(lname))
    )


def strip_request_headers(request: VcrRequest, extra: Iterable[str] = ()) -> VcrRequest:
    """vcrpy `before_record_request` hook: drop credentials from the request."""
    extra = tuple(extra)
    request.headers = {
        k: v for k, v in request.headers.items() if not is_sensitive_header(k, extra)
    }
    return request


def strip_response_headers(response: ResponseDict, extra: Iterable[str] = ()) -> ResponseDict:
    """vcrpy `before_record_response` hook: drop cookies/tokens from the response."""
    extra = tuple(extra)
    response["headers"] = {
        k: v for k, v in response["headers"].items() if not is_sensitive_header(k, extra)
    }
    return response


def response_dict(
    status: int,
    headers: Mapping[str, Sequence[str]],
    body: bytes,
    message: str | None = None,
) -> ResponseDict:
    """A response in vcrpy's cassette format (headers: name -> list of values)."""
    return {
        "status": {"code": int(status), "message": message or _REASONS.get(int(status), "")},
        "headers": {str(k): [str(v) for v in vs] for k, vs in headers.items()},
        "body": {"string": body},
    }


def new_request(
    method: str, uri: str, headers: Mapping[str, str] | None = None, body: bytes | None = None
) -> VcrRequest:
    return VcrRequest(
        method=method.upper(), uri=uri, body=body or None, headers=dict(headers or {})
    )


def save_cassette(
    path: str | Path,
    interactions: Sequence[Interaction],
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write interactions with vcrpy's YAML serializer and filesystem persister.

    PyYAML sorts mapping keys, so the same interactions always give the same file.
    """
    path = Path(path)
    cassette_dict: dict[str, Any] = {
        "requests": [req for req, _ in interactions],
        "responses": [resp for _, resp in interactions],
    }
    if metadata:
        cassette_dict["metadata"] = dict(metadata)
    FilesystemPersister.save_cassette(path, cassette_dict, serializer=yamlserializer)
    return path


@contextmanager
def _quiet_vcr_log() -> Iterator[None]:
    """vcrpy logs every appended interaction, bodies included, at INFO level."""
    vcr_log = logging.getLogger("vcr.cassette")
    level = vcr_log.level
    vcr_log.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        vcr_log.setLevel(level)


def load_cassette(path: str | Path, *, record_mode: RecordMode = RecordMode.NONE) -> Cassette:
    """Load one cassette for playback: each interaction is played once, in recorded order."""
    with _quiet_vcr_log():
        return Cassette.load(
            path=str(path),
            serializer=yamlserializer,
            record_mode=record_mode,
            match_on=MATCH_ON,
            allow_playback_repeats=False,
        )


def cassette_files(directory: str | Path) -> list[Path]:
    """Every cassette under `directory` (recursively), in a stable order."""
    root = Path(directory)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in CASSETTE_SUFFIXES)


def recorded_interactions(path: str | Path) -> list[Interaction]:
    """The (request, response) pairs of a cassette file, for tests and tools."""
    cassette = load_cassette(path)
    return list(zip(cassette.requests, cassette.responses, strict=True))
