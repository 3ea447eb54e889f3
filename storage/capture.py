"""Raw capture: fetched documents stored as they came, before any normalising.

A document whose URL and content hash are already stored is unchanged: it only
moves `last_seen_at` and the source's incremental state, and is never normalised
or ingested again (its claims stand). A new document is stored with
`normalized_version = None`: a normalise worker picks it up (`storage.ingest`).
The source's incremental state (HF sha, ETag, ...) moves with the raw document,
since the document is what a later normalise needs, and it is stored now.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from normalizer.models import RawDocument
from storage.schema import Document, SourceStateRow

STATE_FIELDS = ("sha", "etag", "last_modified")
CHUNK = 500
"""Values per `IN (...)` list: stays under every backend's bind-parameter limit."""


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def scrub(value: Any) -> Any:
    """Drop NUL characters, which PostgreSQL text and jsonb cannot hold."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


@dataclass
class Captured:
    """What one capture stored: rows in input order, and which of them are new."""

    rows: list[Document] = field(default_factory=list)
    new: list[Document] = field(default_factory=list)
    unchanged: int = 0


def stored_documents(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], Document]:
    """Stored documents by (url, content hash), bodies not loaded."""
    found: dict[tuple[str, str], Document] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        urls = sorted({url for url, _ in chunk})
        hashes = sorted({digest for _, digest in chunk})
        for row in session.scalars(
            select(Document)
            .options(defer(Document.body))
            .where(Document.url.in_(urls), Document.content_hash.in_(hashes))
        ):
            if (row.url, row.content_hash) in keys:
                found[(row.url, row.content_hash)] = row
    return found


def capture(session: Session, docs: Sequence[RawDocument], run_id: int | None) -> Captured:
    """Store new documents raw (flushed: they have ids), mark known ones seen, and
    move each source's state. The caller owns the transaction."""
    digests = [content_hash(doc.body) for doc in docs]
    known = stored_documents(session, {(d.url, h) for d, h in zip(docs, digests, strict=True)})
    states = _states(session, docs)
    out = Captured()
    for doc, digest in zip(docs, digests, strict=True):
        row = known.get((doc.url, digest))
        if row is None:
            row = Document(
                url=doc.url,
                kind=str(doc.kind),
                content_hash=digest,
                body=zlib.compress(doc.body, 6),
                status=doc.status,
                content_type=doc.content_type,
                fetched_at=doc.fetched_at,
                last_seen_at=doc.fetched_at,
                meta=scrub(to_jsonable_python(doc.meta)),
                run_id=run_id,
                normalized_version=None,
            )
            session.add(row)
            known[(doc.url, digest)] = row
            out.new.append(row)
        else:
            out.unchanged += 1
            if doc.fetched_at > row.last_seen_at:
                row.last_seen_at = doc.fetched_at
        out.rows.append(row)
        _update_state(session, states, doc, digest)
    session.flush()
    return out


def _states(session: Session, docs: Sequence[RawDocument]) -> dict[str, SourceStateRow | None]:
    keys = sorted({str(doc.meta["state_key"]) for doc in docs if doc.meta.get("state_key")})
    states: dict[str, SourceStateRow | None] = dict.fromkeys(keys)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for row in session.scalars(select(SourceStateRow).where(SourceStateRow.key.in_(chunk))):
            states[row.key] = row
    return states


def _update_state(
    session: Session, states: dict[str, SourceStateRow | None], doc: RawDocument, digest: str
) -> None:
    key = doc.meta.get("state_key")
    if not key:
        return
    key = str(key)
    row = states.get(key)
    if row is None:
        row = SourceStateRow(key=key, updated_at=doc.fetched_at)
        session.add(row)
    elif doc.fetched_at < row.updated_at:
        return  # an older fetch never overwrites newer state
    states[key] = row
    for name in STATE_FIELDS:
        value = doc.meta.get(name)
        if value is not None:
            text = value.isoformat() if isinstance(value, datetime) else str(value)
            setattr(row, name, text)
    row.content_hash = digest
    row.updated_at = doc.fetched_at
