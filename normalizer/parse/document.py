"""The parsed document every extractor reads: one shape for Markdown, HTML and plain text.

Built once per document by `normalizer.parse.parse_markup`; extractors never look at
markup again. Blocks keep their kind (heading, paragraph, item, row, caption) and the
heading they sit under, so a mention knows its section; tables keep header and rows
(and can be read transposed); links know what they point at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str
    target: str
    """hub-model | hub-dataset | hub-space | hub-collection | github | arxiv | license |
    modelscope | other"""
    repo_id: str | None = None
    """`org/name` for Hub model links."""


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    section: int = -1
    """Index of the heading the table sits under (-1: before any heading)."""

    @property
    def grid(self) -> list[list[str]]:
        """Header first, then rows: the shape the older readers take."""
        return [self.header, *self.rows]

    def transposed(self) -> Table | None:
        """Rows become columns (`| Models | a | b |` / `| # Params | 7B | 70B |`)."""
        grid = self.grid
        width = max((len(r) for r in grid), default=0)
        if width < 2 or len(grid) < 2:
            return None
        cols = [[r[i] if i < len(r) else "" for r in grid] for i in range(width)]
        return Table(header=cols[0], rows=cols[1:], section=self.section)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    kind: str
    """heading | paragraph | item | row | caption"""
    text: str
    section: int = -1


@dataclass
class ParsedDocument:
    blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    """Code blocks and inline code spans longer than a word, verbatim."""
    pre: list[Block] = field(default_factory=list)
    """Code blocks (kind `code`) under their heading: list pages put `Key: value` facts
    in indented blocks."""
    front_matter: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        """The first top-level heading (`#`), else the first heading of any level."""
        for h in self.headings:
            if h.level == 1:
                return h.text
        return self.headings[0].text if self.headings else None

    @cached_property
    def plain(self) -> str:
        """Visible text, one block per paragraph (blank lines between blocks)."""
        return "\n\n".join(b.text for b in self.blocks if b.text)

    @cached_property
    def sentences(self) -> list[str]:
        from normalizer.text import sentences

        return sentences(self.plain)

    @cached_property
    def sentence_sections(self) -> list[int]:
        """The section (heading index) of each of `sentences`; all -1 where the blocks'
        own sentences do not line up with the document's."""
        from normalizer.text import sentences

        out: list[int] = []
        for b in self.blocks:
            if b.text:
                out.extend([b.section] * len(sentences(b.text)))
        return out if len(out) == len(self.sentences) else [-1] * len(self.sentences)

    def without_sections(self, drop: set[int]) -> ParsedDocument:
        """This document without the blocks and tables of sections `drop` (and of the
        sections nested under them): a card's paragraphs about its sibling models."""
        dropped: set[int] = set()
        level = 0
        for i, h in enumerate(self.headings):
            if i in drop:
                dropped.add(i)
                level = h.level
            elif dropped and level and h.level > level and (i - 1) in dropped:
                dropped.add(i)
            else:
                level = 0
        return ParsedDocument(
            blocks=[b for b in self.blocks if b.section not in dropped],
            headings=self.headings,
            tables=[t for t in self.tables if t.section not in dropped],
            links=self.links,
            code=self.code,
            pre=[b for b in self.pre if b.section not in dropped],
            front_matter=self.front_matter,
            warnings=self.warnings,
        )

    def section_title(self, index: int) -> str | None:
        return self.headings[index].text if 0 <= index < len(self.headings) else None
