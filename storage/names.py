"""Normalised forms of names and ids, used for matching records to tools."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def norm_alias(text: str | None) -> str:
    """`Llama 3.1 8B Instruct`, `llama-3.1-8b-instruct` -> `llama-3-1-8b-instruct`."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub("-", folded).strip("-")


def norm_source_id(source_id: str | None) -> str:
    """Hub repo ids are case-insensitive: `Meta-Llama/X` and `meta-llama/x` are one repo."""
    return (source_id or "").strip().strip("/").casefold()
