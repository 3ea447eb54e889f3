"""Optional extras: a user who installed toolwatch without one is told which to add.

`sys.modules[name] = None` makes `import name` fail as it does when the package is not
installed, in this process only."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from cli.main import app
from storage.db import DriverMissing, make_engine


def test_serve_without_the_web_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(app, ["serve", "--db", "sqlite:///:memory:"])
    assert result.exit_code == 2
    assert "pip install 'toolwatch[web]'" in result.output
    assert "uvicorn" in result.output


def test_postgresql_url_without_the_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(DriverMissing, match=r"pip install 'toolwatch\[postgresql\]'"):
        make_engine("postgresql://postgres@127.0.0.1:5432/test")


def test_sqlite_needs_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    engine = make_engine("sqlite:///:memory:")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
