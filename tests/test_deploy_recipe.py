"""The deployment recipe (`deploy/`): every command its systemd units run, run here.

Each unit's `ExecStart` is taken as written, with the installed `toolwatch` replaced
by this checkout's (`python -m cli`), the `${VARS}` filled from `deploy/toolwatch.env`
with the test's database and watchlist, and the web port moved to a free one.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
INSTALLED = "/opt/toolwatch/.venv/bin/toolwatch"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name)
    return parser


def _env_file() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "toolwatch.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def _command(unit: str, values: dict[str, str]) -> list[str]:
    line = _unit(unit)["Service"]["ExecStart"]
    expanded = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], line)
    argv = shlex.split(expanded)
    assert argv[0] == INSTALLED, f"{unit} runs {argv[0]}"
    return [sys.executable, "-m", "cli", *argv[1:]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def values(db_url: str, tmp_path: Path) -> dict[str, str]:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[huggingface]\nauthors = ["Qwen"]\nschedule = "every 6h"\n', encoding="utf-8"
    )
    return {**_env_file(), "TOOLWATCH_DB": db_url, "TOOLWATCH_SOURCES": str(sources)}


def test_every_variable_the_units_use_is_in_the_environment_file() -> None:
    defined = _env_file()
    for path in (DEPLOY / "systemd").glob("*.service"):
        used = set(re.findall(r"\$\{(\w+)\}", path.read_text()))
        assert used <= set(defined), f"{path.name} uses {used - set(defined)}"
        assert _unit(path.name)["Service"]["EnvironmentFile"] == "/etc/toolwatch/toolwatch.env"
    timer = _unit("toolwatch-health.timer")
    assert timer["Timer"]["OnUnitActiveSec"] == "15min"  # runs toolwatch-health.service


def _run_until(cmd: list[str], ready: str, tmp_path: Path, env: dict[str, str]) -> str:
    log = tmp_path / "unit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while ready not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    text = log.read_text(errors="replace")
    assert code == 0, text[-2000:]
    return text


def test_the_scheduler_unit_starts_schedules_and_stops_on_sigterm(
    values: dict[str, str], tmp_path: Path
) -> None:
    cmd = _command("toolwatch-scheduler.service", values)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    text = _run_until(cmd, "scheduled huggingface@every 6h", tmp_path, env)
    assert "scheduler stopped" in text


def test_the_web_unit_serves_and_stops_on_sigterm(values: dict[str, str], tmp_path: Path) -> None:
    cmd = _command("toolwatch-web.service", values)
    port = _free_port()
    cmd[cmd.index("--port") + 1] = str(port)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    from storage.store import Store

    Store(values["TOOLWATCH_DB"]).close()  # `toolwatch db upgrade` of the recipe
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                    assert r.status == 200 and b"toolwatch_crawl" in r.read()
                break
            except OSError:
                assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
                assert time.monotonic() < deadline, "the web unit did not answer in 90 s"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/tools", timeout=5) as r:
            assert json.loads(r.read())["items"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    text = log.read_text(errors="replace")
    # uvicorn shuts down, then re-raises SIGTERM: systemd counts that as a clean stop
    assert code in (0, -signal.SIGTERM) and "Application shutdown complete" in text, text


def test_the_health_unit_reports_and_its_results_are_not_unit_failures(
    values: dict[str, str], tmp_path: Path
) -> None:
    unit = _unit("toolwatch-health.service")["Service"]
    assert unit["Type"] == "oneshot" and unit["SuccessExitStatus"].split() == ["1", "2"]
    from storage.store import Store

    Store(values["TOOLWATCH_DB"]).close()
    proc = subprocess.run(
        _command("toolwatch-health.service", values),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 1, proc.stderr  # scheduled, never run: a warning
    report = json.loads(proc.stdout)
    assert report["status"] == "warning"
    assert report["sources"][0]["message"] == "no good run yet"
