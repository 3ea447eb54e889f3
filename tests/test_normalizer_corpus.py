"""Every copied real document normalises without an exception, and every value has provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from normalizer import normalize
from normalizer.models import ToolRecord

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
KINDS = {"hf_cards": "hf-card", "hf_api": "hf-api", "announcements": "announcement"}
FILES = sorted(
    p
    for folder in KINDS
    for p in (CORPUS / folder).rglob("*")
    if p.is_file() and "feeds" not in p.parts
)
TRACKED = [
    "vendor",
    "license",
    "open_weights",
    "parameters",
    "context_length",
    "release_date",
    "task",
    "base_model",
    "tagline",
    "category",
]


def kind_of(path: Path) -> str:
    return KINDS[path.relative_to(CORPUS).parts[0]]


def test_fixtures_present() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_normalises_without_error_and_with_provenance(path: Path) -> None:
    result = normalize(kind_of(path), path.read_bytes(), filename=path.name)
    for rec in result.records:
        assert isinstance(rec, ToolRecord) and rec.name and rec.slug
        for field in TRACKED:
            if getattr(rec, field) is not None:
                assert field in rec.provenance, f"{field} set without provenance"
                assert rec.provenance[field].method


@pytest.mark.parametrize(
    "path", [p for p in FILES if kind_of(p) != "announcement"][:5], ids=lambda p: p.name
)
def test_other_kinds_of_input_do_not_crash(path: Path) -> None:
    body = path.read_bytes()
    for kind in ("hf-card", "hf-api", "announcement"):
        normalize(kind, body[: len(body) // 2], filename=path.name)
    normalize("hf-card", b"\xff\xfe\x00garbage")
    normalize("announcement", "")
