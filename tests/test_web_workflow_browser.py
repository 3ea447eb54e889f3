"""The editors' daily workflow in a real browser (Debian's Chromium via Playwright,
against uvicorn on 127.0.0.1, on the replayed demo Hugging Face crawl): bulk reject,
keyboard accept, withdraw and its change-feed event, a price re-check that opens no
review, a real price change shown as a field diff, and pages that fit 390 px and
1366 px screens without horizontal scrolling.

Skips where `/usr/bin/chromium` is absent (see tests/test_web_browser.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count

import pytest
from builders import doc, item, record
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, ED, PASSWORD, demo_db, server

from normalizer.models import DocKind, Price, Pricing
from storage import Store

__all__ = ["demo_db", "server"]  # fixtures shared with the first browser test

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"no browser: {CHROMIUM} is absent (apt-get install -y chromium)",
)
SLUG, REPO = "llama-3-8b", "meta-llama/Meta-Llama-3-8B-Instruct"
_docs = count()


@pytest.fixture
def browser(server: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def logged_in(browser: object, server: str, width: int = 1366) -> object:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=server, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", ED)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(r"/$"))
    return page


def price_check(store: Store, inp: float, out: float, day: int) -> None:
    """A price list seen on `day` (its own document) saying what llama-3-8b costs."""
    n = next(_docs)
    at = datetime(2025, 3, day, tzinfo=UTC)
    pricing = Pricing(
        model="paid",
        prices=[
            Price(provider="openrouter", input_per_mtok=inp, output_per_mtok=out, checked_at=at)
        ],
    )
    rec = record(SLUG, name="Meta-Llama-3-8B-Instruct", source_id=REPO, pricing=pricing)
    raw = doc(f"https://prices.test/{n}", f"prices-{n}", DocKind.PRICE_LIST, fetched_at=at)
    store.ingest_batch([item(raw, rec)])


def test_bulk_reject_of_three_then_keyboard_accept(browser: object, server: str, demo_db: str):
    from playwright.sync_api import Page, expect

    page = logged_in(browser, server)
    assert isinstance(page, Page)
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(4)
    others = [s for s in rows.evaluate_all("rs => rs.map(r => r.dataset.slug)") if s != SLUG]
    assert len(others) == 3
    for slug in others:
        page.check(f"tr[data-slug='{slug}'] input[type=checkbox]")
    expect(page.locator("#selected-count")).to_have_text("3 selected")
    page.fill("#bulk-reason", "not what the catalog covers")
    page.click("#bulk-reject")
    expect(page.locator(".flash.ok")).to_contain_text("Rejected 3")
    expect(rows).to_have_count(1)

    # the keyboard: the remaining row is current; `a` accepts it, the queue comes back
    expect(page.locator("tr.current")).to_have_attribute("data-slug", SLUG)
    page.keyboard.press("a")
    expect(page.locator(".flash.ok")).to_have_text(f"Published {SLUG}.")
    expect(page.locator("p.empty")).to_contain_text("No candidates")
    with Store(demo_db) as store:
        for slug in others:
            resolved = store.resolve(slug)
            assert resolved is not None and resolved.status == "rejected"
            assert store.decisions(slug)[-1].reason == "not what the catalog covers"
        assert store.published(SLUG) is not None


def test_keyboard_reject_asks_for_a_reason_and_moves_on(
    browser: object, server: str, demo_db: str
) -> None:
    from playwright.sync_api import Page, expect

    page = logged_in(browser, server)
    assert isinstance(page, Page)
    page.keyboard.press("j")
    second = page.locator("tr.current").get_attribute("data-slug")
    page.keyboard.press("r")
    expect(page.locator("#reject-dialog")).to_be_visible()
    page.fill("#reject-reason", "a duplicate upload")
    page.click("#reject-dialog button:has-text('Reject')")
    expect(page.locator(".flash.ok")).to_have_text(f"Rejected {second}.")
    expect(page.locator("table.queue tbody tr")).to_have_count(3)
    expect(page.locator("tr.current")).to_have_attribute("id", "row-1")  # the next one


def test_withdraw_is_in_history_and_in_the_feed(browser: object, server: str, demo_db: str) -> None:
    from playwright.sync_api import Page, expect

    with Store(demo_db) as store:
        store.accept(SLUG, ED)
    page = logged_in(browser, server)
    assert isinstance(page, Page)
    assert page.request.get(f"/api/v1/tools/{SLUG}").status == 200
    page.goto(f"/tools/{SLUG}")
    page.fill("#withdraw-form input[name=reason]", "the vendor pulled the weights")
    page.click("#withdraw-form button")
    expect(page.locator(".flash.ok")).to_contain_text("no longer published")
    expect(page.locator("h1 .status")).to_have_text("withdrawn")
    page.click("a:has-text('History')")
    expect(page.locator("#decisions tbody tr").first).to_contain_text("withdrawn")
    expect(page.locator("#decisions tbody tr").first).to_contain_text(
        "the vendor pulled the weights"
    )
    expect(page.locator("#changes tbody tr").first).to_contain_text("withdrawn (unpublished)")
    assert page.request.get(f"/api/v1/tools/{SLUG}").status == 404
    feed = page.request.get("/api/v1/changes?since=0&limit=200").json()["changes"]
    last = [c for c in feed if c["slug"] == SLUG][-1]
    assert (last["field"], last["old"], last["new"]) == ("_status", "published", "unpublished")


def test_price_recheck_opens_no_review_and_a_change_is_a_field_diff(
    browser: object, server: str, demo_db: str
) -> None:
    from playwright.sync_api import Page, expect

    with Store(demo_db) as store:
        price_check(store, 0.03, 0.06, 1)
        store.accept(SLUG, ED)
        price_check(store, 0.03, 0.06, 2)  # the same prices, checked again
    page = logged_in(browser, server)
    assert isinstance(page, Page)
    page.goto("/review")
    expect(page.locator("p.empty")).to_have_text("Nothing to review.")
    page.goto(f"/tools/{SLUG}/history")
    recheck = page.locator("#changes tbody tr", has_text="re-checked").first
    expect(recheck).to_contain_text("pricing")

    with Store(demo_db) as store:
        price_check(store, 0.05, 0.06, 3)  # a real change
    page.goto("/review")
    card = page.locator("article.review-item")
    expect(card).to_have_count(1)
    expect(card.locator("ul.diff li")).to_have_text(
        ["input $0.03 → $0.05 per Mtok (+67%), openrouter"]
    )
    card.locator("button:has-text('Accept change')").click()
    expect(page.locator(".flash.ok")).to_contain_text("accepted")
    with Store(demo_db) as store:
        published = store.published(SLUG)
        assert published is not None and published.record.pricing is not None
        assert published.record.pricing.prices[0].input_per_mtok == 0.05
    page.goto(f"/tools/{SLUG}/history")
    expect(page.locator("#decisions tbody tr").first).to_contain_text("review accepted")


def test_override_on_a_published_tool_is_recorded(
    browser: object, server: str, demo_db: str
) -> None:
    from playwright.sync_api import Page, expect

    with Store(demo_db) as store:
        store.accept(SLUG, ED)
        before = store.changes(0, 10_000)[1]
    page = logged_in(browser, server)
    assert isinstance(page, Page)
    page.goto(f"/tools/{SLUG}")
    page.click("#advanced-override summary")
    page.select_option("#override-field", "context_length")
    page.fill("#override-value", "8192")
    page.fill("#override-form input[name=reason]", "config.json max_position_embeddings")
    page.click("button:has-text('Set override')")
    expect(page.locator("#field-context_length .badge.override")).to_be_visible()
    page.click("a:has-text('History')")
    decision = page.locator("#decisions tbody tr").first
    expect(decision).to_contain_text("override set")
    expect(decision).to_contain_text("config.json max_position_embeddings")
    with Store(demo_db) as store:
        changes, _ = store.changes(before, 100)
        assert [(c.field, c.new, c.actor) for c in changes] == [("context_length", 8192, ED)]
        assert "config.json max_position_embeddings" in changes[0].reason


@pytest.mark.parametrize("width", [390, 1366])
def test_pages_fit_the_screen(browser: object, server: str, demo_db: str, width: int) -> None:
    with Store(demo_db) as store:
        store.accept(SLUG, ED)
        price_check(store, 0.03, 0.06, 1)
    page = logged_in(browser, server, width)
    for path in ("/", f"/tools/{SLUG}", "/review", f"/tools/{SLUG}/history", "/tools"):
        page.goto(path)  # type: ignore[attr-defined]
        scroll, client = page.evaluate(  # type: ignore[attr-defined]
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (path, width, scroll)


def test_editor_writes_comparison_copy_with_a_preview(
    browser: object, server: str, demo_db: str
) -> None:
    from playwright.sync_api import Page, expect

    with Store(demo_db) as store:
        store.accept(SLUG, ED)
    page = logged_in(browser, server)
    assert isinstance(page, Page)
    page.goto(f"/tools/{SLUG}")
    page.click("a:has-text('Comparison copy')")
    page.fill("#copy-tagline", "Small open model for chat on one GPU")
    page.fill("#copy-verdict", "The 8B to start with")
    page.select_option("#copy-other", "llama-3.1-8b")
    page.click("#copy-preview-button")
    preview = page.locator("#copy-preview")
    expect(preview.locator("thead th")).to_have_count(3)  # labels, this tool, the other
    expect(preview.locator("thead")).to_contain_text("Llama-3.1-8B-Instruct")
    expect(preview.locator("tr.verdict")).to_contain_text("The 8B to start with")
    expect(preview).to_contain_text("Small open model for chat on one GPU")
    with Store(demo_db) as store:  # a preview saves nothing
        assert store.resolve(SLUG).overrides == []  # type: ignore[union-attr]
    page.fill("#copy-reason", "written for the comparison pages")
    page.click("#copy-save")
    expect(page.locator(".flash.ok")).to_contain_text("Copy saved: tagline, verdict")
    api = page.request.get(f"/api/v1/tools/{SLUG}").json()
    assert api["verdict"] == "The 8B to start with"
    assert api["tagline"] == "Small open model for chat on one GPU"
    page.goto(f"/tools/{SLUG}/history")
    expect(page.locator("#decisions tbody tr").first).to_contain_text("override set")
    expect(page.locator("#decisions")).to_contain_text("copy: written for the comparison pages")
