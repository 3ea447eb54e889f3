"""A synthetic Hugging Face Hub on 127.0.0.1 for the crawl benchmarks.

N models by author `bench`; every model answers with real corpus bodies (the demo
cassette's API body, config.json and card for meta-llama/Llama-3.1-8B-Instruct)
under its own repo id. Like the real Hub, the listing's `sha` of a model is the `sha` of its
model-info body, so a re-crawl of unchanged models costs only the listing pages.
The server counts the requests it answers, by kind.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "crawler" / "fixtures" / "cassettes" / "huggingface_demo.yaml"
AUTHOR = "bench"


def real_bodies() -> tuple[dict, bytes, bytes]:
    """One real model-info body (as JSON), its config.json and its card, from the demo
    cassette (looked up by path: the spider's query string may change)."""
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    by_path: dict[str, bytes] = {}
    for i in data["interactions"]:
        body = i["response"]["body"]["string"]
        path = urlparse(i["request"]["uri"]).path
        by_path[path] = body.encode() if isinstance(body, str) else body
    repo = "meta-llama/Llama-3.1-8B-Instruct"
    info = json.loads(by_path[f"/api/models/{repo}"])
    return info, by_path[f"/{repo}/raw/main/config.json"], by_path[f"/{repo}/raw/main/README.md"]


def repo_id(n: int) -> str:
    return f"{AUTHOR}/model-{n:05d}"


def model_sha(n: int) -> str:
    return f"{n:040x}"


class LocalHub:
    """`with LocalHub(300) as hub:` serves on `hub.endpoint` in a daemon thread."""

    def __init__(self, n_models: int) -> None:
        self.n_models = n_models
        self.info, self.config, self.card = real_bodies()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LocalHub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, kind: str) -> None:
        with self._lock:
            self.requests[kind] += 1

    def reset(self) -> Counter[str]:
        with self._lock:
            seen, self.requests = self.requests, Counter()
        return seen

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self
        index = {repo_id(n): n for n in range(self.n_models)}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                url = urlparse(self.path)
                if url.path == "/robots.txt":
                    hub.count("robots")
                    self._send(b"User-agent: *\nAllow: /\n", "text/plain")
                elif url.path == "/api/models":
                    hub.count("listing")
                    q = parse_qs(url.query)
                    limit, start = int(q["limit"][0]), int(q.get("cursor", ["0"])[0])
                    stop = min(start + limit, hub.n_models)
                    page = [{"id": repo_id(n), "sha": model_sha(n)} for n in range(start, stop)]
                    headers = {}
                    if stop < hub.n_models:
                        base = url.query.split("&cursor")[0]
                        nxt = f"http://{self.headers['Host']}{url.path}?{base}&cursor={stop}"
                        headers["Link"] = f'<{nxt}>; rel="next"'
                    self._send(json.dumps(page).encode(), "application/json", headers)
                elif url.path.startswith("/api/models/"):
                    hub.count("model")
                    repo = url.path.removeprefix("/api/models/")
                    n = index.get(repo, 0)
                    body = hub.info | {"id": repo, "modelId": repo, "sha": model_sha(n)}
                    self._send(json.dumps(body).encode(), "application/json")
                elif url.path.endswith("/raw/main/config.json"):
                    hub.count("config")
                    self._send(hub.config, "application/json")
                elif url.path.endswith("/raw/main/README.md"):
                    hub.count("card")
                    self._send(hub.card, "text/plain")
                else:
                    hub.count("other")
                    self.send_error(404)

        return Handler
