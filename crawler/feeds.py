"""Reading RSS/Atom feeds: pure functions, no Scrapy, no network.

`parse_feed(body, url)` returns the feed's entries (id, link, title, dates, body)
and, for each entry, its own XML element cut from the feed bytes:

- The cut is exact: `fragment` is `body[start:end]`, the entry element from its
  `<` to the end of its closing tag (expat reports the byte offsets; CDATA,
  character references and whitespace are kept as they are). A fragment is
  therefore a real piece of the real document, provable with `fragment in body`.
- The namespaces in scope for the element (declared on `<rss>`/`<feed>`, which the
  cut leaves out) are read with lxml and returned in `namespaces`; the spider keeps
  them in the document's meta. `normalizer.feed_entry` re-declares them around
  the fragment when it reads it, so the stored bytes never have to be edited.

An entry is *full-content* when the feed carries the article itself: a
content:encoded / atom:content body with real text (`FULL_CONTENT_MIN_CHARS`),
or an HTML description long enough to be the article. Otherwise the entry is a
summary and the article page has to be fetched.
"""

from __future__ import annotations

import hashlib
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any

import feedparser
from lxml import etree

from normalizer.feed_entry import iso_time, quiet_get

ENTRY_TAGS = frozenset({"item", "entry"})
ENTRY_PARENTS = frozenset({"channel", "feed", "RDF"})
FULL_CONTENT_MIN_CHARS = 120
"""A body with less text than this is a teaser, not the article."""
LONG_DESCRIPTION_CHARS = 1000
"""An HTML description this long (text) is taken as the article itself."""

_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


class FeedError(ValueError):
    """The body is not a feed feedparser can read."""


def state_key(feed_url: str) -> str:
    return f"feed:{feed_url}"


def entry_state_key(feed_url: str, entry_id: str) -> str:
    return f"feed-entry:{feed_url}#{entry_id}"


def post_state_key(url: str) -> str:
    return f"post:{url}"


def text_of(html_text: str | None) -> str:
    """Visible text of a small HTML snippet, whitespace collapsed (for length tests)."""
    if not html_text:
        return ""
    return _WS.sub(" ", _TAG.sub(" ", html_text)).strip()


