"""Reading verbatim corpus fixtures (tests/fixtures/corpus) the way the tests need them."""

from __future__ import annotations

import re
from pathlib import Path

from normalizer import normalize
from normalizer.models import ToolRecord

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def post(name: str) -> list[ToolRecord]:
    path = CORPUS / "announcements" / name
    return normalize("announcement", path.read_bytes(), filename=name).records


def card(name: str) -> ToolRecord:
    path = CORPUS / "hf_cards" / name
    url = "https://huggingface.co/" + name.removesuffix(".md").replace("__", "/", 1)
    recs = normalize("hf-card", path.read_bytes(), url, filename=name).records
    assert len(recs) == 1
    return recs[0]


def by_display(recs: list[ToolRecord]) -> dict[str, ToolRecord]:
    return {r.name: r for r in recs}


def names_of(rec: ToolRecord) -> set[str]:
    return {re.sub(r"[^a-z0-9]", "", n.lower().split("/")[-1]) for n in [rec.name, *rec.aliases]}


def find_record(recs: list[ToolRecord], key: str) -> ToolRecord:
    """The one record known by `key` (compacted name or alias)."""
    hits = [r for r in recs if key in names_of(r)]
    assert len(hits) == 1, [r.name for r in recs]
    return hits[0]
