"""Parameter counts and context windows from tables, names and sentences, scoped to the model.

Built on verbatim corpus documents (tests/fixtures/corpus, MANIFEST.tsv)."""

from __future__ import annotations

from corpus_support import card, find_record, post

from normalizer import params
from normalizer.text import Doc


def test_moe_name_gives_active_parameters() -> None:
    moe = next(r for r in post("qwen_blog__qwen2.md") if "57B" in r.name)
    assert moe.parameters is not None and moe.parameters.active == 14_000_000_000


def test_key_value_context_with_parenthesis() -> None:
    # `**Maximum Sequence Length (context):** 8,192 tokens`
    (rec,) = post("github_readme__xai-org__grok-1.md")
    assert rec.context_length == 8192
    assert rec.parameters is not None and rec.parameters.total == 314_000_000_000


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


def test_facts_stated_once_for_all_models_of_a_post() -> None:
    # `StarCoder and StarCoderBase are ... Similar to LLaMA, we trained a ~15B parameter model`;
    # `We fine-tuned StarCoderBase ... resulting in a new model that we call StarCoder`
    recs = post("hf_blog__starcoder.md")
    for r in recs:
        assert r.parameters is not None and r.parameters.total == 15_000_000_000
    assert find_record(recs, "starcoder").base_model == "bigcode/starcoderbase"
    assert find_record(recs, "starcoderbase").base_model is None


def test_moe_totals_in_a_unitless_table() -> None:
    # `| Model | #Parameters | #(Activated) Parameters |` with `| Mistral-7B | 7.2 | 7.2 |`
    # ... `| Qwen1.5-MoE-A2.7B | 14.3 | 2.7 |`: the sized rows show the column is in billions;
    # `parity with contemporary 7B parameter models` is not this model's size
    moe = find_record(post("qwen_blog__qwen-moe.md"), "qwen15moea27b")
    assert moe.parameters is not None
    assert moe.parameters.total == 14_300_000_000
    assert moe.parameters.active == 2_700_000_000


def test_a_class_of_models_is_not_a_parameter_count() -> None:
    assert params.from_sentence("It achieves parity with contemporary 7B parameter models.") is None
    hit = params.from_sentence("Similar to LLaMA, we trained a ~15B parameter model.")
    assert hit is not None and hit.total == 15_000_000_000


def test_unitless_column_needs_agreeing_sized_rows() -> None:
    from normalizer.tables import _column_unit

    t = Doc(
        "| Model | Params |\n|---|---|\n| Foo-7B | 7.2 |\n| Bar-13B | 13.0 |\n| Baz | 14.3 |\n"
    ).tables[0]
    assert _column_unit(t, 1) == "b"
    one = Doc("| Model | Params |\n|---|---|\n| Foo-7B | 7.2 |\n| Baz | 14.3 |\n").tables[0]
    assert _column_unit(one, 1) is None  # one row is not enough to tell
    off = Doc("| Model | Score |\n|---|---|\n| Foo-7B | 61.0 |\n| Bar-13B | 70.2 |\n").tables[0]
    assert _column_unit(off, 1) is None


def test_a_length_an_evaluation_ran_at_is_not_the_context_window() -> None:
    from normalizer import context

    assert (
        context.from_sentence(
            "(a) On MMLU-Pro (4k context length), Orca Linear achieves 51.0 performance."
        )
        is None
    )
    hit = context.from_sentence(
        "Orca Linear supports a 1M context length and achieves 51.0 on MMLU."
    )
    assert hit is not None and hit.value == 1_000_000
