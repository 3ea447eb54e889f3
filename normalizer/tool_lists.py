"""List-style comparison pages: a table row or a heading per tool, from several makers.

Third-party catalog articles (awesome lists, "which LLM to use", model overviews)
describe many tools at once: per tool a table row (`Provider | Model | License | Best
for`) or a heading followed by `Key: value` facts and a description. A page is read this
way only when nothing on it is announced and at least three entries by at least two
stated makers are found: a vendor's own tables list its own models. Each entry's values
come from its own row or section, and from the headings above it ("Open Source",
"Commercial"); all are third-party statements, at the comparison pages' confidence.
"""

from __future__ import annotations

import re
from datetime import datetime

from normalizer import licenses
from normalizer.budget import check as check_budget
from normalizer.builder import RecordBuilder
from normalizer.comparison import SIZE_RE, STATED_FACTS, Put, prose_facts, put_stated, putter, sizes
from normalizer.facts import page_key, page_key_field
from normalizer.list_tables import (
    PAREN_RE,
    Entry,
    column_entries,
    family,
    heading_parents,
    list_words,
    scope_of,
    table_entries,
)
from normalizer.models import License, LicenseTerms, ToolRecord
from normalizer.parse import Block, ParsedDocument
from normalizer.text import sanitize_line, sentences
from normalizer.vendors import maker_phrase, vendor_from_text

MIN_ENTRIES = 3
MIN_MAKERS = 2
_KV_RE = re.compile(r"^\s*([^:：\n]{2,40})[:：]\s*(.+?)\s*$")
_NUMBERED_RE = re.compile(r"^\s*\d{1,3}[.)]\s+")
_REPO_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_NOTE_SPLIT_RE = re.compile(r"\s+[-–—]\s+|\s*:\s+")
# A title that says the page compares or ranks tools (`Best LLM for Coding`, `Top 10`)
_COMPARING_RE = re.compile(
    r"\b(?:best|top \d+|compar\w*|ranking|rankings|ranked|versus|vs\.?|alternatives|which)\b", re.I
)
# A title over a table of several makers' models (`Well known open source LLM models`)
_LISTING_RE = re.compile(r"\b(?:models|LLMs|matrix|overview|landscape)\b", re.I)
_TERMS_HEADING_RE = re.compile(r"\b(?:use|usage|licen[cs]es?|terms|allowed)\b", re.I)
_CLOSED_NOTE_RE = re.compile(r"\bAPI[- ]only\b|\bclosed\b", re.I)


def records(
    doc: ParsedDocument,
    front_title: str | None,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    scope: str = "",
) -> list[ToolRecord] | None:
    """The page's entries as records, or None when it is not a list of tools (`scope`:
    what the page says of itself, its tags and description)."""
    title = front_title or doc.title or ""
    entries = _dedupe(
        table_entries(doc, title) + column_entries(doc, title) + _section_entries(doc, title)
    )
    makers = {page_key(e.facts["vendor"][0]) for e in entries if "vendor" in e.facts}
    families = {family(e.name) for e in entries if e.from_facts} - {""}
    ranked = sum(1 for e in entries if "tagline" in e.facts)
    if len(entries) < MIN_ENTRIES:
        return None
    comparing = _COMPARING_RE.search(f"{title} / {scope}")
    listing = comparing or _LISTING_RE.search(title)
    if (
        len(makers) < MIN_MAKERS
        and not (ranked >= MIN_ENTRIES and comparing)
        and not (len(families) >= MIN_MAKERS and listing)
    ):
        return None  # one maker's own tables, or a table that compares nothing
    # the page's tags and description speak of its topic (an LLM page), not of availability
    return [_record(e, source_url, observed_at, scope) for e in entries]


# ---------------------------------------------------------------- entries


