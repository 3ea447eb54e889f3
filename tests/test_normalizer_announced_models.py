"""Which models a post announces, and under which names.

Built on verbatim corpus documents (tests/fixtures/corpus, MANIFEST.tsv)."""

from __future__ import annotations

from corpus_support import find_record, names_of, post

from normalizer.models import LicenseTerms


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


def test_spec_table_rows_are_announced_models() -> None:
    recs = post("qwen_blog__qwen2.5-llm.md")
    sizes = {r.parameters.total for r in recs if r.parameters}
    assert {490_000_000, 1_540_000_000, 3_090_000_000, 7_610_000_000} <= sizes
    assert {14_700_000_000, 32_500_000_000, 72_700_000_000} <= sizes
    # `10-30B range` is a range, not a `30B` model
    assert not any(r.name.endswith("-30B") for r in recs)
    for r in recs:
        assert r.open_weights is True  # `we are open-sourcing ...`, `seven of them open-sourced`


def test_title_comparison_is_not_a_size() -> None:
    # `Qwen1.5-MoE: Matching 7B Model Performance with 1/3 Activated Parameters`
    recs = post("qwen_blog__qwen-moe.md")
    assert [r.name for r in recs] == ["Qwen1.5-MoE-A2.7B"]


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


def test_size_list_of_a_qualified_sub_family() -> None:
    # `Llama 3.2 Vision comes in two sizes: 11B ... and 90B`: the vision models, named the
    # way the repos spell them, not text LLMs
    recs = post("hf_blog__llama32.md")
    for size in ("11b", "90b"):
        vis = find_record(recs, f"llama32{size}vision")
        assert f"llama32vision{size}" in names_of(vis)
        assert vis.task is None
        assert vis.parameters is not None and vis.parameters.total == int(size[:-1]) * 10**9
    assert find_record(recs, "llama323b").task == "text-generation"


def test_post_spelling_with_variant_suffix_is_an_alias() -> None:
    # `Qwen2.5-7B-Instruct` in the text is another name of the 7B record
    recs = post("qwen_blog__qwen2.5-llm.md")
    assert "qwen257binstruct" in names_of(find_record(recs, "qwen257b"))


def test_release_of_a_new_version_named_after_a_comma() -> None:
    # `There is also a new small version of Llama Guard, Llama Guard 3 1B, that ...`
    guard = find_record(post("hf_blog__llama32.md"), "llamaguard31b")
    assert guard.open_weights is True
    assert guard.parameters is not None and guard.parameters.total == 1_000_000_000


def test_checkpoint_variants_of_one_size_are_one_record() -> None:
    # `paligemma-3b-ft-vqav2-448`, `paligemma-3b-ft-cococap-448`, ... -> `paligemma-3b`
    recs = post("hf_blog__paligemma.md")
    assert len(recs) == 1
    rec = recs[0]
    assert "paligemma3b" in names_of(rec)
    assert "paligemma3bmix224" in names_of(rec)  # the checkpoint its code loads
    assert rec.parameters is not None and rec.parameters.total == 3_000_000_000


def test_models_named_only_by_a_sized_link_in_a_release_sentence() -> None:
    # `releasing not only the base [11B LLM](…/tiiuae/falcon-11B), but also the
    # [11B VLM model](…/tiiuae/Falcon-11B-vlm)`; the title names a language model AND a VLM
    recs = post("hf_blog__falcon2-11b.md")
    assert len(recs) == 2
    llm = find_record(recs, "falcon211b")
    assert llm.source_id == "tiiuae/falcon-11B"
    assert llm.open_weights is True
    assert llm.task == "text-generation"
    vlm = find_record(recs, "falcon11bvlm")
    assert vlm.open_weights is True
    assert vlm.task is None
    assert vlm.license is not None and vlm.license.terms is not None
