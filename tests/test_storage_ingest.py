"""Ingest: document dedup, idempotence, append-only claims, tool matching, state."""

from __future__ import annotations

import zlib
from datetime import timedelta

from builders import T0, doc, item, record
from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.models import DocKind, Parameters, RawDocument
from storage import Store
from storage.ingest import content_hash
from storage.schema import Claim, Document, Tool

CARD = "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"
API = "https://huggingface.co/api/models/meta-llama/Llama-3.1-8B-Instruct"
REPO = "meta-llama/Llama-3.1-8B-Instruct"
SLUG = "llama-3.1-8b"
"""The tool's slug: its key (one model at one size), not the record's slug."""


def llama(**fields: object) -> object:
    fields.setdefault("source_id", REPO)
    fields.setdefault("vendor", "Meta")
    return record("llama-3-1-8b-instruct", name="Llama 3.1 8B Instruct", **fields)


def rows(store: Store, model: type) -> list:
    with Session(store.engine) as session:
        return list(session.scalars(select(model).order_by(model.id)))


def test_document_stored_compressed_with_hash(store: Store) -> None:
    raw = doc(CARD, "---\nlicense: llama3.1\n---\n# Llama", status_meta="x")
    stats = store.ingest_batch([item(raw, llama())])
    assert (stats.documents_new, stats.documents_seen, stats.tools_new) == (1, 0, 1)
    [row] = rows(store, Document)
    assert zlib.decompress(row.body) == raw.body
    assert row.content_hash == content_hash(raw.body)
    assert (row.url, row.kind, row.status, row.content_type) == (
        CARD,
        "hf-card",
        200,
        "text/markdown",
    )
    assert row.fetched_at == row.last_seen_at == T0
    assert row.meta == {"status_meta": "x"}


def test_unchanged_document_stored_once_last_seen_moves(store: Store) -> None:
    store.ingest_batch([item(doc(CARD, "same"), llama())])
    later = T0 + timedelta(days=1)
    stats = store.ingest_batch([item(doc(CARD, "same", fetched_at=later), llama())])
    assert (stats.documents_new, stats.documents_seen, stats.claims_new) == (0, 1, 0)
    [row] = rows(store, Document)
    assert (row.fetched_at, row.last_seen_at) == (T0, later)
    # an older re-fetch never moves last_seen_at backwards
    store.ingest_batch([item(doc(CARD, "same", fetched_at=T0 - timedelta(days=3)), llama())])
    assert rows(store, Document)[0].last_seen_at == later


def test_duplicate_document_within_one_batch(store: Store) -> None:
    stats = store.ingest_batch([item(doc(CARD, "x"), llama()), item(doc(CARD, "x"), llama())])
    assert (stats.documents_new, stats.documents_seen, stats.tools_new) == (1, 1, 1)
    assert len(rows(store, Document)) == 1


def test_ingest_is_idempotent(store: Store) -> None:
    batch = [
        item(doc(CARD, "card", state_key=f"hf:{REPO}", sha="abc"), llama(context_length=131072)),
        item(doc(API, "api", kind=DocKind.HF_API), llama(parameters=Parameters(total=8030261248))),
    ]
    first = store.ingest_batch(batch)
    assert (first.documents_new, first.tools_new) == (2, 1)
    snapshot = (store.stats(), store.resolve(SLUG), store.list_tools())
    assert snapshot[1] is not None
    claims = [(c.id, c.field, c.value) for c in rows(store, Claim)]

    again = store.ingest_batch(batch)
    assert again.model_dump() == {
        "documents_new": 0,
        "documents_seen": 2,
        "claims_new": 0,
        "tools_new": 0,
        "tools_changed": 0,
    }
    assert (store.stats(), store.resolve(SLUG), store.list_tools()) == snapshot
    assert [(c.id, c.field, c.value) for c in rows(store, Claim)] == claims


