"""Benchmark a Hugging Face crawl: toolwatch's pipeline vs. raw Scrapy, same local Hub.

Both runs crawl the same synthetic Hub served on 127.0.0.1 (an author listing of N
models; every model answers with real corpus bodies — the demo cassette's API
body and card — under its own repo id). The baseline is the very same spider with
no item pipeline (what Scrapy alone costs); the other run normalises and stores
into a fresh SQLite database. Reports pages/second, the ratio, and peak RSS of
each crawl process. Politeness delays are off for both: this measures our work.

Usage: python bench/crawl_pipeline.py [--models 300] [--page-size 100]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "crawler" / "fixtures" / "cassettes" / "huggingface_demo.yaml"
SCRAPY = str(Path(sys.executable).parent / "scrapy")


def real_bodies() -> tuple[dict, bytes]:
    """One real model-info body (as JSON) and its real card, from the demo cassette."""
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    by_uri = {i["request"]["uri"]: i["response"]["body"]["string"] for i in data["interactions"]}
    repo = "meta-llama/Llama-3.1-8B-Instruct"
    info = json.loads(by_uri[f"https://huggingface.co/api/models/{repo}"])
    card = by_uri[f"https://huggingface.co/{repo}/raw/main/README.md"]
    return info, card.encode() if isinstance(card, str) else card


def make_handler(n_models: int, info: dict, card: bytes) -> type[BaseHTTPRequestHandler]:
    ids = [f"bench/model-{i:05d}" for i in range(n_models)]

    class Hub(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(200)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            url = urlparse(self.path)
            if url.path == "/robots.txt":
                self._send(b"User-agent: *\nAllow: /\n")
            elif url.path == "/api/models":
                q = parse_qs(url.query)
                limit, start = int(q["limit"][0]), int(q.get("cursor", ["0"])[0])
                page = [{"id": i, "sha": f"{n:040d}"} for n, i in enumerate(ids)][
                    start : start + limit
                ]
                headers = {"Content-Type": "application/json"}
                if start + limit < len(ids):
                    nxt = f"http://{self.headers['Host']}{url.path}?{url.query.split('&cursor')[0]}"
                    headers["Link"] = f'<{nxt}&cursor={start + limit}>; rel="next"'
                self._send(json.dumps(page).encode(), headers)
            elif url.path.startswith("/api/models/"):
                repo = url.path.removeprefix("/api/models/")
                self._send(json.dumps(info | {"id": repo, "modelId": repo}).encode())
            elif url.path.endswith("/raw/main/README.md"):
                self._send(card, {"Content-Type": "text/plain"})
            else:
                self.send_error(404)

    return Hub


def crawl(endpoint: str, page_size: int, pipelines: bool, workdir: Path) -> dict:
    settings = {
        "HF_ENDPOINT": endpoint,
        "TOOLWATCH_DB": f"sqlite:///{workdir}/bench-{os.getpid()}-{pipelines}.db",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "ERROR",
    }
    if not pipelines:
        settings["ITEM_PIPELINES"] = "{}"
    sources = workdir / "sources.toml"
    sources.write_text(f'[huggingface]\nauthors = ["bench"]\npage_size = {page_size}\n')
    cmd = [SCRAPY, "crawl", "huggingface", "-a", f"sources={sources}"]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": elapsed, "peak_rss_mib": max(peak_kib, before) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=300)
    ap.add_argument("--page-size", type=int, default=100)
    args = ap.parse_args()
    info, card = real_bodies()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.models, info, card))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    pages = 1 + -(-args.models // args.page_size) + 2 * args.models  # robots + listing + 2/model
    try:
        with tempfile.TemporaryDirectory() as tmp:
            raw = crawl(endpoint, args.page_size, pipelines=False, workdir=Path(tmp))
            ours = crawl(endpoint, args.page_size, pipelines=True, workdir=Path(tmp))
    finally:
        server.shutdown()
    print(f"{args.models} models, {pages} pages per crawl, same local Hub, one run each")
    for label, r in (("raw Scrapy (no pipeline)", raw), ("toolwatch pipeline", ours)):
        print(
            f"  {label:26s} {r['seconds']:6.2f} s  {pages / r['seconds']:7.1f} pages/s"
            f"  peak RSS so far {r['peak_rss_mib']:.0f} MiB"
        )
    print(f"  throughput ratio (toolwatch / raw): {raw['seconds'] / ours['seconds']:.2f}")


if __name__ == "__main__":
    main()
