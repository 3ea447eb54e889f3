"""Turn Markdown / HTML documents into plain sentences, links and tables.

Extractors work on three views of a document:
- `plain_text`: visible prose, without code blocks, HTML comments, tags or URLs;
- `links`: (anchor text, URL) pairs, for repo ids and license links;
- `tables`: rows of cell texts (Markdown pipe tables and HTML tables, with
  rowspan/colspan expanded), first row = header.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import nh3

from normalizer.parse import ParsedDocument, parse_markup

_FENCE_RE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.S | re.M)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_MD_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK_RE = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK_RE = re.compile(r"<a\b[^>]*?href=[\"']([^\"']+)[\"'][^>]*>(.*?)</a\s*>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_URL_RE = re.compile(r"\b(?:https?|ftp|magnet):[^\s)\]>\"'|]+", re.I)
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|li|ul|ol|tr|table|h[1-6]|details|summary|section|blockquote|hr|center|figure|figcaption)\b[^>]*>",
    re.I,
)
_CELL_TAG_RE = re.compile(r"</?(?:td|th)\b[^>]*>", re.I)
_MD_EMPH_RE = re.compile(r"(\*\*|__|\*|`)")
_SPACE_RE = re.compile(r"[ \t\u00a0]+")
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?。！？])\s+(?=[A-Z0-9\"'(\[*_`#\u4e00-\u9fff])|(?<=[。！？])")


@lru_cache(maxsize=8)
def strip_code(text: str) -> str:
    """Remove fenced code blocks and HTML comments (never visible prose). Remembered: an
    announcement asks it of its markup once per record."""
    text = _COMMENT_RE.sub(" ", text)
    text = _FENCE_RE.sub("\n", text)
    return _SCRIPT_RE.sub(" ", text)


def inline_to_text(fragment: str) -> str:
    """Markdown/HTML fragment -> one line of visible text (links keep their anchor text)."""
    s = _MD_IMAGE_RE.sub(" ", fragment)
    s = _MD_LINK_RE.sub(lambda m: m.group(1), s)
    s = _HTML_LINK_RE.sub(lambda m: m.group(2), s)
    s = _TAG_RE.sub(" ", s)
    s = html.unescape(s)
    s = _URL_RE.sub(" ", s)
    s = _MD_EMPH_RE.sub("", s)
    s = s.replace("\\", "")
    return _SPACE_RE.sub(" ", s).strip()


def to_plain(markup: str) -> str:
    """Document (Markdown with inline HTML) -> visible text, one block per line."""
    s = strip_code(markup)
    s = _BLOCK_TAG_RE.sub("\n", s)
    s = _CELL_TAG_RE.sub(" | ", s)
    lines = [inline_to_text(line) for line in s.splitlines()]
    out: list[str] = []
    for line in lines:
        line = re.sub(r"^[#>\s]*", "", line)
        line = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", line)
        if re.fullmatch(r"[|:\-\s]*", line):
            out.append("")
            continue
        out.append(line)
    return "\n".join(out)


_ENDED_RE = re.compile(r"[.!?:;。]\W*$")


def sentences(plain: str) -> list[str]:
    """Split visible text into sentences; lines (list items, table rows) stay apart."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = " ".join(paragraph)
            out.extend(s.strip() for s in _SENT_SPLIT_RE.split(joined) if s.strip())
            paragraph.clear()

    for line in plain.splitlines():
        line = line.strip()
        if not line:
            flush()
            continue
        # `…, and we` / `release the API of X`: a soft-wrapped line goes on with its sentence
        wrapped = paragraph and line[0].islower() and not _ENDED_RE.search(paragraph[-1])
        if wrapped and "|" not in line:
            paragraph.append(line)
            continue
        # list items, key: value lines and table rows are their own statements
        if "|" in line or re.match(r"^[\w .()/-]{1,40}:\s", line) or len(line) < 60:
            flush()
            out.extend(s.strip() for s in _SENT_SPLIT_RE.split(line) if s.strip())
            continue
        paragraph.append(line)
    flush()
    return out


