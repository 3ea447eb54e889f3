"""Comparison copy: category, description, best-for and pricing in words."""

from __future__ import annotations

from normalizer.copy import category, comparison_copy, describe, pricing_copy

APACHE = {"id": "apache-2.0", "name": "Apache License 2.0", "terms": "permissive"}
OPENROUTER = {"provider": "openrouter", "input_per_mtok": 0.4, "output_per_mtok": 1.2}


def test_open_weights_pricing_reads_like_a_comparison_site() -> None:
    summary, entry = pricing_copy(
        {"open_weights": True, "license": APACHE, "pricing": {"prices": [OPENROUTER]}}
    )
    assert summary == (
        "Free, open weights (Apache 2.0): self-host, or API from $0.40/Mtok input on openrouter"
    )
    assert entry == "Free"
    summary, entry = pricing_copy({"open_weights": False, "pricing": {"prices": [OPENROUTER]}})
    assert summary.startswith("Paid: API from $0.40/Mtok") and entry.startswith("$0.40/Mtok")
    assert pricing_copy({}) == (None, None)


def test_category_from_task_then_name_words_then_default() -> None:
    assert category({"task": "text-to-speech", "name": "X"})[0] == "Speech & Audio"
    assert category({"name": "Devstral Medium"})[0] == "Developer Tools"
    assert category({"name": "Voxtral Mini 3B"})[0] == "Speech & Audio"
    assert category({"name": "Mistral OCR 3"})[0] == "Vision"
    assert category({"name": "Llama Guard 3"})[0] == "Safety & Moderation"
    assert category({"name": "Grok 4"}) == (
        "Chat & Text",
        "no task or word placed it: the site's default",
    )


def test_description_keeps_sentences_about_the_model_only() -> None:
    text = (
        "Mixtral is a sparse mixture-of-experts model by Mistral AI. "
        "It outperforms Llama 2 70B on most benchmarks. "
        "Install it with `pip install transformers`. "
        "It handles English, French, German, Spanish and Italian."
    )
    assert describe(text) == (
        "Mixtral is a sparse mixture-of-experts model by Mistral AI. "
        "It handles English, French, German, Spanish and Italian."
    )
    assert describe("Below, we show how Mixtral Instruct performs on MT-Bench.") is None


def test_copy_leaves_an_editors_override_alone_and_says_where_values_came_from() -> None:
    seen: dict[str, str] = {}
    data = {
        "name": "Codestral 22B",
        "category": "Editors' pick",
        "open_weights": True,
        "parameters": {"total": 22_000_000_000},
    }
    out = comparison_copy(data, {"category"}, lambda f, m, e: seen.setdefault(f, m))
    assert "category" not in out
    assert out["tagline"] == "Editors' pick"  # never the review-protected facts
    assert seen == {"tagline": "copy:best_for", "pricing": "copy:pricing"}
    assert out["pricing"]["entry_price"] == "Free"
