"""HF_TOKEN goes to the Hub's origin (scheme + host + port of HF_ENDPOINT) only:
never after a redirect to another port or host, robots.txt included, nor over a
downgrade to plain http."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from loopback import serve
from scrapy import Request

from crawler.middlewares import HubTokenMiddleware

REPO = Path(__file__).resolve().parent.parent
TOKEN = "hf_origin-test-token-0123456789"
ROBOTS_OK = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
MODEL = json.dumps({"id": "org/m", "sha": "c" * 40}).encode()


def test_a_redirecting_hub_never_hands_the_token_to_another_port_or_host(tmp_path: Path) -> None:
    with serve({"/robots.txt": ROBOTS_OK, "/api/models/org/m": (200, {}, MODEL)}) as other:
        listing = json.dumps([{"id": "org/m", "sha": "c" * 40}, {"id": "org/n"}]).encode()
        hub_routes = {
            "/robots.txt": ROBOTS_OK,
            "/api/models": (200, {"Content-Type": "application/json"}, listing),
            # same host, another port / another name for the same machine
            "/api/models/org/m": (302, {"Location": f"{other.base}/api/models/org/m"}, b""),
            "/api/models/org/n": (
                301,
                {"Location": f"http://localhost:{other.port}/api/models/org/m"},
                b"",
            ),
        }
        with serve(hub_routes) as hub:
            proc = subprocess.run(
                [str(Path(sys.executable).parent / "scrapy"), "crawl", "huggingface",
                 "-a", "authors=org", "-s", f"HF_ENDPOINT={hub.base}",
                 "-s", f"TOOLWATCH_DB=sqlite:///{tmp_path}/t.db", "-s", "DOWNLOAD_DELAY=0",
                 "-s", f"TOOLWATCH_ALLOWED_HOSTS=127.0.0.1:{other.port},localhost:{other.port}"],
                cwd=REPO, capture_output=True, text=True, timeout=180,
                env=os.environ | {"HF_TOKEN": TOKEN, "TOOLWATCH_SPOOL_DIR": str(tmp_path / "s")},
            )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the Hub itself got the token (its robots.txt too: same origin)...
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in hub.requests)
    # ...the redirect targets were reached, robots.txt included, and never saw it
    assert other.hits("/robots.txt") >= 1 and other.hits("/api/models/org/m") >= 1
    assert [r.path for r in other.requests if "authorization" in r.headers] == []
    assert TOKEN not in proc.stdout + proc.stderr


def _authorization(mw: HubTokenMiddleware, url: str, carried: bytes | None = None) -> bytes | None:
    request = Request(url, headers={"Authorization": carried} if carried else None)
    mw.process_request(request)
    return request.headers.get(b"Authorization")


def test_the_token_is_not_sent_over_plain_http_to_an_https_hub() -> None:
    mw = HubTokenMiddleware(TOKEN, {("https", "huggingface.co", 443)})
    bearer = f"Bearer {TOKEN}".encode()
    assert _authorization(mw, "https://huggingface.co/api/models/x") == bearer
    assert _authorization(mw, "http://huggingface.co/api/models/x") is None
    assert _authorization(mw, "https://huggingface.co:8443/x") is None
    # a header carried along a redirect is taken off, another credential is left alone
    assert _authorization(mw, "http://huggingface.co/x", carried=bearer) is None
    assert _authorization(mw, "http://cdn.example/x", carried=b"Basic abc") == b"Basic abc"