def _section_entries(doc: ParsedDocument, title: str) -> list[Entry]:
    blocks: dict[int, list[Block]] = {}
    for b in doc.blocks:
        if b.kind != "heading":
            blocks.setdefault(b.section, []).append(b)
    for b in doc.pre:
        blocks.setdefault(b.section, []).append(b)
    parents = heading_parents(doc)
    hub_links: dict[str, str] = {}
    for lk in doc.links:
        if lk.repo_id:
            hub_links.setdefault(lk.text.strip(), lk.repo_id)
    found: list[tuple[int, Entry]] = []
    for i in range(len(doc.headings)):
        if not i & 255:
            check_budget()
        entry = _section_entry(doc, i, blocks.get(i, []), title, parents, hub_links)
        if entry is not None:
            found.append((i, entry))
    with_facts = {i for i, e in found if e.facts}
    out: list[Entry] = []
    for i, entry in found:
        # a numbered heading without facts is kept among numbered siblings that have them
        if i in with_facts or (with_facts and _NUMBERED_RE.match(doc.headings[i].text)):
            out.extend(_expand(entry, blocks.get(i, [])))
    return out


def _section_entry(
    doc: ParsedDocument,
    index: int,
    own: list[Block],
    title: str,
    parents: list[int],
    hub_links: dict[str, str],
) -> Entry | None:
    heading = doc.headings[index].text
    numbered = bool(_NUMBERED_RE.match(heading))
    name = _NUMBERED_RE.sub("", heading)
    aliases = [
        re.sub(r"^(?:formerly|aka|a\.k\.a\.)\s+", "", m.group(1), flags=re.I)
        for m in PAREN_RE.finditer(name)
    ]
    name = PAREN_RE.sub("", name).strip(" :-*")
    name = re.sub(r"^[^\w\[]+", "", name).strip()
    if not name or len(name) > 80:
        return None
    facts: dict[str, tuple[str, str]] = {}
    prose: list[str] = []
    for block in own:
        if block.kind == "item":
            continue
        for line in block.text.split("\n"):
            m = _KV_RE.match(line)
            f = page_key_field(m.group(1)) if m else None
            if m and f:
                facts.setdefault(f, (m.group(2), line.strip()))
            elif block.kind != "code" and line.strip():
                prose.append(line)
    if not facts and not numbered:
        return None
    repo = hub_links.get(heading.strip())
    scope = scope_of(doc, parents, index, title, inclusive=False)
    return Entry(name, facts, prose, scope, repo, [a for a in aliases if a])


def _expand(entry: Entry, own: list[Block]) -> list[Entry]:
    """An entry's variants (`Available models:` items, `A / B` headings, `Parameters: 7B,
    13B`) as entries of their own, sharing its facts; a non-model entry gives none."""
    if _not_a_model(entry):
        return []
    variants = _variant_items(own)
    if not variants and " / " in entry.name:
        variants = [(n.strip(), "") for n in entry.name.split(" / ") if n.strip()]
    if variants:
        out = []
        for name, note in variants:
            facts = dict(entry.facts)
            if note and licenses.from_value(note) is not None:
                facts["license"] = (note, f"{name} - {note}")
            prose = [*entry.prose, f"{name}: {note}"] if note else list(entry.prose)
            out.append(Entry(name, facts, prose, entry.scope))
        return out
    stated = sizes(entry.facts.get("params_total", ("", ""))[0])
    if len(stated) >= 2 and not SIZE_RE.search(entry.name):
        return [
            Entry(
                f"{entry.name} {size}",
                {**entry.facts, "params_total": (size, entry.facts["params_total"][1])},
                entry.prose,
                entry.scope,
            )
            for size in stated
        ]
    return [entry]


def _variant_items(own: list[Block]) -> list[tuple[str, str]]:
    labels = set(list_words()["variant_labels"])
    out: list[tuple[str, str]] = []
    listing = False
    for block in own:
        if block.kind == "item" and listing:
            name, _, note = (p.strip() for p in _partition_note(block.text))
            if name and len(name) <= 60:
                out.append((name, note))
        elif block.kind != "code":
            last = block.text.rsplit("\n", 1)[-1].strip()
            listing = last.endswith(":") and page_key(last) in labels
    return out


