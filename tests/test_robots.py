"""robots.txt is obeyed even for requests that arrive while it is being fetched."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CRAWL = """
import sys, scrapy
from scrapy.crawler import CrawlerProcess
from cli.crawling import project_settings

base = sys.argv[1]
class S(scrapy.Spider):
    name = "robots_probe"
    async def start(self):
        for path in ("/a", "/private/1", "/b", "/private/2", "/c"):
            yield scrapy.Request(base + path, dont_filter=True)
    def parse(self, response):
        pass

settings = project_settings({"ITEM_PIPELINES": {}, "DOWNLOAD_DELAY": 0,
                             "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"})
process = CrawlerProcess(settings)
process.crawl(S)
process.start()
"""


class _Handler(BaseHTTPRequestHandler):
    hits: Counter[str] = Counter()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        _Handler.hits[self.path] += 1
        body = b"User-agent: *\nDisallow: /private\n" if self.path == "/robots.txt" else b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_disallowed_paths_are_never_fetched_even_when_requested_concurrently() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        proc = subprocess.run(
            [sys.executable, "-c", CRAWL, base],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    finally:
        server.shutdown()
    hits = _Handler.hits
    assert hits["/robots.txt"] == 1
    assert hits["/a"] == hits["/b"] == hits["/c"] == 1
    assert not [p for p in hits if p.startswith("/private")], hits
