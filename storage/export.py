"""Dataset exports of the published catalog: JSONL, CSV or JSON, streamed.

`export_dataset(store, out_dir, fmt)` writes into `out_dir`:

- `tools.jsonl` (one `PublicTool` per line), `tools.csv` (one row per tool, nested
  values as JSON text) or `tools.json` (an array);
- `tools.schema.json`: the JSON Schema (2020-12) of one tool, generated from the
  pydantic model the API uses (`storage.catalog.PublicTool`);
- `manifest.json`: dataset version (the newest change id: the change feed cursor
  the export is consistent with), generated_at, counts, and the sha256 and size of
  every other file.

Everything is read in one transaction (one consistent snapshot), tools in
keyset pages of `page_size` of their stored documents (built at publish time,
copied as they are into JSONL / JSON), each written out before the next page is
read: memory does not grow with the number of tools. Files are written under temporary names
and renamed at the end, so a failed export leaves no half-written dataset.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict

from normalizer.models import utcnow
from storage.catalog import PublicTool, reading

FORMATS: tuple[str, ...] = ("jsonl", "csv", "json")
SCHEMA_FILE = "tools.schema.json"
MANIFEST_FILE = "manifest.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

CSV_COLUMNS: tuple[str, ...] = (
    "slug",
    "name",
    "vendor",
    "family",
    "task",
    "category",
    "tagline",
    "description",
    "verdict",
    "license_id",
    "license_name",
    "license_spdx",
    "license_url",
    "license_terms",
    "open_weights",
    "parameters_total",
    "parameters_active",
    "context_length",
    "release_date",
    "base_model",
    "base_model_relation",
    "source_id",
    "pricing_model",
    "prices",
    "aliases",
    "links",
    "variants",
    "provenance",
    "updated_at",
)
"""CSV columns; `prices`, `aliases`, `links`, `variants`, `provenance` hold JSON text."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ManifestFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    sha256: str
    bytes: int
    records: int | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: str = "toolwatch"
    format: str
    version: int
    """The newest change id included: continue with `GET /api/v1/changes?since=<version>`."""
    generated_at: datetime
    counts: dict[str, int]
    files: list[ManifestFile]
    schema_file: str = SCHEMA_FILE


def tool_schema() -> dict[str, Any]:
    """JSON Schema of one exported tool (a JSONL line, a JSON array item)."""
    schema = PublicTool.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_DIALECT, "$id": "toolwatch:tools.schema.json", **schema}


def tool_json(tool: PublicTool) -> dict[str, Any]:
    return tool.model_dump(mode="json")


def _json_line(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _csv_text(value: Any) -> Any:
    """Guard spreadsheets against formula injection from scraped text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(tool: PublicTool) -> list[Any]:
    data = tool_json(tool)
    lic = data.get("license") or {}
    params = data.get("parameters") or {}
    pricing = data.get("pricing") or {}
    flat: dict[str, Any] = {
        **{k: data.get(k) for k in CSV_COLUMNS if k in data},
        "license_id": lic.get("id"),
        "license_name": lic.get("name"),
        "license_spdx": lic.get("spdx"),
        "license_url": lic.get("url"),
        "license_terms": lic.get("terms"),
        "parameters_total": params.get("total"),
        "parameters_active": params.get("active"),
        "pricing_model": pricing.get("model"),
        "prices": _json_line(pricing.get("prices") or []),
    }
    for key in ("aliases", "links", "variants", "provenance"):
        flat[key] = _json_line(data.get(key) or ([] if key != "provenance" else {}))
    if flat["open_weights"] is not None:
        flat["open_weights"] = "true" if flat["open_weights"] else "false"
    return ["" if flat.get(c) is None else _csv_text(flat[c]) for c in CSV_COLUMNS]


class _Hashing:
    """A text file writer that hashes and counts what it writes."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(text)


def _write_tools(out: _Hashing, fmt: str, docs: Iterable[str]) -> int:
    """Write the stored documents (JSON text, copied as they are for JSONL / JSON)."""
    n = 0
    if fmt == "jsonl":
        for doc in docs:
            out.write(doc + "\n")
            n += 1
    elif fmt == "json":
        out.write("[")
        for doc in docs:
            out.write(("," if n else "") + "\n" + doc)
            n += 1
        out.write("\n]\n" if n else "]\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for doc in docs:
            writer.writerow(csv_row(PublicTool.model_validate_json(doc)))
            n += 1
    else:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return n


def export_dataset(
    store: Any, out_dir: str | os.PathLike[str], fmt: str = "jsonl", *, page_size: int = 500
) -> Manifest:
    """Write the published dataset, its JSON Schema and a manifest into `out_dir`."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data_name = f"tools.{fmt}"
    pending: list[tuple[Path, Path]] = []

    def temp(name: str) -> Path:
        final = out / name
        tmp = out / f".{name}.tmp"
        pending.append((tmp, final))
        return tmp

    files: list[ManifestFile] = []
    try:
        with reading(store) as reader:
            version = reader.version()
            with temp(data_name).open("wb") as handle:
                sink = _Hashing(handle)
                count = _write_tools(sink, fmt, reader.iter_json(page_size=page_size))
            files.append(
                ManifestFile(
                    name=data_name, sha256=sink.digest.hexdigest(), bytes=sink.size, records=count
                )
            )
        schema_text = json.dumps(tool_schema(), indent=2, ensure_ascii=False) + "\n"
        with temp(SCHEMA_FILE).open("wb") as handle:
            sink = _Hashing(handle)
            sink.write(schema_text)
        files.append(
            ManifestFile(name=SCHEMA_FILE, sha256=sink.digest.hexdigest(), bytes=sink.size)
        )
        manifest = Manifest(
            format=fmt,
            version=version,
            generated_at=utcnow(),
            counts={"tools": count},
            files=files,
        )
        temp(MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        for tmp, final in pending:
            os.replace(tmp, final)
        pending.clear()
        return manifest
    finally:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