def _partition_note(text: str) -> tuple[str, str, str]:
    m = _NOTE_SPLIT_RE.search(text)
    return (text[: m.start()], "-", text[m.end() :]) if m else (text, "", "")


def _not_a_model(entry: Entry) -> bool:
    first = sentences(" ".join(entry.prose))[:1]
    text = first[0].lower() if first else ""
    hits = [w for w in list_words()["not_model"] if re.search(rf"\b{re.escape(w)}\b", text)]
    return bool(hits) and ("not a model" in hits or not re.search(r"\bmodels?\b", text))


def _dedupe(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        key = re.sub(r"[^a-z0-9]", "", e.name.lower())
        if key and key not in seen:
            seen.add(key)
            out.append(e)
    return out


# ---------------------------------------------------------------- records


def _record(
    entry: Entry, source_url: str | None, observed_at: datetime | None, topics: str = ""
) -> ToolRecord:
    rb = RecordBuilder(entry.name, source_url, observed_at)
    put = putter(rb)
    _stated(rb, entry, put)
    _scoped(rb, entry, put)
    if not rb.has("vendor") and (
        maker := _maker_phrase(entry) or vendor_from_text(" ".join(entry.prose))
    ):
        put("vendor", maker[0], "vendor", maker[1])
    prose_facts(
        rb, entry.repo_id or entry.name, entry.prose, put, scope=f"{entry.scope} / {topics}"
    )
    rb.aliases.extend(a for a in entry.aliases if a != entry.name)
    return rb.build(entry.repo_id)


def _maker_phrase(entry: Entry) -> tuple[str, str] | None:
    """`GPT-4 from OpenAI is ...`, `an LLM trained by Anthropic`: the maker the entry's
    own opening sentences name."""
    return maker_phrase(entry.name, sentences(" ".join(entry.prose))[:2])


def _stated(rb: RecordBuilder, entry: Entry, put: Put) -> None:
    """The entry's own `Key: value` facts or table cells."""
    for f, (value, evidence) in entry.facts.items():
        if f == "vendor":
            put("vendor", sanitize_line(value, 80), "vendor", evidence)
        elif f == "tagline":
            put("tagline", sanitize_line(value), "best-for", evidence)
        elif f == "category":
            put("category", sanitize_line(value, 60), "category", evidence)
        elif f == "license" and (lic := licenses.from_value(value)) is not None:
            put("license", lic, "license", evidence)
            if _CLOSED_NOTE_RE.search(value):
                put("open_weights", False, "closed", evidence)
        elif f == "license" and licenses.custom_restricted(value):
            put("license", License(terms=LicenseTerms.RESTRICTED), "license", evidence)
        elif f in STATED_FACTS:
            put_stated(rb, f, value, evidence, put)
        elif f == "base_model" and _REPO_RE.match(value.strip()):
            put("base_model", value.strip(), "base-model", evidence)


def _scoped(rb: RecordBuilder, entry: Entry, put: Put) -> None:
    """What the headings above an entry say of all their entries (`Open Source`)."""
    scope = entry.scope.lower()
    words = list_words()
    # `Commercial use`, `License terms`: a heading about terms says nothing of availability
    about_tools = " / ".join(p for p in scope.split(" / ") if not _TERMS_HEADING_RE.search(p))
    parts = [p.strip() for p in about_tools.split(" / ")]
    if any(
        re.search(rf"(?<!non-)(?<!non )\b{re.escape(w)}\b", about_tools)
        for w in words["closed_scope"]
    ) or any(p in words["closed_scope_headings"] for p in parts):
        put("open_weights", False, "scope-closed", entry.scope)
        put(
            "license", licenses.License(terms=LicenseTerms.PROPRIETARY), "scope-closed", entry.scope
        )
    elif any(re.search(rf"\b{re.escape(w)}\b", about_tools) for w in words["open_scope"]):
        put("open_weights", True, "scope-open", entry.scope)
