"""Parsing of human-written quantities: `0.49B`, `7 billion`, `128K`, `32,768`."""

from __future__ import annotations

import re

_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
QUANTITY_RE = re.compile(
    rf"(?<![\w.])({NUM})\s?(k|thousand|mn|m|million|bn|b|billion|t|trillion)?(?![a-z0-9])",
    re.I,
)


def to_number(num: str, unit: str | None) -> float | None:
    try:
        value = float(num.replace(",", ""))
    except ValueError:
        return None
    if unit:
        scale = _SCALE.get(unit.lower())
        if scale is None:
            return None
        value *= scale
    return value
