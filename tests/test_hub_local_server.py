"""The Hugging Face spider against a local Hub (HF_ENDPOINT), via plain `scrapy crawl`.

The server answers with real corpus bodies taken from the demo cassette; one
model's info never answers in time, so its timeout is retried and recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CASSETTE = REPO / "crawler" / "fixtures" / "cassettes" / "huggingface_demo.yaml"
TOKEN = "hf_local-test-token-0123456789"
SLOW = "/api/models/sentence-transformers/all-MiniLM-L6-v2"


def corpus_bodies() -> dict[str, bytes]:
    """path -> real body, for the model info and card URLs in the demo cassette."""
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    out = {}
    for i in data["interactions"]:
        uri = i["request"]["uri"]
        if uri.startswith("https://huggingface.co/api/models/") or "/raw/main/" in uri:
            body = i["response"]["body"]["string"]
            out[uri.removeprefix("https://huggingface.co")] = (
                body.encode() if isinstance(body, str) else body
            )
    return out


class _Hub(BaseHTTPRequestHandler):
    bodies: dict[str, bytes] = {}
    hits: Counter[str] = Counter()
    auth: list[str | None] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up waiting: that is the point of the slow path

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = self.path
        _Hub.hits[path.split("?")[0]] += 1
        _Hub.auth.append(self.headers.get("Authorization"))
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n")
        elif path.startswith("/api/models?"):
            listing = [
                {"id": "HuggingFaceH4/zephyr-7b-beta", "sha": "a" * 40},
                {"id": "sentence-transformers/all-MiniLM-L6-v2", "sha": "b" * 40},
            ]
            self._send(200, json.dumps(listing).encode(), {"Content-Type": "application/json"})
        elif path.split("?")[0] == SLOW:
            time.sleep(3)  # longer than DOWNLOAD_TIMEOUT
            self._send(200, b"{}")
        elif path in _Hub.bodies:
            self._send(200, _Hub.bodies[path])
        else:
            self._send(404, b"Entry not found", {"X-Error-Code": "EntryNotFound"})


def test_timeouts_are_retried_then_recorded_and_the_token_stays_out_of_logs(
    tmp_path: Path,
) -> None:
    _Hub.bodies = corpus_bodies()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    db = f"sqlite:///{tmp_path}/hub.db"
    scrapy = str(Path(sys.executable).parent / "scrapy")
    try:
        proc = subprocess.run(
            [
                scrapy,
                "crawl",
                "huggingface",
                "-a",
                "authors=some-org",
                "-s",
                f"HF_ENDPOINT=http://127.0.0.1:{server.server_address[1]}",
                "-s",
                f"TOOLWATCH_DB={db}",
                "-s",
                "DOWNLOAD_TIMEOUT=1",
                "-s",
                "RETRY_TIMES=1",
                "-s",
                "LOG_LEVEL=DEBUG",
                "-s",
                "DOWNLOAD_DELAY=0",
            ],  # fmt: skip
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=180,
            env=os.environ | {"HF_TOKEN": TOKEN, "TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool")},
        )
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert TOKEN not in proc.stdout + proc.stderr
    assert f"Bearer {TOKEN}" in _Hub.auth
    assert _Hub.hits[SLOW] == 2  # first try + one retry, then given up
    toolwatch = str(Path(sys.executable).parent / "toolwatch")
    stats = json.loads(
        subprocess.run(
            [toolwatch, "stats", "--json", "--db", db], capture_output=True, text=True, check=True
        ).stdout
    )
    assert stats["errors"]["by_kind"] == {"timeout": 1}
    assert stats["tools"]["total"] == 1  # zephyr, whose info and card arrived
