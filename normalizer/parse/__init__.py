"""Stage 1 of the normalizer: bytes -> text -> one parsed document (see `document.py`)."""

from normalizer.parse.decode import Decoded, decode
from normalizer.parse.document import Block, Heading, Link, ParsedDocument, Table
from normalizer.parse.tree import parse_markup

__all__ = [
    "Block",
    "Decoded",
    "Heading",
    "Link",
    "ParsedDocument",
    "Table",
    "decode",
    "parse_markup",
]
