"""Batching is invisible: one batch gives the database state of one item at a time.

`BatchWriter` decides item by item against in-memory indexes loaded once per batch
and bulk-inserts at the end; these tests pin that this changes nothing a reader can
see: a batch mixing stored and new documents (also twice in one batch), every way
of matching a tool (variant, key, alias, a merged tool's target), new candidates
with suggestions, source state older and newer, a published tool with an override
and reviewed fields, ends in the same rows as the same items ingested singly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from builders import T0, doc, item, record
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from test_storage_editorial_property import fresh_url

from normalizer.models import DocKind, License, NormalizeResult, Parameters, RawDocument
from storage import Store
from storage.schema import (
    Alias,
    Claim,
    Decision,
    Document,
    MatchSuggestion,
    PublishedValue,
    ReviewItem,
    SourceStateRow,
    Tool,
    Variant,
)

ED = "ed"
Items = list[tuple[RawDocument, NormalizeResult]]


def alpha(**fields: Any) -> Any:
    fields.setdefault("source_id", "org/Alpha-7B")
    return record("alpha-7b", name="Alpha 7B", **fields)


def gamma(**fields: Any) -> Any:
    fields.setdefault("source_id", "org/Gamma-3B")
    return record("gamma-3b", name="Gamma 3B", **fields)


def at(hours: int) -> Any:
    return T0 + timedelta(hours=hours)


def prefix() -> Items:
    return [
        item(
            doc("https://hf/alpha", "alpha card", fetched_at=at(1), state_key="hf:alpha", sha="1"),
            alpha(vendor="Org", license=License(id="mit")),
        ),
        item(
            doc("https://hf/beta", "beta card", fetched_at=at(1)), record("beta-7b", name="Beta 7B")
        ),
        item(doc("https://blog/dup", "dup", fetched_at=at(1)), record("dup", name="Dup")),
        item(
            doc("https://hf/gamma", "gamma card", fetched_at=at(1)),
            gamma(vendor="Gamma", license=License(id="mit"), tagline="old"),
        ),
    ]


def prepare(store: Store) -> None:
    store.add_editor(ED, "secret-password")
    store.ingest_batch(prefix())
    store.merge("dup", "alpha-7b", ED)
    store.accept("gamma-3b", ED)
    store.override("gamma-3b", "vendor", "Gamma Labs", ED, "from the website")


def mixed() -> Items:
    """Stored and new documents, in-batch duplicates, every kind of match."""
    twice = item(
        doc("https://blog/post", "post", kind=DocKind.ANNOUNCEMENT, fetched_at=at(5)),
        record("open-alpha-7b", name="Open Alpha 7B", vendor="Org"),
        alpha(context_length=8192),
    )
    return [
        # stored: only last_seen_at and source state move
        item(
            doc("https://hf/alpha", "alpha card", fetched_at=at(9), state_key="hf:alpha", sha="2"),
            alpha(vendor="Org", license=License(id="mit")),
        ),
        # new API document for the same repo; older than the state already stored
        item(
            doc(
                "https://hf/api/alpha",
                "alpha api",
                kind=DocKind.HF_API,
                fetched_at=at(2),
                state_key="hf:alpha",
                sha="0",
            ),
            alpha(parameters=Parameters(total=7_000_000_000)),
        ),
        # a merged tool's record lands on the target
        item(doc("https://blog/dup", "dup v2", fetched_at=at(3)), record("dup", tagline="dup")),
        twice,  # a new candidate (with a suggestion) and a record by variant
        twice,  # the same document again in the batch: seen
        # by alias: a new name for beta, and a brand-new state key without records
        item(
            doc("https://news/delta", "delta", kind=DocKind.ANNOUNCEMENT, fetched_at=at(6)),
            record("delta", name="Delta", aliases=["Beta 7B"]),
        ),
        item(doc("https://hf/empty", "empty", fetched_at=at(6), state_key="hf:empty", sha="e")),
        # published tool: a reviewed field changes, the override is disagreed with
        item(
            doc("https://hf/gamma", "gamma card v2", fetched_at=at(7)),
            gamma(vendor="Gamma Inc", license=License(id="apache-2.0"), tagline="new"),
        ),
        # a new candidate whose name only looks like another one, new in this batch too
        item(
            doc(
                "https://news/alpha-official",
                "official",
                kind=DocKind.ANNOUNCEMENT,
                fetched_at=at(8),
            ),
            record("open-alpha-7b-official", name="Open Alpha 7B Official", vendor="Org"),
        ),
    ]


def dump(store: Store) -> dict[str, Any]:
    """Every row ingest writes, minus wall-clock timestamps (`utcnow`)."""

    def rows(model: Any, *columns: str) -> list[tuple[Any, ...]]:
        with Session(store.engine) as session:
            found = session.scalars(select(model).order_by(*model.__table__.primary_key))
            return [tuple(getattr(row, c) for c in columns) for row in found]

    return {
        "documents": rows(
            Document,
            "id",
            "url",
            "kind",
            "content_hash",
            "body",
            "fetched_at",
            "last_seen_at",
            "meta",
        ),
        "tools": rows(Tool, "id", "slug", "name", "vendor", "family", "status", "merged_into_id"),
        "variants": rows(Variant, "id", "tool_id", "source_id", "source_id_norm"),
        "aliases": rows(Alias, "id", "tool_id", "alias", "alias_norm"),
        "claims": rows(
            Claim,
            "id",
            "tool_id",
            "document_id",
            "record_key",
            "field",
            "value",
            "source_kind",
            "source_url",
            "method",
            "evidence",
            "confidence",
            "observed_at",
        ),
        "suggestions": rows(MatchSuggestion, "id", "tool_id", "candidate_id", "score", "reason"),
        "state": rows(SourceStateRow, "key", "sha", "etag", "content_hash", "updated_at"),
        "published": rows(PublishedValue, "tool_id", "field", "value"),
        "review": rows(ReviewItem, "id", "tool_id", "kind", "field", "old", "new", "status"),
        "decisions": rows(Decision, "id", "tool_id", "action", "actor"),
    }


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="pg", marks=pytest.mark.pg),
    ]
)
def two_stores(request: pytest.FixtureRequest) -> Iterator[tuple[Store, Store]]:
    admin: Engine | None = None
    if request.param == "postgresql":
        admin = request.getfixturevalue("pg_admin_engine")
    with ExitStack() as stack:
        a, b = (
            stack.enter_context(Store(stack.enter_context(fresh_url(request.param, admin))))
            for _ in range(2)
        )
        yield a, b


def test_a_mixed_batch_equals_one_item_at_a_time(two_stores: tuple[Store, Store]) -> None:
    batched, single = two_stores
    for store in (batched, single):
        prepare(store)
    stats = batched.ingest_batch(mixed())
    singles = [single.ingest_batch([i]) for i in mixed()]
    assert dump(batched) == dump(single)
    for name in ("documents_new", "documents_seen", "claims_new", "tools_new"):
        assert getattr(stats, name) == sum(getattr(s, name) for s in singles), name
    assert (stats.documents_new, stats.documents_seen, stats.tools_new) == (7, 2, 2)
    # what the batch did, as a reader sees it
    review = {(r.slug, r.kind, r.field) for r in batched.review_queue()}
    assert review == {("gamma-3b", "change", "license"), ("gamma-3b", "conflict", "vendor")}
    gamma_published = batched.published("gamma-3b")
    assert gamma_published is not None and gamma_published.record.tagline == "new"
    beta = batched.resolve("beta-7b")
    assert beta is not None and "Delta" in beta.aliases
    plus = batched.resolve("open-alpha-7b")
    assert plus is not None and [m.slug for m in plus.suggested_matches] == ["alpha-7b"]
    official = batched.resolve("open-alpha-7b-official")  # also like a tool new in the batch
    assert official is not None
    assert [m.slug for m in official.suggested_matches] == ["open-alpha-7b"]


def test_reingesting_a_batch_adds_nothing(store: Store) -> None:
    prepare(store)
    store.ingest_batch(mixed())
    before = dump(store)
    again = store.ingest_batch(mixed())
    assert again.model_dump() == {
        "documents_new": 0,
        "documents_seen": 9,
        "claims_new": 0,
        "tools_new": 0,
        "tools_changed": 0,
    }
    assert dump(store) == before
    # the tools' vendor column (what match suggestions compare) keeps the editor's
    # override even when a batch brings no new claim to re-apply it
    assert [t[3] for t in before["tools"] if t[1] == "gamma-3b"] == ["Gamma Labs"]
    assert store.published("gamma-3b") is not None
    resolved = store.resolve("gamma-3b")
    assert resolved is not None and resolved.record.vendor == "Gamma Labs"
