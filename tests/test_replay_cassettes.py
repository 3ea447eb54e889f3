"""Replay middleware in-process, and the committed cassettes built from the corpus.

No network, no reactor: `ReplayMiddleware.process_request` is called directly.
Tests that compare against ../shared/corpus skip in a fresh clone, which has none.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import vcr
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.test import get_crawler

from crawler import hub
from crawler.cassettes import (
    cassette_files,
    is_sensitive_header,
    new_request,
    recorded_interactions,
    response_dict,
    save_cassette,
)
from crawler.replay import ReplayConfigError, ReplayMiddleware, ReplayUnmatchedRequest

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "crawler/fixtures/cassettes"
DEMO_SOURCES = REPO / "crawler/fixtures/demo_sources.toml"
SCENARIOS = REPO / "tests/fixtures/cassettes"
CORPUS = REPO.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "hf_api").is_dir(), reason="no ../shared/corpus")

HUB = "https://huggingface.co"


def middleware(replay_dir: Path, **settings: Any) -> ReplayMiddleware:
    crawler = get_crawler(settings_dict={"TOOLWATCH_REPLAY_DIR": str(replay_dir), **settings})
    return ReplayMiddleware.from_crawler(crawler)


def play(mw: ReplayMiddleware, url: str, method: str = "GET") -> Response:
    response = mw.process_request(Request(url, method=method))
    assert isinstance(response, Response)
    return response


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A cassette with one URL recorded three times, on a non-default port."""
    url = "http://api.example:8080/v1/items?b=2&a=1&a=0"
    save_cassette(
        tmp_path / "small.yaml",
        [
            (new_request("GET", url), response_dict(503, {"Retry-After": ["1"]}, b"down")),
            (new_request("GET", url), response_dict(429, {"Retry-After": ["2"]}, b"slow")),
            (
                new_request("GET", url),
                response_dict(
                    200,
                    {"Content-Type": ["application/json"], "Link": ["<a>; rel=next", "<b>"]},
                    b'{"ok":true}',
                ),
            ),
            (new_request("POST", url), response_dict(201, {}, b"created")),
        ],
    )
    return tmp_path


# -- matching and order -----------------------------------------------------------------


def test_replays_in_recorded_order_then_repeats_the_last(small: Path) -> None:
    mw = middleware(small)
    url = "http://api.example:8080/v1/items?a=1&a=0&b=2"  # same query, other order
    first, second, third, again = (play(mw, url) for _ in range(4))
    assert (first.status, first.headers["Retry-After"]) == (503, b"1")
    assert (second.status, second.headers["Retry-After"]) == (429, b"2")
    assert third.status == 200 and isinstance(third, TextResponse)
    assert third.headers.getlist("Link") == [b"<a>; rel=next", b"<b>"]
    assert third.url == url and "replayed" in third.flags
    assert again.status == 200
    assert mw.stats.get_value("replay/repeated") == 1
    assert play(mw, url, "POST").status == 201


def test_repeat_last_can_be_switched_off(small: Path) -> None:
    mw = middleware(small, TOOLWATCH_REPLAY_REPEAT_LAST=False)
    url = "http://api.example:8080/v1/items?b=2&a=1&a=0"
    assert [play(mw, url).status for _ in range(3)] == [503, 429, 200]
    with pytest.raises(ReplayUnmatchedRequest):
        play(mw, url)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example:8080/v1/items?b=2&a=1&a=0",  # scheme
        "http://api.example/v1/items?b=2&a=1&a=0",  # port
        "http://other.example:8080/v1/items?b=2&a=1&a=0",  # host
        "http://api.example:8080/v1/item?b=2&a=1&a=0",  # path
        "http://api.example:8080/v1/items?b=2&a=1",  # query
        "http://api.example:8080/v1/items?b=2&a=1&a=9",  # query value
    ],
)
def test_every_part_of_the_url_must_match(small: Path, url: str) -> None:
    mw = middleware(small)
    with pytest.raises(ReplayUnmatchedRequest) as err:
        play(mw, url)
    assert isinstance(err.value, IgnoreRequest)
    assert f"GET {url}" in str(err.value)
    assert mw.stats.get_value("replay/unmatched") == 1


