"""Bytes -> text, from what the document says about its charset, then a detector.

Order: a byte-order mark, the HTTP `Content-Type` charset, an XML declaration, an HTML
`<meta charset>` (in the first 4 KB), strict UTF-8, then charset-normalizer. A declared
charset that does not decode strictly is skipped (servers lie); a body that no
candidate decodes is an `UndecodableDocument`, never text with replacement characters.
The stored raw bytes are not touched: this only decides how to read them.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from normalizer.errors import UndecodableDocument

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META_RE = re.compile(
    rb"<meta\b[^>]*?(?:charset\s*=\s*[\"']?|content\s*=\s*[\"'][^\"']*charset\s*=\s*)([\w.:-]+)",
    re.I,
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    method: str
    """bom | http | xml | meta | utf-8 | detected"""


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def declared(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    """(encoding, method) the document or its envelope declares, most authoritative first."""
    out: list[tuple[str, str]] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            out.append((name, "bom"))
            break
    if content_type:
        m = _HEADER_CHARSET_RE.search(content_type)
        if m and (name := _codec(m.group(1))):
            out.append((name, "http"))
    head = body[:4096]
    m = _XML_DECL_RE.match(head)
    if m and (name := _codec(m.group(1).decode("ascii", "ignore"))):
        out.append((name, "xml"))
    m = _META_RE.search(head)
    if m and (name := _codec(m.group(1).decode("ascii", "ignore"))):
        out.append((name, "meta"))
    return out


def decode(body: bytes, content_type: str | None = None) -> Decoded:
    """The text of `body`; raises `UndecodableDocument` when nothing reads it faithfully."""
    for encoding, method in declared(body, content_type):
        text = _strict(body, encoding)
        if text is not None:
            return Decoded(text.lstrip("\ufeff"), encoding, method)
    text = _strict(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    return _detect(body)


def _detect(body: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(body[: 1 << 20]))
    best = matches[0] if matches else None
    if best is not None:
        # Mostly-ASCII text with a few accented bytes decodes "cleanly" as a CJK double-byte
        # charset too; among near-equal chaos, the charset whose text fits a language wins.
        close = [m for m in matches if m.chaos <= best.chaos + 0.1]
        best = max(close, key=lambda m: m.coherence)
    if best is not None and best.encoding:
        text = _strict(body, best.encoding)
        if text is not None and "\x00" not in text:
            return Decoded(
                text.lstrip("\ufeff"), _codec(best.encoding) or best.encoding, "detected"
            )
    raise UndecodableDocument(
        f"no declared charset decodes these {len(body)} bytes and none could be detected"
    )