def test_claims_for_every_non_empty_field_with_provenance(store: Store) -> None:
    rec = llama(
        parameters=Parameters(total=8_000_000_000),
        description="",  # empty: no claim
        aliases=["Llama-3.1-8B-Instruct"],
        source_url="https://example.org/prov",
        observed_at=T0 - timedelta(days=1),
    )
    rec.provenance["vendor"].evidence = "Meta released"
    stats = store.ingest_batch([item(doc(CARD, "c"), rec)])
    by_field = {c.field: c for c in rows(store, Claim)}
    assert set(by_field) == {"name", "slug", "aliases", "source_id", "vendor", "parameters"}
    assert stats.claims_new == 6
    vendor = by_field["vendor"]
    assert (vendor.value, vendor.source_kind, vendor.record_key) == ("Meta", "hf-card", REPO)
    assert (vendor.method, vendor.evidence) == ("test:vendor", "Meta released")
    assert vendor.source_url == "https://example.org/prov"
    assert vendor.observed_at == T0 - timedelta(days=1)
    assert by_field["parameters"].value == {"total": 8_000_000_000, "active": None}
    # no provenance for aliases: falls back to the document
    aliases = by_field["aliases"]
    assert (aliases.method, aliases.source_url, aliases.observed_at) == ("unattributed", CARD, T0)


def test_changed_body_appends_claims_and_recency_wins(store: Store) -> None:
    store.ingest_batch([item(doc(CARD, "v1"), llama(context_length=8192))])
    later = T0 + timedelta(days=30)
    stats = store.ingest_batch(
        [item(doc(CARD, "v2", fetched_at=later), llama(context_length=131072))]
    )
    assert (stats.documents_new, stats.tools_new, stats.tools_changed) == (1, 0, 1)
    assert stats.claims_new == 5  # the whole record again, from the new version
    values = [c.value for c in rows(store, Claim) if c.field == "context_length"]
    assert values == [8192, 131072]  # old claim kept
    resolved = store.resolve(SLUG)
    assert resolved is not None
    assert resolved.record.context_length == 131072
    assert resolved.record.provenance["context_length"].observed_at == later
    assert resolved.conflicts == []  # a newer version of one URL is not a second opinion
    assert len(rows(store, Document)) == 2


def test_rank_beats_recency_and_conflicts_name_both_sources(store: Store) -> None:
    store.ingest_batch(
        [
            item(
                doc(API, "api", kind=DocKind.HF_API),
                llama(parameters=Parameters(total=8_030_261_248), vendor="Meta"),
            ),
        ]
    )
    stats = store.ingest_batch(
        [
            item(
                doc(CARD, "card", fetched_at=T0 + timedelta(days=5)),
                llama(parameters=Parameters(total=7_000_000_000), vendor="meta "),
            )
        ]
    )
    assert stats.tools_changed == 0  # hf-api still wins every field
    resolved = store.resolve(SLUG)
    assert resolved is not None
    assert resolved.record.parameters == Parameters(total=8_030_261_248)
    assert resolved.record.provenance["parameters"].method == "test:parameters"
    [conflict] = resolved.conflicts  # "Meta" vs "meta " agree; parameters do not
    assert conflict.field == "parameters"
    assert conflict.chosen == {"total": 8_030_261_248, "active": None}
    sources = {
        (v.value["total"], s.source_kind, s.source_url) for v in conflict.values for s in v.sources
    }
    assert sources == {(8_030_261_248, "hf-api", API), (7_000_000_000, "hf-card", CARD)}


def test_pricing_prefers_price_list(store: Store) -> None:
    prices = "https://openrouter.ai/api/v1/models"
    card_pricing = {"model": "open-weights", "prices": []}
    list_pricing = {
        "model": "paid",
        "prices": [{"provider": "OpenRouter", "input_per_mtok": 0.02, "output_per_mtok": 0.05}],
    }
    store.ingest_batch(
        [
            item(doc(API, "api", kind=DocKind.HF_API), llama(pricing=card_pricing)),
            item(doc(prices, "p", kind=DocKind.PRICE_LIST), llama(pricing=list_pricing)),
        ]
    )
    resolved = store.resolve(SLUG)
    assert resolved is not None and resolved.record.pricing is not None
    assert resolved.record.pricing.model == "paid"
    assert [p.provider for p in resolved.record.pricing.prices] == ["OpenRouter"]
    assert resolved.record.provenance["pricing"].source_url == prices
    assert [(c.field, c.facet) for c in resolved.conflicts] == [("pricing", "model")]


