"""The `prices` spider: requests it builds, and whole crawls through the real engine.

Whole crawls are `toolwatch crawl prices` / `scrapy crawl prices` subprocesses (one
Twisted reactor per process), replaying crawler/fixtures/cassettes/prices_demo.yaml
and tests/fixtures/price_lists/not_modified (both built by
scripts/build_price_cassettes.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from scrapy.extension import ExtensionManager
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.items import CrawlFailure
from crawler.spiders.prices import PricesSpider, state_key
from crawler.state import IncrementalState
from normalizer.models import RawDocument
from storage.store import Store

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_SOURCES = REPO / "crawler" / "fixtures" / "demo_sources.toml"
NOT_MODIFIED = REPO / "tests" / "fixtures" / "price_lists" / "not_modified"
URL = "https://openrouter.ai/api/v1/models"


# -- requests and callbacks, without the engine ---------------------------------------------


def make_spider(**kwargs: Any) -> PricesSpider:
    crawler = get_crawler(PricesSpider)
    return PricesSpider.from_crawler(crawler, sources=str(NOT_MODIFIED / "sources.toml"), **kwargs)


def start_requests(spider: PricesSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def test_one_request_per_price_list_with_its_state_key() -> None:
    [req] = start_requests(make_spider())
    assert req.url == URL
    assert req.meta["source_key"] == state_key(URL) == f"price:{URL}"
    assert 304 in req.meta["handle_httpstatus_list"]
    assert b"If-None-Match" not in req.headers


def with_state(spider: PricesSpider, db: str) -> PricesSpider:
    """The spider's crawler owns the incremental-state extension on database `db`."""
    spider.crawler.extensions = ExtensionManager(IncrementalState(db), crawler=spider.crawler)
    return spider


