"""The operator's pages of the web app: `/sources` (editors only) and `/metrics`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storage.store import Store
from web.app import create_app

SECRET = "test-secret-key-of-sufficient-length"
WATCHLIST = """
[schedules]
feeds = "every 1h"

[huggingface]
authors = ["Qwen"]
schedule = "0 */6 * * *"

[[feeds]]
url = "https://example.org/news.xml"

[[price_lists]]
url = "https://example.org/prices.json"
provider = "example"
"""


@pytest.fixture
def client(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    sources = tmp_path / "sources.toml"
    sources.write_text(WATCHLIST, encoding="utf-8")
    monkeypatch.setenv("TOOLWATCH_SOURCES", str(sources))
    with Store(db_url) as store:
        store.add_editor("ann", "correct horse")
        run_id = store.start_run("huggingface", {"job": "huggingface@0 */6 * * *"})
        store.finish_run(run_id, "finished", {"pages": 42, "requests": 44, "errors": 2})
        store.record_error(run_id, "https://huggingface.co/api/models/x/y", "http-404", "gone")
        failed = store.start_run("prices")
        store.finish_run(failed, "failed", {"pages": 0}, reason="every request refused")
    with TestClient(create_app(db_url, secret_key=SECRET), base_url="http://testserver") as c:
        yield c


def _log_in(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"name": "ann", "password": "correct horse", "csrf_token": token.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def test_the_sources_page_needs_an_editor_and_shows_every_source(client: TestClient) -> None:
    assert client.get("/sources", follow_redirects=False).status_code == 303
    _log_in(client)
    page = client.get("/sources")
    assert page.status_code == 200
    text = page.text
    assert "huggingface@0 */6 * * *" in text and "feeds@every 1h" in text
    assert "#1 finished" in text and "42 pages" in text  # the job's last run
    assert "no good run yet" in text  # the feed job never ran
    assert "price_lists (unscheduled)" in text and "every request refused" not in text
    assert "http-404" in text  # recent errors, grouped


def test_metrics_count_requests_and_read_crawls_from_the_database(client: TestClient) -> None:
    client.get("/api/v1/tools")
    body = client.get("/metrics").text
    assert 'toolwatch_crawl_runs_total{spider="huggingface",status="finished"} 1.0' in body
    assert 'toolwatch_crawl_runs_total{spider="prices",status="failed"} 1.0' in body
    assert 'toolwatch_crawl_pages_total{spider="huggingface"} 42.0' in body
    assert 'toolwatch_crawl_errors_total{kind="http-404"} 1.0' in body
    assert re.search(
        r'toolwatch_http_requests_total\{method="GET",route="/api/v1/tools",status="200"\} 1\.0',
        body,
    )
    assert 'toolwatch_http_request_duration_seconds_bucket{le="0.1",method="GET"' in body
