"""Tool identity in storage: one tool per model at one size.

Base/instruct repos, third-party quantised re-uploads, a post's "Llama 3.1 8B" and a
price list's repo id all land on one tool; other sizes and versions never do, and a
name that only looks alike becomes a new candidate with a suggestion for editors.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import T0, doc, item, record

from normalizer.models import DocKind, ToolRecord
from storage import Store
from storage.ingest import DERIVATIVE_WEIGHT

BASE = "meta-llama/Llama-3.1-8B"
INSTRUCT = "meta-llama/Llama-3.1-8B-Instruct"
GGUF = "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
SLUG = "llama-3.1-8b"
LICENSE = {"id": "llama3.1", "terms": "restricted"}


def hf(repo: str, **fields: object) -> ToolRecord:
    """A record as the HF normalizers make it: slug and name from the repo id."""
    short = repo.rsplit("/", 1)[-1]
    return record(short.lower().replace(".", "-"), name=short, source_id=repo, **fields)


def card_url(repo: str) -> str:
    return f"https://huggingface.co/{repo}"


def base() -> ToolRecord:
    return hf(BASE, vendor="Meta", license=LICENSE)


def instruct(**fields: object) -> ToolRecord:
    fields.setdefault("vendor", "Meta")
    fields.setdefault("license", LICENSE)
    return hf(INSTRUCT, base_model=BASE, base_model_relation="finetune", **fields)


def gguf(**fields: object) -> ToolRecord:
    return hf(GGUF, base_model=INSTRUCT, base_model_relation="quantized", **fields)


def test_base_instruct_and_quantised_reupload_are_one_tool(store: Store) -> None:
    stats = store.ingest_batch(
        [
            item(doc(card_url(BASE), "base"), base()),
            item(doc(card_url(INSTRUCT), "instruct"), instruct()),
            item(doc(card_url(GGUF), "gguf"), gguf(vendor="bartowski")),
        ]
    )
    assert stats.tools_new == 1
    assert [t.slug for t in store.list_tools()] == [SLUG]
    resolved = store.resolve(SLUG)
    assert resolved is not None
    assert resolved.variants == [BASE, INSTRUCT, GGUF]
    assert resolved.status == "candidate"
    assert resolved.suggested_matches == []
    for text in (BASE, INSTRUCT, GGUF.lower(), "Meta-Llama-3.1-8B-Instruct-GGUF"):
        assert store.tool_slug_for(text) == SLUG, text


def test_original_beats_a_newer_quantised_reupload(store: Store) -> None:
    store.ingest_batch([item(doc(card_url(INSTRUCT), "instruct"), instruct())])
    later = T0 + timedelta(days=60)
    stats = store.ingest_batch(
        [
            item(
                doc(card_url(GGUF), "gguf", fetched_at=later),
                gguf(vendor="bartowski", license={"id": "other"}, context_length=131072),
            )
        ]
    )
    assert (stats.tools_new, stats.tools_changed) == (0, 1)  # context_length is new
    resolved = store.resolve(SLUG)
    assert resolved is not None
    rec = resolved.record
    assert (rec.vendor, rec.license and rec.license.id) == ("Meta", "llama3.1")
    assert rec.provenance["vendor"].confidence == 1.0
    # the re-upload still fills what the original does not say, at its lower weight
    assert rec.context_length == 131072
    assert rec.provenance["context_length"].confidence == DERIVATIVE_WEIGHT
    weights = {(c.record_key, c.field): c.confidence for c in resolved.claims}
    assert weights[(GGUF, "vendor")] == DERIVATIVE_WEIGHT
    assert weights[(INSTRUCT, "vendor")] == 1.0
    # the disagreement stays visible to editors, the original chosen
    conflicts = {c.field: c for c in resolved.conflicts}
    assert conflicts["vendor"].chosen == "Meta"
    assert conflicts["license"].chosen["id"] == "llama3.1"


@pytest.mark.parametrize("repo_first", [True, False], ids=["repo-first", "post-first"])
def test_post_and_price_list_names_attach_to_the_repo_tool(store: Store, repo_first: bool) -> None:
    repo = item(doc(card_url(INSTRUCT), "instruct"), instruct())
    post = item(
        doc("https://ai.meta.com/blog/meta-llama-3-1/", "post", kind=DocKind.ANNOUNCEMENT),
        record("llama-3-1-8b", name="Llama 3.1 8B", release_date="2024-07-23"),
    )
    pricing = {
        "model": "paid",
        "prices": [{"provider": "OpenRouter", "input_per_mtok": 0.02, "output_per_mtok": 0.05}],
    }
    prices = item(
        doc("https://openrouter.ai/api/v1/models", "p", kind=DocKind.PRICE_LIST),
        record(
            "meta-llama-3-1-8b-instruct",
            name="Meta: Llama 3.1 8B Instruct",
            source_id="meta-llama/Meta-Llama-3.1-8B-Instruct",
            pricing=pricing,
        ),
    )
    batches = [[repo], [post], [prices]] if repo_first else [[post], [prices], [repo]]
    assert [store.ingest_batch(b).tools_new for b in batches] == [1, 0, 0]
    [summary] = store.list_tools()
    assert summary.slug == SLUG
    assert summary.source_kinds == ["announcement", "hf-card", "price-list"]
    resolved = store.resolve(SLUG)
    assert resolved is not None
    assert str(resolved.record.release_date) == "2024-07-23"
    assert resolved.record.pricing is not None
    assert [p.provider for p in resolved.record.pricing.prices] == ["OpenRouter"]
    assert resolved.record.license is not None and resolved.record.license.id == "llama3.1"
    for text in (INSTRUCT, "Llama 3.1 8B", "meta-llama/Meta-Llama-3.1-8B-Instruct"):
        assert store.tool_slug_for(text) == SLUG, text


def test_other_sizes_and_versions_are_neither_grouped_nor_suggested(store: Store) -> None:
    def post(slug: str, name: str) -> ToolRecord:
        return record(slug, name=name, vendor="Meta", family="llama")

    batch = [
        item(doc(card_url(INSTRUCT), "a"), instruct(family="llama")),
        item(
            doc(card_url("meta-llama/Llama-3.1-70B-Instruct"), "b"),
            hf("meta-llama/Llama-3.1-70B-Instruct", vendor="Meta", family="llama"),
        ),
        item(
            doc(card_url("meta-llama/Meta-Llama-3-8B-Instruct"), "c"),
            hf("meta-llama/Meta-Llama-3-8B-Instruct", vendor="Meta", family="llama"),
        ),
        item(
            doc("https://ai.meta.com/blog/meta-llama-3/", "d", kind=DocKind.ANNOUNCEMENT),
            post("llama-3-70b", "Llama 3 70B"),
            post("llama-3-1-70b", "Llama 3.1 70B"),  # the 70B repo's tool
        ),
    ]
    stats = store.ingest_batch(batch)
    assert stats.tools_new == 4
    slugs = {t.slug for t in store.list_tools()}
    assert slugs == {"llama-3.1-8b", "llama-3.1-70b", "llama-3-8b", "llama-3-70b"}
    for slug in slugs:
        resolved = store.resolve(slug)
        assert resolved is not None
        assert resolved.suggested_matches == [], slug
    resolved = store.resolve("llama-3.1-70b")
    assert resolved is not None
    assert resolved.variants == ["meta-llama/Llama-3.1-70B-Instruct"]
    assert store.tool_slug_for("Llama 3.1 70B") == "llama-3.1-70b"
    assert store.tool_slug_for("Llama 3 70B") == "llama-3-70b"


def test_vendor_api_id_and_alternate_name_join_their_model(store: Store) -> None:
    mixtral = "mistralai/Mixtral-8x22B-Instruct-v0.1"
    store.ingest_batch([item(doc(card_url(mixtral), "m"), hf(mixtral, vendor="Mistral AI"))])
    assert store.tool_slug_for(mixtral) == "mixtral-8x22b"
    prices = doc("https://api.mistral.ai/v1/models", "p", kind=DocKind.PRICE_LIST)
    stats = store.ingest_batch(
        [
            item(
                prices,
                # Mistral's API id: the deployment word `open-` names no other model
                record("open-mixtral-8x22b", vendor="Mistral AI"),
                # a parenthesised alternate name is certain: it attaches
                record("mistral-8x24b", name="Mistral 8x24B (Mixtral 8x22B)"),
            )
        ]
    )
    assert stats.tools_new == 0
    assert store.tool_slug_for("open-mixtral-8x22b") == "mixtral-8x22b"
    original = store.resolve("mixtral-8x22b")
    assert original is not None
    assert "Mistral 8x24B (Mixtral 8x22B)" in original.aliases


def test_size_unstated_name_is_suggested_never_attached(store: Store) -> None:
    store.ingest_batch([item(doc(card_url(INSTRUCT), "a"), instruct(family="llama"))])
    post = doc("https://ai.meta.com/blog/meta-llama-3-1/", "post", kind=DocKind.ANNOUNCEMENT)
    stats = store.ingest_batch([item(post, record("llama-3-1", name="Llama 3.1", vendor="Meta"))])
    assert stats.tools_new == 1
    candidate = store.resolve("llama-3.1")
    assert candidate is not None
    assert [m.slug for m in candidate.suggested_matches] == [SLUG]


@pytest.mark.parametrize("with_base_repo", [True, False], ids=["base-ingested", "base-unseen"])
def test_own_base_variant_is_not_the_tools_base_model(store: Store, with_base_repo: bool) -> None:
    batch = [item(doc(card_url(INSTRUCT), "instruct"), instruct())]
    if with_base_repo:
        batch.append(item(doc(card_url(BASE), "base"), base()))
    batch.append(item(doc(card_url(GGUF), "gguf"), gguf()))  # its base: the instruct repo
    store.ingest_batch(batch)
    resolved = store.resolve(SLUG)
    assert resolved is not None
    rec = resolved.record
    assert (rec.base_model, rec.base_model_relation) == (None, None)
    assert {"base_model", "base_model_relation"}.isdisjoint(rec.provenance)
    assert [c.field for c in resolved.conflicts if c.field.startswith("base_model")] == []
    # the claims themselves stay on record
    assert {c.value for c in resolved.claims if c.field == "base_model"} == {BASE, INSTRUCT}


def test_a_finetune_of_another_tool_keeps_its_base_model(store: Store) -> None:
    hermes = "NousResearch/Hermes-3-Llama-3.1-8B"
    store.ingest_batch(
        [
            item(doc(card_url(INSTRUCT), "instruct"), instruct()),
            item(
                doc(card_url(hermes), "hermes"),
                hf(hermes, base_model=BASE, base_model_relation="finetune"),
            ),
        ]
    )
    slug = store.tool_slug_for(hermes)
    assert slug == "hermes-3-llama-3.1-8b"
    resolved = store.resolve(slug)
    assert resolved is not None
    assert (resolved.record.base_model, resolved.record.base_model_relation) == (BASE, "finetune")


def test_a_different_product_sharing_words_is_not_suggested(store: Store) -> None:
    store.ingest_batch(
        [item(doc("https://x/base", "base"), record("llama-3-8b", name="Llama-3-8B"))]
    )
    store.ingest_batch(
        [item(doc("https://x/guard", "guard"), record("llama-guard-3-8b", name="Llama Guard 3 8B"))]
    )
    guard = store.resolve(store.tool_slug_for("Llama Guard 3 8B"))
    assert guard is not None and guard.suggested_matches == []
