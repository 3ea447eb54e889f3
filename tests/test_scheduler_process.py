"""`toolwatch scheduler` as an operator runs it: a real process, replayed crawls, SIGTERM.

Runs on SQLite and PostgreSQL: the APScheduler job store, the run locks and the crawl
runs all live in the database under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import runs
from storage.store import Store

REPO = Path(__file__).resolve().parent.parent
CASSETTES = REPO / "crawler" / "fixtures" / "cassettes"
# The Hugging Face part of the demo watchlist, which the demo cassette was recorded for.
WATCHLIST = """
[huggingface]
authors = ["meta-llama", "HuggingFaceH4", "sentence-transformers"]
page_size = 1
schedule = "every {every}"
"""


def _scheduler(db_url: str, sources: Path, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "cli", "scheduler", "--sources", str(sources)]
    cmd += ["--db", db_url, "--replay", str(CASSETTES)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)


def _wait_for_runs(db_url: str, job: str, count: int, timeout: float) -> list[runs.RunView]:
    deadline = time.monotonic() + timeout
    done: list[runs.RunView] = []
    while time.monotonic() < deadline:
        with Store(db_url) as store, store.transaction() as session:
            done = [v for v in runs.list_runs(session, job=job) if v.status == "finished"]
        if len(done) >= count:
            return done
        time.sleep(1)
    return done


def _stop(proc: subprocess.Popen[bytes], log: Path) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the scheduler did not stop within 90 s of SIGTERM")
    text = log.read_text(errors="replace")
    assert code == 0, text[-2000:]
    return text


def test_a_schedule_fires_a_replayed_crawl_and_sigterm_stops_cleanly(
    db_url: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(WATCHLIST.format(every="3s"), encoding="utf-8")
    log = tmp_path / "scheduler.log"
    proc = _scheduler(db_url, sources, log)
    try:
        done = _wait_for_runs(db_url, "huggingface@every 3s", 1, timeout=120)
    finally:
        text = _stop(proc, log)
    assert done, f"no scheduled run finished; scheduler log:\n{text[-3000:]}"
    run = done[-1]
    assert run.spider == "huggingface"
    assert run.pages > 0 and run.health == "ok"
    assert "scheduler stopped" in text
    with Store(db_url) as store, store.transaction() as session:
        assert runs.held_locks(session) == {}  # SIGTERM released what it held
        still = [v for v in runs.list_runs(session) if v.status == "running"]
    assert still == []  # an interrupted crawl closes its run; none is left running


def test_two_schedulers_never_crawl_the_same_source_at_once(db_url: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(WATCHLIST.format(every="1s"), encoding="utf-8")
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_scheduler(db_url, sources, log) for log in logs]
    try:
        done = _wait_for_runs(db_url, "huggingface@every 1s", 3, timeout=150)
    finally:
        texts = [_stop(p, log) for p, log in zip(procs, logs, strict=True)]
    assert len(done) >= 3, texts
    spans = sorted((v.started_at, v.finished_at) for v in done)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end is not None and end <= start, f"runs overlap: {spans}"
    # both processes were there and one had to stand aside at least once
    assert any("another process is crawling its sources" in t for t in texts), texts
