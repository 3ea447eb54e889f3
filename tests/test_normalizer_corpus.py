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
def test_truncated_or_mistyped_input_gives_warnings_not_exceptions(path: Path) -> None:
    body = path.read_bytes()
    half = normalize("hf-api", body[: len(body) // 2], filename=path.name)
    assert half.records == [] and half.warnings  # half a JSON body (or a card) is not JSON
    for kind in ("hf-card", "announcement"):
        normalize(kind, body[: len(body) // 2], filename=path.name)
    garbage = normalize("hf-card", b"\xff\xfe\x00garbage")
    assert garbage.warnings
    assert normalize("announcement", "").records == []
    deep = normalize("hf-api", "[" * 100_000 + "]" * 100_000)
    assert deep.records == [] and deep.warnings


def test_cards_and_api_bodies_yield_records() -> None:
    """Besides the stub cards (an error message instead of a README), every real card
    and API body describes one model."""
    empty = [
        p.name
        for p in FILES
        if kind_of(p) != "announcement"
        and not normalize(kind_of(p), p.read_bytes(), filename=p.name).records
    ]
    stubs = [p.name for p in FILES if p.stat().st_size < 200 and kind_of(p) == "hf-card"]
    assert sorted(empty) == sorted(stubs)


SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/corpus beside the checkout")
def test_the_whole_shared_corpus_normalises_without_an_exception() -> None:
    """Every document of the shared corpus, as the kind it is (price files included)."""
    kinds = {
        "hf_cards": "hf-card",
        "hf_api": "hf-api",
        "other_cards": "hf-card",
        "announcements": "announcement",
        "pricing": "price-list",
        "catalogs": "announcement",
    }
    count = 0
    for folder, kind in kinds.items():
        for path in sorted((SHARED / folder).rglob("*")):
            if path.is_file():
                normalize(kind, path.read_bytes(), filename=path.name)
                count += 1
    assert count > 250
