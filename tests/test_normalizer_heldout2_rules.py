"""Rules added after the second blind held-out round (eval/heldout2.jsonl, eval/README.md):
one class of error each, checked on real documents copied verbatim into
tests/fixtures/corpus (rows in its MANIFEST.tsv)."""

from __future__ import annotations

from pathlib import Path

from normalizer import licenses, normalize
from normalizer.models import LicenseTerms, ToolRecord

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


# --- cards: two-column architecture tables (`Hyperparameter | Value`)


def test_architecture_table_gives_params_and_context() -> None:
    # `| Total Parameters | 6.7B |` ... `| Max Seq Length | 2048 |` (no size in the name)
    amber = card("LLM360__Amber.md")
    assert amber.parameters is not None and amber.parameters.total == 6_700_000_000
    assert amber.context_length == 2048


def test_latex_keys_in_architecture_table() -> None:
    # `| \\(n_{parameters}\\) | 6053381344 |` and `| \\(n_{ctx}\\) | 2048 |`
    gptj = card("EleutherAI__gpt-j-6B.md")
    assert gptj.context_length == 2048


def test_fine_tune_hyperparameter_table_without_param_count_is_not_used() -> None:
    # a two-column table with no parameter-count row says nothing about the window
    from normalizer.extract import spec_kv_sentences
    from normalizer.text import Doc

    doc = Doc("| Hyperparameter | Value |\n|---|---|\n| max_seq_length | 2048 |\n| lr | 2e-5 |\n")
    assert spec_kv_sentences(doc) == []


# --- announcements: which models


def test_spec_table_models_column_after_a_grouping_column_and_sibling_families() -> None:
    # `| Model Type | Models | Size | Layers | Sequence Length | ...`: embedding AND
    # reranker rows are announced; the eval table's competitors (`Model | Param`) are not
    recs = post("qwen_blog__qwen3-embedding.md")
    names = sorted(r.name for r in recs)
    assert names == [
        "Qwen3-Embedding-0.6B",
        "Qwen3-Embedding-4B",
        "Qwen3-Embedding-8B",
        "Qwen3-Reranker-0.6B",
        "Qwen3-Reranker-4B",
        "Qwen3-Reranker-8B",
    ]
    for r in recs:
        assert r.context_length == 32000
        assert r.license is not None and r.license.id == "apache-2.0"


def test_previous_generation_in_a_comparison_table_is_not_a_sibling() -> None:
    # `Qwen1.5-7B` (the bare root of `Qwen1.5-MoE`) in a `Model | #Parameters` table
    names = [r.name for r in post("qwen_blog__qwen-moe.md")]
    assert not any(n.startswith("Qwen1.5-7B") for n in names)


def test_we_are_proud_to_introduce_the_new_x() -> None:
    # title names no model ("Extending the Context Length to 1M Tokens!")
    recs = post("qwen_blog__qwen2.5-turbo.md")
    assert [r.name for r in recs] == ["Qwen2.5-Turbo"]
    turbo = recs[0]
    assert turbo.context_length == 1_000_000
    # API service + demo Spaces / ModelScope studios only: closed weights
    assert turbo.open_weights is False
    assert turbo.license is not None and turbo.license.terms == LicenseTerms.PROPRIETARY


# --- licenses


def test_license_derived_from_apache_is_not_apache() -> None:
    s = "a permissive Apache 2.0-based software license which includes an acceptable use policy"
    assert licenses.from_prose(s) is None
    assert licenses.from_prose("a license based on Apache 2.0") is None
    assert licenses.from_prose("released under the Apache 2.0 license") == "apache-2.0"


def test_custom_license_with_conditions_is_restricted_without_an_id() -> None:
    falcon2 = post("hf_blog__falcon2-11b.md")[0]  # TII Falcon 2 License + acceptable use policy
    assert falcon2.license is not None
    assert falcon2.license.id is None and falcon2.license.terms == LicenseTerms.RESTRICTED
    bloom = post("hf_blog__bloom.md")[0]  # "the model's Responsible AI License"
    assert bloom.license is not None and bloom.license.terms == LicenseTerms.RESTRICTED
    f180 = post("hf_blog__falcon-180b.md")[
        0
    ]  # "commercially used but under very restrictive conditions"
    assert f180.license is not None and f180.license.terms == LicenseTerms.RESTRICTED


def test_license_of_code_in_the_same_sentence_is_not_the_model_license() -> None:
    # "the model weights ... with OpenRAIL license all code for data preprocessing and
    # training with Apache 2.0 license" (list items merged into one sentence)
    base = next(r for r in post("hf_blog__starcoder.md") if r.name.lower() == "starcoderbase")
    assert base.license is not None
    assert base.license.id != "apache-2.0"
    assert base.license.terms == LicenseTerms.RESTRICTED
