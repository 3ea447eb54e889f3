"""config.json: exact context windows, experts and architecture, nothing guessed."""

from __future__ import annotations

import json
from pathlib import Path

from normalizer import normalize
from normalizer.hf_config import context_from_config, experts_from_config

BODIES = Path(__file__).parent / "fixtures" / "bodies"
URL = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/raw/main/config.json"


def test_a_real_config_gives_its_position_limit_and_architecture() -> None:
    # a public copy of the Hub repo's config.json (see fixtures/bodies/README.md)
    body = (BODIES / "tejuri__sentence-transformers__all-MiniLM-L6-v2__config.json").read_bytes()
    [rec] = normalize("hf-config", body, URL).records
    assert rec.source_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert (rec.context_length, rec.architecture) == (512, "BertModel")
    assert rec.provenance["context_length"].method == "config:max_position_embeddings"
    assert rec.experts is None and rec.parameters is None  # a config states no counts


def test_rope_scaling_extends_the_window_only_when_the_config_asks_for_it() -> None:
    yarn = {
        "max_position_embeddings": 32768,
        "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
    }
    assert context_from_config(yarn)[:2] == (131072, "config:rope_scaling")
    # llama3-type scaling: max_position_embeddings already is the extended window
    llama3 = {
        "max_position_embeddings": 131072,
        "rope_scaling": {
            "rope_type": "llama3",
            "factor": 8.0,
            "original_max_position_embeddings": 8192,
        },
    }
    assert context_from_config(llama3)[0] == 131072
    assert context_from_config({"max_position_embeddings": 8192, "rope_scaling": None})[0] == 8192
    assert context_from_config({"hidden_size": 4096}) is None


def test_experts_per_layer_and_per_token() -> None:
    experts, evidence = experts_from_config({"num_local_experts": 8, "num_experts_per_tok": 2})
    assert (experts.total, experts.per_token) == (8, 2)
    assert "num_local_experts=8" in evidence
    assert experts_from_config({"num_experts": 1}) is None  # dense


def test_multimodal_config_reads_the_text_model() -> None:
    body = json.dumps(
        {"architectures": ["LlavaForConditionalGeneration"], "text_config": {"n_positions": 4096}}
    )
    [rec] = normalize("hf-config", body, "https://huggingface.co/a/b/raw/main/config.json").records
    assert (rec.context_length, rec.architecture) == (4096, "LlavaForConditionalGeneration")


def test_unreadable_config_is_a_warning_not_a_record() -> None:
    result = normalize("hf-config", b"{not json", URL)
    assert result.records == [] and result.warnings
