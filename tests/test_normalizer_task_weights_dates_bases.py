"""Task, open weights, release dates and base models of cards and posts.

Built on verbatim corpus documents (tests/fixtures/corpus, MANIFEST.tsv)."""

from __future__ import annotations

from corpus_support import CORPUS, by_display, card, find_record, post

from normalizer import normalize


def test_vision_language_model_is_not_text_generation() -> None:
    recs = post("hf_blog__idefics2.md")
    assert all(r.task is None for r in recs)
    rec = by_display(recs)["idefics2-8b"]
    assert rec.license is not None and rec.license.id == "apache-2.0"
    assert rec.parameters is not None and rec.parameters.total == 8_000_000_000


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


def test_code_repo_of_an_announced_model_is_an_alias_and_open_weights() -> None:
    # `model_id = "meta-llama/Llama-3.2-11B-Vision-Instruct"`; `from_pretrained("Qwen/Qwen1.5-MoE-A2.7B-Chat")`
    vis = find_record(post("hf_blog__llama32.md"), "llama3211bvision")
    assert "meta-llama/Llama-3.2-11B-Vision-Instruct" in vis.aliases
    moe = find_record(post("qwen_blog__qwen-moe.md"), "qwen15moea27b")
    assert moe.open_weights is True


def test_api_llm_used_through_chat_completions_is_text_generation() -> None:
    # Qwen2.5-Turbo: no LLM cue word, but its usage example calls `client.chat.completions.create`
    (rec,) = post("qwen_blog__qwen2.5-turbo.md")
    assert rec.open_weights is False
    assert rec.task == "text-generation"


def test_news_line_about_the_variant_group_dates_the_card() -> None:
    # `🎯 2023-11-23: Chat models are open-sourced and available to the public.`
    assert card("01-ai__Yi-34B-Chat.md").release_date == "2023-11-23"


def test_base_model_named_bare_from_another_maker() -> None:
    # `We released WizardCoder-33B-V1.1 trained from deepseek-coder-33b-base`
    assert card("WizardLM__WizardCoder-33B-V1.1.md").base_model == "deepseek-coder-33b-base"
