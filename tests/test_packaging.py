"""Packaging: each install (base, `web` extra) provides what its code imports, and a
user who installed toolwatch without an extra is told which to add.

`sys.modules[name] = None` makes `import name` fail as it does when the package is not
installed, in this process only."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
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


# What each install provides: every third-party module our code imports must come from
# the install that runs it (the base dependencies; plus the `web` extra under web/).
# An import inside `try: ... except ImportError` is optional by construction.

ROOT = Path(__file__).resolve().parents[1]
OURS = ("normalizer", "storage", "crawler", "workers", "cli", "web")


def _distributions(requirements: list[str]) -> set[str]:
    """The distributions an install of `requirements` brings, dependencies included."""
    found: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in found:
            continue
        found.add(key)
        found.add(name)
        for line in metadata.requires(name) or []:
            sub = Requirement(line)
            extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return found


def _optional(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                names = ast.unparse(handler.type) if handler.type else ""
                if "ImportError" in names or "ModuleNotFoundError" in names:
                    return True
    return False


def _third_party_imports(package: str) -> dict[str, str]:
    """Top-level third-party module -> a file importing it (outside optional blocks)."""
    out: dict[str, str] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in OURS or top in sys.stdlib_module_names or _optional(node, parents):
                    continue
                out.setdefault(top, str(path.relative_to(ROOT)))
    return out


@pytest.mark.parametrize("package", OURS)
def test_each_install_provides_what_its_code_imports(package: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    if package == "web":
        requirements += project["optional-dependencies"]["web"]
    provided = _distributions(requirements)
    owners = metadata.packages_distributions()
    missing = {
        module: where
        for module, where in _third_party_imports(package).items()
        if not {canonicalize_name(d) for d in owners.get(module, [])} & provided
    }
    assert missing == {}, f"imported but not installed by the {package!r} install: {missing}"
