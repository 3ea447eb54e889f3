"""The tables of a list-style comparison page, read as entries: a table with a row per
tool (`Provider | Model | License`, or model facts with no maker column), or with a
column per tool (`| Feature | Claude 3.5 Sonnet | GPT-4o |`, a row per fact). Every
entry carries the headings above it (`normalizer.tool_lists` reads the rest of the
page and decides whether it is a list at all)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from normalizer.budget import check as check_budget
from normalizer.comparison import SIZE_RE
from normalizer.facts import page_key, page_key_field, vocabulary
from normalizer.parse import ParsedDocument

PAREN_RE = re.compile(r"\s*\(([^()]*)\)")
_ID_RE = re.compile(r"^[\w.:@/-]+$")
_HEADER_MAKER_RE = re.compile(
    r"\((?:[^)]*\b(?:developer|provider|vendor|maker|creator|author|company)s?\b)", re.I
)
_UNIT_HEADER_RE = re.compile(r"\(\s*(?:in\s+)?(B|M|billions?|millions?)\s*\)", re.I)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+$")
MODEL_FACTS = frozenset(
    {"params_total", "params_active", "context_length", "license", "release_date", "open_weights"}
)


@dataclass
class Entry:
    name: str
    facts: dict[str, tuple[str, str]] = field(default_factory=dict)
    """field -> (value as written, evidence line)"""
    prose: list[str] = field(default_factory=list)
    scope: str = ""
    """The headings above the entry and the page title."""
    repo_id: str | None = None
    aliases: list[str] = field(default_factory=list)
    from_facts: bool = False
    """Found in a table of model facts that names no maker (counted by family)."""


@lru_cache(maxsize=1)
def list_words() -> dict[str, list[str]]:
    return vocabulary()["lists"]


def heading_parents(doc: ParsedDocument) -> list[int]:
    """For each heading, the nearest heading above it of a higher rank (-1: none); one pass."""
    out: list[int] = []
    stack: list[int] = []
    for i, h in enumerate(doc.headings):
        while stack and doc.headings[stack[-1]].level >= h.level:
            stack.pop()
        out.append(stack[-1] if stack else -1)
        stack.append(i)
    return out


def scope_of(
    doc: ParsedDocument, parents: list[int], section: int, title: str, *, inclusive: bool
) -> str:
    """Texts of the headings `section` sits under (itself too when `inclusive`)."""
    chain: list[str] = []
    i = section if inclusive else (parents[section] if section >= 0 else -1)
    while i >= 0:
        chain.append(doc.headings[i].text)
        i = parents[i]
    return " / ".join([title, *reversed(chain)])


def _split_names(cell: str) -> tuple[list[str], list[str]]:
    """`gpt-4.1 (gpt-4.1-2025-04-14)` -> (["gpt-4.1"], ["gpt-4.1-2025-04-14"]);
    `pplx-7b-online, pplx-70b-online` and `Mistral / Mixtral` -> two names."""
    ids = [m.group(1).strip() for m in PAREN_RE.finditer(cell)]
    bare = PAREN_RE.sub("", cell)
    names = [n.strip(" *`'\"") for n in re.split(r"\s*(?:,|\s/\s|;)\s*", bare)]
    names = [n for n in names if 2 <= len(n) <= 60 and re.search(r"[A-Za-z]", n)]
    aliases = [i for i in ids if _ID_RE.match(i) and len(names) == 1]
    return names, aliases


def table_entries(doc: ParsedDocument, title: str) -> list[Entry]:
    out: list[Entry] = []
    parents = heading_parents(doc)
    for table in doc.tables:
        check_budget()
        if len(table.rows) < 2:
            continue
        name_col = next((i for i, h in enumerate(table.header) if _name_header(h)), None)
        if name_col is None:
            continue
        columns = {i: page_key_field(h) for i, h in enumerate(table.header) if i != name_col}
        maker_in_name = bool(_HEADER_MAKER_RE.search(table.header[name_col]))
        has_maker = maker_in_name or "vendor" in columns.values()
        fact_columns = sum(1 for f in columns.values() if f in MODEL_FACTS)
        if not has_maker and "tagline" not in columns.values() and fact_columns < 2:
            continue  # a ranking without makers counts only with a best-for column or facts
        scope = scope_of(doc, parents, table.section, title, inclusive=True)
        for row in table.rows:
            cell = row[name_col] if name_col < len(row) else ""
            facts = {
                f: (_with_unit(table.header[i], row[i], f), f"{table.header[i]}: {row[i]}")
                for i, f in columns.items()
                if f and i < len(row) and row[i].strip()
            }
            if maker_in_name and (m := re.match(r"^(.*?)\s*\(([^()]+)\)\s*$", cell)):
                cell = m.group(1)
                facts["vendor"] = (m.group(2).strip(), row[name_col])
            if has_maker and "vendor" not in facts:
                continue
            names, aliases = _split_names(cell)
            for k, name in enumerate(names):
                own = _own_values(facts, k, len(names))
                out.append(
                    Entry(name, own, [], scope, aliases=list(aliases), from_facts=not has_maker)
                )
    return out


def _name_header(header: str) -> bool:
    key = page_key(header)
    return key in list_words()["name_headers"] or key.endswith("model name")


def _with_unit(header: str, value: str, field_name: str | None) -> str:
    """`Params (B)` over `3,7,13`: the header's unit on each bare number of the cell."""
    unit = _UNIT_HEADER_RE.search(header)
    if field_name not in ("params_total", "params_active") or not unit or SIZE_RE.search(value):
        return value
    letter = unit.group(1)[0].upper()
    return re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])", rf"\g<1>{letter}", value)


