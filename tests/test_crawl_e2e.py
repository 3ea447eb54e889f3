"""Whole crawls through the real Scrapy engine, replayed from cassettes.

Each crawl is a `toolwatch crawl` subprocess (Twisted's reactor runs once per
process); the database is inspected through `toolwatch stats/show --json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLWATCH = str(Path(sys.executable).parent / "toolwatch")
SCENARIOS = REPO / "tests" / "fixtures" / "cassettes"
DEMO_SOURCES = REPO / "crawler" / "fixtures" / "demo_sources.toml"


def run(
    args: list[str], tmp_path: Path, ok: bool = True, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool"), "COLUMNS": "200"}
    env |= extra
    proc = subprocess.run(
        [TOOLWATCH, *args], capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path
    )
    if ok:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def crawl(db: str, tmp_path: Path, *args: str, ok: bool = True) -> dict[str, Any]:
    """One `toolwatch crawl huggingface` run; its JSON summary."""
    proc = run(["crawl", "huggingface", *args, "--json", "--db", db], tmp_path, ok=ok)
    if not ok:
        return {"returncode": proc.returncode, "stderr": proc.stderr, "stdout": proc.stdout}
    [summary] = json.loads(proc.stdout)
    return summary


def stats(db: str, tmp_path: Path) -> dict[str, Any]:
    return json.loads(run(["stats", "--json", "--db", db], tmp_path).stdout)


def show(db: str, tmp_path: Path, ref: str) -> dict[str, Any]:
    return json.loads(run(["show", ref, "--json", "--db", db], tmp_path).stdout)


def without_runs(s: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in s.items() if k != "crawl_runs"}


def scenario(name: str) -> list[str]:
    return ["--replay", str(SCENARIOS / name), "--sources", str(SCENARIOS / name / "sources.toml")]


def test_demo_crawl_stores_candidates_and_a_second_crawl_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    first = crawl(db_url, tmp_path, "--demo")
    # robots.txt + 4 listing pages (meta-llama paginates) + 4 x (model info + config + card);
    # the config.json answers are 404s (no real copy offline), not errors
    assert first["pages"] == 17
    assert first["documents"] == 8
    assert first["new_candidates"] == 4
    assert first["errors"] == 0
    before = stats(db_url, tmp_path)
    assert before["tools"]["by_status"]["candidate"] == 4

    second = crawl(db_url, tmp_path, "--demo")
    # incremental: every listed sha is unchanged, so only robots.txt and listings
    assert second["pages"] == 5
    assert second["documents"] == second["new_candidates"] == second["changed_tools"] == 0
    after = stats(db_url, tmp_path)
    assert without_runs(after) == without_runs(before)
    assert after["crawl_runs"]["total"] == before["crawl_runs"]["total"] + 1

    tool = show(db_url, tmp_path, "meta-llama/Llama-3.1-8B-Instruct")
    kinds = {c["source_kind"] for c in tool["claims"]}
    assert kinds == {"hf-api", "hf-card"}
    assert all(c["source_url"].startswith("https://huggingface.co/") for c in tool["claims"])
    assert tool["record"]["license"]["id"] == "llama3.1"
    assert tool["record"]["parameters"]["total"] == 8030261248  # safetensors, not "8B"


def test_full_recrawl_refetches_but_stores_nothing_new(sqlite_url: str, tmp_path: Path) -> None:
    crawl(sqlite_url, tmp_path, "--demo")
    before = stats(sqlite_url, tmp_path)
    again = crawl(sqlite_url, tmp_path, "--demo", "--full")
    assert again["pages"] == 17
    assert again["documents"] == 0 and again["new_candidates"] == 0
    assert without_runs(stats(sqlite_url, tmp_path)) == without_runs(before)


def test_gated_model_is_recorded_as_an_error_and_its_sibling_stored(
    db_url: str, tmp_path: Path
) -> None:
    summary = crawl(db_url, tmp_path, *scenario("gated_detail"))
    assert summary["errors"] == 1 and summary["new_candidates"] == 1
    s = stats(db_url, tmp_path)
    assert s["errors"]["by_kind"] == {"http-401": 1}
    assert s["tools"]["total"] == 1


def test_an_error_never_deletes_a_stored_tool(sqlite_url: str, tmp_path: Path) -> None:
    crawl(sqlite_url, tmp_path, "--demo")
    before = show(sqlite_url, tmp_path, "meta-llama/Llama-3.1-8B-Instruct")
    # the same model now answers 401 (gated) on a forced full re-crawl
    crawl(sqlite_url, tmp_path, *scenario("gated_detail"), "--full")
    after = show(sqlite_url, tmp_path, "meta-llama/Llama-3.1-8B-Instruct")
    assert after["record"] == before["record"]
    assert stats(sqlite_url, tmp_path)["errors"]["by_kind"] == {"http-401": 1}


def test_missing_model_is_recorded_as_404(sqlite_url: str, tmp_path: Path) -> None:
    summary = crawl(sqlite_url, tmp_path, *scenario("not_found"))
    assert summary["errors"] == 1
    assert stats(sqlite_url, tmp_path)["errors"]["by_kind"] == {"http-404": 1}


def test_rate_limit_is_retried_after_the_servers_delay(sqlite_url: str, tmp_path: Path) -> None:
    summary = crawl(sqlite_url, tmp_path, *scenario("rate_limited"))
    assert summary["retries"] == 1
    assert summary["errors"] == 0
    assert summary["new_candidates"] >= 1


def test_server_error_is_retried_then_stored(sqlite_url: str, tmp_path: Path) -> None:
    summary = crawl(sqlite_url, tmp_path, *scenario("server_error"))
    assert summary["retries"] == 1
    assert summary["errors"] == 0
    tool = show(sqlite_url, tmp_path, "HuggingFaceH4/zephyr-7b-beta")
    assert {c["source_kind"] for c in tool["claims"]} == {"hf-api", "hf-card"}


def test_unrecorded_request_in_replay_fails_loudly_with_its_url(
    sqlite_url: str, tmp_path: Path
) -> None:
    out = crawl(
        sqlite_url,
        tmp_path,
        "--replay",
        str(SCENARIOS / "not_found"),
        "--sources",
        str(DEMO_SOURCES),
        ok=False,
    )
    assert out["returncode"] == 1
    assert "https://huggingface.co/api/models?author=meta-llama" in out["stderr"]


def test_database_outage_spools_and_the_next_crawl_writes_everything(tmp_path: Path) -> None:
    db_dir = tmp_path / "later"
    db = f"sqlite:///{db_dir}/toolwatch.db"  # the directory does not exist yet: an outage
    down = crawl(db, tmp_path, "--demo", ok=False)
    assert down["returncode"] == 1
    assert "spooled" in down["stderr"]
    assert list((tmp_path / "spool").rglob("batch-*.jsonl"))

    db_dir.mkdir()
    up = crawl(db, tmp_path, "--demo")
    assert up["unspooled"] == 8  # what the outage fetched is written now
    assert not list((tmp_path / "spool").rglob("batch-*.jsonl"))
    s = stats(db, tmp_path)
    assert s["documents"]["total"] == 8 and s["tools"]["total"] == 4


def test_invalid_watchlist_is_refused_before_crawling(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[huggingface]\nauthor = ["meta-llama"]\n')
    proc = run(["crawl", "--demo", "--sources", str(bad), "--db", sqlite_url], tmp_path, ok=False)
    assert proc.returncode == 2
    assert "huggingface.author" in proc.stderr


def test_scrapy_list_works_from_the_repo_root() -> None:
    scrapy = str(Path(sys.executable).parent / "scrapy")
    proc = subprocess.run([scrapy, "list"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "huggingface" in proc.stdout.split()


@pytest.mark.parametrize("ref", ["meta-llama/Meta-Llama-3-8B-Instruct", "Meta-Llama-3-8B-Instruct"])
def test_compare_resolves_repo_ids_and_names(sqlite_url: str, tmp_path: Path, ref: str) -> None:
    crawl(sqlite_url, tmp_path, "--demo")
    proc = run(
        ["compare", "meta-llama/Llama-3.1-8B-Instruct", ref, "--json", "--db", sqlite_url],
        tmp_path,
    )
    data = json.loads(proc.stdout)
    rows = {row["key"]: row["cells"] for row in data["rows"]}
    assert sorted((c["value"]["id"], c["value"]["terms"]) for c in rows["license"]) == [
        ("llama3", "restricted"),
        ("llama3.1", "restricted"),
    ]
    assert [t["status"] for t in data["tools"]] == ["candidate (unreviewed)"] * 2


def test_full_demo_joins_hub_posts_and_prices_on_one_tool(db_url: str, tmp_path: Path) -> None:
    # normalised by the process pool, as a crawl outside the tests is
    proc = run(["crawl", "--demo", "--json", "--db", db_url], tmp_path, TOOLWATCH_NORMALIZE="pool")
    summaries = {s["spider"]: s for s in json.loads(proc.stdout)}
    assert set(summaries) == {"huggingface", "announcements", "prices", "catalogs"}
    assert all(s["errors"] == 0 for s in summaries.values())

    # the vendor's catalog, a price list, the changelog's API name and app catalogs join
    mixtral = show(db_url, tmp_path, "mistralai/Mixtral-8x22B-Instruct-v0.1")
    assert {c["source_kind"] for c in mixtral["claims"]} >= {
        "catalog",
        "price-list",
        "announcement",
    }
    rec = mixtral["record"]
    assert (rec["parameters"]["total"], rec["parameters"]["active"]) == (141e9, 39e9)
    assert (rec["license"]["id"], rec["release_date"]) == ("apache-2.0", "2024-04-17")
    assert rec["provenance"]["parameters"]["source_kind"] == "catalog"
    assert rec["pricing"]["summary"].startswith("Free, open weights (Apache 2.0): self-host")
    assert "open-mixtral-8x22b" in rec["aliases"]

    tool = show(db_url, tmp_path, "meta-llama/Llama-3.1-8B-Instruct")
    kinds = {c["source_kind"] for c in tool["claims"]}
    assert kinds == {"hf-api", "hf-card", "announcement", "price-list", "app-catalog"}
    assert all(c["source_url"] for c in tool["claims"])
    prices = tool["record"]["pricing"]["prices"]
    assert {p["provider"] for p in prices} == {"openrouter"}
    # the card's stated release date beats the Hub's createdAt (2024-07-18), and says so;
    # five days apart is one release, not a conflict
    assert tool["record"]["release_date"] == "2024-07-23"
    assert "repo creation date" in tool["record"]["provenance"]["release_date"]["rule"]
    assert not [c for c in tool["conflicts"] if c["field"] == "release_date"]

    candidates = json.loads(run(["candidates", "--json", "--db", db_url], tmp_path).stdout)
    post_only = [
        c for c in candidates if {e["source_kind"] for e in c["evidence"]} == {"announcement"}
    ]
    assert post_only, "a model known only from an announcement is a candidate"
    assert all(e["urls"] for c in post_only for e in c["evidence"])


def test_read_commands_refuse_a_missing_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    proc = run(["show", "x", "--db", f"sqlite:///{missing}"], tmp_path, ok=False)
    assert proc.returncode == 2 and "no database at" in proc.stderr
    assert not missing.exists()
