"""Look up one model's value in spec tables (`| Model | Params | Context length |`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from normalizer.name_sizes import size_number, size_of
from normalizer.numbers import NUM, to_number
from normalizer.text import inline_to_text


@dataclass(frozen=True)
class CellHit:
    value: int
    evidence: str


@lru_cache(maxsize=4096)
def _key_re(key: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", key.lower()) if p]
    return re.compile(r"(?<![a-z0-9.])" + r"[-_ ]?".join(parts) + r"(?![a-z0-9]|\.\d)")


def row_matches(row: Sequence[str], keys: Sequence[str]) -> bool:
    """A row is about the model when one of its cells names it or its size."""
    cells = [c.lower() for c in row]
    for key in keys:
        if not key.strip():
            continue
        rx = _key_re(key)
        if any(rx.search(cell) for cell in cells):
            return True
    return False


def lookup(
    tables: Sequence[Sequence[Sequence[str]]],
    header: re.Pattern[str],
    parse: Callable[[str], int | None],
    keys: Sequence[str],
) -> CellHit | None:
    """Value of the first column whose header matches, in the row that names the model.

    When no row names the model, a column holding one single value for every row
    (e.g. "128k" for the whole family) is still an answer for the model.
    """
    for table in tables:
        if len(table) < 2:
            continue
        head = table[0]
        cols = [i for i, h in enumerate(head) if header.search(h.strip())]
        if not cols:
            continue
        col = cols[0]
        rows = [r for r in table[1:] if len(r) > col]
        values = [(r, parse(r[col])) for r in rows]
        values = [(r, v) for r, v in values if v is not None]
        if not values:
            continue
        matching = [(r, v) for r, v in values if row_matches(r[:col] + r[col + 1 :], keys)]
        if matching and len({v for _, v in matching}) == 1:
            r, v = matching[0]
            return CellHit(v, f"{head[col]}: {r[col]} | " + " | ".join(r)[:200])
        if not matching and len({v for _, v in values}) == 1:
            r, v = values[0]
            return CellHit(v, f"{head[col]}: {r[col]} (all rows)")
    return None


def rows_for(rows: list[list[str]], keys: list[str]) -> list[list[str]]:
    """Rows naming the model; exact cell matches win over partial ones."""
    norm = [re.sub(r"[^a-z0-9.]", "", k.lower()) for k in keys]
    exact = [r for r in rows if any(re.sub(r"[^a-z0-9.]", "", c.lower()) in norm for c in r)]
    if exact:
        return exact
    return [r for r in rows if row_matches(r, keys)]


def table_value(
    tables: list[list[list[str]]],
    header: re.Pattern[str],
    keys: list[str],
    default_unit: str | None = None,
) -> tuple[float, str] | None:
    for table in tables:
        if len(table) < 2:
            continue
        cols = [i for i, h in enumerate(table[0]) if header.search(h.strip())]
        if not cols:
            continue
        rows = rows_for(table[1:], keys)
        vals = set()
        unit: str | None = None
        for r in rows:
            if len(r) <= cols[0]:
                continue
            m = re.match(rf"^\s*~?\s*({NUM})\s?([BbMmTt])\b", r[cols[0]])
            if m:
                vals.add(to_number(m.group(1), m.group(2)))
                continue
            m = re.fullmatch(rf"\s*~?\s*({NUM})\s*", r[cols[0]])
            if m:
                unit = unit or _column_unit(table, cols[0]) or default_unit or "-"
                if unit != "-":
                    vals.add(to_number(m.group(1), unit))
        vals.discard(None)
        if len(vals) == 1:
            v = vals.pop()
            assert v is not None
            return v, " | ".join(rows[0])[:200]
    return None


def _column_unit(table: list[list[str]], col: int) -> str | None:
    """The unit of a column of bare numbers (`#Parameters | 14.3`): the header's
    (`Params (B)`, `in billions`), or B when every row whose name carries a size agrees
    with it in billions (`Mistral-7B | 7.2`, `Gemma-7B | 8.5`: at least two such rows)."""
    head = table[0][col]
    m = re.search(r"\(\s*(B|M|billions?|millions?)\s*\)|\bin (billions|millions)\b", head, re.I)
    if m:
        word = (m.group(1) or m.group(2)).lower()
        return "b" if word.startswith("b") else "m"
    checked = 0
    for r in table[1:]:
        if len(r) <= col or not r[0].strip():
            continue
        size = size_number(size_of(inline_to_text(r[0]).strip().strip("*`")))
        cell = re.fullmatch(rf"\s*~?\s*({NUM})\s*", r[col])
        if not size or not cell:
            continue
        value = to_number(cell.group(1), "b")
        if not value or abs(value - size) > 0.25 * size:
            return None
        checked += 1
    return "b" if checked >= 2 else None