@dataclass(frozen=True)
class FeedEntry:
    entry_id: str
    link: str | None
    title: str | None
    published: str | None
    """ISO 8601 (UTC) from pubDate / published, else None."""
    updated: str | None
    """ISO 8601 (UTC) from atom:updated (feedparser maps a lone pubDate here too)."""
    body_html: str | None
    """The article HTML the feed carries (content:encoded, atom:content, or a long
    description); None for a summary-only entry."""
    summary: str | None
    fragment: bytes | None
    """The entry's own element, cut byte for byte from the feed; None if it could not be cut."""
    namespaces: dict[str, str] = field(default_factory=dict)

    @property
    def full_content(self) -> bool:
        return self.body_html is not None

    @property
    def sha(self) -> str:
        """Changes when what we would store changes: the body for a full-content
        entry; the date, title, link and summary for a summary-only one."""
        if self.body_html is not None:
            parts = ["content", self.title or "", self.body_html]
        else:
            parts = [
                "summary",
                self.updated or self.published or "",
                self.title or "",
                self.link or "",
                self.summary or "",
            ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Feed:
    url: str
    version: str
    """feedparser's name for the format: `rss20`, `atom10`, `rss10`, ..."""
    title: str | None
    link: str | None
    self_url: str | None
    encoding: str
    entries: list[FeedEntry]
    warnings: list[str] = field(default_factory=list)


# -- cutting ----------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def entry_spans(body: bytes) -> list[tuple[int, int]]:
    """Byte spans `(start, end)` of every entry element (`item`/`entry` directly
    under `channel`, `feed` or RDF), in document order."""
    parser = xml.parsers.expat.ParserCreate()  # no namespace processing: raw qnames
    parser.buffer_text = True
    stack: list[str] = []
    spans: list[tuple[int, int]] = []
    starts: list[int] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        local = _local(name)
        if local in ENTRY_TAGS and stack and _local(stack[-1]) in ENTRY_PARENTS:
            starts.append(parser.CurrentByteIndex)
            stack.append("\0entry:" + name)
        else:
            stack.append(name)

    def end(name: str) -> None:
        top = stack.pop()
        if top.startswith("\0entry:"):
            begin = starts.pop()
            at = parser.CurrentByteIndex
            # At an end event expat points at `</name>`, or just past an empty `<name/>`.
            if body.startswith(b"</" + name.encode("utf-8"), at):
                close = body.index(b">", at) + 1
            else:
                close = at
            spans.append((begin, close))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(body, True)
    return spans


def _entry_namespaces(body: bytes) -> list[dict[str, str]]:
    """In-scope namespace declarations of each entry element (lxml), in document order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(body, parser)
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        if (
            etree.QName(el).localname in ENTRY_TAGS
            and parent is not None
            and etree.QName(parent).localname in ENTRY_PARENTS
        ):
            out.append({(k or ""): v for k, v in el.nsmap.items()})
    return out


# -- reading ----------------------------------------------------------------------


def _body_html(entry: Any) -> str | None:
    summary = entry.get("summary") or ""
    for content in entry.get("content") or []:
        ctype = (content.get("type") or "").lower()
        value = content.get("value") or ""
        if "html" not in ctype and ctype != "text/plain":
            continue
        text = text_of(value)
        if len(text) >= FULL_CONTENT_MIN_CHARS and len(text) >= len(text_of(summary)):
            return value
    detail = entry.get("summary_detail") or {}
    if "html" in (detail.get("type") or "") and len(text_of(summary)) >= LONG_DESCRIPTION_CHARS:
        return summary
    return None


def _entry_id(entry: Any) -> str:
    for key in ("id", "link"):
        if entry.get(key):
            return str(entry[key]).strip()
    basis = f"{entry.get('title', '')}\x1f{entry.get('published', '')}"
    return "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def _self_url(d: Any) -> str | None:
    for link in d.feed.get("links") or []:
        if link.get("rel") == "self" and link.get("href"):
            return str(link["href"])
    return None


def parse_feed(body: bytes, url: str) -> Feed:
    """Read a feed; raises `FeedError` when feedparser finds no feed at all."""
    d = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    version = d.get("version") or ""
    if not version and not d.entries:
        reason = d.get("bozo_exception")
        raise FeedError(f"not an RSS/Atom feed{f': {reason}' if reason else ''}")
    notes: list[str] = []
    encoding = (d.get("encoding") or "utf-8").lower()
    spans: list[tuple[int, int]] = []
    namespaces: list[dict[str, str]] = []
    if encoding.replace("_", "-") not in ("utf-8", "us-ascii", "ascii"):
        # Fragments are stored as bytes and read as UTF-8: cut nothing rather than mis-decode.
        notes.append(f"feed encoded as {encoding}: entries are not cut into fragments")
    else:
        try:
            spans = entry_spans(body)
            namespaces = _entry_namespaces(body)
        except (xml.parsers.expat.ExpatError, etree.XMLSyntaxError, ValueError) as exc:
            notes.append(f"feed is not well-formed XML ({exc}); entries are not cut")
            spans, namespaces = [], []
    if spans and len(spans) != len(d.entries):
        notes.append(
            f"{len(spans)} entry elements but feedparser read {len(d.entries)}; entries not cut"
        )
        spans = []
    entries = []
    for i, e in enumerate(d.entries):
        fragment = body[spans[i][0] : spans[i][1]] if spans else None
        ns = namespaces[i] if spans and i < len(namespaces) else {}
        entries.append(
            FeedEntry(
                entry_id=_entry_id(e),
                link=(e.get("link") or None),
                title=(e.get("title") or None),
                published=iso_time(e.get("published_parsed")),
                updated=iso_time(quiet_get(e, "updated_parsed")),
                body_html=_body_html(e),
                summary=(e.get("summary") or None),
                fragment=fragment,
                namespaces=ns,
            )
        )
    return Feed(
        url=url,
        version=version,
        title=d.feed.get("title"),
        link=d.feed.get("link"),
        self_url=_self_url(d),
        encoding=encoding,
        entries=entries,
        warnings=notes,
    )
