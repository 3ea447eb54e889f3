"""Editorial workflow on both backends: editors, lifecycle, overrides, review, history."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from builders import T0, doc, item, record
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from normalizer.models import DocKind, License, Parameters, Price, Pricing
from storage import Store
from storage.catalog import reading
from storage.errors import (
    InvalidOverride,
    InvalidTransition,
    ReviewNotFound,
    ToolNotFound,
    UnknownEditor,
)
from storage.history import replay
from storage.published import published_values
from storage.schema import Claim

ED = "ann"
_urls = count()


def crawl(
    store: Store,
    *records: Any,
    kind: DocKind = DocKind.HF_CARD,
    run_id: int | None = None,
    days: int = 0,
) -> None:
    """One batch: each record in its own new document."""
    n = next(_urls)
    at = T0 + timedelta(days=days, minutes=n)
    store.ingest_batch(
        [
            item(doc(f"https://src/{n}/{i}", f"body-{n}-{i}", kind=kind, fetched_at=at), r)
            for i, r in enumerate(records)
        ],
        run_id=run_id,
    )


def alpha(**fields: Any) -> Any:
    fields.setdefault("source_id", "org/Alpha-7B")
    fields.setdefault("vendor", "Org")
    return record("alpha-7b", name="Alpha 7B", **fields)


def beta(**fields: Any) -> Any:
    fields.setdefault("source_id", "org/Beta-7B")
    return record("beta-7b", name="Beta 7B", **fields)


MIT = License(id="mit")
APACHE = License(id="apache-2.0")


@pytest.fixture
def ed(store: Store) -> Store:
    store.add_editor(ED, "correct horse")
    return store


def slug_of(store: Store, ref: str) -> str:
    slug = store.tool_slug_for(ref)
    assert slug is not None
    return slug


def claim_count(store: Store) -> int:
    with Session(store.engine) as session:
        return int(session.scalar(select(func.count()).select_from(Claim)) or 0)


def check_feed(store: Store) -> None:
    """The change feed, read page by page, replays to the published snapshot."""
    feed, cursor = [], 0
    while True:
        page, cursor = store.changes(cursor, limit=7)
        if not page:
            break
        feed += page
    assert [c.id for c in feed] == sorted({c.id for c in feed})
    published = {p.slug: published_values(p) for p in store.published_tools()}
    assert replay(feed) == published
    # the served documents (built at publish time) say exactly what the snapshot says
    with reading(store) as reader:
        served = {t.slug: t for t in reader.iter_tools(page_size=3)}
        assert reader.version() == (feed[-1].id if feed else 0)
    assert set(served) == set(published)
    for slug, tool in served.items():
        data = tool.model_dump(
            mode="json", exclude={"slug", "variants", "provenance", "updated_at"}
        )
        assert {k: v for k, v in data.items() if v not in (None, [], {})} == published[slug]
        resolved = store.resolve(slug)
        assert resolved is not None and tool.variants == sorted(resolved.variants)


# editors -----------------------------------------------------------------------------


def test_editors_and_passwords(store: Store) -> None:
    store.add_editor("ann", "correct horse")
    assert store.verify_editor("ann", "correct horse")
    assert not store.verify_editor("ann", "wrong horse")
    assert not store.verify_editor("bob", "correct horse")
    assert store.editors() == ["ann"]
    from storage.errors import EditorialError

    with pytest.raises(EditorialError, match="already exists"):
        store.add_editor("ann", "another one")
    with pytest.raises(EditorialError, match="too short"):
        store.add_editor("bob", "short")
    with Session(store.engine) as session:
        from storage.schema import Editor

        [row] = session.scalars(select(Editor)).all()
        assert row.password_hash.startswith("$argon2")


def test_unknown_actor_is_refused(ed: Store) -> None:
    crawl(ed, alpha())
    slug = slug_of(ed, "org/Alpha-7B")
    for action in (
        lambda: ed.accept(slug, "mallory"),
        lambda: ed.reject(slug, "mallory", "x"),
        lambda: ed.override(slug, "vendor", "X", "mallory", "x"),
        lambda: ed.merge(slug, slug, "mallory"),
        lambda: ed.decide_review(1, True, "mallory"),
    ):
        with pytest.raises(UnknownEditor):
            action()
    assert ed.resolve(slug).status == "candidate"


# lifecycle ---------------------------------------------------------------------------


def test_accept_publishes_a_snapshot(ed: Store) -> None:
    crawl(ed, alpha(license=MIT, parameters=Parameters(total=7_000_000_000)))
    slug = slug_of(ed, "org/Alpha-7B")
    assert ed.published(slug) is None
    assert ed.published_tools() == []
    ed.accept(slug, ED)
    published = ed.published(slug)
    assert published is not None
    assert published.record.license == MIT
    assert published.record.vendor == "Org"
    assert published.record.provenance["license"].method == "test:license"
    assert [c.slug for c in ed.candidates()] == []
    history = ed.history(slug)
    assert history[0].field == "_status" and history[0].new == "published"
    assert {c.actor for c in history} == {ED}
    assert [d.action for d in ed.decisions(slug)] == ["accept"]
    with pytest.raises(InvalidTransition):
        ed.accept(slug, ED)
    with pytest.raises(ToolNotFound):
        ed.accept("nope", ED)
    check_feed(ed)


def test_rejected_returns_only_with_new_evidence(ed: Store) -> None:
    crawl(ed, alpha())
    slug = slug_of(ed, "org/Alpha-7B")
    with pytest.raises(InvalidTransition, match="reason"):
        ed.reject(slug, ED, "  ")
    ed.reject(slug, ED, "a test upload")
    assert ed.candidates() == []
    ed.ingest_batch([item(doc("https://src/again", "same"), alpha())])
    assert ed.resolve(slug).status == "candidate"  # a new document: new evidence
    ed.reject(slug, ED, "still a test upload")
    ed.ingest_batch(
        [item(doc("https://src/again", "same", fetched_at=T0 + timedelta(days=9)), alpha())]
    )
    assert ed.resolve(slug).status == "rejected"  # seen before the rejection
    assert ed.candidates() == []
    crawl(ed, alpha(license=MIT), kind=DocKind.HF_API)
    [cand] = ed.candidates()
    assert cand.slug == slug and cand.reopened
    assert "new evidence" in (cand.reopened_reason or "")
    assert cand.rejection_reason == "still a test upload"
    assert ed.candidates(reopened=False) == []
    assert [d.action for d in ed.decisions(slug)] == ["reject", "reopen", "reject", "reopen"]
    ed.accept(slug, ED)
    assert ed.published(slug) is not None
    assert ed.history(slug)[0].old == "candidate"


def test_candidate_filters(ed: Store) -> None:
    crawl(ed, alpha(), kind=DocKind.HF_API)
    crawl(ed, beta(vendor="Other"))
    assert {c.slug for c in ed.candidates(vendor="org")} == {slug_of(ed, "org/Alpha-7B")}
    assert {c.slug for c in ed.candidates(source_kind="hf-card")} == {slug_of(ed, "org/Beta-7B")}
    assert len(ed.candidates(conflicts=False)) == 2
    assert ed.candidates(conflicts=True) == []
    assert len(ed.candidates(limit=1)) == 1


def state(store: Store) -> dict[str, Any]:
    """Everything a merge touches, per tool."""
    out: dict[str, Any] = {}
    for summary in store.list_tools():
        resolved = store.resolve(summary.slug)
        assert resolved is not None
        published = store.published(summary.slug)
        out[summary.slug] = {
            "status": resolved.status,
            "merged_into": resolved.merged_into,
            "record": resolved.record.model_dump(mode="json"),
            "variants": sorted(resolved.variants),
            "aliases": sorted(resolved.aliases),
            "claims": sorted(c.id for c in resolved.claims),
            "overrides": [o.model_dump(mode="json") for o in resolved.overrides],
            "published": published.record.model_dump(mode="json") if published else None,
        }
    out["review"] = [
        i.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
        for i in store.review_queue()
    ]
    return out


def test_merge_and_unmerge_restore_exactly(ed: Store) -> None:
    crawl(ed, alpha(license=MIT, parameters=Parameters(total=7_000_000_000)))
    crawl(ed, beta(license=APACHE, tagline="the beta"))
    a, b = slug_of(ed, "org/Alpha-7B"), slug_of(ed, "org/Beta-7B")
    ed.accept(a, ED)
    ed.accept(b, ED)
    ed.override(b, "vendor", "Beta Inc", ED, "from the website")
    before = state(ed)
    claims = claim_count(ed)
    target = ed.merge(b, a, ED)
    assert target.slug == a
    assert "org/Beta-7B" in target.variants
    assert "Beta 7B" in target.aliases
    assert ed.resolve(b).status == "merged" and ed.resolve(b).merged_into == a
    assert ed.published(b) is None
    assert {p.slug for p in ed.published_tools()} == {a}
    # the target's reviewed fields wait for an editor; its tagline is published now
    assert ed.published(a).record.license == MIT
    assert ed.published(a).record.tagline == "the beta"
    assert [(i.slug, i.field) for i in ed.review_queue()] == [(a, "license")]
    # crawls of the duplicate's repo go to the target while merged
    assert slug_of(ed, "org/Beta-7B") == a
    assert claim_count(ed) == claims
    check_feed(ed)
    ed.unmerge(b, ED)
    assert state(ed) == before
    check_feed(ed)
    assert [c.field for c in ed.history(b)][-1] == "_status"


def test_claims_arriving_while_merged_follow_the_duplicate_back(ed: Store) -> None:
    crawl(ed, alpha())
    crawl(ed, beta(context_length=4096))
    a, b = slug_of(ed, "org/Alpha-7B"), slug_of(ed, "org/Beta-7B")
    ed.merge(b, a, ED)
    crawl(ed, beta(context_length=8192))
    assert ed.resolve(a).record.context_length == 8192
    ed.unmerge(b, ED)
    assert ed.resolve(b).record.context_length == 8192
    assert ed.resolve(a).record.context_length is None
    with pytest.raises(InvalidTransition):
        ed.unmerge(b, ED)
    with pytest.raises(InvalidTransition):
        ed.merge(a, a, ED)


# overrides ---------------------------------------------------------------------------


def test_override_wins_and_survives_crawls(ed: Store) -> None:
    crawl(ed, alpha(license=MIT))
    a = slug_of(ed, "org/Alpha-7B")
    stored = ed.override(a, "license", {"id": "apache-2.0", "terms": "permissive"}, ED, "LICENSE")
    assert stored["id"] == "apache-2.0" and stored["name"] is None
    resolved = ed.resolve(a)
    assert resolved.record.license == License(id="apache-2.0", terms="permissive")
    assert resolved.record.provenance["license"].method == f"override by {ED}"
    assert [o.field for o in resolved.overrides] == ["license"]
    ed.accept(a, ED)
    assert ed.published(a).record.license.id == "apache-2.0"
    # a later crawl agreeing in part (same id) is no conflict
    crawl(ed, alpha(license=License(id="apache-2.0", name="Apache 2")))
    assert ed.review_queue() == []
    # a disagreeing one: flagged for review, the override stays in force
    crawl(ed, alpha(license=License(id="llama3")), run_id=ed.start_run("hf"))
    [item_] = ed.review_queue()
    assert (item_.kind, item_.field, item_.old["id"], item_.new["id"]) == (
        "conflict",
        "license",
        "apache-2.0",
        "llama3",
    )
    assert item_.sources[0]["source_url"].startswith("https://src/")
    assert ed.resolve(a).record.license.id == "apache-2.0"
    assert ed.published(a).record.license.id == "apache-2.0"
    # rejecting keeps the override; the same claims do not flag again
    ed.decide_review(item_.id, False, ED)
    assert ed.review_queue() == []
    assert ed.resolve(a).record.license.id == "apache-2.0"
    crawl(ed, alpha(license=License(id="llama3")))
    [again] = ed.review_queue()
    # accepting a conflict drops the override: the sources' value is published
    ed.decide_review(again.id, True, ED)
    assert ed.resolve(a).overrides == []
    assert ed.published(a).record.license.id == "llama3"
    assert ed.history(a)[-1].reason.startswith(f"review #{again.id} accepted")
    with pytest.raises(InvalidTransition):
        ed.decide_review(again.id, True, ED)
    with pytest.raises(ReviewNotFound):
        ed.decide_review(999, True, ED)
    check_feed(ed)


def test_override_validation_and_clearing(ed: Store) -> None:
    crawl(ed, alpha(license=MIT, aliases=["A7"]))
    a = slug_of(ed, "org/Alpha-7B")
    with pytest.raises(InvalidOverride, match="unknown field"):
        ed.override(a, "licence", "mit", ED, "typo")
    with pytest.raises(InvalidOverride, match="invalid value"):
        ed.override(a, "parameters", {"total": "lots"}, ED, "bad")
    with pytest.raises(InvalidOverride):
        ed.override(a, "slug", "other", ED, "identity")
    with pytest.raises(InvalidTransition, match="reason"):
        ed.override(a, "vendor", "X", ED, "")
    ed.override(a, "aliases", ["Only This"], ED, "clean list")
    assert ed.resolve(a).record.aliases == ["Only This"]
    ed.override(a, "license", None, ED, "unknown, really")
    assert ed.resolve(a).record.license is None
    ed.override(a, "name", "Alpha Seven", ED, "house style")
    assert [c.name for c in ed.candidates()] == ["Alpha Seven"]
    ed.accept(a, ED)
    assert ed.published(a).record.license is None
    assert ed.clear_override(a, "license", ED, "was right")
    assert not ed.clear_override(a, "license", ED)
    assert ed.published(a).record.license == MIT
    check_feed(ed)


# change review -----------------------------------------------------------------------


def test_reviewed_fields_wait_for_an_editor(ed: Store) -> None:
    price = Price(provider="openrouter", input_per_mtok=1.0, output_per_mtok=2.0)
    crawl(ed, alpha(license=MIT, parameters=Parameters(total=7_000_000_000), tagline="old"))
    a = slug_of(ed, "org/Alpha-7B")
    ed.accept(a, ED)
    run = ed.start_run("hf")
    crawl(
        ed,
        alpha(license=APACHE, tagline="new", pricing=Pricing(model="paid", prices=[price])),
        run_id=run,
    )
    published = ed.published(a)
    assert published.record.license == MIT  # unchanged until accepted
    assert published.record.pricing is None
    assert published.record.tagline == "new"  # not a reviewed field: published at once
    assert ed.history(a)[-1].actor == f"crawl:{run}"
    assert ed.resolve(a).record.license == APACHE  # the live resolution moves on
    items = {i.field: i for i in ed.review_queue()}
    assert set(items) == {"license", "pricing"}
    assert items["license"].old["id"] == "mit" and items["license"].new["id"] == "apache-2.0"
    assert items["license"].sources[0]["value"]["id"] == "apache-2.0"
    # a later crawl with yet another value updates the pending item, not a new one
    crawl(ed, alpha(license=License(id="gpl-3.0")))
    [lic] = ed.review_queue(kind="change", slug=a)[:1]
    assert lic.id == items["license"].id and lic.new["id"] == "gpl-3.0"
    decided = ed.decide_review(lic.id, False, ED, "keep MIT")
    assert decided.status == "rejected" and decided.decided_by == ED
    assert ed.published(a).record.license == MIT
    crawl(ed, alpha(tagline="newer"))  # the same rejected proposal is not raised again
    assert [i.field for i in ed.review_queue()] == ["pricing"]
    ed.decide_review(items["pricing"].id, True, ED)
    assert ed.published(a).record.pricing.prices[0].provider == "openrouter"
    crawl(ed, alpha(license=License(id="bsd-3-clause")))  # something new: proposed again
    [lic2] = ed.review_queue()
    assert lic2.new["id"] == "bsd-3-clause"
    crawl(ed, alpha(license=MIT))  # the sources come back to the published value
    assert ed.review_queue() == []
    assert ed.review_queue(status="superseded")[0].id == lic2.id
    check_feed(ed)


def test_candidates_are_never_published(ed: Store) -> None:
    crawl(ed, alpha(license=MIT))
    crawl(ed, beta(license=APACHE))
    a = slug_of(ed, "org/Alpha-7B")
    ed.accept(a, ED)
    crawl(ed, beta(license=MIT))
    assert [p.slug for p in ed.published_tools()] == [a]
    assert {c.slug for c in ed.changes(0, 1000)[0]} == {a}
    assert ed.published_tools(vendor="org")[0].slug == a
    assert ed.published_tools(vendor="nobody") == []


# concurrency -------------------------------------------------------------------------


def test_editor_acts_while_a_crawl_writes(db_url: str) -> None:
    with Store(db_url) as crawler, Store(db_url) as editor:
        editor.add_editor(ED, "correct horse")
        crawl(crawler, alpha(license=MIT), beta(license=MIT))
        a, b = slug_of(editor, "org/Alpha-7B"), slug_of(editor, "org/Beta-7B")
        editor.accept(a, ED)
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def crawling() -> None:
            try:
                start.wait()
                for n in range(12):
                    crawl(
                        crawler,
                        alpha(license=APACHE if n % 2 else MIT, tagline=f"t{n}"),
                        beta(context_length=1000 + n),
                    )
            except BaseException as exc:  # reported below
                errors.append(exc)

        def editing() -> None:
            try:
                start.wait()
                for n in range(6):
                    editor.override(a, "vendor", f"V{n}", ED, "house style")
                    editor.merge(b, a, ED)
                    editor.unmerge(b, ED)
                    for i in editor.review_queue():
                        # a concurrent crawl may supersede it first: a fair outcome
                        with contextlib.suppress(InvalidTransition):
                            editor.decide_review(i.id, n % 2 == 0, ED)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=crawling), threading.Thread(target=editing)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert editor.resolve(a).record.vendor == "V5"
        assert editor.published(a).record.vendor == "V5"
        check_feed(editor)