def test_method_must_match(small: Path) -> None:
    with pytest.raises(ReplayUnmatchedRequest, match="PUT http://api.example:8080"):
        play(middleware(small), "http://api.example:8080/v1/items?b=2&a=1&a=0", "PUT")


def test_settings_errors(tmp_path: Path, small: Path) -> None:
    with pytest.raises(NotConfigured):
        ReplayMiddleware.from_crawler(get_crawler(settings_dict={}))
    both = {"TOOLWATCH_REPLAY_DIR": str(small), "TOOLWATCH_RECORD_DIR": str(tmp_path / "r")}
    with pytest.raises(ReplayConfigError, match="both set"):
        ReplayMiddleware.from_crawler(get_crawler(settings_dict=both))
    with pytest.raises(ReplayConfigError, match="not a directory"):
        middleware(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReplayConfigError, match="no \\*.yaml cassette"):
        middleware(tmp_path / "empty")


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("Authorization", True),
        ("cookie", True),
        ("Set-Cookie", True),
        ("Proxy-Authorization", True),
        ("X-Hub-Token", True),
        ("x-amz-security-token", True),
        ("X-Token", True),
        ("X-Api-Key", True),
        ("X-Tokenizer", False),
        ("X-Error-Code", False),
        ("Retry-After", False),
        ("Content-Type", False),
    ],
)
def test_sensitive_headers(name: str, sensitive: bool) -> None:
    assert is_sensitive_header(name) is sensitive


# -- the committed cassettes --------------------------------------------------------------


def all_cassettes() -> list[Path]:
    """The Hugging Face cassettes (other spiders' cassettes are tested with them)."""
    return [DEMO_DIR / "huggingface_demo.yaml"] + [
        p for p in cassette_files(SCENARIOS) if p.name == "huggingface.yaml"
    ]


def cassette_named(mw: ReplayMiddleware, name: str) -> Any:
    [cassette] = [c for c in mw.cassettes if Path(c._path).name == name]
    return cassette


def test_every_response_says_where_it_comes_from() -> None:
    assert len(all_cassettes()) == 5
    for path in all_cassettes():
        for req, resp in recorded_interactions(path):
            headers = {k.lower(): v for k, v in resp["headers"].items()}
            source = headers.get("x-toolwatch-source")
            assembled = headers.get("x-toolwatch-assembled")
            assert bool(source) != bool(assembled), (path, req)
            if source:
                assert source[0].startswith("corpus/hf_")
                assert resp["status"]["code"] == 200
            else:
                assert "assembled" in assembled[0] or "written by" in assembled[0]
            assert headers["content-length"] == [str(len(resp["body"]["string"]))]
            assert req.uri.startswith(HUB + "/")
            assert not any(
                is_sensitive_header(h) for h in list(req.headers) + list(resp["headers"])
            )


def test_cassettes_load_in_plain_vcrpy(tmp_path: Path) -> None:
    """Ordinary vcrpy cassettes: vcrpy itself replays them to urllib, offline."""
    path = DEMO_DIR / "huggingface_demo.yaml"
    with vcr.use_cassette(str(path), record_mode="none") as cassette:
        with urllib.request.urlopen(hub.model_api_url("HuggingFaceH4/zephyr-7b-beta")) as r:
            info = json.loads(r.read())
            assert (
                "corpus/hf_api/HuggingFaceH4__zephyr-7b-beta.json"
                in (r.headers["X-Toolwatch-Assembled"])
            )
        assert cassette.play_count == 1
    assert info["id"] == "HuggingFaceH4/zephyr-7b-beta"


