"""Rules added after the blind held-out evaluation (eval/README.md): one class of error each,
checked on real documents copied verbatim into tests/fixtures/corpus (see MANIFEST.tsv)."""

from __future__ import annotations

from pathlib import Path

from normalizer import licenses, normalize
from normalizer.models import ToolRecord

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def post(name: str) -> list[ToolRecord]:
    path = CORPUS / "announcements" / name
    return normalize("announcement", path.read_bytes(), filename=name).records


def by_name(recs: list[ToolRecord]) -> dict[str, ToolRecord]:
    return {r.name: r for r in recs}


def test_transposed_spec_table_and_list_of_sized_names_give_one_record_per_size() -> None:
    # `Qwen2-0.5B, Qwen2-1.5B, Qwen2-7B, Qwen2-57B-A14B, and Qwen2-72B` + a table whose
    # header row is the model names and whose rows are `# Params` / `Context Length`
    recs = post("qwen_blog__qwen2.md")
    totals = sorted(r.parameters.total for r in recs if r.parameters and r.parameters.total)
    assert totals == [490_000_000, 1_540_000_000, 7_070_000_000, 57_410_000_000, 72_710_000_000]
    ctx = {r.parameters.total: r.context_length for r in recs if r.parameters}
    # the per-model table cell beats the family sentence (`pretrained ... 32K tokens`)
    assert ctx[7_070_000_000] == 128000 and ctx[57_410_000_000] == 64000
    assert ctx[490_000_000] == 32000


def test_moe_name_gives_active_parameters() -> None:
    moe = next(r for r in post("qwen_blog__qwen2.md") if "57B" in r.name)
    assert moe.parameters is not None and moe.parameters.active == 14_000_000_000


def test_spec_table_rows_are_announced_models() -> None:
    recs = post("qwen_blog__qwen2.5-llm.md")
    sizes = {r.parameters.total for r in recs if r.parameters}
    assert {490_000_000, 1_540_000_000, 3_090_000_000, 7_610_000_000} <= sizes
    assert {14_700_000_000, 32_500_000_000, 72_700_000_000} <= sizes
    # `10-30B range` is a range, not a `30B` model
    assert not any(r.name.endswith("-30B") for r in recs)
    for r in recs:
        assert r.open_weights is True  # `we are open-sourcing ...`, `seven of them open-sourced`


def test_sentence_naming_several_licenses_defers_to_the_table_row() -> None:
    # `The majority ... Apache 2.0, while Qwen2.5-3B and Qwen2.5-72B are governed by the
    # Qwen Research License and Qwen License, respectively.`
    recs = {r.parameters.total: r for r in post("qwen_blog__qwen2.5-llm.md") if r.parameters}
    assert recs[3_090_000_000].license is not None
    assert recs[3_090_000_000].license.id == "qwen-research"
    assert recs[72_700_000_000].license is not None and recs[72_700_000_000].license.id == "qwen"
    assert recs[7_610_000_000].license is not None
    assert recs[7_610_000_000].license.id == "apache-2.0"


def test_license_clause_following_the_model_name() -> None:
    # `While Qwen2-72B ... still uses the original Qianwen License, all other models,
    # including Qwen2-0.5B, ... turn to adopt Apache 2.0!`
    recs = {r.parameters.total: r for r in post("qwen_blog__qwen2.md") if r.parameters}
    assert recs[72_710_000_000].license is not None
    assert recs[72_710_000_000].license.id == "qwen"
    assert recs[72_710_000_000].license.terms == "restricted"
    assert recs[490_000_000].license is not None and recs[490_000_000].license.id == "apache-2.0"


def test_license_of_software_mentioned_in_the_post_is_not_the_models() -> None:
    # `It has features such as continuous batching ... and is distributed under the
    # Apache 2 license.` (Text Generation Inference, not CodeGemma)
    recs = post("hf_blog__codegemma.md")
    assert recs and all(r.license is None for r in recs)
    assert all(r.context_length == 8000 for r in recs)


def test_title_comparison_is_not_a_size() -> None:
    # `Qwen1.5-MoE: Matching 7B Model Performance with 1/3 Activated Parameters`
    recs = post("qwen_blog__qwen-moe.md")
    assert [r.name for r in recs] == ["Qwen1.5-MoE-A2.7B"]


def test_vision_language_model_is_not_text_generation() -> None:
    recs = post("hf_blog__idefics2.md")
    assert all(r.task is None for r in recs)
    rec = by_name(recs)["idefics2-8b"]
    assert rec.license is not None and rec.license.id == "apache-2.0"
    assert rec.parameters is not None and rec.parameters.total == 8_000_000_000


def test_key_value_context_with_parenthesis() -> None:
    # `**Maximum Sequence Length (context):** 8,192 tokens`
    (rec,) = post("github_readme__xai-org__grok-1.md")
    assert rec.context_length == 8192
    assert rec.parameters is not None and rec.parameters.total == 314_000_000_000


def test_released_checkpoints_mean_open_weights() -> None:
    # `Along with the transformers checkpoints, we released ONNX checkpoints`
    recs = post("hf_blog__smollm.md")
    assert len(recs) == 3 and all(r.open_weights is True for r in recs)


def test_card_base_model_from_finetuned_on_top_of() -> None:
    name = "TinyLlama__TinyLlama-1.1B-Chat-v1.0.md"
    res = normalize(
        "hf-card",
        (CORPUS / "hf_cards" / name).read_bytes(),
        "https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0",
        filename=name,
    )
    (rec,) = res.records
    assert rec.base_model == "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T"


def test_license_mentions_in_text_order() -> None:
    s = "Most are under Apache 2.0, while X is governed by the Qwen Research License."
    assert [lid for _, lid in licenses.mentions(s)] == ["apache-2.0", "qwen-research"]
    assert licenses.mentions("no licence words here") == ()
    assert licenses.from_prose("the original Qianwen License") == "qwen"
