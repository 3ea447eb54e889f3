"""The URL policy: links a response leads to are fetched only when they point to a
global address over http(s); the watchlist's own servers stay reachable.

The feed here is a hostile test input written for these tests (not a corpus
document); the one article that should be stored is a real corpus post.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from loopback import serve

from crawler.url_policy import AddressRefused, GuardedResolver, UrlPolicy, address_problem

REPO = Path(__file__).resolve().parent.parent
TOOLWATCH = str(Path(sys.executable).parent / "toolwatch")
ARTICLE = (REPO / "tests/fixtures/corpus/announcements/hf_blog__falcon.md").read_bytes()
ROBOTS_OK = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")


def atom(links: list[str]) -> bytes:
    entries = "".join(
        f'<entry><id>urn:test:{i}</id><title>Entry {i}</title><link href="{link}"/>'
        f"<updated>2026-01-0{i + 1}T00:00:00Z</updated><summary>short</summary></entry>"
        for i, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>hostile</title><id>urn:test</id><updated>2026-01-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def crawl(tmp_path: Path, feed_url: str, env: dict[str, str] | None = None) -> str:
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[feeds]]\nurl = "{feed_url}"\n', encoding="utf-8")
    db = f"sqlite:///{tmp_path}/t.db"
    proc = subprocess.run(
        [TOOLWATCH, "crawl", "announcements", "--sources", str(sources), "--db", db, "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env=os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool")} | (env or {}),
    )
    assert proc.stdout, proc.stderr[-3000:]
    return str(tmp_path / "t.db")


def rows(db: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_feed_links_to_internal_addresses_are_refused_recorded_and_not_stored(
    tmp_path: Path,
) -> None:
    with serve({"/": (200, {}, b"internal secret")}) as internal:
        hostile = [
            f"{internal.base}/",  # another port of the loopback host
            f"http://localhost:{internal.port}/admin",  # a name resolving to loopback
            "http://169.254.169.254/latest/meta-data/",  # cloud metadata
            "http://10.1.2.3/intranet",
            "file://localhost/etc/hostname",
        ]
        routes = {
            "/robots.txt": ROBOTS_OK,
            "/post": (200, {"Content-Type": "text/markdown"}, ARTICLE),
            "/moved": (302, {"Location": f"{internal.base}/"}, b""),
        }
        with serve(routes) as site:
            links = [f"{site.base}/post", f"{site.base}/moved", *hostile]
            routes["/feed.xml"] = (200, {"Content-Type": "application/atom+xml"}, atom(links))
            db = crawl(tmp_path, f"{site.base}/feed.xml")
        assert internal.requests == [], "an internal server was reached"
    refused = {url: msg for url, kind, msg in rows(db, "SELECT url, kind, message FROM crawl_errors")
               if kind == "url-policy"}  # fmt: skip
    # every hostile link, and the redirect hop to the internal port, is an error
    assert set(hostile) <= set(refused), refused
    assert any("redirect" in u or u == f"{internal.base}/" for u in refused)
    assert "169.254.169.254" in refused["http://169.254.169.254/latest/meta-data/"]
    assert "link-local" in refused["http://169.254.169.254/latest/meta-data/"]
    assert "scheme 'file'" in refused["file://localhost/etc/hostname"]
    assert "loopback" in refused[f"http://localhost:{internal.port}/admin"]
    stored = [u for (u,) in rows(db, "SELECT url FROM documents")]
    assert f"{site.base}/post" in stored  # the watchlist's own server is crawled as usual
    assert not [u for u in stored if str(internal.port) in u or "169.254" in u or "file:" in u]
    assert b"internal secret" not in Path(db).read_bytes()


def test_a_host_allowed_explicitly_is_fetched(tmp_path: Path) -> None:
    with serve({"/": (200, {"Content-Type": "text/markdown"}, ARTICLE)}) as internal:
        feed = atom([f"{internal.base}/"])
        routes = {"/feed.xml": (200, {"Content-Type": "application/atom+xml"}, feed)}
        with serve({"/robots.txt": ROBOTS_OK, **routes}) as site:
            db = crawl(
                tmp_path,
                f"{site.base}/feed.xml",
                env={"TOOLWATCH_ALLOWED_HOSTS": f"127.0.0.1:{internal.port}"},
            )
        assert internal.hits("/") == 1
    assert rows(db, "SELECT count(*) FROM crawl_errors WHERE kind = 'url-policy'") == [(0,)]


REBIND = """
import sys
import crawler.url_policy as policy
# The first look (before the request) sees a public address; the connection then
# resolves the name to loopback, as a rebinding DNS server would answer.
policy.resolved_problem = lambda host, port: None
from cli.main import app
sys.argv = ["toolwatch", *sys.argv[1:]]
app()
"""


def test_a_name_rebinding_to_loopback_is_refused_at_connect_time(tmp_path: Path) -> None:
    with serve({"/": (200, {}, b"internal secret")}) as internal:
        feed = atom([f"http://localhost:{internal.port}/"])
        routes = {"/feed.xml": (200, {"Content-Type": "application/atom+xml"}, feed)}
        with serve({"/robots.txt": ROBOTS_OK, **routes}) as site:
            sources = tmp_path / "sources.toml"
            sources.write_text(f'[[feeds]]\nurl = "{site.base}/feed.xml"\n')
            db = tmp_path / "t.db"
            proc = subprocess.run(
                [sys.executable, "-c", REBIND, "crawl", "announcements", "--sources",
                 str(sources), "--db", f"sqlite:///{db}"],
                capture_output=True, text=True, timeout=180, cwd=REPO,
                env=os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool")},
            )  # fmt: skip
        assert internal.requests == [], proc.stderr[-2000:]
    [(kind, message)] = rows(str(db), "SELECT kind, message FROM crawl_errors")
    assert kind == "url-policy"
    assert "localhost" in message and "loopback" in message


@pytest.mark.parametrize(
    ("address", "word"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "global"),  # carrier-grade NAT: not global
        ("0.0.0.0", "unspecified"),
    ],
)
def test_non_global_addresses_are_named_for_what_they_are(address: str, word: str) -> None:
    problem = address_problem(ipaddress.ip_address(address))
    assert problem is not None and word in problem


def test_public_addresses_and_named_origins_pass() -> None:
    assert address_problem(ipaddress.ip_address("93.184.215.14")) is None
    policy = UrlPolicy(trusted_urls=["http://127.0.0.1:8080/feed"])
    assert policy.static_problem("http://127.0.0.1:8080/other") is None
    assert "loopback" in (policy.static_problem("http://127.0.0.1:8081/") or "")
    assert "https" in (policy.static_problem("ftp://example.org/x") or "")


def test_the_connect_time_check_refuses_an_unnamed_host_resolving_inside() -> None:
    with pytest.raises(AddressRefused, match="loopback"):
        GuardedResolver._checked("127.0.0.1", "rebound.example")
    assert GuardedResolver._checked("93.184.215.14", "example.org") == "93.184.215.14"


def test_refusals_are_counted_in_the_run_stats(tmp_path: Path) -> None:
    routes = {"/feed.xml": (200, {}, atom(["http://169.254.169.254/"]))}
    with serve({"/robots.txt": ROBOTS_OK, **routes}) as site:
        db = crawl(tmp_path, f"{site.base}/feed.xml")
    [(stats,)] = rows(db, "SELECT stats FROM crawl_runs")
    assert json.loads(stats)["errors"] == 1
