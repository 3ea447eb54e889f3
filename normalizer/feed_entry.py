"""Feed entries stored as documents: one `<item>`/`<entry>` element cut from a feed.

The announcements spider stores a full-content feed entry as its own XML element,
byte for byte as it appears in the feed (see `crawler.feeds`). Such a fragment
leaves out the namespace declarations of the feed's root element, so reading it
re-declares them around the fragment (well-known feed namespaces; any other
prefix gets a placeholder URI so the XML stays well-formed), parses it with
feedparser and hands `normalize_announcement` an HTML *view* of the entry:
title and published date as page metadata, then the article HTML. The view
exists only in memory; the stored document is the fragment.

A whole feed stored as a document (the spider keeps each fetched feed for its
ETag/Last-Modified state and as the source its fragments were cut from) yields
no records: its entries are documents of their own.
"""

from __future__ import annotations

import calendar
import html
import re
import warnings
from datetime import UTC, datetime
from typing import Any

from normalizer.models import DocKind, NormalizeResult

ATOM_NS = "http://www.w3.org/2005/Atom"
KNOWN_NAMESPACES = {
    "atom": ATOM_NS,
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "media": "http://search.yahoo.com/mrss/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "georss": "http://www.georss.org/georss",
    "thr": "http://purl.org/syndication/thread/1.0",
    "feedburner": "http://rssnamespace.org/feedburner/ext/1.0",
}

_ROOT = re.compile(
    rb"^\s*(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]",
    re.S,
)
_PREFIX_USE = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*=")
_DECLARED = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=")


def root_name(body: bytes | str) -> str | None:
    """Local name of the first element, if the document starts like XML."""
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else body
    m = _ROOT.match(raw[:4096])
    return m.group(2).decode("ascii") if m else None


def is_feed_entry(body: bytes | str) -> bool:
    return root_name(body) in ("item", "entry")


def is_feed(body: bytes | str) -> bool:
    return root_name(body) in ("rss", "feed", "RDF")


def wrap_fragment(fragment: str) -> str:
    """The fragment inside a minimal feed that declares the namespaces it uses."""
    start_tag = fragment[: fragment.find(">") + 1]
    used = {a or b for a, b in _PREFIX_USE.findall(fragment)} - {"xml", "xmlns"}
    declared = set(_DECLARED.findall(start_tag))
    decls = "".join(
        f' xmlns:{p}="{KNOWN_NAMESPACES.get(p, f"urn:x-toolwatch:undeclared:{p}")}"'
        for p in sorted(used - declared)
    )
    if root_name(fragment) == "entry":
        default = "" if "xmlns=" in start_tag else f' xmlns="{ATOM_NS}"'
        return f"<feed{default}{decls}>{fragment}</feed>"
    return f'<rss version="2.0"{decls}><channel>{fragment}</channel></rss>'


def quiet_get(entry: Any, key: str) -> Any:
    """feedparser warns when `updated_parsed` falls back to `published_parsed`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return entry.get(key)


def iso_time(parsed: Any) -> str | None:
    """ISO 8601 UTC of a feedparser time tuple."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def read_entry(fragment: str) -> dict[str, Any]:
    """feedparser's reading of one entry fragment (title, link, dates, content, summary)."""
    import feedparser

    d = feedparser.parse(wrap_fragment(fragment), sanitize_html=False, resolve_relative_uris=False)
    if not d.entries:
        return {}
    e = d.entries[0]
    contents = [c.get("value") or "" for c in e.get("content") or []]
    return {
        "id": e.get("id"),
        "title": e.get("title"),
        "link": e.get("link"),
        "published": iso_time(e.get("published_parsed"))
        or iso_time(quiet_get(e, "updated_parsed")),
        "content": max(contents, key=len) if contents else None,
        "summary": e.get("summary"),
        "summary_is_html": "html" in ((e.get("summary_detail") or {}).get("type") or ""),
    }


def render_html(
    title: str | None, published: str | None, url: str | None, body_html: str | None
) -> str:
    """An HTML page for an entry: title and date as metadata, then the article HTML.

    Also used by the cassette builder to assemble article pages from feed bodies."""
    t = html.escape(title or "", quote=True)
    head = [
        '<meta charset="utf-8">',
        f"<title>{t}</title>",
        f'<meta property="og:title" content="{t}">',
    ]
    if url:
        head.append(f'<meta property="og:url" content="{html.escape(url, quote=True)}">')
    if published:
        p = html.escape(published, quote=True)
        head.append('<meta property="og:type" content="article">')
        head.append(f'<meta property="article:published_time" content="{p}">')
    body = [f"<h1>{t}</h1>"] if title else []
    if published:
        body.append(
            f'<p><time datetime="{html.escape(published, quote=True)}">{published[:10]}</time></p>'
        )
    body.append(body_html or "")
    return (
        "<!DOCTYPE html>\n<html><head>"
        + "".join(head)
        + "</head><body><article>"
        + "\n".join(body)
        + "</article></body></html>\n"
    )


def normalize_feed_entry(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
) -> NormalizeResult:
    from normalizer.announcement import normalize_announcement

    if is_feed(text):
        return NormalizeResult(
            kind=DocKind.ANNOUNCEMENT,
            source_url=source_url,
            warnings=[
                "feed document: its entries are stored and normalised as documents of their own"
            ],
        )
    entry = read_entry(text)
    if not entry:
        return NormalizeResult(
            kind=DocKind.ANNOUNCEMENT,
            source_url=source_url,
            warnings=["feed entry fragment could not be read"],
        )
    body = entry["content"]
    warnings = []
    if not body:
        summary = entry.get("summary") or ""
        body = summary if entry["summary_is_html"] else f"<p>{html.escape(summary)}</p>"
        warnings.append("feed entry without an article body: only its title and summary were read")
    view = render_html(entry["title"], entry["published"], source_url or entry["link"], body)
    result = normalize_announcement(
        view, source_url or entry["link"], observed_at, filename=filename
    )
    result.warnings.extend(warnings)
    return result