def links(markup: str) -> list[tuple[str, str]]:
    """(anchor text, url) for Markdown and HTML links, plus bare URLs with empty text."""
    s = strip_code(markup)
    found: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for m in _MD_LINK_RE.finditer(s):
        found.append((inline_to_text(m.group(1)), m.group(2)))
        spans.append(m.span())
    for m in _HTML_LINK_RE.finditer(s):
        found.append((inline_to_text(m.group(2)), html.unescape(m.group(1))))
        spans.append(m.span())
    for m in _URL_RE.finditer(s):
        if not any(a <= m.start() < b for a, b in spans):
            found.append(("", m.group(0).rstrip(".,;:")))
    return found


def _split_pipe_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [inline_to_text(c) for c in re.split(r"(?<!\\)\|", line)]


def markdown_tables(markup: str) -> list[list[list[str]]]:
    """Pipe tables: a header line, a `---|---` line, then rows."""
    lines = strip_code(markup).splitlines()
    tables: list[list[list[str]]] = []
    i = 0
    while i < len(lines) - 1:
        head, sep = lines[i], lines[i + 1]
        if "|" in head and re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*", sep):
            rows = [_split_pipe_row(head)]
            j = i + 2
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                rows.append(_split_pipe_row(lines[j]))
                j += 1
            tables.append(rows)
            i = j
        else:
            i += 1
    return tables


def html_tables(markup: str) -> list[list[list[str]]]:
    """HTML <table> elements with rowspan/colspan expanded."""
    if "<table" not in markup.lower():
        return []
    from lxml import html as lxml_html

    tables: list[list[list[str]]] = []
    for m in re.finditer(r"<table\b.*?</table\s*>", _COMMENT_RE.sub(" ", markup), re.S | re.I):
        try:
            root = lxml_html.fromstring(m.group(0))
        except Exception:  # malformed fragment: skip this table
            continue
        grid: dict[tuple[int, int], str] = {}
        n_rows = 0
        for r, tr in enumerate(root.iter("tr")):
            c = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                text = _SPACE_RE.sub(" ", cell.text_content()).strip()
                rs = _int_attr(cell.get("rowspan"))
                cs = _int_attr(cell.get("colspan"))
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = text
                c += cs
            n_rows = r + 1
        if not grid:
            continue
        n_cols = max(c for _, c in grid) + 1
        rows = [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]
        tables.append([row for row in rows if any(row)])
    return tables


def _int_attr(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


def sanitize_line(text: str, limit: int = 200) -> str | None:
    """One clean line of text (markup stripped with nh3), or None when empty."""
    cleaned = nh3.clean(text, tags=set())
    cleaned = inline_to_text(html.unescape(cleaned))
    cleaned = cleaned.strip(" -:|#")
    if not cleaned:
        return None
    if len(cleaned) > limit:
        cut = cleaned[:limit].rsplit(" ", 1)[0]
        cleaned = cut.rstrip(",;:") + "…"
    return cleaned


@dataclass
class Doc:
    """Views of one document body (Markdown/HTML/plain), all read off one parse
    (`normalizer.parse`): blocks, links and tables come from the cmark-gfm/lxml tree."""

    markup: str
    is_html: bool = False
    _extra: dict[str, object] = field(default_factory=dict)

    @cached_property
    def parsed(self) -> ParsedDocument:
        return parse_markup(self.markup, is_html=self.is_html)

    @cached_property
    def plain(self) -> str:
        return self.parsed.plain

    @cached_property
    def sentences(self) -> list[str]:
        return self.parsed.sentences

    @cached_property
    def links(self) -> list[tuple[str, str]]:
        return [(lk.text, lk.url) for lk in self.parsed.links]

    @cached_property
    def tables(self) -> list[list[list[str]]]:
        return [t.grid for t in self.parsed.tables]


_PICTOGRAPH_RE = re.compile(
    "[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]+"
)


def drop_pictographs(text: str) -> str:
    """`We release 🇰🇷 K-EXAONE`, `🚩 New`: emoji and flags out, so that a name follows
    its verb as in plain prose."""
    return _PICTOGRAPH_RE.sub(" ", text)
