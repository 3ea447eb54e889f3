"""The lines of a post that release models without a sentence of their own: a release
line that introduces a list (`We released our first audio models:` then one item per
model), and a dated news list whose old lines are the repository's history. The release
statements themselves are read by `post_names`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from normalizer import dates
from normalizer.parse import ParsedDocument
from normalizer.text import drop_pictographs, inline_to_text

_LIST_LEAD_RE = re.compile(
    r"\b(?:releas\w*|introduc\w*|launch\w*|announc\w*|adds?|added)\b[^.]*\bmodels?\b[^.]*:\s*$",
    re.I,
)
_LISTED_MODEL_RE = re.compile(
    r"^\s*[-*+]\s+(?P<name>[A-Z][\w.]*(?:[ -][A-Z0-9][\w.]*){0,4})\s*\(\s*`(?P<id>[^`\n]{2,60})`"
)


def listed_releases(
    lines: list[str], old_news: set[int], name_ok: Callable[[str], bool]
) -> list[tuple[str, list[str], str]]:
    """`We released our first audio models:` then one item per model, `Voxtral Small
    (`voxtral-small-2507`) …`: each item that gives a name and its API id. An id an
    earlier item already gave (`Voxtral Mini Transcribe (`voxtral-mini-2507` via …)`) is
    that model again."""
    out: list[tuple[str, list[str], str]] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if i in old_news or not _LIST_LEAD_RE.search(line):
            continue
        for item in lines[i + 1 :]:
            m = _LISTED_MODEL_RE.match(item)
            if m is None:
                if item.strip() and not re.match(r"^\s*[-*+]\s", item):
                    break
                continue
            name, api_id = m.group("name").strip(), m.group("id").strip()
            if api_id in seen or not name_ok(name):
                continue
            seen.add(api_id)
            out.append((name, [api_id], inline_to_text(f"{line.strip()} {item.strip()}")[:300]))
    return out


_NEW_MODELS_HEADING_RE = re.compile(
    r"^(?:new\b.{0,40}\bmodels?\b(?:\s+(?:available|added|released))?|models?\s+(?:added|released))\s*[!.]?$",
    re.I,
)
_SUB_NAME_RE = re.compile(r"^(?P<name>[A-Z][\w.]*(?:[ -][\w.]+){0,4}?)\s*(?:[-–—:(]\s|$)")
_CODE_ID_RE = re.compile(r"^\s*([a-z0-9][\w.-]*(?:/[\w.:-]+)?)\s*$", re.I)


def heading_releases(doc: ParsedDocument) -> list[tuple[str, list[str], str]]:
    """`## New GPT-5 Models Available` over one sub-heading per model (`### GPT-5 Mini -
    Optimized Performance`, then its id in a code block): each sub-heading is a model,
    named by its text before the dash, with the id its section gives."""
    out: list[tuple[str, list[str], str]] = []
    heads = doc.headings
    codes: dict[int, list[str]] = {}
    for block in doc.pre:
        codes.setdefault(block.section, []).append(block.text)
    for i, h in enumerate(heads):
        text = drop_pictographs(h.text).strip(" *_")
        if not _NEW_MODELS_HEADING_RE.match(text):
            continue
        for j in range(i + 1, len(heads)):
            if heads[j].level <= h.level:
                break
            if heads[j].level != h.level + 1:
                continue
            sub = drop_pictographs(heads[j].text).replace("**", "").strip(" *_")
            m = _SUB_NAME_RE.match(sub)
            if m is None:
                continue
            ids = [
                found.group(1)
                for code in codes.get(j, [])[:1]
                if (found := _CODE_ID_RE.match(code.strip()))
            ]
            out.append((m.group("name").strip(), ids, f"{text} / {sub}"[:300]))
    return out


_UNWRAP_RE = re.compile(
    r"([^\n|:])\n(?![ \t]*(?:[-*+>#|`]|\d+[.)]\s|\\?\[|\n|$))(?=[ \t]*[\w(\"'])"
)
"""A line break inside a paragraph (the next line goes on with a word), not before a
list item, heading, table row, quote, code fence or dated line."""


def unwrap(text: str) -> str:
    return _UNWRAP_RE.sub(r"\1 ", text)


HISTORY_DAYS = 120
"""A dated news line this much older than the newest line that releases a model is the
repository's history (its earlier generations), not what the document announces."""


_DATED_LINE_RE = re.compile(r"^\W{0,12}20\d\d[-/.]\d")


def old_news_lines(lines: str, releasing: set[int]) -> set[int]:
    """Dated lines (of all of `lines`) older than the newest of the `releasing` lines (the
    ones that name a released model; a later report or tutorial line does not count)."""
    dated: dict[int, date] = {}
    for i, line in enumerate(lines.splitlines()):
        if not _DATED_LINE_RE.match(line):
            continue
        hit = dates.from_news_line(line.replace("\\[", "[").replace("\\]", "]"))
        if hit is not None:
            dated[i] = date.fromisoformat(hit.value if len(hit.value) == 10 else hit.value + "-01")
    newest = max((d for i, d in dated.items() if i in releasing), default=None)
    if newest is None or len(dated) < 2:
        return set()
    return {i for i, d in dated.items() if (newest - d).days > HISTORY_DAYS}
