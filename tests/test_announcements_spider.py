"""The announcements spider: whole crawls through the real Scrapy engine, replayed
from cassettes (`toolwatch crawl announcements` subprocesses, as in test_crawl_e2e),
plus the request-building parts that replay cannot see (conditional headers)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from crawler.feeds import entry_state_key, state_key
from crawler.sources import FeedSource
from crawler.spiders.announcements import AnnouncementsSpider
from storage.views import SourceState

REPO = Path(__file__).resolve().parent.parent
TOOLWATCH = str(Path(sys.executable).parent / "toolwatch")
SCENARIOS = REPO / "tests" / "fixtures" / "cassettes"
DEMO_CASSETTE = REPO / "crawler" / "fixtures" / "cassettes" / "announcements_demo.yaml"
MISTRAL_FEED = "https://raw.githubusercontent.com/0xSMW/rss-feeds/main/feeds/feed_mistral_news.xml"


def run(args: list[str], tmp_path: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool"), "COLUMNS": "200"}
    proc = subprocess.run(
        [TOOLWATCH, *args], capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path
    )
    assert proc.returncode == code, proc.stderr[-3000:]
    return proc


def crawl(db: str, tmp_path: Path, *args: str, code: int = 0) -> dict[str, Any]:
    proc = run(["crawl", "announcements", *args, "--json", "--db", db], tmp_path, code)
    [summary] = json.loads(proc.stdout)
    assert summary["spider"] == "announcements"
    assert summary["finish_reason"] == "finished"
    return summary


def scenario(name: str) -> list[str]:
    d = SCENARIOS / name
    return ["--replay", str(d), "--sources", str(d / "sources.toml")]


def stats(db: str, tmp_path: Path) -> dict[str, Any]:
    return json.loads(run(["stats", "--json", "--db", db], tmp_path).stdout)


def without_runs(s: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in s.items() if k != "crawl_runs"}


# -- the demo ------------------------------------------------------------------------------


def test_demo_cassette_is_small() -> None:
    assert DEMO_CASSETTE.stat().st_size < 1_500_000


def test_demo_crawl_stores_announcement_claims_and_a_second_crawl_adds_nothing(
    db_url: str, tmp_path: Path
) -> None:
    first = crawl(db_url, tmp_path, "--demo")
    # robots.txt + 2 feeds + 3 posts; every feed entry carries its article: no article request
    assert first["pages"] == 6
    # 2 feeds + 50 Mistral entries + 50 xAI entries + 3 posts
    assert first["documents"] == 105
    assert first["errors"] == 0
    assert first["new_candidates"] > 20
    before = stats(db_url, tmp_path)
    assert set(before["claims"]["by_source_kind"]) == {"announcement"}

    second = crawl(db_url, tmp_path, "--demo")
    assert second["pages"] == 6
    assert second["documents"] == second["new_candidates"] == second["changed_tools"] == 0
    assert without_runs(stats(db_url, tmp_path)) == without_runs(before)

    tool = json.loads(run(["show", "mistral-small-4", "--json", "--db", db_url], tmp_path).stdout)
    assert tool["record"]["release_date"] == "2026-03-16"
    assert tool["record"]["license"]["id"] == "apache-2.0"
    assert {c["source_url"] for c in tool["claims"]} == {"https://mistral.ai/news/mistral-small-4"}


def test_demo_posts_are_stored_at_their_raw_github_urls(sqlite_url: str, tmp_path: Path) -> None:
    crawl(sqlite_url, tmp_path, "--demo")
    tool = json.loads(
        run(["show", "meta-llama/Meta-Llama-3.1-8B", "--json", "--db", sqlite_url], tmp_path).stdout
    )
    assert {c["source_url"] for c in tool["claims"]} == {
        "https://raw.githubusercontent.com/FableFatale/hf-blog-translation/"
        "7e1428056c3599423c289693cf508774e5ad7861/llama31.md"
    }
    assert tool["record"]["license"]["id"] == "llama3.1"


def test_stored_entry_document_is_the_fragment_cut_from_the_feed(
    sqlite_url: str, tmp_path: Path
) -> None:
    crawl(sqlite_url, tmp_path, "--demo")
    feed_bytes = (REPO / "tests/fixtures/feeds/0xSMW__feed_mistral_news__2026-08.xml").read_bytes()
    con = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    rows = con.execute(
        "SELECT body, meta FROM documents WHERE url = 'https://mistral.ai/news/mistral-small-4'"
    ).fetchall()
    assert len(rows) == 1
    body = zlib.decompress(rows[0][0])  # storage keeps bodies zlib-compressed
    meta = json.loads(rows[0][1])
    assert meta["state_key"] == f"feed-entry:{MISTRAL_FEED}#https://mistral.ai/news/mistral-small-4"
    assert meta["fragment_of"] == MISTRAL_FEED
    assert meta["namespaces"]["content"] == "http://purl.org/rss/1.0/modules/content/"
    assert (
        meta["x-toolwatch-source"]
        == "corpus/announcements/feeds/0xSMW__feed_mistral_news__2026-08.xml"
    )
    assert body.startswith(b"<item>") and body.endswith(b"</item>")
    assert body in feed_bytes


# -- incremental ---------------------------------------------------------------------------


def test_one_new_entry_costs_one_article_request(db_url: str, tmp_path: Path) -> None:
    v0 = crawl(db_url, tmp_path, *scenario("feed_new_entry/v0"))
    # robots x2 (feed host, mistral.ai) + feed + 8 summary-only entries' article pages
    assert v0["pages"] == 11
    assert v0["documents"] == 8 + 1  # the articles and the feed
    assert v0["errors"] == 0

    v1 = crawl(db_url, tmp_path, *scenario("feed_new_entry/v1"))
    # the same feed with one more entry: one article request, not nine
    assert v1["pages"] == 2 + 1 + 1
    assert v1["documents"] == 1 + 1  # the new article and the changed feed

    again = crawl(db_url, tmp_path, *scenario("feed_new_entry/v1"))
    assert again["pages"] == 2  # robots + feed: nothing new, no article request
    assert again["documents"] == 0

    v2 = crawl(db_url, tmp_path, *scenario("feed_new_entry/v2"))
    # the full-content snapshot: 41 new and 9 updated entries, all stored from the feed;
    # the one entry without a body ("RSS feed") costs the only article request (404 here)
    assert v2["pages"] == 2 + 1 + 1
    assert v2["documents"] == 49 + 1
    assert v2["errors"] == 1
    s = stats(db_url, tmp_path)
    assert s["errors"]["by_kind"] == {"http-404": 1}


def test_unchanged_feed_answering_304_costs_nothing_more(sqlite_url: str, tmp_path: Path) -> None:
    crawl(sqlite_url, tmp_path, *scenario("feed_new_entry/v1"))
    before = stats(sqlite_url, tmp_path)
    again = crawl(sqlite_url, tmp_path, *scenario("feed_not_modified"))
    assert again["pages"] == 2 and again["documents"] == 0 and again["errors"] == 0
    assert without_runs(stats(sqlite_url, tmp_path)) == without_runs(before)


def test_summary_only_atom_feed_fetches_articles_and_retries_only_the_failed(
    sqlite_url: str, tmp_path: Path
) -> None:
    # 4 of 5 articles missing is an error rate an operator must hear of: exit 1, failing
    first = crawl(sqlite_url, tmp_path, *scenario("feed_atom_summary_only"), code=1)
    # robots x2 + feed + 5 article pages (1 served, 4 answer 404)
    assert first["pages"] == 8
    assert first["errors"] == 4
    assert first["documents"] == 1 + 1  # the article and the feed
    assert first["new_candidates"] >= 1
    assert first["health"] == "failing"

    second = crawl(sqlite_url, tmp_path, *scenario("feed_atom_summary_only"), code=1)
    # the stored article is not fetched again; the 4 missing ones are retried
    assert second["pages"] == 7
    assert second["documents"] == 0 and second["errors"] == 4


# -- requests ------------------------------------------------------------------------------


def test_feed_request_is_conditional_on_the_stored_validators() -> None:
    spider = AnnouncementsSpider()
    source = FeedSource(url=MISTRAL_FEED)
    assert "If-None-Match" not in spider._feed_request(source).headers

    state = SourceState(
        key=state_key(MISTRAL_FEED),
        etag='"abc"',
        last_modified="Thu, 11 Sep 2025 07:31:17 GMT",
        sha="x",
    )
    request = spider._feed_request(source, state)
    assert request.headers[b"If-None-Match"] == b'"abc"'
    assert request.headers[b"If-Modified-Since"] == b"Thu, 11 Sep 2025 07:31:17 GMT"
    assert 304 in request.meta["handle_httpstatus_list"]


def test_entry_state_key_names_feed_and_entry() -> None:
    assert (
        entry_state_key(MISTRAL_FEED, "https://mistral.ai/news/voxtral")
        == f"feed-entry:{MISTRAL_FEED}#https://mistral.ai/news/voxtral"
    )


@pytest.mark.parametrize("kind", ["feeds", "posts"])
def test_spider_arguments_override_the_watchlist(kind: str) -> None:
    spider = AnnouncementsSpider(**{kind: "https://example.org/a.xml, https://example.org/b.md"})
    wl = spider.watchlist()
    assert [str(s.url) for s in getattr(wl, kind)] == [
        "https://example.org/a.xml",
        "https://example.org/b.md",
    ]


# -- fixtures --------------------------------------------------------------------------------

MY_CASSETTES = [DEMO_CASSETTE, *sorted(SCENARIOS.glob("feed_*/**/announcements.yaml"))]
VERBATIM = {
    p.name: p for d in ("feeds", "announcements") for p in (REPO / "tests/fixtures" / d).iterdir()
}


@pytest.mark.parametrize("path", MY_CASSETTES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_response_says_where_it_comes_from(path: Path) -> None:
    from crawler.cassettes import recorded_interactions

    for request, response in recorded_interactions(path):
        headers = response["headers"]
        source = headers.get("X-Toolwatch-Source")
        assembled = headers.get("X-Toolwatch-Assembled")
        assert bool(source) != bool(assembled), request.uri
        if source:
            # a corpus body, byte for byte (checked against the verbatim copy in tests/fixtures)
            copy = VERBATIM[source[0].rsplit("/", 1)[-1]]
            body = response["body"]["string"]
            assert (body if isinstance(body, bytes) else body.encode()) == copy.read_bytes()
