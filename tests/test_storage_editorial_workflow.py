"""Editorial workflow at a daily load, on both backends: only meaningful changes are
reviewed, each says what changed; withdrawal; every editor decision (overrides and
review decisions included) is in the tool's log, every published change in the feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from test_storage_editorial import ED, MIT, alpha, beta, check_feed, crawl, slug_of, state

from normalizer.models import DocKind, License, Parameters, Price, Pricing
from storage import Store
from storage.diff import describe_change
from storage.errors import InvalidTransition


def prices(inp: float, out: float, checked: int) -> Pricing:
    return Pricing(
        model="paid",
        prices=[
            Price(
                provider="openrouter",
                input_per_mtok=inp,
                output_per_mtok=out,
                checked_at=datetime(2025, 1, checked, tzinfo=UTC),
            )
        ],
    )


@pytest.fixture
def ed(store: Store) -> Store:
    store.add_editor(ED, "correct horse")
    return store


def published_alpha(ed: Store, **fields: Any) -> str:
    crawl(ed, alpha(license=MIT, **fields), kind=DocKind.PRICE_LIST)
    slug = slug_of(ed, "org/Alpha-7B")
    ed.accept(slug, ED)
    return slug


def test_a_price_recheck_is_history_not_review(ed: Store) -> None:
    slug = published_alpha(ed, pricing=prices(0.03, 0.05, 1))
    crawl(ed, alpha(pricing=prices(0.03, 0.05, 2)), kind=DocKind.PRICE_LIST, days=1)
    crawl(ed, alpha(pricing=prices(0.0300001, 0.05, 3)), kind=DocKind.PRICE_LIST, days=2)
    assert ed.review_queue() == []
    published = ed.published(slug)
    assert published is not None and published.record.pricing is not None
    assert published.record.pricing.prices[0].checked_at == datetime(2025, 1, 3, tzinfo=UTC)
    rechecks = [c for c in ed.history(slug) if c.field == "pricing"]
    assert len(rechecks) == 3  # the accept, then two re-checks
    assert all("re-checked" in c.reason for c in rechecks[1:])
    check_feed(ed)


def test_a_real_price_change_is_reviewed_and_described(ed: Store) -> None:
    slug = published_alpha(ed, pricing=prices(0.03, 0.05, 1))
    crawl(ed, alpha(pricing=prices(0.05, 0.05, 2)), kind=DocKind.PRICE_LIST, days=1)
    [item] = ed.review_queue()
    assert (item.slug, item.field) == (slug, "pricing")
    assert describe_change(item.field, item.old, item.new) == [
        "input $0.03 → $0.05 per Mtok (+67%), openrouter"
    ]
    # the same new price, checked again, keeps the one item; its sources follow the claims
    crawl(ed, alpha(pricing=prices(0.05, 0.05, 3)), kind=DocKind.PRICE_LIST, days=2)
    [again] = ed.review_queue()
    assert again.id == item.id
    claims = [c for c in ed.resolve(slug).claims if c.field == "pricing"]  # type: ignore[union-attr]
    assert sorted(s["document_id"] for s in again.sources) == sorted(c.document_id for c in claims)
    # a rejected change stays rejected when only re-checked
    ed.decide_review(item.id, False, ED, "provider error")
    crawl(ed, alpha(pricing=prices(0.05, 0.05, 4)), kind=DocKind.PRICE_LIST, days=3)
    assert ed.review_queue() == []


def test_license_change_in_words() -> None:
    assert describe_change(
        "license",
        {"id": "apache-2.0", "terms": "permissive"},
        {"id": "llama3.1", "terms": "restricted"},
    ) == ["license apache-2.0 → llama3.1 (permissive → restricted)"]
    assert describe_change("parameters", {"total": 7_000_000_000}, {"total": 8_000_000_000}) == [
        "total parameters 7B → 8B (+14%)"
    ]
    assert describe_change("pricing", prices(1, 2, 1).model_dump(mode="json"), None) == [
        "pricing removed (was paid; openrouter: input $1, output $2 per Mtok)"
    ]


def test_withdraw_unpublishes_with_a_reason(ed: Store) -> None:
    slug = published_alpha(ed)
    with pytest.raises(InvalidTransition, match="reason"):
        ed.withdraw(slug, ED, " ")
    resolved = ed.withdraw(slug, ED, "the vendor pulled the model")
    assert resolved.status == "rejected"
    assert ed.published(slug) is None
    status = [c for c in ed.history(slug) if c.field == "_status"]
    assert [(c.old, c.new, c.reason) for c in status][-1] == (
        "published",
        "rejected",
        "the vendor pulled the model",
    )
    assert [d.action for d in ed.decisions(slug)][-1] == "withdraw"
    check_feed(ed)
    with pytest.raises(InvalidTransition):
        ed.withdraw(slug, ED, "again")
    ed.accept(slug, ED, "back")  # republishing works from a withdrawal
    assert ed.published(slug) is not None
    check_feed(ed)


def test_withdrawn_tool_returns_to_the_queue_only_with_new_evidence(ed: Store) -> None:
    slug = published_alpha(ed)
    ed.withdraw(slug, ED, "duplicate listing")
    crawl(ed, beta())
    assert slug not in {c.slug for c in ed.candidates()}
    crawl(ed, alpha(tagline="new card"), days=5)
    [back] = [c for c in ed.candidates() if c.slug == slug]
    assert back.reopened and back.rejection_reason == "duplicate listing"


def test_overrides_and_review_decisions_are_in_the_log(ed: Store) -> None:
    slug = published_alpha(ed, pricing=prices(0.03, 0.05, 1))
    ed.override(slug, "license", {"id": "apache-2.0"}, ED, "LICENSE file")
    change = [c for c in ed.history(slug) if c.field == "license"][-1]
    assert (change.actor, change.reason) == (ED, "override: LICENSE file")
    assert change.new["id"] == "apache-2.0"
    ed.clear_override(slug, "license", ED, "sources fixed")
    crawl(ed, alpha(pricing=prices(0.05, 0.05, 2)), kind=DocKind.PRICE_LIST, days=1)
    [item] = ed.review_queue()
    ed.decide_review(item.id, False, ED, "a provider glitch")
    log = [(d.action, d.reason, d.data.get("field")) for d in ed.decisions(slug)]
    assert log == [
        ("accept", "", None),
        ("override", "LICENSE file", "license"),
        ("clear-override", "sources fixed", "license"),
        ("review-reject", "a provider glitch", "pricing"),
    ]
    assert ed.published(slug).record.license == License(id="mit")  # type: ignore[union-attr]


def test_merge_unmerge_round_trip_leaves_review_sources_as_they_were(ed: Store) -> None:
    """The cause of a round trip once leaving one extra source on a pending item: a
    crawl repeating the pending value did not refresh the item's sources, the merge
    and unmerge (which change the value) did."""
    crawl(ed, alpha(parameters=Parameters(total=7_000_000_000)))
    a = slug_of(ed, "org/Alpha-7B")
    ed.accept(a, ED)
    crawl(ed, alpha(parameters=Parameters(total=8_000_000_000)), days=1)
    crawl(ed, alpha(parameters=Parameters(total=8_000_000_000)), days=2)  # the same, again
    crawl(ed, beta(parameters=Parameters(total=70_000_000_000)), days=3)
    b = slug_of(ed, "org/Beta-7B")
    before = state(ed)["review"]
    [item] = ed.review_queue()
    assert len(item.sources) == 3  # every parameters claim of the tool, the repeat included
    ed.merge(b, a, ED)
    ed.unmerge(b, ED)
    assert state(ed)["review"] == before
