"""What every catalog reader shares: sizes, context windows, license names, records."""

from __future__ import annotations

import re
from datetime import datetime

from normalizer import licenses
from normalizer.builder import RecordBuilder
from normalizer.models import License
from normalizer.numbers import to_number

_SIZE_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(b|bn|billion|m|million|k|t|trillion)?\s*$", re.IGNORECASE
)
_MOE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bm])\s*-\s*a(\d+(?:\.\d+)?)\s*([bm])\s*$", re.I)
_CONTEXT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km])?\s*(?:tokens)?\s*$", re.IGNORECASE)


def size(text: object, default_unit: str | None = None) -> int | None:
    """`'141'` (billions, when the catalog says so), `'7B'`, `'8 billion'`, `'40 million'`."""
    if not isinstance(text, str | int | float) or isinstance(text, bool):
        return None
    m = _SIZE_RE.match(str(text))
    if not m:
        return None
    value = to_number(m.group(1), m.group(2) or default_unit)
    return int(value) if value and value >= 1e6 else None


def moe_size(text: object) -> tuple[int, int] | None:
    """`'30B-A3B'` -> (30e9, 3e9)."""
    m = _MOE_RE.match(str(text)) if isinstance(text, str) else None
    if not m:
        return None
    total, active = to_number(m.group(1), m.group(2)), to_number(m.group(3), m.group(4))
    return (int(total), int(active)) if total and active else None


def context(text: object) -> int | None:
    """`'64k'` -> 64000, `'1M'` -> 1000000, `'33K tokens'` -> 33000: the number as written
    (the config's exact 65536 wins over it in resolution, as exact over rounded)."""
    m = _CONTEXT_RE.match(str(text)) if isinstance(text, str | int) else None
    if not m:
        return None
    value = to_number(m.group(1), m.group(2))
    return int(value) if value and value >= 64 else None


def license_named(name: object, url: object = None) -> License | None:
    """A license as a catalog names it. A name the license vocabulary does not know
    keeps its name but no terms: an abbreviation (`MRL`) is not evidence of terms."""
    if not isinstance(name, str) or not name.strip():
        return None
    link = url if isinstance(url, str) and url.startswith("http") else None
    known = licenses.from_prose(name) or licenses.from_prose(f"{name} license")
    if known:
        return licenses.make_license(known, url=link)
    return License(id=licenses.normalise_id(name), name=name.strip(), url=link)


def builder(name: str, source_url: str | None, observed_at: datetime | None) -> RecordBuilder:
    return RecordBuilder(name, source_url, observed_at)