def test_tool_matching_by_variant_key_slug_and_alias(store: Store) -> None:
    store.ingest_batch([item(doc(CARD, "c"), llama(aliases=["Llama3.1-8B-Chat"]))])
    assert [t.slug for t in rows(store, Tool)] == [SLUG]
    # same repo id in other casing, other slug and name: the variant decides
    by_variant = record("something-else", source_id=REPO.lower())
    # a quantisation under another uploader: the tool key (`llama-3.1-8b`) decides
    by_key = record("whatever", source_id="someone/Llama-3.1-8B-Instruct-GGUF")
    # a record whose name gives no key of this tool, but that names the tool by slug
    by_slug = record(SLUG, name="L31-8B-Instr")
    # an announcement naming it by alias (its key `llama3.1-8b` is no tool's)
    by_alias = record("llama-3-1-8b-chat", name="Llama3.1 8B chat")
    stats = store.ingest_batch(
        [
            item(doc("https://x/1", "1", kind=DocKind.HF_API), by_variant),
            item(doc("https://x/2", "2"), by_key),
            item(doc("https://x/3", "3", kind=DocKind.ANNOUNCEMENT), by_slug),
            item(doc("https://x/4", "4", kind=DocKind.ANNOUNCEMENT), by_alias),
        ]
    )
    assert stats.tools_new == 0
    [tool] = rows(store, Tool)
    resolved = store.resolve(tool.slug)
    assert resolved is not None
    assert resolved.variants == [REPO, "someone/Llama-3.1-8B-Instruct-GGUF"]
    assert "Llama3.1-8B-Chat" in resolved.aliases
    assert resolved.suggested_matches == []
    for text in (
        REPO.upper(),
        "llama 3.1 8b instruct",
        "LLAMA3.1-8B-CHAT",
        "llama-3-1-8b-instruct",
        "someone/llama-3.1-8b-instruct-gguf",
        SLUG,
    ):
        assert store.tool_slug_for(text) == SLUG, text
    assert store.tool_slug_for("mixtral") is None


def test_new_tools_are_candidates_and_ingest_never_deletes(store: Store) -> None:
    store.ingest_batch(
        [item(doc(CARD, "c"), llama()), item(doc("https://m", "m"), record("mixtral"))]
    )
    assert {t.slug: t.status for t in store.list_tools()} == {
        SLUG: "candidate",
        "mixtral": "candidate",
    }
    with Session(store.engine) as session, session.begin():
        session.scalars(select(Tool).where(Tool.slug == "mixtral")).one().status = "rejected"
    # a later crawl no longer mentions mixtral, and mentions llama again
    store.ingest_batch([item(doc(CARD, "c2", fetched_at=T0 + timedelta(days=1)), llama())])
    assert {t.slug: t.status for t in store.list_tools()} == {
        SLUG: "candidate",
        "mixtral": "rejected",
    }
    assert [t.slug for t in store.list_tools(status="rejected")] == ["mixtral"]


def test_records_matching_a_merged_tool_land_on_its_target(store: Store) -> None:
    store.ingest_batch([item(doc(CARD, "c"), llama()), item(doc("https://d", "d"), record("dup"))])
    with Session(store.engine) as session, session.begin():
        target = session.scalars(select(Tool).where(Tool.slug == SLUG)).one()
        dup = session.scalars(select(Tool).where(Tool.slug == "dup")).one()
        dup.status, dup.merged_into_id = "merged", target.id
    store.ingest_batch([item(doc("https://d", "d2"), record("dup", context_length=4096))])
    resolved = store.resolve(SLUG)
    assert resolved is not None and resolved.record.context_length == 4096
    merged = store.resolve("dup")
    assert merged is not None and merged.merged_into == SLUG


