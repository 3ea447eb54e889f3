"""Screenshots of the editor UI for the README: `docs/queue.png`, `docs/tool.png`,
`docs/review.png`.

Builds a demo database from the bundled crawl cassettes, replayed offline: the
Hugging Face crawl first, its candidates accepted by an editor, then the price list
and announcement crawls, whose prices for the published tools wait in review (real
documents, real review items). Serves the app on a free 127.0.0.1 port, logs in with
headless Chromium (Debian's `/usr/bin/chromium` via Playwright) and saves the pages.

    .venv/bin/python scripts/screenshot_queue.py [--docs docs] [--width 1366]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.store import Store  # noqa: E402
from web.app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EDITOR, PASSWORD = "ann", "demo-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PAGES = (  # (file, path)
    ("queue.png", "/?per_page=25"),
    ("tool.png", "/tools/llama-3-8b"),
    ("review.png", "/review"),
)


def crawl(db_url: str, *spiders: str) -> None:
    toolwatch = Path(sys.executable).with_name("toolwatch")
    done = subprocess.run(
        [str(toolwatch), "crawl", *spiders, "--demo", "--db", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"demo crawl failed:\n{done.stderr[-4000:]}")


def build_demo_db(db_url: str) -> None:
    crawl(db_url, "huggingface")
    with Store(db_url) as store:
        store.add_editor(EDITOR, PASSWORD)
        for candidate in store.candidates():
            store.accept(candidate.slug, EDITOR, "demo: the Hub's own metadata")
    crawl(db_url, "announcements", "prices")


def serve(db_url: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(db_url, secret_key="screenshot"),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default=str(ROOT / "docs"), help="directory to write into")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=400, help="minimum; the whole page is taken")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} not found: apt-get install -y chromium")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/demo.db"
        build_demo_db(db_url)
        port = free_port()
        server = serve(db_url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(
                    viewport={"width": args.width, "height": args.height}, device_scale_factor=1
                )
                page.goto(f"{base}/login")
                page.fill("input[name=name]", EDITOR)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                Path(args.docs).mkdir(parents=True, exist_ok=True)
                for name, path in PAGES:
                    page.goto(base + path)
                    out = Path(args.docs) / name
                    page.screenshot(path=str(out), full_page=True)
                    print(f"saved {out}")
                browser.close()
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
