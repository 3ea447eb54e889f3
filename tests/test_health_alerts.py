"""Run health as an operator meets it: exit codes, alerts to a local webhook and SMTP
receiver, a source whose pages stop yielding records, `toolwatch health`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from cli.main import app
from crawler.alerts import Alert, AlertSettings, send
from storage import accounting, runs
from storage.schema import CrawlRun
from storage.store import Store

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length", 0))
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def webhook() -> Iterator[str]:
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/ops"
    server.shutdown()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def test_alerts_reach_a_webhook_and_an_smtp_receiver(
    webhook: str, smtp: tuple[int, _Inbox]
) -> None:
    port, inbox = smtp
    settings = AlertSettings(
        webhook_url=webhook, email_to=["ops@example.org"], smtp_host="127.0.0.1", smtp_port=port
    )
    alert = Alert(status="failing", title="crawl prices is failing", lines=["fetched: nothing"])
    assert send(alert, settings) == []
    assert _Hook.received[0]["text"].startswith("[FAILING] crawl prices is failing")
    assert _Hook.received[0]["blocks"][0]["type"] == "section"  # Slack's block layout
    assert "Subject: [toolwatch failing] crawl prices is failing" in inbox.messages[0]
    assert "fetched: nothing" in inbox.messages[0]


def test_a_warning_is_not_sent_unless_asked_for(webhook: str) -> None:
    warning = Alert(status="warning", title="volume dropped", lines=[])
    assert send(warning, AlertSettings(webhook_url=webhook)) == []
    assert _Hook.received == []
    send(warning, AlertSettings(webhook_url=webhook, min_level="warning"))
    assert len(_Hook.received) == 1


def test_an_unreachable_receiver_is_reported_not_raised() -> None:
    dead = f"http://127.0.0.1:{_free_port()}/hook"
    alert = Alert(status="failing", title="x", lines=[])
    assert send(alert, AlertSettings(webhook_url=dead, timeout_s=2)) == ["webhook"]


def test_a_crawl_whose_every_request_is_refused_exits_non_zero_and_alerts(
    tmp_path: Path, webhook: str, smtp: tuple[int, _Inbox]
) -> None:
    port, inbox = smtp
    sources = tmp_path / "sources.toml"
    sources.write_text('[huggingface]\nauthors = ["meta-llama"]\n', encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'tw.db'}"
    env = {
        **os.environ,
        "HF_ENDPOINT": f"http://127.0.0.1:{_free_port()}",  # nothing listens there
        "TOOLWATCH_ALERT_WEBHOOK": webhook,
        "TOOLWATCH_ALERT_EMAIL": "ops@example.org",
        "TOOLWATCH_SMTP_HOST": "127.0.0.1",
        "TOOLWATCH_SMTP_PORT": str(port),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "crawl", "huggingface", "--sources", str(sources)]
        + ["--db", db, "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    reason = [line for line in proc.stderr.splitlines() if "health failing" in line]
    assert len(reason) == 1 and "fetched nothing" in reason[0]
    assert json.loads(proc.stdout)[0]["health"] == "failing"
    assert any("fetched nothing" in hook["text"] for hook in _Hook.received)
    assert any("fetched nothing" in message for message in inbox.messages)
    with Store(db) as store, store.transaction() as session:
        (run,) = runs.list_runs(session)
    assert run.health == "failing"
    assert {c["name"]: c["status"] for c in run.checks}["fetched"] == "failing"


def _finished_run(store: Store, spider: str, job: str | None, **stats: Any) -> int:
    run_id = store.start_run(spider, {"job": job} if job else {})
    store.finish_run(run_id, "finished", {"pages": 10, "requests": 10, **stats})
    return run_id


def test_health_exits_0_1_2_for_ok_warning_failing(db_url: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[huggingface]\nauthors = ["Qwen"]\nschedule = "every 1h"\n', encoding="utf-8"
    )
    job = "huggingface@every 1h"
    runner = CliRunner()

    def health() -> tuple[int, dict[str, Any]]:
        result = runner.invoke(app, ["health", "--sources", str(sources), "--db", db_url, "--json"])
        return result.exit_code, json.loads(result.stdout)

    with Store(db_url) as store:
        code, report = health()
        assert (code, report["status"]) == (1, "warning")  # scheduled, never run yet
        run_id = _finished_run(store, "huggingface", job)
        code, report = health()
        assert (code, report["status"]) == (0, "ok")
        with store.transaction(write=True) as session:  # three hours without a good run
            run = session.get(CrawlRun, run_id)
            assert run is not None and run.finished_at is not None
            run.finished_at -= timedelta(hours=3)
            run.started_at -= timedelta(hours=3)
        code, report = health()
        assert (code, report["status"]) == (2, "failing")
        assert "last good run 3" in report["sources"][0]["message"]


def test_runs_and_errors_list_what_happened(db_url: str) -> None:
    with Store(db_url) as store:
        run_id = _finished_run(store, "prices", None, errors=2)
        with store.transaction(write=True) as session:  # what the normalise step counts
            accounting.account(session, run_id, {"tools_new": 3})
        store.record_error(run_id, "https://example.org/a.json", "http-404", "Not Found")
        store.record_error(run_id, "https://example.org/b.json", "http-404", "Not Found")
        store.record_error(run_id, "https://other.example/c", "timeout", "after 30 s")
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["runs", "--db", db_url, "--json"]).stdout)
    assert listed[0]["id"] == run_id and listed[0]["tools_new"] == 3
    assert listed[0]["duration_s"] is not None
    groups = json.loads(runner.invoke(app, ["errors", "--db", db_url, "--json"]).stdout)
    assert [(g["source"], g["kind"], g["count"]) for g in groups] == [
        ("prices example.org", "http-404", 2),
        ("prices other.example", "timeout", 1),
    ]
    bad = runner.invoke(app, ["runs", "--db", db_url, "--status", "bogus"])
    assert bad.exit_code == 2


# Real posts from the corpus, then the same URLs after a (synthetic) site migration to a
# script-rendered shell: fetchable pages that carry no text about any model.
POSTS = ["hf_blog__falcon.md", "hf_blog__gemma.md", "github_readme__databricks__dbrx.md"]
SHELL = (
    b'<!doctype html><html><head><title>Blog</title></head><body><div id="root"></div>'
    b'<script src="/assets/app.js"></script></body></html>'
)


class _Site(BaseHTTPRequestHandler):
    bodies: dict[str, bytes] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else None
        body = body or _Site.bodies.get(self.path, b"")
        self.send_response(200 if body else 404)
        kind = "text/html" if body.startswith(b"<!doctype") else "text/markdown"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_source_whose_pages_stop_yielding_records_turns_failing(tmp_path: Path) -> None:
    fixtures = REPO / "tests" / "fixtures" / "corpus" / "announcements"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "".join(f'[[posts]]\nurl = "{base}/blog/{name}"\n' for name in POSTS), encoding="utf-8"
    )
    db = f"sqlite:///{tmp_path / 'tw.db'}"
    cmd = [sys.executable, "-m", "cli", "crawl", "announcements", "--sources", str(sources)]
    cmd += ["--db", db, "--json"]

    def crawl() -> tuple[int, dict[str, Any]]:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=240)
        return proc.returncode, json.loads(proc.stdout)[0]

    try:
        _Site.bodies = {f"/blog/{n}": (fixtures / n).read_bytes() for n in POSTS}
        code, first = crawl()
        assert (code, first["health"]) == (0, "ok")
        _Site.bodies = {f"/blog/{n}": SHELL + n.encode() for n in POSTS}
        code, second = crawl()
    finally:
        server.shutdown()
    assert (code, second["health"]) == (1, "failing")
    with Store(db) as store, store.transaction() as session:
        latest = runs.list_runs(session)[0]
    records = {c["name"]: c for c in latest.checks}["records"]
    assert records["status"] == "failing"
    assert "0 of 3 new documents yielded records" in records["message"]
