"""`toolwatch scheduler --scrapyd URL`: a real Scrapyd on loopback runs the crawls.

Scrapyd (with Basic auth, as a team would run it) is started in a scratch directory
whose scrapy.cfg maps the project to `crawler.settings`; the scheduler hands it
due jobs, holds the sources' locks meanwhile and reads each run's verdict from the
database under test (SQLite and PostgreSQL).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.scrapyd import Scrapyd, ScrapydError, job_settings
from storage import runs
from storage.store import Store

REPO = Path(__file__).resolve().parent.parent
CASSETTES = REPO / "crawler" / "fixtures" / "cassettes"
WATCHLIST = """
[huggingface]
authors = ["meta-llama", "HuggingFaceH4", "sentence-transformers"]
page_size = 1
schedule = "every 3s"

[health]
error_rate_failing = 0.4
"""
USER, PASSWORD = "crawl-ops", "s3cret-for-scrapyd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def scrapyd_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("scrapyd")
    home = tmp_path_factory.mktemp("scrapyd")
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        f"username = {USER}\npassword = {PASSWORD}\n"
        "logs_dir = logs\neggs_dir = eggs\ndbs_dir = dbs\n",
        encoding="utf-8",
    )
    # the project without an egg, as from a checkout: Scrapyd and the crawls it starts
    # both read the [settings] of the scrapy.cfg in their working directory
    (home / "scrapy.cfg").write_text("[settings]\ntoolwatch = crawler.settings\n", encoding="utf-8")
    log = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=1).close()
            break
        except urllib.error.HTTPError:  # 401: up, and asking for credentials
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"scrapyd did not start: {(home / 'scrapyd.out').read_text()[-2000:]}")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _authed(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@")


def test_credentials_are_sent_to_scrapyd_and_a_wrong_password_is_a_clear_error(
    scrapyd_url: str,
) -> None:
    server = Scrapyd.from_url(_authed(scrapyd_url))
    assert PASSWORD not in server.url  # what gets printed carries no credential
    assert "toolwatch" in server.call("listprojects.json", [])["projects"]
    with pytest.raises(ScrapydError, match="HTTP 401"):
        Scrapyd.from_url(scrapyd_url.replace("http://", f"http://{USER}:wrong@")).call(
            "listprojects.json", []
        )


def test_a_database_password_is_never_sent_to_a_node() -> None:
    settings = job_settings("j", "", {}, "postgresql://crawler:pw@db.internal/toolwatch")
    assert "TOOLWATCH_DB" not in settings  # the node reads its own TOOLWATCH_DB
    assert job_settings("j", "", {}, "sqlite:///x.db")["TOOLWATCH_DB"] == "sqlite:///x.db"


def test_the_scheduler_hands_due_jobs_to_scrapyd_and_reads_their_runs(
    scrapyd_url: str, db_url: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(WATCHLIST, encoding="utf-8")
    log = tmp_path / "scheduler.log"
    cmd = [sys.executable, "-m", "cli", "scheduler", "--sources", str(sources)]
    cmd += ["--db", db_url, "--replay", str(CASSETTES)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOOLWATCH_SCRAPYD_URL": _authed(scrapyd_url)}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, env=env)
    verdict = re.compile(r"Scrapyd job (\w+): run (\d+) finished")
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and not verdict.search(log.read_text(errors="replace")):
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=90)
    text = log.read_text(errors="replace")
    assert code == 0, text[-3000:]
    found = verdict.search(text)
    assert found, f"no run finished on Scrapyd; scheduler log:\n{text[-3000:]}"
    with Store(db_url) as store, store.transaction() as session:
        run = next(v for v in runs.list_runs(session) if v.id == int(found.group(2)))
    assert run.job == "huggingface@every 3s" and run.status == "finished"
    assert run.spider == "huggingface" and run.pages > 0 and run.health == "ok"
    assert PASSWORD not in text  # neither the scheduler's log nor its errors show it
    with Store(db_url) as store, store.transaction() as session:
        assert runs.held_locks(session) == {}


def test_a_scheduler_pointed_at_an_unknown_project_stops_with_one_line(
    scrapyd_url: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(WATCHLIST, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "scheduler", "--sources", str(sources)]
        + ["--db", f"sqlite:///{tmp_path / 'x.db'}", "--scrapyd", _authed(scrapyd_url)]
        + ["--scrapyd-project", "elsewhere"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "has no project 'elsewhere'" in proc.stderr
    assert PASSWORD not in proc.stderr + proc.stdout
