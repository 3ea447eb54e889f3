"""Markdown (CommonMark + GFM tables, via cmark-gfm) and HTML -> `ParsedDocument`.

Markdown is rendered by cmark-gfm (C) with raw HTML kept, so a card's HTML header of
badges, its `<table>`s and its Markdown tables all land in one lxml tree; one walk over
that tree gives blocks under their headings, tables with rowspan/colspan expanded,
links and code. Nothing here reads tables or headings line by line.
"""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options
from lxml import etree

from normalizer.parse.document import Block, Heading, Link, ParsedDocument, Table
from normalizer.parse.links import classify

_EXTENSIONS = ["table", "autolink", "strikethrough"]
_OPTIONS = Options.CMARK_OPT_UNSAFE  # keep raw HTML: cards put tables and headers in it
_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, huge_tree=True, recover=True
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "math", "button", "iframe"}
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "table", "pre", "blockquote", "details", "summary",
    "section", "article", "main", "header", "footer", "nav", "aside", "figure",
    "figcaption", "dl", "dt", "dd", "hr", "center", "form", "body", "html", "tr", "td",
    "th", "thead", "tbody", "tfoot", "caption", "picture", "video", "audio",
    *_HEADINGS,
}  # fmt: skip
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_URL_RE = re.compile(r"\b(?:https?|ftp|magnet):[^\s)\]>\"'|]+", re.I)


def markdown_to_html(text: str) -> str:
    return cmarkgfm.markdown_to_html_with_extensions(text, _OPTIONS, _EXTENSIONS)


def parse_markup(text: str, *, is_html: bool = False) -> ParsedDocument:
    """Parse a Markdown (default) or HTML body; never raises on malformed markup."""
    doc = ParsedDocument()
    if not text.strip():
        return doc
    source = text if is_html else markdown_to_html(text)
    root = etree.fromstring(source, _PARSER) if source.strip() else None
    if root is None:
        return doc
    _Walker(doc).walk(root, "paragraph")
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "mailto:", "javascript:")):
            target, repo = classify(href)
            doc.links.append(Link(_clean_line("".join(a.itertext())), href, target, repo))
    return doc


def _clean_line(s: str) -> str:
    if "://" in s:
        s = _URL_RE.sub(" ", s)
    return _SPACE_RE.sub(" ", s).strip()


_BREAKS_RE = re.compile(r"\s*\n\s*")


def _clean(s: str) -> str:
    """Spaces collapsed, soft line breaks kept (a card's `Key: value` lines stay apart)."""
    if "://" in s:
        s = _URL_RE.sub(" ", s)
    s = _SPACE_RE.sub(" ", s)
    if "\n" in s:
        s = _BREAKS_RE.sub("\n", s)
    return s.strip()


def _inline_text(el: etree._Element, tag: str) -> str:
    """Visible text of an inline element (images and skipped tags give nothing)."""
    if tag in _SKIP or tag == "img":
        return ""
    if tag == "br":
        return "\n"
    return "".join(el.itertext())


class _Walker:
    def __init__(self, doc: ParsedDocument) -> None:
        self.doc = doc
        self.section = -1

    def emit(self, kind: str, parts: list[str]) -> None:
        if parts:
            text = "".join(parts)
            parts.clear()
            if text.isspace():
                return
            text = _clean(text)
            if text:
                self.doc.blocks.append(Block(kind, text, self.section))

    def walk(self, el: etree._Element, kind: str) -> None:
        # each lxml `.tag`/`.text`/`.tail` read builds a new string: read each once
        text = el.text
        buf: list[str] = [text] if text else []
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                tag = ""
            if tag in _SKIP:
                pass
            elif tag in _BLOCKS:
                self.emit(kind, buf)
                self.block(child, tag, kind)
            elif tag == "code":
                code = "".join(child.itertext())
                if len(code) > 20:
                    self.doc.code.append(code)
                buf.append(code)
            elif tag:
                buf.append(_inline_text(child, tag))
            tail = child.tail
            if tail:
                buf.append(tail)
        self.emit(kind, buf)

    def block(self, el: etree._Element, tag: str, kind: str) -> None:
        level = _HEADINGS.get(tag)
        if level:
            text = _clean_line("".join(el.itertext()))
            if text:
                self.doc.headings.append(Heading(level, text))
                self.section = len(self.doc.headings) - 1
                self.doc.blocks.append(Block("heading", text, self.section))
        elif tag == "pre":
            code = "".join(el.itertext())
            self.doc.code.append(code)
            self.doc.pre.append(Block("code", code, self.section))
        elif tag == "table":
            self.table(el)
        elif tag == "li":
            self.walk(el, "item")
        elif tag in ("figcaption", "caption", "summary", "dt"):
            self.walk(el, "caption")
        elif tag != "hr":
            self.walk(el, kind)

    def table(self, el: etree._Element) -> None:
        rows = el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        cells = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
        spans = any(c.get("rowspan") or c.get("colspan") for row in cells for c in row)
        texts = [[_clean_line("".join(c.itertext())) for c in row] for row in cells]
        full = _expand(cells, texts) if spans else texts
        full = [row for row in full if any(row)]
        if not full:
            return
        width = max(len(r) for r in full)
        full = [r + [""] * (width - len(r)) for r in full]
        self.doc.tables.append(Table(full[0], full[1:], self.section))
        for row in full:
            self.doc.blocks.append(Block("row", " | ".join(row), self.section))


def _expand(cells: list[list[etree._Element]], texts: list[list[str]]) -> list[list[str]]:
    """Rowspan/colspan copied into every grid position they cover."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(cells):
        c = 0
        for cell, text in zip(row, texts[r], strict=True):
            while (r, c) in grid:
                c += 1
            rs, cs = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text
            c += cs
    if not grid:
        return []
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(n_cols)] for r in range(min(n_rows, len(cells)))]


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1
