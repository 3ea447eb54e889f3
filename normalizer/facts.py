"""Key-value facts of a parsed document: `Key: value` lines, two-column tables and the
columns of a one-row spec table. The same fact vocabulary (data/fields.toml) serves
every document kind, so a vendor MODEL_CARD without front matter, a Docker Hub card
and a Hub card state their release date, maker or size the same way to us."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from normalizer.parse import ParsedDocument


@dataclass(frozen=True, slots=True)
class Fact:
    field: str
    key: str
    value: str
    evidence: str
    structure: str
    """kv-line | kv-table | spec-row"""
    row_label: str = ""
    """For a spec-row fact: the first cell of its row (which model or variant it is)."""


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, list[str]]]:
    raw = resources.files("normalizer").joinpath("data/fields.toml").read_text("utf-8")
    return tomllib.loads(raw)


@lru_cache(maxsize=1)
def _key_fields() -> dict[str, str]:
    return {k: f for f, keys in vocabulary()["keys"].items() for k in keys}


def _norm_key(key: str) -> str:
    s = re.sub(r"\(.*?\)", " ", key.lower())
    s = re.sub(r"[^a-z0-9#]+", " ", s).strip()
    return s.lstrip("# ").strip()


def field_of(key: str) -> str | None:
    return _key_fields().get(_norm_key(key)) if len(key) <= 60 else None


def page_key(key: str) -> str:
    """`Model Name (API ID)` -> `model name`: a page's key or header as its vocabulary has it."""
    return re.sub(r"[^a-z0-9]+", " ", re.sub(r"\(.*?\)", " ", key.lower())).strip()


def page_key_field(key: str) -> str | None:
    """The field a comparison page's key or column header names: the card vocabulary
    plus the pages' own words for maker, best-for and category (`Author`, `Best For`)."""
    k = page_key(key)
    words = vocabulary()["lists"]
    if k in words["maker_keys"]:
        return "vendor"
    if k in words["best_for_keys"]:
        return "tagline"
    if k in words["category_keys"]:
        return "category"
    if k in words["open_weights_keys"]:
        return "open_weights"
    return field_of(key)


_KV_RE = re.compile(r"^([^:：\n]{2,60})[:：]\s*(.*)$")


def facts(doc: ParsedDocument) -> list[Fact]:
    """Every fact of the document, in document order by structure."""
    out: list[Fact] = []
    blocks = doc.blocks
    for i, block in enumerate(blocks):
        if block.kind == "row":
            continue
        for line in block.text.split("\n"):
            m = _KV_RE.match(line)
            if not m:
                continue
            field = field_of(m.group(1))
            if field is None:
                continue
            value = m.group(2).strip()
            if not value and i + 1 < len(blocks):  # `**Model Release Date:**` then a list
                value = blocks[i + 1].text.split("\n")[0]
            if value:
                out.append(Fact(field, m.group(1).strip(), value, line[:300], "kv-line"))
    for table in doc.tables:
        grid = table.grid
        width = len(table.header)
        if width == 2:
            for row in grid:
                field = field_of(row[0])
                if field and row[1].strip():
                    out.append(Fact(field, row[0], row[1], " | ".join(row)[:300], "kv-table"))
        elif len(table.rows) == 1:
            row = table.rows[0]
            label = row[0] if row else ""
            for key, value in zip(table.header, row, strict=False):
                if key is table.header[0]:
                    continue
                field = field_of(key)
                if field and value.strip():
                    evidence = f"{key}: {value} | {label}"[:300]
                    out.append(Fact(field, key, value, evidence, "spec-row", label))
    return out


def _compact(s: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", s.lower())


_HEADER_UNIT_RE = re.compile(r"\((millions?|billions?|thousands?)\)", re.I)


def row_cells(doc: ParsedDocument, names: list[str], field: str) -> list[Fact]:
    """Cells of a spec table's `field` column (by its header) in the row that names the model
    exactly in its first cell (`| GLM-4.5-Air | … | 106B-A12B |`)."""
    wanted = {_compact(n.rsplit("/", 1)[-1]) for n in names if n}
    out: list[Fact] = []
    for table in doc.tables:
        if len(table.rows) < 2:
            continue
        cols = [i for i, h in enumerate(table.header) if field_of(h) == field]
        if not cols:
            continue
        key = table.header[cols[0]]
        unit = _HEADER_UNIT_RE.search(key)
        for row in table.rows:
            if row and _compact(row[0]) in wanted and row[cols[0]].strip():
                value = row[cols[0]].strip()
                if unit and re.fullmatch(r"\d+(?:\.\d+)?", value):  # `Parameters (Millions)`
                    value = f"{value} {unit.group(1).lower().rstrip('s')}"
                ev = f"{key}: {row[cols[0]]} | " + " | ".join(row)
                out.append(Fact(field, key, value, ev[:300], "spec-row", row[0]))
    return out
