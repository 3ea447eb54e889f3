"""Discovery by links: repos other sources name, crawled when their tool has no Hub facts."""

from __future__ import annotations

from builders import doc, item, record

from crawler.hub import choose_discovered
from normalizer.models import DocKind
from storage import Store


def test_repos_named_by_catalogs_and_price_lists_without_hub_facts_are_listed(
    store: Store,
) -> None:
    catalog = doc("https://raw.example/registry/mixtral.ts", "c", kind="catalog")
    prices = doc("https://openrouter.ai/api/v1/models", "p", kind=DocKind.PRICE_LIST)
    card = doc("https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct", "h")
    store.ingest_batch(
        [
            item(catalog, record("mixtral-8x22b", source_id="mistralai/Mixtral-8x22B-v0.1")),
            item(prices, record("qwen3-8b", source_id="Qwen/Qwen3-8B")),
            item(card, record("llama-3.1-8b", source_id="meta-llama/Llama-3.1-8B-Instruct")),
        ]
    )
    # the Llama tool has Hub facts (its card): nothing to discover there
    assert store.repos_without_hub_facts() == ["mistralai/Mixtral-8x22B-v0.1", "Qwen/Qwen3-8B"]


def test_watched_authors_come_with_their_listing_others_within_the_budget() -> None:
    linked = ["meta-llama/Llama-Guard-3-8B", "Qwen/Qwen3-8B", "qwen/qwen3-8b", "google/gemma-2b"]
    assert choose_discovered(linked, ["meta-llama"], budget=5) == [
        "Qwen/Qwen3-8B",
        "google/gemma-2b",
    ]
    assert choose_discovered(linked, ["meta-llama"], budget=1) == ["Qwen/Qwen3-8B"]
    assert choose_discovered(linked, [], budget=0) == []
    assert choose_discovered(linked, [], budget=9, already=["google/gemma-2b"]) == [
        "meta-llama/Llama-Guard-3-8B",
        "Qwen/Qwen3-8B",
    ]
