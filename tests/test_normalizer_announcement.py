"""Announcement posts (real files under tests/fixtures/corpus/announcements)."""

from __future__ import annotations

from pathlib import Path

from normalizer import normalize
from normalizer.models import ToolRecord

POSTS = Path(__file__).parent / "fixtures" / "corpus" / "announcements"


def records(name: str, url: str | None = None) -> list[ToolRecord]:
    return normalize("announcement", (POSTS / name).read_bytes(), url, filename=name).records


def by_size(recs: list[ToolRecord]) -> dict[int | None, ToolRecord]:
    return {r.parameters.total if r.parameters else None: r for r in recs}


def test_gemma_post_one_record_per_size_not_the_compared_models() -> None:
    recs = records("hf_blog__gemma.md")
    assert sorted(r.source_id or "" for r in recs) == ["google/gemma-2b", "google/gemma-7b"]
    for r in recs:
        assert r.vendor == "Google"
        assert r.license is not None and r.license.id == "gemma"
        assert r.context_length == 8000
        assert r.open_weights is True
        assert "context length of 8K" in (r.provenance["context_length"].evidence or "")


def test_codellama_sizes_from_prose_list() -> None:
    recs = by_size(records("hf_blog__codellama.md"))
    assert set(recs) == {7_000_000_000, 13_000_000_000, 34_000_000_000}
    for r in recs.values():
        assert r.license is not None and r.license.id == "llama2"
        assert r.context_length == 16000  # trained window, not the 100k extrapolation
        assert r.release_date is None and r.vendor == "Meta"


def test_llama3_post_announces_guard_model_too() -> None:
    recs = {r.name: r for r in records("hf_blog__llama3.md")}
    guard = recs["Llama Guard 2"]
    assert guard.base_model == "meta-llama/Meta-Llama-3-8B"
    assert guard.license is None and guard.task is None and guard.parameters is None
    sized = [r for r in recs.values() if r is not guard]
    assert {r.parameters.total for r in sized if r.parameters} == {8_000_000_000, 70_000_000_000}
    assert all(r.license and r.license.id == "llama3" and r.context_length == 8000 for r in sized)


def test_llama31_prompt_guard_count_from_text_not_repo_name() -> None:
    recs = {r.name: r for r in records("hf_blog__llama31.md")}
    assert recs["Prompt Guard"].parameters.total == 279_000_000
    assert recs["Llama Guard 3"].context_length == 128000
    assert recs["Llama Guard 3"].base_model == "meta-llama/Meta-Llama-3.1-8B"
    assert recs["Llama Guard 3"].release_date is None  # prompt example dates are not release dates


def test_mixtral_total_from_text_no_fake_sizes() -> None:
    recs = records("hf_blog__mixtral.md")
    assert len(recs) == 1
    r = recs[0]
    assert r.source_id == "mistralai/Mixtral-8x7B-v0.1"
    assert r.parameters is not None and r.parameters.total == 45_000_000_000
    assert r.context_length == 32000
    assert r.license is not None and r.license.id == "apache-2.0"


def test_dbrx_readme() -> None:
    recs = records("github_readme__databricks__dbrx.md")
    assert len(recs) == 1  # base + instruct + community quantisations are one model
    r = recs[0]
    assert (r.parameters.total, r.parameters.active) == (132_000_000_000, 36_000_000_000)
    assert r.license is not None and r.license.id == "databricks-open-model-license"
    assert r.context_length == 32000


def test_deepseek_r1_tables() -> None:
    recs = {r.source_id: r for r in records("github_readme__deepseek-ai__DeepSeek-R1.md")}
    r1 = recs["deepseek-ai/DeepSeek-R1"]
    assert (r1.parameters.total, r1.parameters.active) == (671_000_000_000, 37_000_000_000)
    assert r1.context_length == 128000
    assert r1.base_model == "deepseek-ai/DeepSeek-V3-Base"
    distill = recs["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]
    assert distill.base_model == "meta-llama/Llama-3.1-8B"
    assert distill.parameters.total == 8_000_000_000 and distill.parameters.active is None
    assert distill.context_length is None
    assert distill.license is not None and distill.license.id == "mit"
    assert "meta-llama/Llama-3.1-8B" not in recs  # a base model, not announced


def test_qwen25_license_exceptions_and_size_lists() -> None:
    recs = {
        r.name: r
        for r in records("qwen_blog__qwen2.5.md", "https://qwenlm.github.io/blog/qwen2.5/")
    }
    assert {"Qwen2.5-Coder-1.5B", "Qwen2.5-Math-72B", "Qwen2-VL-72B"} <= set(recs)
    assert not any("32B" in n and "Coder" in n for n in recs)  # "32B on the way"
    assert recs["Qwen2.5-Math-72B"].license is None  # 72B excluded from the Apache statement
    assert recs["Qwen2.5-Coder-1.5B"].license.id == "apache-2.0"
    assert all(r.release_date == "2024-09-19" for r in recs.values())
    assert recs["Qwen2-VL-72B"].task is None and recs["Qwen2-VL-72B"].open_weights is True
    assert not any("Plus" in n or "Turbo" in n for n in recs)  # API models only mentioned


def test_api_only_model() -> None:
    recs = records("qwen_blog__qwen2.5-max.md")
    assert len(recs) == 1
    r = recs[0]
    assert r.open_weights is False
    assert r.license is not None and r.license.id is None and r.license.terms == "proprietary"
    assert r.release_date == "2025-01-28" and r.vendor == "Qwen"


def test_changelog_entries() -> None:
    (entry,) = records("mistral_changelog__2024-04-17.mdx")
    assert entry.name == "open-mixtral-8x22b" and "open-mixtral-8x22b-2404" in entry.aliases
    assert entry.vendor == "Mistral AI" and entry.release_date == "2024-04-17"
    assert entry.parameters is None and entry.open_weights is None  # 8x22b is not a total
    names = {r.name for r in records("mistral_changelog__2025-06-10.mdx")}
    assert names == {"Magistral Medium", "Magistral Small"}


def test_explainer_post_is_not_an_announcement() -> None:
    assert records("hf_blog__moe.md") == []


def test_html_page_uses_main_text_and_metadata() -> None:
    html = """<!doctype html><html><head><title>Site</title>
    <script type="application/ld+json">{"@type": "BlogPosting", "headline": "Introducing Foo-7B",
    "datePublished": "2024-05-02T10:00:00Z"}</script>
    <meta property="og:url" content="https://foo.example/blog/foo-7b"></head>
    <body><nav>Home | Blog</nav><article><h1>Introducing Foo-7B</h1>
    <p>Today we released Foo-7B, a new open language model. Foo-7B is released under the Apache 2.0 license
    and supports a context length of 32K tokens. The weights are available on the Hugging Face Hub.</p>
    </article></body></html>"""
    (r,) = normalize("announcement", html).records
    assert r.name == "Foo-7B"
    assert r.release_date == "2024-05-02"
    assert r.license is not None and r.license.id == "apache-2.0"
    assert r.context_length == 32000
    assert r.parameters is not None and r.parameters.total == 7_000_000_000
    assert r.provenance["license"].source_url == "https://foo.example/blog/foo-7b"
