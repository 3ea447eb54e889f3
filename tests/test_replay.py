"""Record/replay middleware: real Scrapy crawls against a local server, then offline.

Each crawl runs in its own subprocess (this file is also the crawl runner, see
`run_crawl` / `__main__`), so any number of crawls fit in one pytest session
without fighting over the Twisted reactor. The HTTP server listens on 127.0.0.1
only; replay crawls run with the server stopped (or counting hits, to prove the
network is never touched).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SECRET_AUTH = "Bearer s3cret-auth-value"
SECRET_COOKIE = "session=c00kie-value"
SECRET_TOKEN = "t0ken-value"
SECRET_SET_COOKIE = "sid=set-c00kie-value; Path=/"
SECRET_UPSTREAM = "upstream-t0ken-value"
SECRETS = (SECRET_AUTH, SECRET_COOKIE, SECRET_TOKEN, SECRET_SET_COOKIE, SECRET_UPSTREAM)

START_PATHS = [
    "/api/list?b=2&a=1",
    "/old",
    "/gz",
    "/flaky",
    "/limited",
    "/broken",
    "/private/secret",
]


# -- local server --------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        srv = self.server
        with srv.lock:
            srv.hits[self.path] += 1
            n = srv.hits[self.path]
        path, _, query = self.path.partition("?")
        sensitive = {"Set-Cookie": SECRET_SET_COOKIE, "X-Upstream-Token": SECRET_UPSTREAM}
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})
        elif path == "/api/list" and "cursor" not in query:
            if self.headers.get("Authorization") != SECRET_AUTH:
                self._send(401, b'{"error":"no auth"}', {"X-Error-Code": "Unauthorized"})
                return
            nxt = f"http://{self.headers['Host']}/api/list?a=1&b=2&cursor=p2"
            body = json.dumps([{"id": "org/one"}]).encode()
            self._send(200, body, {"Link": f'<{nxt}>; rel="next"', "ETag": '"v1"', **sensitive})
        elif path == "/api/list":
            self._send(200, json.dumps([{"id": "org/two"}]).encode(), {"ETag": '"v2"'})
        elif path == "/old":
            self._send(301, b"", {"Location": "/moved"})
        elif path == "/moved":
            self._send(200, b'{"moved":true}')
        elif path == "/gz":
            raw = "compressed caf\u00e9 body\n".encode()
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                self._send(200, gzip.compress(raw, mtime=0), {"Content-Encoding": "gzip"})
            else:
                self._send(200, raw)
        elif path == "/flaky":
            if n == 1:
                self._send(429, b'{"error":"slow down"}', {"Retry-After": "1"})
            else:
                self._send(200, b'{"flaky":"ok"}')
        elif path == "/limited":
            self._send(429, b'{"error":"rate"}', {"Retry-After": "1", "X-Error-Code": "Rate"})
        elif path == "/broken":
            self._send(500, b'{"error":"boom"}', {"X-Error-Code": "Boom"})
        else:
            self._send(404, b'{"error":"not found"}', {"X-Error-Code": "NotFound"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class LocalServer:
    def __init__(self) -> None:
        self.httpd = _Server()
        self.base = self.httpd.base
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def hits(self) -> Counter[str]:
        return self.httpd.hits

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


# -- crawl runner (subprocess) ------------------------------------------------------


def run_crawl(base: str, paths: list[str], settings: dict[str, Any], out: Path) -> dict[str, Any]:
    """Run one crawl of `TestSpider` in a fresh Python process; return items, stats, log."""
    spec = {"base": base, "paths": paths, "settings": settings, "out": str(out)}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, __file__, json.dumps(spec)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), f"crawl did not finish:\n{proc.stderr[-4000:]}"
    result = json.loads(out.read_text())
    result["log"] = proc.stderr
    result["returncode"] = proc.returncode
    return result


def _crawl_main(spec: dict[str, Any]) -> None:
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    items: list[dict[str, Any]] = []

    class TestSpider(scrapy.Spider):
        name = "replaytest"

        async def start(self):  # type: ignore[no-untyped-def]
            # One request first: Scrapy 2.19's RobotsTxtMiddleware hands the parsed
            # robots.txt only to the first request waiting for it (the others get
            # None and skip the check), so the rest start once robots.txt is known.
            yield self.request(spec["paths"][0])

        def request(self, path: str) -> scrapy.Request:
            meta: dict[str, Any] = {"handle_httpstatus_list": [401, 404, 429, 500]}
            if path in ("/limited", "/broken"):
                meta["dont_retry"] = True
            return scrapy.Request(
                spec["base"] + path,
                headers={
                    "Authorization": SECRET_AUTH,
                    "Cookie": SECRET_COOKIE,
                    "X-Hub-Token": SECRET_TOKEN,
                },
                meta=meta,
                callback=self.parse,
                errback=self.failed,
            )

        def rest(self) -> Iterator[scrapy.Request]:
            if not getattr(self, "rest_started", False):
                self.rest_started = True
                yield from (self.request(p) for p in spec["paths"][1:])

        def parse(self, response):  # type: ignore[no-untyped-def]
            keep = ("Retry-After", "X-Error-Code", "Link", "ETag", "Content-Type")
            yield {
                "url": response.url,
                "status": response.status,
                "headers": {
                    h: response.headers.get(h).decode() for h in keep if response.headers.get(h)
                },
                "body": response.text,
            }
            if nxt := response.headers.get("Link"):
                url = nxt.decode().split(">")[0].lstrip("<")
                yield scrapy.Request(
                    url, headers={"Authorization": SECRET_AUTH}, callback=self.parse
                )
            yield from self.rest()

        def failed(self, failure):  # type: ignore[no-untyped-def]
            yield {
                "url": failure.request.url,
                "error": failure.type.__name__,
                "message": failure.getErrorMessage(),
            }
            yield from self.rest()

    settings = {
        "DOWNLOADER_MIDDLEWARES": {"crawler.replay.ReplayMiddleware": 950},
        "ROBOTSTXT_OBEY": True,
        "RETRY_TIMES": 2,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        **spec["settings"],
    }
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(TestSpider)

    def collect(item: dict[str, Any]) -> None:  # a named function: signals hold weak refs
        items.append(dict(item))

    crawler.signals.connect(collect, signal=signals.item_scraped)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    Path(spec["out"]).write_text(
        json.dumps({"items": items, "stats": stats}, default=str, indent=1)
    )


# -- helpers --------------------------------------------------------------------------


def _by_url(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (i["url"], json.dumps(i, sort_keys=True)))


def _replay_settings(cassettes: Path, strict: bool = True) -> dict[str, Any]:
    return {"TOOLWATCH_REPLAY_DIR": str(cassettes), "TOOLWATCH_REPLAY_STRICT": strict}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One live crawl in RECORD mode; the server is stopped afterwards."""
    tmp = tmp_path_factory.mktemp("record")
    server = LocalServer()
    try:
        result = run_crawl(
            server.base,
            START_PATHS,
            {"TOOLWATCH_RECORD_DIR": str(tmp / "cassettes")},
            tmp / "record.json",
        )
        hits = Counter(server.hits)
    finally:
        server.stop()
    result |= {"base": server.base, "dir": tmp / "cassettes", "hits": hits}
    yield result