def test_stored_validators_make_the_request_conditional(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/state.db"
    with Store(db) as store:
        store.capture(
            [
                RawDocument(
                    url=URL,
                    kind="price-list",
                    body=b"{}",
                    meta={
                        "state_key": state_key(URL),
                        "etag": '"abc"',
                        "last_modified": "Thu, 24 Apr 2025 12:00:00 GMT",
                    },
                )
            ]
        )
    [req] = start_requests(with_state(make_spider(), db))
    assert req.headers[b"If-None-Match"] == b'"abc"'
    assert req.headers[b"If-Modified-Since"] == b"Thu, 24 Apr 2025 12:00:00 GMT"

    [req] = start_requests(with_state(make_spider(full="true"), db))
    assert b"If-None-Match" not in req.headers


def _response(
    status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> TextResponse:
    return TextResponse(
        URL, status=status, body=body, headers=headers or {}, request=Request(URL), encoding="utf-8"
    )


def test_callback_wraps_200_skips_304_records_404() -> None:
    spider = make_spider()
    [source] = spider.watchlist()
    body = b'{"data": []}'
    [doc] = list(
        spider.parse_list(
            _response(200, body, {"ETag": '"e1"', "Content-Type": "application/json"}), source
        )
    )
    assert isinstance(doc, RawDocument)
    assert (doc.kind, doc.body, doc.url) == ("price-list", body, URL)
    assert doc.meta["state_key"] == f"price:{URL}" and doc.meta["etag"] == '"e1"'
    assert doc.meta["provider"] == "openrouter"
    assert list(spider.parse_list(_response(304), source)) == []
    [failure] = list(spider.parse_list(_response(404), source))
    assert isinstance(failure, CrawlFailure) and failure.kind == "http-404"


# -- whole crawls through the engine -------------------------------------------------------------


def run(
    args: list[str], tmp_path: Path, exe: str = "toolwatch"
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool"), "COLUMNS": "200"}
    proc = subprocess.run(
        [str(BIN / exe), *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=REPO if exe == "scrapy" else tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def crawl(db: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    [summary] = json.loads(run(["crawl", "prices", *args, "--json", "--db", db], tmp_path).stdout)
    return summary


def stats(db: str, tmp_path: Path) -> dict[str, Any]:
    s = json.loads(run(["stats", "--json", "--db", db], tmp_path).stdout)
    return {k: v for k, v in s.items() if k != "crawl_runs"}


def show(db: str, tmp_path: Path, ref: str) -> dict[str, Any]:
    return json.loads(run(["show", ref, "--json", "--db", db], tmp_path).stdout)


def test_replayed_crawl_stores_price_claims_and_an_unchanged_list_adds_nothing(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path}/prices.db"
    first = crawl(db, tmp_path, "--demo")
    assert first["pages"] == 2  # robots.txt + the list
    assert first["documents"] == 1 and first["errors"] == 0
    assert first["new_candidates"] >= 8
    before = stats(db, tmp_path)

    tool = show(db, tmp_path, "meta-llama/llama-3.1-8b-instruct")
    claims = [c for c in tool["claims"] if c["field"] == "pricing"]
    assert {c["source_kind"] for c in claims} == {"price-list"}
    assert all(c["source_url"] == URL for c in claims)
    prices = {p["model_id"]: p for p in tool["record"]["pricing"]["prices"]}
    assert prices["meta-llama/llama-3.1-8b-instruct"]["input_per_mtok"] == 0.02
    assert prices["meta-llama/llama-3.1-8b-instruct"]["output_per_mtok"] == 0.03
    assert prices["meta-llama/llama-3.1-8b-instruct:free"]["input_per_mtok"] == 0.0
    assert tool["record"]["vendor"] == "Meta"

    # the same list again: one request, same content hash, nothing stored
    again = crawl(db, tmp_path, "--demo")
    assert again["pages"] == 2
    assert again["documents"] == again["new_candidates"] == again["changed_tools"] == 0
    assert stats(db, tmp_path) == before


def test_not_modified_costs_nothing_and_the_request_was_conditional(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/prices.db"
    crawl(db, tmp_path, "--demo")
    before = stats(db, tmp_path)
    # scrapy crawl, for the spider's own stats in the log
    proc = run(
        [
            "crawl",
            "prices",
            "-a",
            f"sources={NOT_MODIFIED / 'sources.toml'}",
            "-s",
            f"TOOLWATCH_REPLAY_DIR={NOT_MODIFIED}",
            "-s",
            "TOOLWATCH_REPLAY_STRICT=1",
            "-s",
            f"TOOLWATCH_DB={db}",
            "-s",
            f"TOOLWATCH_SPOOL_DIR={tmp_path / 'spool'}",
        ],
        tmp_path,
        exe="scrapy",
    )
    log = proc.stderr
    assert "'prices/conditional': 1" in log  # If-None-Match / If-Modified-Since were sent
    assert "'prices/not_modified': 1" in log
    assert "'downloader/response_status_count/304': 1" in log
    assert "toolwatch/documents_new" not in log and "toolwatch/errors" not in log
    assert stats(db, tmp_path) == before


# -- the committed cassette ----------------------------------------------------------------

CASSETTE = REPO / "crawler" / "fixtures" / "cassettes" / "prices_demo.yaml"
CORPUS = REPO.parent / "shared" / "corpus"


def test_demo_cassette_is_small_and_says_what_it_was_assembled_from() -> None:
    from crawler.cassettes import recorded_interactions

    assert CASSETTE.stat().st_size < 300_000
    interactions = recorded_interactions(CASSETTE)
    assert [q.uri for q, _ in interactions] == ["https://openrouter.ai/robots.txt", URL]
    for _, resp in interactions:
        headers = {k.lower(): v for k, v in resp["headers"].items()}
        assert "x-toolwatch-source" not in headers  # no body here is a corpus file verbatim
        assert headers["x-toolwatch-assembled"]
    body = interactions[1][1]["body"]["string"]
    assembled = interactions[1][1]["headers"]["X-Toolwatch-Assembled"][0]
    assert assembled.startswith(
        "subset of corpus/pricing/openrouter_api_v1_models__madviking__2025.json"
    )
    ids = [row["id"] for row in json.loads(body)["data"]]
    assert "meta-llama/llama-3.1-8b-instruct" in ids and all(i in assembled for i in ids)
    capture = CORPUS / "pricing" / "openrouter_api_v1_models__madviking__2025.json"
    if capture.is_file():  # entries are verbatim corpus entries
        real = {row["id"]: row for row in json.loads(capture.read_bytes())["data"]}
        assert all(row == real[row["id"]] for row in json.loads(body)["data"])
