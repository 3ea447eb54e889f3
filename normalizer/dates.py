"""Release dates: API `createdAt`, `Model Release Date: …`, dated news lines, post dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class DateHit:
    value: str
    """`YYYY-MM-DD` or `YYYY-MM`."""
    method: str
    evidence: str | None = None


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_ISO_RE = re.compile(r"(?<!\d)(20\d\d)[-/.](0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])(?!\d)")
_SLASHED_RE = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})/(20\d\d)(?![\d/])")
_DMY_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTHS})\.?,?\s+(20\d\d)\b", re.I)
_MDY_RE = re.compile(rf"\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(20\d\d)\b", re.I)
_MY_RE = re.compile(rf"\b({_MONTHS})\.?,?\s+(20\d\d)\b", re.I)
_CJK_RE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")


def _month(name: str) -> int:
    return {m[:3]: i for i, m in enumerate(_MONTHS.split("|")[:12], start=1)}[name[:3].lower()]


def valid(y: int, m: int, d: int | None) -> str | None:
    """`YYYY-MM-DD` (or `YYYY-MM` without a day) when the parts make a real date."""
    try:
        if d is None:
            date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first explicit date in `text` (`July 23, 2024` -> 2024-07-23; `May 2024` -> 2024-05)."""
    cands: list[tuple[int, str]] = []
    for m in _ISO_RE.finditer(text):
        v = valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if v:
            cands.append((m.start(), v))
    for m in _DMY_RE.finditer(text):
        v = valid(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
        if v:
            cands.append((m.start(), v))
    for m in _MDY_RE.finditer(text):
        v = valid(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
        if v:
            cands.append((m.start(), v))
    for m in _SLASHED_RE.finditer(text):  # `12/19/2025`; `05/06/2025` says neither order
        a, b = int(m.group(1)), int(m.group(2))
        day_month = (b, a) if a <= 12 < b else (a, b) if b <= 12 < a else None
        if day_month and (v := valid(int(m.group(3)), day_month[1], day_month[0])):
            cands.append((m.start(), v))
    for m in _CJK_RE.finditer(text):
        v = valid(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        if v:
            cands.append((m.start(), v))
    if not cands:
        for m in _MY_RE.finditer(text):
            v = valid(int(m.group(2)), _month(m.group(1)), None)
            if v:
                cands.append((m.start(), v))
    if not cands:
        return None
    return min(cands)[1]


def parse_loose(value: Any) -> str | None:
    """A front-matter style date value (date object, ISO string, free text via dateparser)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    exact = parse_date(value)
    if exact:
        return exact
    try:
        import dateparser

        parsed = dateparser.parse(
            value, settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
        )
    except Exception:  # dateparser can raise on odd input
        return None
    return parsed.date().isoformat() if parsed else None


def from_api(data: dict[str, Any]) -> DateHit | None:
    created = data.get("createdAt")
    if isinstance(created, str):
        m = re.match(r"(\d{4}-\d{2}-\d{2})", created)
        if m:
            return DateHit(m.group(1), "api:createdAt", f"createdAt={created}")
    return None


_RELEASE_KV_RE = re.compile(
    r"(?:model\s+)?release\s+date\s*(?:[:：]|\bis\b)?\s*(.{0,40})|(?:发布|发布日期)[:：]?\s*(.{0,20})",
    re.I,
)
_RELEASED_ON_RE = re.compile(
    r"\b(?:was|were|is|are|been|being|got|first)?\s*(?:released|launched|announced|open-sourced|published|made available)\s+(?:on|in)\s+(.{0,40})",
    re.I,
)
_NOT_RELEASE_RE = re.compile(
    r"\b(?:trained|training|knowledge cutoff|cutoff|data (?:up )?to|updated|update|cited|citation|arxiv|license agreement|version release)\b",
    re.I,
)
_NEWS_VERB_RE = re.compile(
    r"\b(?:open-?sourced|released?|releasing|launch(?:ed)?|available|announc\w+|introduc\w+|publish\w*)\b|发布|开源",
    re.I,
)


_KEY_START_RE = re.compile(
    r"^\W{0,4}(?:model\s+)?release\s+date\b|^\W{0,4}(?:发布日期|发布时间)", re.I
)


def is_release_key(sentence: str) -> bool:
    """`Model Release Date: …` written as a key, not inside a sentence about another model."""
    return bool(_KEY_START_RE.search(sentence.strip()))


def from_release_statement(sentence: str) -> DateHit | None:
    """`Model Release Date: July 23, 2024` (the date must follow the phrase)."""
    m = _RELEASE_KV_RE.search(sentence)
    if not m:
        return None
    if re.search(r"version\s+release\s+date", sentence, re.I):
        return None
    v = parse_date(m.group(1) or m.group(2) or "")
    return DateHit(v, "text:release-date", sentence[:300]) if v else None


def from_released_on(sentence: str) -> DateHit | None:
    """`… was released on Nov 5, 2023` (caller checks the sentence names the model)."""
    m = _RELEASED_ON_RE.search(sentence)
    if not m or _NOT_RELEASE_RE.search(sentence[: m.start()]):
        return None
    v = parse_date(m.group(1))
    return DateHit(v, "text:released-on", sentence[:300]) if v else None


def from_news_line(line: str) -> DateHit | None:
    """`2023-11-02: The base models Yi-6B and Yi-34B are open-sourced` (a dated news entry)."""
    s = line.strip().lstrip("🎯🔥🔔📣🚀⭐💥✨ *-[]")
    m = re.match(
        r"^\W{0,6}(?:\[|\*\*|<b>)?\s*(20\d\d[-/.]\d{1,2}[-/.]\d{1,2}|20\d\d[-/.]\d{1,2})\s*(?:\]|\*\*|</b>)?\s*[:：\-–—]?\s*(.*)$",
        s,
    )
    if not m or not _NEWS_VERB_RE.search(m.group(2)):
        return None
    parts = re.split(r"[-/.]", m.group(1))
    v = valid(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else None)
    return DateHit(v, "text:news", line.strip()[:300]) if v else None