# -- tests: record -----------------------------------------------------------------------


def test_record_writes_one_vcrpy_cassette_per_spider(recorded: dict[str, Any]) -> None:
    from crawler.cassettes import cassette_files, recorded_interactions

    assert recorded["stats"]["finish_reason"] == "finished", recorded["log"][-3000:]
    files = cassette_files(recorded["dir"])
    assert [f.name for f in files] == ["replaytest.yaml"]
    interactions = recorded_interactions(files[0])
    assert recorded["stats"]["record/interactions"] == len(interactions)
    uris = [req.uri.removeprefix(recorded["base"]) for req, _ in interactions]
    # robots.txt, each redirect hop and each retry attempt are interactions of their own
    assert "/robots.txt" in uris
    assert "/old" in uris and "/moved" in uris
    assert uris.count("/flaky") == 2
    assert not any(u.startswith("/private") for u in uris), uris  # robots.txt kept it off the wire
    assert sum(recorded["hits"].values()) == len(interactions)
    statuses = {u: resp["status"]["code"] for (_, resp), u in zip(interactions, uris, strict=True)}
    assert statuses["/old"] == 301
    flaky = [resp for (_, resp), u in zip(interactions, uris, strict=True) if u == "/flaky"]
    assert [r["status"]["code"] for r in flaky] == [429, 200]
    assert flaky[0]["headers"]["Retry-After"] == ["1"]


def test_record_never_writes_credentials(recorded: dict[str, Any]) -> None:
    text = (recorded["dir"] / "replaytest.yaml").read_text()
    for secret in SECRETS:
        assert secret not in text
    for header in ("Authorization:", "Cookie:", "Set-Cookie:", "X-Hub-Token:", "X-Upstream-Token:"):
        assert header.lower() not in text.lower()
    # ...while ordinary headers survive on both sides
    for header in ("User-Agent:", "Etag:", "Link:", "Retry-After:", "X-Error-Code:"):
        assert header in text