def _walk_hub(replay_dir: Path, sources: Path) -> tuple[ReplayMiddleware, list[Response]]:
    """Make the Hugging Face spider's requests for a watchlist, like the spider does."""
    from urllib.parse import quote, urlencode

    hf = tomllib.loads(sources.read_text())["huggingface"]
    mw = middleware(replay_dir)
    seen = [play(mw, f"{HUB}/robots.txt")]
    configs: list[Response] = []  # no real config.json offline: assembled 404s, said so
    for author in hf["authors"]:
        query = [("author", author), ("limit", str(hf["page_size"]))]
        query += [("expand", e) for e in ("sha", "lastModified", "private", "gated")]
        url: str | None = f"{HUB}/api/models?{urlencode(query)}"
        while url:
            page = play(mw, url)
            while page.status in (429, 503):  # what the retry middleware does
                page = play(mw, url)
            seen.append(page)
            for entry in json.loads(page.body):
                info = play(mw, hub.model_api_url(entry["id"]))
                while info.status == 503:
                    info = play(mw, hub.model_api_url(entry["id"]))
                seen.append(info)
                if info.status == 200:
                    assert json.loads(info.body)["sha"] == entry["sha"]
                    if hub.lists_file(info.body, "config.json"):
                        configs.append(play(mw, hub.config_url(entry["id"])))
                    seen.append(
                        play(mw, f"{HUB}/{quote(entry['id'], safe='/')}/raw/main/README.md")
                    )
            link = page.headers.get("Link")
            url = link.decode().split(">")[0].lstrip("<") if link else None
    assert all(c.status == 404 and c.headers["X-Toolwatch-Assembled"] for c in configs)
    return mw, seen


def test_demo_cassette_answers_the_demo_watchlist_exactly() -> None:
    mw, seen = _walk_hub(DEMO_DIR, DEMO_SOURCES)
    assert [r.status for r in seen] == [200] * 13
    listings = [r for r in seen if "/api/models?" in r.url]
    assert len(listings) == 4  # meta-llama paginates over two pages
    assert sum(b'rel="next"' in (r.headers.get("Link") or b"") for r in listings) == 1
    cards = [r for r in seen if r.url.endswith("/README.md")]
    assert {r.headers["Content-Type"] for r in cards} == {b"text/plain; charset=utf-8"}
    assert cassette_named(mw, "huggingface_demo.yaml").all_played  # nothing unused in it
    assert mw.stats.get_value("replay/unmatched") is None


@pytest.mark.parametrize(
    ("scenario", "statuses", "error_code"),
    [
        ("gated_detail", [200, 200, 200, 200, 401], "GatedRepo"),
        ("not_found", [200, 200, 200, 200, 404], "RepoNotFound"),
        ("rate_limited", [200, 200, 200, 200], None),
        ("server_error", [200, 200, 200, 200], None),
    ],
)
def test_error_scenarios(scenario: str, statuses: list[int], error_code: str | None) -> None:
    mw, seen = _walk_hub(SCENARIOS / scenario, SCENARIOS / scenario / "sources.toml")
    assert [r.status for r in seen] == statuses
    assert mw.cassettes[0].all_played, "every interaction of the scenario is used"
    if error_code:
        err = seen[-1]
        assert err.headers["X-Error-Code"].decode() == error_code
        assert json.loads(err.body)["error"] == err.headers["X-Error-Message"].decode()
        assert err.headers["X-Toolwatch-Assembled"]


def test_retry_scenarios_replay_the_error_first() -> None:
    for scenario, fragment, status in (
        ("rate_limited", "/api/models?", 429),
        ("server_error", "/api/models/HuggingFaceH4/zephyr-7b-beta?", 503),
    ):
        (req, first), (_, then) = [
            (q, r)
            for q, r in recorded_interactions(SCENARIOS / scenario / "huggingface.yaml")
            if fragment in q.uri
        ]
        assert first["status"]["code"] == status and first["headers"]["Retry-After"] == ["1"]
        assert "X-Toolwatch-Assembled" in first["headers"]
        assert then["status"]["code"] == 200 and "Retry-After" not in then["headers"]
        assert json.loads(then["body"]["string"])  # the real data (a listing, a model info)


@needs_corpus
def test_verbatim_bodies_equal_the_corpus_files() -> None:
    n = 0
    for path in all_cassettes():
        for _, resp in recorded_interactions(path):
            if source := resp["headers"].get("X-Toolwatch-Source"):
                rel = source[0].removeprefix("corpus/")
                assert (CORPUS / rel).read_bytes() == resp["body"]["string"], rel
                n += 1
    assert n == 8  # the cards; model info answers the spider's ?expand= URL, assembled


@needs_corpus
def test_builder_is_deterministic_and_committed_files_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/build_cassettes.py", "--corpus", str(CORPUS), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
