"""Commands open the database they are told to, or say in one line why not: only
`crawl`, `db upgrade` and `editor add` create one."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOOLWATCH = str(Path(sys.executable).parent / "toolwatch")
COMMANDS = [
    ["review"],
    ["history", "llama-3.1-8b"],
    ["serve", "--port", "1"],
    ["accept", "llama-3.1-8b", "--as", "ann"],
    ["reject", "llama-3.1-8b", "--reason", "noise", "--as", "ann"],
    ["override", "llama-3.1-8b", "license", '"mit"', "--reason", "x", "--as", "ann"],
    ["tools"],
    ["stats"],
    ["editor", "list"],
]


def toolwatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COLUMNS": "200"}
    env.pop("TOOLWATCH_DB", None)
    return subprocess.run(
        [TOOLWATCH, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env
    )


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] + "-" + c[-1])
def test_commands_refuse_a_missing_sqlite_file_instead_of_creating_it(
    command: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "typo.db"
    proc = toolwatch(*command, "--db", f"sqlite:///{missing}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"no database at {missing}" in proc.stderr
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_editor_add_and_db_upgrade_create_the_database_on_purpose(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    assert toolwatch("db", "upgrade", "--db", f"sqlite:///{db}", cwd=tmp_path).returncode == 0
    db.unlink()
    proc = subprocess.run(
        [TOOLWATCH, "editor", "add", "ann", "--password-stdin", "--db", f"sqlite:///{db}"],
        input="a-long-password\n", capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert db.exists()


@pytest.mark.parametrize("command", [["tools"], ["review"], ["crawl", "prices"], ["db", "upgrade"]])
def test_a_db_that_is_not_a_url_is_one_line_and_the_traceback_needs_debug(
    command: list[str], tmp_path: Path
) -> None:
    proc = toolwatch(*command, "--db", "notaurl", cwd=tmp_path)
    assert proc.returncode == 2
    [line] = lines(proc.stderr)
    assert "'notaurl' is not a database URL" in line and "--debug" in line
    debug = toolwatch("--debug", *command, "--db", "notaurl", cwd=tmp_path)
    assert debug.returncode == 2 and "Traceback" in debug.stderr


@pytest.mark.skipif(importlib.util.find_spec("psycopg") is None, reason="no PostgreSQL driver")
@pytest.mark.parametrize("command", [["tools"], ["accept", "x", "--as", "ann"], ["db", "upgrade"]])
def test_an_unreachable_postgresql_is_one_line(command: list[str], tmp_path: Path) -> None:
    url = "postgresql://postgres:secret@127.0.0.1:1/test"  # nothing listens on port 1
    proc = toolwatch(*command, "--db", url, cwd=tmp_path)
    assert proc.returncode == 2
    [line] = lines(proc.stderr)
    assert line.startswith("cannot open the database postgresql") and "127.0.0.1" in line
    assert "secret" not in proc.stderr
