"""Look up one model's value in spec tables (`| Model | Params | Context length |`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache


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