def _own_values(facts: dict[str, tuple[str, str]], k: int, n: int) -> dict[str, tuple[str, str]]:
    """A row naming n models (`Gemma 2B, Gemma 7B`) whose cell lists n values (`2B,7B`):
    the k-th model's own value; a cell with one value is every model's."""
    if n < 2:
        return dict(facts)
    out = {}
    for f, (value, evidence) in facts.items():
        parts = [p.strip() for p in value.strip().strip(",").split(",")]
        if len(parts) == n and not _THOUSANDS_RE.match(value.strip()) and all(parts):
            out[f] = (parts[k], evidence)
        else:
            out[f] = (value, evidence)
    return out


def column_entries(doc: ParsedDocument, title: str) -> list[Entry]:
    """A table with a column per model and a row per fact (`| Feature | Claude 3.5
    Sonnet | GPT-4o |`, rows `Context Window`, `Open Weights`): one entry per column,
    when at least two rows state model facts."""
    out: list[Entry] = []
    skip = set(list_words()["not_tool_headers"])
    parents = heading_parents(doc)
    for table in doc.tables:
        if len(table.header) < 3 or len(table.rows) < 2 or _name_header(table.header[0]):
            continue
        rows = [(page_key_field(r[0]), r) for r in table.rows if r and r[0].strip()]
        if len({f for f, _ in rows if f in MODEL_FACTS}) < 2:
            continue
        scope = scope_of(doc, parents, table.section, title, inclusive=True)
        for i, head in enumerate(table.header[1:], start=1):
            name = head.strip(" *_`")
            if not name or len(name) > 60 or page_key(name) in skip or page_key_field(name):
                continue
            facts = {
                f: (r[i], f"{r[0].strip(' *_')}: {r[i]}")
                for f, r in rows
                if f and i < len(r) and r[i].strip()
            }
            out.append(Entry(name, facts, [], scope, from_facts=True))
    return out


def family(name: str) -> str:
    """`open_llama_3b` -> `open`, `Gemma 7B` -> `gemma`: the word a model family starts with."""
    m = re.match(r"[a-z]+", name.lower())
    return m.group(0) if m else ""
