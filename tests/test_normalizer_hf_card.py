"""Hugging Face model cards (real files under tests/fixtures/corpus/hf_cards)."""

from __future__ import annotations

from pathlib import Path

from normalizer import normalize
from normalizer.models import NormalizeResult, ToolRecord

CARDS = Path(__file__).parent / "fixtures" / "corpus" / "hf_cards"


def card(name: str, url: str | None = None) -> NormalizeResult:
    return normalize("hf-card", (CARDS / name).read_bytes(), url, filename=name)


def one(name: str, url: str | None = None) -> ToolRecord:
    result = card(name, url)
    assert len(result.records) == 1, result.warnings
    return result.records[0]


def test_llama31_card_fields_and_provenance() -> None:
    r = one(
        "meta-llama__Llama-3.1-8B-Instruct.md",
        "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
    )
    assert r.source_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert r.vendor == "Meta"
    assert r.license is not None and (r.license.id, r.license.terms) == ("llama3.1", "restricted")
    assert r.parameters is not None and r.parameters.total == 8_000_000_000
    assert r.context_length == 128000  # from the HTML spec table, 8B row
    assert r.release_date == "2024-07-23"
    assert r.base_model == "meta-llama/Meta-Llama-3.1-8B"
    assert r.task == "text-generation" and r.open_weights is True
    assert r.family == "llama-3.1"
    for field in (
        "license",
        "parameters",
        "context_length",
        "release_date",
        "base_model",
        "vendor",
    ):
        prov = r.provenance[field]
        assert prov.source_url == "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"
        assert prov.method and prov.observed_at is not None
    assert "Release Date" in (r.provenance["release_date"].evidence or "")


def test_repo_id_from_raw_readme_url() -> None:
    r = one("microsoft__phi-2.md", "https://huggingface.co/microsoft/phi-2/raw/main/README.md")
    assert r.source_id == "microsoft/phi-2"
    assert (
        r.parameters is not None and r.parameters.total == 2_700_000_000
    )  # "2.7 billion parameters"
    assert r.context_length == 2048
    assert r.license is not None and r.license.id == "mit" and r.license.spdx == "MIT"


def test_card_without_license_key_uses_prose() -> None:
    r = one("meta-llama__Llama-2-7b-hf.md")
    assert r.license is not None and r.license.id == "llama2"
    assert r.provenance["license"].method == "text:license"
    assert r.context_length == 4000  # "Content Length" column, 7B row
    assert r.release_date is None  # "trained between January 2023 and July 2023" is no release date


def test_license_other_with_license_name() -> None:
    r = one("01-ai__Yi-34B.md")
    assert r.license is not None and (r.license.id, r.license.terms) == ("yi-license", "restricted")
    assert r.context_length == 4000  # "Default context window" table, not the 200K variant
    assert r.release_date == "2023-11-02"  # news line naming Yi-34B exactly, not Yi-34B-200K
    assert r.base_model is None  # "Yi-9B is ... trained based on Yi-6B" is about another model


def test_not_mixtral_moe_gets_no_size() -> None:
    r = one("CausalLM__8x7B-MoE-test-NOT-MIXTRAL.md")
    assert r.parameters is None
    assert r.license is not None and r.license.id == "gpl-3.0"
    assert r.task is None and r.base_model is None
    assert one("mistralai__Mixtral-8x7B-v0.1.md").parameters is None
    assert one("mistralai__Mixtral-8x7B-v0.1.md").context_length is None  # 32kseqlen only in a URL


def test_gguf_reupload_vendor_is_uploader() -> None:
    r = one("Mungert__Qwen2.5-0.5B-Instruct-GGUF.md")
    assert r.vendor == "Mungert"
    assert r.base_model == "Qwen/Qwen2.5-0.5B" and r.base_model_relation == "quantized"
    assert r.parameters is not None and r.parameters.total == 490_000_000
    assert r.context_length == 32768
    assert r.family == "qwen2.5"


def test_leading_blank_line_and_self_referencing_base_model() -> None:
    result = card("Qwen__Qwen2.5-VL-72B-Instruct.md")
    assert any("blank line" in w for w in result.warnings)
    r = result.records[0]
    assert r.license is not None and r.license.id == "qwen"
    assert r.task == "image-text-to-text"
    assert r.base_model is None
    assert r.context_length == 32768
    assert r.release_date is None


def test_prose_base_model() -> None:
    assert one("mistralai__Mistral-7B-Instruct-v0.2.md").base_model == "mistralai/Mistral-7B-v0.1"
    assert (
        one("sentence-transformers__all-MiniLM-L6-v2.md").base_model
        == "nreimers/MiniLM-L6-H384-uncased"
    )
    assert one("nomic-ai__nomic-embed-text-v1.5.md").base_model == "nomic-ai/nomic-bert-2048"
    assert one("berkeley-nest__Starling-LM-7B-alpha.md").base_model == "openchat/openchat_3.5"
    assert (
        one("google__gemma-2b-it.md").base_model is None
    )  # links the 2B base card, does not call it its base


def test_codellama_long_context_statements_are_not_a_window() -> None:
    r = one("codellama__CodeLlama-70b-Instruct-hf.md")
    assert r.context_length is None and r.release_date is None
    assert r.category == "Developer Tools"


def test_stub_cards_give_no_record() -> None:
    for name in ("KoboldAI__fairseq-dense-13B.md", "timdettmers__guanaco-13b-merged.md"):
        result = card(name)
        assert result.records == []
        assert result.warnings


def test_fork_card_with_embedded_yaml_block() -> None:
    result = card(
        "ODD__Hansika-Prabodini__Llama-3.2-1B-fork.md",
        "https://huggingface.co/Hansika-Prabodini/Llama-3.2-1B-fork",
    )
    assert any("second YAML" in w for w in result.warnings)
    r = result.records[0]
    assert r.source_id == "Hansika-Prabodini/Llama-3.2-1B-fork"
    assert r.base_model == "meta-llama/Llama-3.2-1B"
    # the quoted original card's license / release date are not this fork's claims
    assert r.license is None and r.release_date is None


def test_cards_without_front_matter() -> None:
    result = card("WizardLM__WizardLM-13B-V1.0.md")
    assert "no front matter" in result.warnings
    r = result.records[0]
    assert r.parameters is not None and r.parameters.total == 13_000_000_000
    chinese = one("YeungNLP__firefly-llama2-7b-chat.md")
    assert chinese.vendor == "YeungNLP" and chinese.task is None and chinese.license is None


def test_japanese_cards() -> None:
    bert = one("cl-tohoku__bert-base-japanese.md")
    assert bert.license is not None and bert.license.id == "cc-by-sa-4.0"
    assert bert.parameters is None  # "base" is not a size
    calm = one("cyberagent__calm2-7b-chat.md")
    assert calm.context_length == 32768
    assert calm.base_model == "cyberagent/calm2-7b"
    swallow = one("tokyotech-llm__Swallow-7b-instruct-hf.md")
    assert swallow.release_date is None  # that sentence dates Swallow-7B-Plus, another model


def test_tagline_is_one_clean_line() -> None:
    r = one("microsoft__phi-2.md")
    assert r.tagline and "\n" not in r.tagline and "<" not in r.tagline and "**" not in r.tagline
