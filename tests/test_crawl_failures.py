"""A crawl that fetched nothing says so: non-zero exit, one-line reason, its run is
`failed`; robots.txt is read by RFC 9309 (5xx: disallow and record, 4xx: allow);
a body cut off at the size limit says which limit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from loopback import serve

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRICES = REPO / "tests/fixtures/price_lists/openrouter_api_v1_models__madviking__2025__subset.json"
LIST = (200, {"Content-Type": "application/json"}, PRICES.read_bytes())


def crawl_prices(tmp_path: Path, url: str) -> subprocess.CompletedProcess[str]:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[price_lists]]\nurl = "{url}"\nprovider = "openrouter"\nformat = "openrouter"\n'
    )
    return subprocess.run(
        [str(BIN / "toolwatch"), "crawl", "prices", "--sources", str(sources),
         "--db", f"sqlite:///{tmp_path}/t.db"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
        env=os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool"), "COLUMNS": "200"},
    )  # fmt: skip


def rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "t.db") as conn:
        return conn.execute(sql).fetchall()


def test_robots_txt_answering_503_disallows_the_host_and_the_crawl_fails_loudly(
    tmp_path: Path,
) -> None:
    routes = {"/robots.txt": (503, {}, b"busy"), "/api/v1/models": LIST}
    with serve(routes) as site:
        proc = crawl_prices(tmp_path, f"{site.base}/api/v1/models")
    assert site.hits("/api/v1/models") == 0  # RFC 9309: 5xx means disallow everything
    assert site.hits("/robots.txt") >= 1
    assert proc.returncode == 1
    [line] = [ln for ln in proc.stderr.splitlines() if "fetched nothing" in ln]
    assert line.startswith("prices: fetched nothing")
    assert "robots.txt was unreachable" in line
    [(kind, message)] = rows(tmp_path, "SELECT kind, message FROM crawl_errors")
    assert kind == "robots" and "HTTP 503" in message and "RFC 9309" in message
    [(status, reason)] = rows(tmp_path, "SELECT status, reason FROM crawl_runs")
    assert status == "failed"
    assert "fetched nothing" in str(reason)


def test_robots_txt_answering_404_allows_everything(tmp_path: Path) -> None:
    robots_404 = (404, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n")
    with serve({"/robots.txt": robots_404, "/api/v1/models": LIST}) as site:
        proc = crawl_prices(tmp_path, f"{site.base}/api/v1/models")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert site.hits("/api/v1/models") == 1
    [(status,)] = rows(tmp_path, "SELECT status FROM crawl_runs")
    assert status == "finished"
    assert rows(tmp_path, "SELECT count(*) FROM documents")[0][0] == 1


def test_a_crawl_whose_every_request_fails_exits_non_zero(tmp_path: Path) -> None:
    with serve({"/robots.txt": (404, {}, b"")}) as site:  # the list itself is a 404
        proc = crawl_prices(tmp_path, f"{site.base}/api/v1/models")
    assert proc.returncode == 1
    assert "prices: fetched nothing: no request of 1 got a usable answer" in proc.stderr
    [(status,)] = rows(tmp_path, "SELECT status FROM crawl_runs")
    assert status == "failed"


def test_a_body_cut_off_at_the_size_limit_says_which_limit(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    with serve({"/robots.txt": (404, {}, b""), "/big": LIST}, content_length=False) as site:
        sources.write_text(f'[[price_lists]]\nurl = "{site.base}/big"\nprovider = "x"\n')
        proc = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "prices", "-a", f"sources={sources}",
             "-s", f"TOOLWATCH_DB=sqlite:///{tmp_path}/t.db", "-s", "DOWNLOAD_MAXSIZE=4096",
             "-s", "DOWNLOAD_WARNSIZE=0"],
            capture_output=True, text=True, timeout=180, cwd=REPO,
            env=os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool")},
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    [(kind, message)] = rows(tmp_path, "SELECT kind, message FROM crawl_errors")
    assert kind == "size-limit"
    assert "DOWNLOAD_MAXSIZE (4096 bytes)" in message and "no Content-Length" in message
