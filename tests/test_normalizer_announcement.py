"""Announcement posts (real files under tests/fixtures/corpus/announcements)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


# -- which names are announced models: real posts and feed entries ------------------

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
MISTRAL_FEED = FEEDS / "0xSMW__feed_mistral_news__2026-08.xml"
XAI_FEED = FEEDS / "0xSMW__feed_xai_news__2026-08.xml"
DEEPSEEK_FEED = FEEDS / "mibuhand__deepseek_news.xml"


def entry_names(feed: Path, link: str) -> list[str]:
    from crawler.feeds import parse_feed

    e = next(e for e in parse_feed(feed.read_bytes(), str(feed)).entries if e.link == link)
    assert e.fragment is not None
    return [r.name for r in normalize("announcement", e.fragment, e.link).records]


@pytest.mark.parametrize(
    ("feed", "link"),
    [
        (MISTRAL_FEED, "https://mistral.ai/news/rss"),  # the feed's own page
        (MISTRAL_FEED, "https://mistral.ai/news/ai-now-summit-2026"),  # an event
        (MISTRAL_FEED, "https://mistral.ai/news/ki-fur-deutschland"),  # company news
        (MISTRAL_FEED, "https://mistral.ai/news/ai-for-citizens"),  # a programme
        (MISTRAL_FEED, "https://mistral.ai/news/mistral-code"),  # a product, not a model
        (XAI_FEED, "https://x.ai/news/new-flagship-voices"),  # voices of a product
        (XAI_FEED, "https://x.ai/news/grok-bot-more-plans"),  # a product's plans
        (XAI_FEED, "https://x.ai/news/prompt-ide"),  # a tool
        (XAI_FEED, "https://x.ai/news/api"),  # API public beta
        (XAI_FEED, "https://x.ai/news/composer-2-5"),  # another maker's model brought to a product
        (XAI_FEED, "https://x.ai/news/grok-4-6-vertex-ai"),  # a model on a cloud platform
        (XAI_FEED, "https://x.ai/news/grok-github-copilot"),  # a model in an IDE
        (DEEPSEEK_FEED, "https://api-docs.deepseek.com/zh-cn/news/news0802"),  # API 上线硬盘缓存
        (DEEPSEEK_FEED, "https://api-docs.deepseek.com/zh-cn/news/news250115"),  # DeepSeek APP 发布
    ],
)
def test_feed_entry_announcing_no_model_yields_no_record(feed: Path, link: str) -> None:
    assert entry_names(feed, link) == []


@pytest.mark.parametrize(
    ("feed", "link", "expected"),
    [
        (XAI_FEED, "https://x.ai/news/grok-4-6", ["Grok 4.6"]),
        (XAI_FEED, "https://x.ai/news/grok-3", ["Grok 3"]),  # "Grok 3 Beta — ...": beta is a stage
        (
            XAI_FEED,
            "https://x.ai/news/grok-build-0-1",
            ["grok-build-0.1"],
        ),  # "our latest coding model, `x`"
        (MISTRAL_FEED, "https://mistral.ai/news/robostral-navigate", ["Robostral Navigate"]),
        (MISTRAL_FEED, "https://mistral.ai/news/leanstral", ["Leanstral"]),  # not "Open-Source"
        (
            MISTRAL_FEED,
            "https://mistral.ai/news/mistral-small-4",
            ["Mistral Small 4"],
        ),  # no "8B" size
        (DEEPSEEK_FEED, "https://api-docs.deepseek.com/zh-cn/news/news250120", ["DeepSeek-R1"]),
    ],
)
def test_feed_entry_announcing_a_model(feed: Path, link: str, expected: list[str]) -> None:
    assert entry_names(feed, link) == expected


def test_devstral_entry_names_models_from_release_sentences() -> None:
    names = entry_names(MISTRAL_FEED, "https://mistral.ai/news/devstral-2507")
    assert set(names) == {"Devstral Medium", "Devstral Small 1.1"}


def test_mistral_small_4_totals_not_a_size_series() -> None:
    from crawler.feeds import parse_feed

    link = "https://mistral.ai/news/mistral-small-4"
    e = next(e for e in parse_feed(MISTRAL_FEED.read_bytes(), "x").entries if e.link == link)
    (r,) = normalize("announcement", e.fragment, link).records
    assert r.parameters is not None
    assert (r.parameters.total, r.parameters.active) == (119_000_000_000, 6_000_000_000)


def test_codellama_github_blob_link_is_not_a_hub_repo() -> None:
    recs = records("hf_blog__codellama.md")
    assert all(not (r.source_id or "").startswith("facebookresearch/") for r in recs)


def test_onnx_checkpoints_are_a_format_not_a_model() -> None:
    names = {r.name for r in records("hf_blog__smollm.md")}
    assert names == {"SmolLM-135M", "SmolLM-360M", "SmolLM-1.7B"}


def test_later_update_note_does_not_announce_falcon_180b() -> None:
    recs = records("hf_blog__falcon.md")
    assert sorted(r.source_id or r.name for r in recs) == ["tiiuae/falcon-40b", "tiiuae/falcon-7b"]


def test_size_bound_in_title_is_not_a_size() -> None:
    (r,) = records("qwen_blog__qwen1.5-110b.md")  # "The First 100B+ Model of the Qwen1.5 Series"
    assert r.name == "Qwen1.5-110B"
    assert r.parameters is not None and r.parameters.total == 110_000_000_000


def test_masked_language_model_is_not_text_generation() -> None:
    recs = records("hf_blog__modernbert.md")
    assert {r.name for r in recs} == {
        "ModernBERT-base",
        "ModernBERT-large",
    }  # not the compared BERT
    assert all(r.task is None for r in recs)


@pytest.mark.timeout(60)
def test_a_long_post_does_not_stall_normalisation() -> None:
    """A 300 KB changelog page (the crawler accepts up to 16 MiB) must not take minutes:
    name checks scan the whole body once per name, not once per mention."""
    body = "We release Foo-7B today. Foo-7B is a model with 7B parameters. " * 5000
    result = normalize("announcement", body.replace(". ", ".\n"))
    assert [r.name for r in result.records] == ["Foo-7B"]
