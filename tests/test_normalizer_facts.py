"""Cards state facts as `Key: value` lines and key/value tables; any card format is read the
same way, and a fact about another model is never taken for this one's."""

from __future__ import annotations

from pathlib import Path

from normalizer import normalize

OTHER = Path(__file__).parent / "fixtures" / "corpus" / "other_cards"


def card(name: str):  # type: ignore[no-untyped-def]
    result = normalize("hf-card", (OTHER / name).read_bytes(), filename=name)
    assert len(result.records) == 1
    return result.records[0]


def test_a_vendor_model_card_without_front_matter_gives_maker_size_and_release_date() -> None:
    rec = card("vendor_github__meta-llama__llama3_3.MODEL_CARD.md")
    assert rec.vendor == "Meta"  # `**Model developer**: Meta`
    assert rec.parameters is not None and rec.parameters.total == 70_000_000_000  # one-row table
    assert rec.release_date == "2024-12-06"  # `**Model Release Date:**` then `70B Instruct: ...`
    assert rec.provenance["release_date"].method.startswith("fact:kv-line")
    assert rec.provenance["release_date"].confidence >= 0.9


def test_total_and_active_parameters_come_from_one_moe_sentence() -> None:
    rec = card("vendor_github__databricks__dbrx-base.MODEL_CARD.md")
    assert rec.parameters is not None
    assert rec.parameters.total == 132_000_000_000
    assert rec.parameters.active == 36_000_000_000
    assert "36B parameters are active" in (rec.provenance["parameters"].evidence or "")


def test_a_key_value_table_gives_provider_and_a_license_named_by_its_link() -> None:
    rec = card("docker_hub__ai__gemma3.md")
    assert rec.vendor == "Google"  # `| **Provider** | Google DeepMind |`
    assert rec.license is not None and rec.license.id == "gemma"  # `[Gemma Terms](…/gemma/terms)`
    assert rec.license.terms == "restricted"


def test_an_active_count_of_a_model_compared_against_is_not_taken() -> None:
    # "comparable to DeepSeek R1, a 671-billion-parameter model (with 37 billion activated)"
    rec = card("docker_hub__ai__qwq.md")
    assert rec.parameters is None or rec.parameters.active is None