def test_record_stores_compressed_bodies_decoded(recorded: dict[str, Any]) -> None:
    from crawler.cassettes import recorded_interactions

    for req, resp in recorded_interactions(recorded["dir"] / "replaytest.yaml"):
        if req.uri.endswith("/gz"):
            assert resp["body"]["string"] == "compressed caf\u00e9 body\n".encode()
            assert "Content-Encoding" not in resp["headers"]
            assert resp["headers"]["Content-Length"] == [str(len(resp["body"]["string"]))]
            break
    else:
        pytest.fail("no /gz interaction recorded")


# -- tests: replay --------------------------------------------------------------------------


def test_replay_twice_offline_gives_the_same_items(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    live = _by_url(recorded["items"])
    assert {i["url"].removeprefix(recorded["base"]) for i in live} >= {
        "/api/list?b=2&a=1",
        "/api/list?a=1&b=2&cursor=p2",
        "/moved",
        "/gz",
        "/flaky",
        "/limited",
        "/broken",
        "/private/secret",
    }
    for run in (1, 2):  # the server is stopped: any network access would fail
        result = run_crawl(
            recorded["base"],
            START_PATHS,
            _replay_settings(recorded["dir"]),
            tmp_path / f"replay{run}.json",
        )
        stats = result["stats"]
        assert stats["finish_reason"] == "finished", result["log"][-3000:]
        assert "replay/unmatched" not in stats
        assert _by_url(result["items"]) == live
        assert stats["replay/responses"] == recorded["stats"]["record/interactions"]
        for key in ("retry/count", "robotstxt/forbidden", "downloader/response_status_count/301"):
            assert stats.get(key) == recorded["stats"].get(key), key


def test_replay_keeps_status_and_headers_of_429_and_500(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    result = run_crawl(
        recorded["base"],
        ["/limited", "/broken"],
        _replay_settings(recorded["dir"]),
        tmp_path / "r.json",
    )
    items = {i["url"].removeprefix(recorded["base"]): i for i in result["items"]}
    assert items["/limited"]["status"] == 429
    assert items["/limited"]["headers"]["Retry-After"] == "1"
    assert items["/limited"]["headers"]["X-Error-Code"] == "Rate"
    assert items["/broken"]["status"] == 500
    assert items["/broken"]["headers"]["X-Error-Code"] == "Boom"
    assert items["/broken"]["body"] == '{"error":"boom"}'


def test_replay_unmatched_fails_loudly_without_touching_the_network(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    # A live server on the recorded address would answer; replay must never ask it.
    import socket

    host, port = recorded["base"].removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
        sock.listen(8)
        sock.settimeout(0.1)
        result = run_crawl(
            recorded["base"],
            ["/never-recorded?x=1"],
            _replay_settings(recorded["dir"], strict=True),
            tmp_path / "strict.json",
        )
        with pytest.raises(TimeoutError):
            sock.accept()
    finally:
        sock.close()
    url = f"{recorded['base']}/never-recorded?x=1"
    stats = result["stats"]
    assert stats["finish_reason"] == "replay_unmatched"
    assert stats["replay/unmatched"] == 1
    assert stats["replay/strict_failure"] == f"GET {url}"
    assert f"ERROR: replay: no recorded interaction for GET {url}" in result["log"]
    assert result["items"] == [
        {
            "url": url,
            "error": "ReplayUnmatchedRequest",
            "message": f"replay: no recorded interaction for GET {url} "
            f"(nothing similar in the cassettes under {recorded['dir']})",
        }
    ]


def test_replay_unmatched_non_strict_goes_on(recorded: dict[str, Any], tmp_path: Path) -> None:
    result = run_crawl(
        recorded["base"],
        ["/moved", "/movedx"],
        _replay_settings(recorded["dir"], strict=False),
        tmp_path / "lenient.json",
    )
    assert result["stats"]["finish_reason"] == "finished"
    assert result["stats"]["replay/unmatched"] == 1
    errors = [i for i in result["items"] if "error" in i]
    assert len(errors) == 1 and errors[0]["url"].endswith("/movedx")
    # the hint names the closest recorded request
    assert (
        "closest recorded: GET " in errors[0]["message"] and "path differs" in errors[0]["message"]
    )
    assert any(i.get("body") == '{"moved":true}' for i in result["items"])


def test_replay_dir_without_cassettes_refuses_to_start(tmp_path: Path) -> None:
    result_path = tmp_path / "none.json"
    spec = {
        "base": "http://127.0.0.1:9",
        "paths": ["/x"],
        "settings": _replay_settings(tmp_path / "empty"),
        "out": str(result_path),
    }
    (tmp_path / "empty").mkdir()
    proc = subprocess.run(
        [sys.executable, __file__, json.dumps(spec)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "holds no *.yaml cassette" in proc.stderr
    if result_path.is_file():  # the crawler never got as far as a request
        assert json.loads(result_path.read_text())["items"] == []


if __name__ == "__main__":
    _crawl_main(json.loads(sys.argv[1]))
