"""Bad or hostile bytes get a clear, typed refusal or a faithful decode, never a hang."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from crawler.pipelines import normalize_document
from normalizer import normalize
from normalizer.errors import DocumentOverBudget, UndecodableDocument, UnsafeFrontMatter
from normalizer.models import DocKind, RawDocument
from normalizer.parse import decode

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
# A real card (verbatim corpus copy) with accented names in its text and license apache-2.0.
MIXTRAL = (CORPUS / "hf_cards" / "mistralai__Mixtral-8x7B-v0.1.md").read_text(encoding="utf-8")
URL = "https://huggingface.co/mistralai/Mixtral-8x7B-v0.1"


def alias_bomb(levels: int = 9) -> bytes:
    """Under 1 KB of nested YAML aliases: expands to 9**levels strings when walked."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return ("---\nlicense: mit\n" + "\n".join(lines) + "\n---\n# Bomb model\n").encode()


def test_a_yaml_alias_bomb_is_refused_quickly_with_a_typed_error() -> None:
    body = alias_bomb()
    assert len(body) < 1024
    started = time.monotonic()
    with pytest.raises(UnsafeFrontMatter, match="alias"):
        normalize(DocKind.HF_CARD, body, "https://huggingface.co/org/bomb")
    assert time.monotonic() - started < 2


def test_oversized_front_matter_and_bodies_are_refused() -> None:
    huge_yaml = b"---\nlicense: mit\nnotes: '" + b"x" * (2 << 20) + b"'\n---\n# m\n"
    with pytest.raises(UnsafeFrontMatter, match="limit"):
        normalize(DocKind.HF_CARD, huge_yaml, URL)
    with pytest.raises(DocumentOverBudget):
        normalize(DocKind.ANNOUNCEMENT, b"a" * ((32 << 20) + 1))


def test_anchors_in_plain_values_are_not_mistaken_for_aliases() -> None:
    body = b"---\nlicense: mit\ntags:\n- a*b\n- R&D\n---\n# Model\n"
    record = normalize(DocKind.HF_CARD, body, "https://huggingface.co/org/m-7b").records[0]
    assert record.license is not None and record.license.id == "mit"


def test_a_latin1_card_served_with_its_charset_reads_faithfully() -> None:
    doc = RawDocument(
        url=URL,
        kind=DocKind.HF_CARD,
        body=MIXTRAL.encode("latin-1"),
        content_type="text/plain; charset=iso-8859-1",
        meta={"source_id": "mistralai/Mixtral-8x7B-v0.1"},
    )
    result = normalize_document(doc)
    record = result.records[0]
    assert record.license is not None and record.license.id == "apache-2.0"
    assert "\ufffd" not in record.model_dump_json()


def test_a_latin1_card_without_a_declared_charset_is_detected_not_replaced() -> None:
    result = normalize(DocKind.HF_CARD, MIXTRAL.encode("latin-1"), URL)
    assert result.records[0].license.id == "apache-2.0"
    assert any(w.startswith("decoded as") for w in result.warnings)
    assert "\ufffd" not in result.model_dump_json()


def test_a_utf16_card_with_a_bom_has_its_license_read() -> None:
    body = MIXTRAL.encode("utf-16")  # BOM + UTF-16-LE
    assert body[:2] == b"\xff\xfe"
    record = normalize(DocKind.HF_CARD, body, URL).records[0]
    assert record.license is not None and record.license.id == "apache-2.0"
    assert record.name.startswith("Mixtral")


def test_bytes_that_no_charset_reads_are_an_error_not_replacement_characters() -> None:
    with pytest.raises(UndecodableDocument):
        decode(os.urandom(4000))
    result = normalize(DocKind.HF_CARD, os.urandom(4000), URL)
    assert result.records == []
    assert result.warnings[0].startswith("normalizer error: ")
    assert "undecodable" in result.warnings[0]


def test_the_stored_body_keeps_its_original_bytes() -> None:
    raw = MIXTRAL.encode("utf-16")
    doc = RawDocument(url=URL, kind=DocKind.HF_CARD, body=raw)
    normalize_document(doc)
    assert doc.body == raw