def test_announcement_with_several_records(store: Store) -> None:
    post = doc("https://qwen.ai/blog/qwen2.5", "post", kind=DocKind.ANNOUNCEMENT)
    sizes = [
        record(f"qwen2-5-{s}", parameters=Parameters(total=n))
        for s, n in (("7b", 7e9), ("72b", 72e9))
    ]
    stats = store.ingest_batch([item(post, *sizes)])
    assert (stats.tools_new, stats.claims_new) == (2, 2 * 3)
    summaries = {s.slug: s for s in store.list_tools()}
    assert summaries["qwen2-5-72b"].params_total == 72_000_000_000
    assert summaries["qwen2-5-7b"].source_kinds == ["announcement"]
    assert summaries["qwen2-5-7b"].claims_count == 3


def test_list_tools_summary(store: Store) -> None:
    store.ingest_batch(
        [
            item(
                doc(CARD, "c"),
                llama(
                    license={"id": "llama3.1", "terms": "restricted"},
                    parameters=Parameters(total=8e9),
                ),
            ),
            item(doc(API, "a", kind=DocKind.HF_API), llama()),
        ]
    )
    [summary] = store.list_tools()
    assert summary.model_dump() == {
        "slug": SLUG,
        "name": "Llama 3.1 8B Instruct",
        "vendor": "Meta",
        "status": "candidate",
        "license_id": "llama3.1",
        "params_total": 8_000_000_000,
        "claims_count": 10,  # 6 from the card, 4 from the API
        "source_kinds": ["hf-api", "hf-card"],
    }
    assert store.list_tools(status="published") == []


def test_source_state_round_trip(store: Store) -> None:
    key = f"hf:{REPO}"
    store.ingest_batch(
        [item(doc(API, "v1", kind=DocKind.HF_API, state_key=key, sha="aaa", etag='W/"1"'), llama())]
    )
    state = store.get_state(key)
    assert state is not None
    assert (state.sha, state.etag, state.last_modified) == ("aaa", 'W/"1"', None)
    assert state.content_hash == content_hash(b"v1")
    assert state.updated_at == T0

    later = T0 + timedelta(hours=2)
    modified = "2025-01-01T01:00:00.000Z"
    store.ingest_batch(
        [
            item(
                doc(
                    API,
                    "v2",
                    kind=DocKind.HF_API,
                    fetched_at=later,
                    state_key=key,
                    sha="bbb",
                    last_modified=modified,
                ),
                llama(),
            )
        ]
    )
    # a stale replay of v1 does not roll the state back
    store.ingest_batch(
        [item(doc(API, "v1", kind=DocKind.HF_API, state_key=key, sha="aaa"), llama())]
    )
    states = store.source_state([key, "hf:unknown/repo"])
    assert list(states) == [key]
    assert states[key].model_dump() == {
        "key": key,
        "sha": "bbb",
        "etag": 'W/"1"',  # kept: v2's fetch did not report one
        "last_modified": modified,
        "content_hash": content_hash(b"v2"),
        "updated_at": later,
    }
    assert store.get_state("hf:unknown/repo") is None


def test_documents_without_records_and_odd_meta(store: Store) -> None:
    raw = RawDocument(
        url="https://x/broken",
        kind="hf-card",
        body=b"\x00\xff",
        status=200,
        meta={"when": T0, "note": "nul\x00byte", "nested": {"n": 1}},
    )
    stats = store.ingest_batch([item(raw)])
    assert (stats.documents_new, stats.claims_new, stats.tools_new) == (1, 0, 0)
    [row] = rows(store, Document)
    assert zlib.decompress(row.body) == b"\x00\xff"
    assert row.meta == {"when": "2025-01-01T00:00:00Z", "note": "nulbyte", "nested": {"n": 1}}
