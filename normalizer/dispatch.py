"""Route a document to the extractor for its kind."""

from __future__ import annotations

from datetime import datetime

from normalizer.models import DocKind, NormalizeResult, utcnow


def normalize(
    kind: DocKind | str,
    body: bytes | str,
    source_url: str | None = None,
    observed_at: datetime | None = None,
    *,
    filename: str | None = None,
    repo_id: str | None = None,
) -> NormalizeResult:
    """Normalise one document. `filename` helps infer identity when no URL is known;
    `repo_id` is the Hugging Face repo a crawler fetched a card for."""
    kind = DocKind(kind)
    observed_at = observed_at or utcnow()
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
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
    from normalizer.price_list import normalize_price_list

    return normalize_price_list(text, source_url, observed_at, filename=filename)
