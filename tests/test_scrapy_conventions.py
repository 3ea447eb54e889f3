"""Scrapy habits work on toolwatch's project: `-O` exports, `scrapy check` contracts,
and a crawl prints no deprecation or configuration warnings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from loopback import serve

REPO = Path(__file__).resolve().parent.parent
SCRAPY = str(Path(sys.executable).parent / "scrapy")
CASSETTES = REPO / "crawler" / "fixtures" / "cassettes"
DEMO_SOURCES = REPO / "crawler" / "fixtures" / "demo_sources.toml"
PRICES = REPO / "tests/fixtures/price_lists/openrouter_api_v1_models__madviking__2025__subset.json"


def scrapy(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRAPY, *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        env=os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool")} | env,
    )


def test_crawl_with_dash_o_exports_every_item_as_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    proc = scrapy(
        "crawl", "prices", "-a", f"sources={DEMO_SOURCES}", "-O", str(out),
        "-s", f"TOOLWATCH_REPLAY_DIR={CASSETTES}", "-s", f"TOOLWATCH_DB=sqlite:///{tmp_path}/t.db",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "not JSON serializable" not in proc.stderr
    [item] = [json.loads(line) for line in out.read_text().splitlines()]
    recorded = yaml.safe_load((CASSETTES / "prices_demo.yaml").read_text())
    [body] = [
        i["response"]["body"]["string"]
        for i in recorded["interactions"]
        if i["request"]["uri"] == item["url"]
    ]
    assert item["kind"] == "price-list" and item["status"] == 200
    assert json.loads(item["body"]) == json.loads(body)  # the raw body, as text


def test_a_live_crawl_prints_no_deprecation_or_disabled_middleware_warning(
    tmp_path: Path,
) -> None:
    routes = {
        "/robots.txt": (200, {}, b"User-agent: *\nAllow: /\n"),
        "/models": (200, {"Content-Type": "application/json"}, PRICES.read_bytes()),
    }
    with serve(routes) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[price_lists]]\nurl = "{site.base}/models"\nprovider = "x"\n')
        proc = scrapy(
            "crawl", "prices", "-a", f"sources={sources}", "-s", "LOG_LEVEL=WARNING",
            "-s", f"TOOLWATCH_DB=sqlite:///{tmp_path}/t.db", tmp_path=tmp_path,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert site.hits("/models") == 1
    assert "Disabled" not in proc.stderr and "ReplayMiddleware" not in proc.stderr
    deprecations = [
        line
        for line in proc.stderr.splitlines()
        if "Deprecat" in line
        # the storage pipeline's Deferred-returning methods become coroutines in the
        # pipeline restructuring (issue 12/16); everything else must be clean here
        and "crawler.pipelines.StoragePipeline" not in line
    ]
    assert deprecations == []


def test_scrapy_check_runs_the_contracts_of_every_spider_offline(tmp_path: Path) -> None:
    replay = {"TOOLWATCH_REPLAY_DIR": str(CASSETTES)}
    listed = scrapy("check", "-l", tmp_path=tmp_path, **replay).stdout
    for callback in ("parse_list", "parse_listing", "parse_model", "parse_config", "parse_card",
                     "parse_feed", "parse_article", "parse_post"):  # fmt: skip
        assert f"  * {callback}" in listed, listed
    proc = scrapy("check", tmp_path=tmp_path, **replay)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ran = re.search(r"Ran (\d+) contracts", proc.stderr)
    assert ran is not None and int(ran.group(1)) >= 12, proc.stderr[-2000:]
