"""Hub API JSON bodies (real files under tests/fixtures/corpus/hf_api)."""

from __future__ import annotations

import json
from pathlib import Path

from normalizer import normalize
from normalizer.models import ToolRecord

API = Path(__file__).parent / "fixtures" / "corpus" / "hf_api"


def one(name: str, url: str | None = None) -> ToolRecord:
    path = API / name
    result = normalize("hf-api", path.read_bytes(), url, filename=path.name)
    assert len(result.records) == 1, result.warnings
    return result.records[0]


def test_zephyr_api_body() -> None:
    r = one(
        "HuggingFaceH4__zephyr-7b-beta.json",
        "https://huggingface.co/api/models/HuggingFaceH4/zephyr-7b-beta",
    )
    assert r.source_id == "HuggingFaceH4/zephyr-7b-beta"
    assert r.vendor == "Hugging Face"
    assert r.parameters is not None and r.parameters.total == 7_241_732_096
    assert r.provenance["parameters"].method == "api:safetensors.total"
    assert r.release_date == "2023-10-26"
    assert r.base_model == "mistralai/Mistral-7B-v0.1"
    assert r.license is not None and r.license.id == "mit"
    assert r.open_weights is True and r.task == "text-generation"
    assert any(link.type == "paper" and "arxiv.org/abs/2305.18290" in link.url for link in r.links)


def test_gated_llama_is_still_open_weights() -> None:
    r = one("meta-llama__Llama-3.1-8B-Instruct.json")
    assert r.open_weights is True
    assert r.license is not None and r.license.id == "llama3.1"
    assert r.base_model == "meta-llama/Meta-Llama-3.1-8B" and r.base_model_relation == "finetune"
    assert r.release_date == "2024-07-18"
    assert any("gated" in w for w in r.warnings)


def test_expand_body_has_only_provider_tasks() -> None:
    r = one("black-forest-labs__FLUX.1-dev__expand-inferenceProviderMapping.json")
    assert r.source_id == "black-forest-labs/FLUX.1-dev"
    assert r.vendor == "Black Forest Labs"
    assert r.task == "text-to-image"
    assert r.open_weights is None and r.license is None and r.release_date is None


def test_license_from_tags_and_base_relation_from_tags() -> None:
    r = one("deepset__roberta-base-squad2.json")
    assert r.license is not None and r.license.id == "cc-by-4.0"
    assert r.base_model == "FacebookAI/roberta-base" and r.base_model_relation == "finetune"


def test_legacy_modelinfo_dumps() -> None:
    gpt2 = one("saranscript_2022/gpt2.infos.json")
    assert gpt2.source_id == "gpt2" and gpt2.vendor is None
    assert gpt2.license is not None and gpt2.license.id == "mit"  # from `license:mit` tag
    assert gpt2.release_date is None  # lastModified is not a release date
    gptj = one("saranscript_2022/EleutherAI__gpt-j-6B.infos.json")
    assert gptj.parameters is not None and gptj.parameters.total == 6_000_000_000
    assert gptj.provenance["parameters"].method == "name"


def test_listing_and_broken_bodies() -> None:
    bodies = [
        json.loads((API / n).read_text())
        for n in ("gpt2.json", "sentence-transformers__all-MiniLM-L6-v2.json")
    ]
    result = normalize("hf-api", json.dumps(bodies))
    assert [r.source_id for r in result.records] == [
        "gpt2",
        "sentence-transformers/all-MiniLM-L6-v2",
    ]
    assert normalize("hf-api", "not json").records == []
    assert normalize("hf-api", '{"error": "Repository not found"}').records == []
