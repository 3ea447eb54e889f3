"""Route a document to the extractor for its kind, within a per-document budget."""

from __future__ import annotations

import time
from datetime import datetime

from normalizer.budget import budget
from normalizer.errors import DocumentOverBudget, UndecodableDocument
from normalizer.models import DocKind, NormalizeResult, utcnow
from normalizer.parse import decode

MAX_DOCUMENT_BYTES = 32 << 20
"""Twice the crawler's DOWNLOAD_MAXSIZE: a larger body was not fetched by us."""
TIME_BUDGET_S = 20.0
"""Checked by the loops that grow with a document (`normalizer.budget.check`) and after
extraction: a document still running past it is refused."""


def normalize(
    kind: DocKind | str,
    body: bytes | str,
    source_url: str | None = None,
    observed_at: datetime | None = None,
    *,
    filename: str | None = None,
    repo_id: str | None = None,
    content_type: str | None = None,
) -> NormalizeResult:
    """Normalise one document. `filename` helps infer identity when no URL is known;
    `repo_id` is the Hugging Face repo a crawler fetched a card for; `content_type` is the
    HTTP header, whose charset decides how the bytes are read.

    Raises `normalizer.errors.DocumentRefused` (over budget, unsafe front matter): bad
    input, which the caller records as an error for the document. Bytes that no charset
    decodes give no records and a `normalizer error: undecodable: ...` warning (recorded as
    an error by the pipeline), never text with replacement characters.
    """
    started = time.monotonic()
    kind = DocKind(kind)
    observed_at = observed_at or utcnow()
    if len(body) > MAX_DOCUMENT_BYTES:
        raise DocumentOverBudget(f"{len(body)} bytes (limit {MAX_DOCUMENT_BYTES})")
    charset_note: str | None = None
    if isinstance(body, bytes):
        try:
            decoded = decode(body, content_type)
        except UndecodableDocument as exc:  # no records, and the reason as an error warning
            return NormalizeResult(
                kind=kind,
                source_url=source_url,
                warnings=[f"normalizer error: {kind.value.replace('-', ' ')} not read: {exc}"],
            )
        text = decoded.text
        if decoded.method not in ("utf-8", "bom", "http") or decoded.encoding != "utf-8":
            charset_note = f"decoded as {decoded.encoding} ({decoded.method})"
    else:
        text = body
    with budget(TIME_BUDGET_S - (time.monotonic() - started)):
        result = _extract(kind, text, source_url, observed_at, filename, repo_id)
    if charset_note:
        result.warnings.append(charset_note)
    elapsed = time.monotonic() - started
    if elapsed > TIME_BUDGET_S:
        raise DocumentOverBudget(f"took {elapsed:.1f} s (budget {TIME_BUDGET_S:.0f} s)")
    return result


def _extract(
    kind: DocKind,
    text: str,
    source_url: str | None,
    observed_at: datetime,
    filename: str | None,
    repo_id: str | None,
) -> NormalizeResult:
    if kind is DocKind.HF_CARD:
        from normalizer.hf_card import normalize_card

        return normalize_card(text, source_url, observed_at, filename=filename, repo_id=repo_id)
    if kind is DocKind.HF_API:
        from normalizer.hf_api import normalize_api

        return normalize_api(text, source_url, observed_at, filename=filename)
    if kind is DocKind.ANNOUNCEMENT:
        from normalizer.feed_entry import is_feed, is_feed_entry, normalize_feed_entry

        if is_feed_entry(text) or is_feed(text):  # an <item>/<entry> cut from a feed
            return normalize_feed_entry(text, source_url, observed_at, filename=filename)
        from normalizer.announcement import normalize_announcement

        return normalize_announcement(text, source_url, observed_at, filename=filename)
    if kind is DocKind.HF_CONFIG:
        from normalizer.hf_config import normalize_config

        return normalize_config(text, source_url, observed_at, filename=filename, repo_id=repo_id)
    if kind in (DocKind.CATALOG, DocKind.APP_CATALOG):
        from normalizer.catalogs import normalize_catalog

        return normalize_catalog(text, source_url, observed_at, filename=filename)
    from normalizer.price_list import normalize_price_list

    return normalize_price_list(text, source_url, observed_at, filename=filename)
