"""End to end in a real browser: headless Chromium (Debian's, driven by Playwright)
against `uvicorn` serving the app on 127.0.0.1, on a database filled by the replayed
demo crawl. An editor logs in, accepts a candidate, overrides its license with a
reason, and finds the override in the tool's history.

Skips where `/usr/bin/chromium` is absent (`apt-get install -y chromium`; `.ci/run`
installs it). Playwright's own browser download is never used."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
ED, PASSWORD = "ann", "correct horse battery"
SLUG, NAME = "llama-3-8b", "Meta-Llama-3-8B-Instruct"
REASON = "LICENSE file in the repository says Apache-2.0"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"no browser: {CHROMIUM} is absent (apt-get install -y chromium)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_db(db_url: str) -> str:
    """The database after a replayed Hugging Face crawl, with one editor."""
    toolwatch = Path(sys.executable).with_name("toolwatch")
    done = subprocess.run(
        [str(toolwatch), "crawl", "huggingface", "--demo", "--json", "--db", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with Store(db_url) as store:
        store.add_editor(ED, PASSWORD)
        assert SLUG in {c.slug for c in store.candidates()}
    return db_url


@pytest.fixture
def server(demo_db: str) -> Iterator[str]:
    """uvicorn serving the app on a free 127.0.0.1 port, in a thread."""
    import uvicorn

    from web.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(demo_db, secret_key="browser-test"),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def page(server: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
            context.set_default_timeout(15_000)
            yield context.new_page()
        finally:
            browser.close()


def test_editor_accepts_overrides_and_sees_history(page: object, demo_db: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    problems: list[str] = []  # script errors and CSP violations would show here
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    # not logged in: the login form, which brings us back to the queue
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    page.fill("input[name=name]", ED)
    page.fill("input[name=password]", "not the password")
    page.click("button:has-text('Log in')")
    expect(page.locator(".flash.error")).to_have_text("Wrong name or password.")
    page.fill("input[name=name]", ED)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("Candidates")

    # the queue: evidence and filters
    row = page.locator("table.queue tbody tr", has_text=NAME)
    expect(row).to_contain_text("hf-card")
    expect(row).to_contain_text("hf-api")
    page.select_option("select[name=vendor]", "Meta")
    page.click("button:has-text('Filter')")
    expect(page.locator("table.queue tbody tr")).to_have_count(2)

    # the candidate page: accept it
    page.click(f"a.name:has-text('{NAME}')")
    expect(page).to_have_url(re.compile(rf"/tools/{re.escape(SLUG)}\?from=vendor%3DMeta$"))
    expect(page.locator("#field-license")).to_contain_text("llama3")
    following = page.locator("#next-item").get_attribute("href")
    page.click("button:has-text('Accept')")
    # the next candidate of the filtered queue comes next
    expect(page.locator(".flash.ok")).to_have_text(f"Published {SLUG}.")
    assert following is not None and page.url.endswith(following)
    page.goto(f"/tools/{SLUG}")
    expect(page.locator("h1 .status")).to_have_text("published")

    # override the license with a reason (the field's current value is prefilled)
    page.click("#advanced-override summary")  # JSON only in the advanced editor
    editor_box = page.locator("#override-value")
    page.select_option("#override-field", "vendor")
    expect(editor_box).to_have_value('"Meta"')
    page.select_option("#override-field", "license")
    assert json.loads(editor_box.input_value())["id"] == "llama3"
    editor_box.fill('{"id": "apache-2.0", "terms": "permissive"}')
    page.fill("#override-form input[name=reason]", REASON)
    page.click("button:has-text('Set override')")
    expect(page.locator(".flash.ok")).to_contain_text("Override set: license")
    expect(page.locator("#field-license .badge.override")).to_be_visible()
    expect(page.locator("#field-license td.value")).to_contain_text("apache-2.0")

    # the history shows it: field, old -> new, who, why
    page.click("a:has-text('History')")
    expect(page).to_have_url(re.compile(rf"/tools/{re.escape(SLUG)}/history$"))
    change = page.locator("#changes tbody tr", has_text=REASON).first
    expect(change).to_contain_text("license")
    expect(change.locator("td.what")).to_contain_text(
        "license llama3 → apache-2.0 (restricted → permissive)"
    )
    expect(change).to_contain_text(ED)
    expect(page.locator("#decisions")).to_contain_text("published")
    expect(page.locator("#decisions tbody tr").first).to_contain_text("override set")

    # the wrong password's 401 is the only failed request; no script error, no CSP report
    assert [p for p in problems if "status of 401" not in p] == []
    with Store(demo_db) as store:
        published = store.published(SLUG)
        assert published is not None and published.record.license is not None
        assert published.record.license.id == "apache-2.0"
        assert [o.reason for o in store.resolve(SLUG).overrides] == [REASON]  # type: ignore[union-attr]
