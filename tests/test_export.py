"""Dataset exports on SQLite and PostgreSQL: formats, JSON Schema, manifest,
streaming (memory flat in the number of tools), and the CLI."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from api_support import LEAK, PUBLISHED, seed
from sqlalchemy import insert
from typer.testing import CliRunner

from cli.main import app
from normalizer.models import utcnow
from storage import Store
from storage.catalog import PUBLIC_RECORD_FIELDS
from storage.editorial import PUBLISHED_FIELDS
from storage.export import CSV_COLUMNS, export_dataset
from storage.schema import PublishedValue, Tool

runner = CliRunner()


@pytest.fixture
def seeded(store: Store) -> dict[str, Any]:
    return seed(store)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_public_record_has_every_published_field() -> None:
    assert set(PUBLIC_RECORD_FIELDS) == set(PUBLISHED_FIELDS)


@pytest.mark.usefixtures("seeded")
def test_jsonl_lines_validate_against_the_exported_schema(store: Store, tmp_path: Path) -> None:
    manifest = export_dataset(store, tmp_path, "jsonl")
    schema = json.loads((tmp_path / "tools.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    lines = (tmp_path / "tools.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["slug"] for line in lines] == sorted(PUBLISHED)
    for line in lines:
        validator.validate(json.loads(line))
    assert LEAK not in (tmp_path / "tools.jsonl").read_text()
    # the schema is strict: an unknown field or a wrong type fails
    bad = json.loads(lines[0]) | {"status": "candidate"}
    assert not validator.is_valid(bad)
    assert not validator.is_valid(json.loads(lines[0]) | {"context_length": "long"})

    saved = json.loads((tmp_path / "manifest.json").read_text())
    assert saved == json.loads(manifest.model_dump_json())
    assert saved["counts"] == {"tools": len(PUBLISHED)}
    assert saved["version"] > 0 and saved["generated_at"]
    assert {f["name"] for f in saved["files"]} == {"tools.jsonl", "tools.schema.json"}
    for f in saved["files"]:
        assert f["sha256"] == sha256(tmp_path / f["name"])
        assert f["bytes"] == (tmp_path / f["name"]).stat().st_size
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.usefixtures("seeded")
def test_json_and_csv_hold_the_same_tools(store: Store, tmp_path: Path) -> None:
    export_dataset(store, tmp_path / "jsonl", "jsonl")
    export_dataset(store, tmp_path / "json", "json")
    export_dataset(store, tmp_path / "csv", "csv")
    from_jsonl = [
        json.loads(line) for line in (tmp_path / "jsonl/tools.jsonl").read_text().splitlines()
    ]
    assert json.loads((tmp_path / "json/tools.json").read_text()) == from_jsonl
    with (tmp_path / "csv/tools.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["slug"] for r in rows] == sorted(PUBLISHED)
    alpha = next(r for r in rows if r["slug"] == "alpha-7b")
    assert alpha["license_terms"] == "permissive"
    assert alpha["open_weights"] == "true"
    assert alpha["parameters_total"] == "7000000000"
    assert [p["input_per_mtok"] for p in json.loads(alpha["prices"])] == [0.5, 0.2]
    manifest = json.loads((tmp_path / "csv/manifest.json").read_text())
    assert manifest["format"] == "csv"
    assert manifest["files"][0]["sha256"] == sha256(tmp_path / "csv/tools.csv")


def test_empty_dataset_exports(store: Store, tmp_path: Path) -> None:
    for fmt in ("jsonl", "json", "csv"):
        manifest = export_dataset(store, tmp_path / fmt, fmt)
        assert manifest.counts == {"tools": 0} and manifest.version == 0
    assert json.loads((tmp_path / "json/tools.json").read_text()) == []
    assert (tmp_path / "jsonl/tools.jsonl").read_text() == ""


def test_csv_cells_cannot_start_formulas(store: Store, tmp_path: Path) -> None:
    bulk_publish(store, 1, tagline='=HYPERLINK("https://evil.example")')
    export_dataset(store, tmp_path, "csv")
    row = next(csv.DictReader(io.StringIO((tmp_path / "tools.csv").read_text())))
    assert row["tagline"].startswith("'=")


# streaming ------------------------------------------------------------------------------

TAGLINE = "A model with a fairly long tagline so that each record weighs something. " * 6


def bulk_publish(store: Store, n: int, start: int = 0, tagline: str = TAGLINE) -> None:
    """Insert `n` published tools straight into the snapshot tables (fast), then build
    their served documents from it (`republish`)."""
    now = utcnow()
    with store.engine.begin() as conn:
        ids = []
        for i in range(start, start + n):
            ids.append(
                conn.execute(
                    insert(Tool).values(
                        slug=f"bulk-{i:06d}",
                        name=f"Bulk {i}",
                        vendor="Bulk",
                        status="published",
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
            )
        values = {
            "name": None,
            "vendor": "Bulk",
            "tagline": tagline,
            "license": {"id": "apache-2.0", "terms": "permissive"},
            "context_length": 32768,
            "pricing": {
                "model": "paid",
                "prices": [{"provider": "p", "input_per_mtok": 0.1, "currency": "USD"}],
            },
            "links": [{"type": "docs", "url": "https://example.org/docs"}],
        }
        prov = {"source_url": "https://example.org", "method": "bulk"}
        conn.execute(
            insert(PublishedValue),
            [
                {
                    "tool_id": tool_id,
                    "field": field,
                    "value": value if field != "name" else f"Bulk {tool_id}",
                    "provenance": prov,
                    "updated_at": now,
                }
                for tool_id in ids
                for field, value in values.items()
            ],
        )
    store.republish()


def export_peak(store: Store, out: Path) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        export_dataset(store, out, "jsonl", page_size=50)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_memory_is_flat_in_the_number_of_tools(store: Store, tmp_path: Path) -> None:
    n = 250
    bulk_publish(store, n)
    export_dataset(store, tmp_path / "warm", "jsonl", page_size=50)  # caches, imports
    small = export_peak(store, tmp_path / "small")
    bulk_publish(store, 3 * n, start=n)
    large = export_peak(store, tmp_path / "large")
    lines = (tmp_path / "large/tools.jsonl").read_text().splitlines()
    assert len(lines) == 4 * n
    size = (tmp_path / "large/tools.jsonl").stat().st_size
    # 4x the tools must not need (anywhere near) 4x the memory; holding the dataset
    # would need at least its serialised size on top
    assert large < small * 1.5 + 256 * 1024, (small, large, size)
    assert large - small < size / 2, (small, large, size)


# CLI -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_cli_export(db_url: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "--format", "csv", "--out", str(tmp_path), "--db", db_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["counts"]["tools"] == len(PUBLISHED)
    assert (tmp_path / "tools.csv").exists() and (tmp_path / "tools.schema.json").exists()
    bad = runner.invoke(app, ["export", "--format", "xml", "--out", str(tmp_path), "--db", db_url])
    assert bad.exit_code == 2
