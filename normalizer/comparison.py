"""Third-party comparison pages ("A vs B"): one record per tool the page describes.

Such a page is plain prose (or light Markdown) describing two or more tools side by
side; per tool a name, a one-line best-for, a paragraph stating maker, license, sizes
and availability, a category and pricing. It is detected from its content (a title or
first line naming tools joined by "vs"/"versus"/"compared to"), whatever kind it was
filed as. Each tool's facts come only from its own section; every value is a
third-party statement, so confidences stay below the vendor's own documents'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from normalizer import candidates, dates, licenses, params
from normalizer import context as ctx
from normalizer.builder import RecordBuilder
from normalizer.facts import page_key_field, vocabulary
from normalizer.models import License, LicenseTerms, Parameters, ToolRecord
from normalizer.parse import ParsedDocument
from normalizer.text import sanitize_line, sentences
from normalizer.vendors import maker_phrase, vendor_for_family

METHOD = "comparison"
CONFIDENCE = 0.6
_VS_RE = re.compile(r"\s+(?:vs\.?|v/s|versus|compared (?:to|with))\s+", re.I)
_TRAIL_RE = re.compile(r"\s*(?:[:|–—(]|\s-\s).*$")
_CLOSED_RE = re.compile(
    r"\bAPI[- ]only\b|\bonly (?:available )?(?:via|through) (?:an? |the |its )?API\b|"
    r"\bclosed[- ](?:weights?|source|model)\b|\bweights (?:are|is) not (?:released|available|public)\b|"
    r"\bproprietary\b|\bnot open[- ]weights?\b",
    re.I,
)
_LLM_RE = re.compile(
    r"\blanguage models?\b|\bLLMs?\b|\bchat(?:bot)? models?\b|\bchat assistant", re.I
)
_CALLED_LLM_RE = re.compile(
    r"^.{1,60}?\b(?:is|was)\s+(?:the|a|an|our)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:LLM|large language model|language model|(?:AI )?chatbot|chat model)\b",
    re.I,
)
_MODAL_RE = re.compile(
    r"\bimages?\b|\bvision\b|\bvisual\b|\baudio\b|\bspeech\b|\bvideo\b|multi-?modal|\bembedding",
    re.I,
)
Put = Callable[[str, object, str, "str | None"], None]
_RELEASED_RE = re.compile(r"\b(?:released|launched|announced|introduced|debuted|unveiled)\b", re.I)


@dataclass
class Section:
    name: str
    lines: list[str] = field(default_factory=list)


def tool_names(title: str | None) -> list[str]:
    """`Mixtral 8x22B vs Mistral Small 3: which to pick` -> the two names."""
    if not title or not _VS_RE.search(title):
        return []
    split = _VS_RE.split(title)
    # `Stop Guessing: Claude vs Gemini`: the first name starts after the lead's colon
    split[0] = re.split(r"[:：|–—]\s+", split[0])[-1]
    parts = [_TRAIL_RE.sub("", p).strip(" *#`\"'") for p in split]
    parts = [re.sub(r"^(?:comparing|comparison:?|compare)\s+", "", p, flags=re.I) for p in parts]
    names = [p for p in parts if 2 <= len(p) <= 60 and re.search(r"[A-Za-z]", p)]
    return names if len(names) >= 2 else []


def trimmed_names(names: list[str], body: str) -> list[str]:
    """Title words around a name that the page never uses with it (`Gemini 2026
    Competitive Audit`): the longest leading part of the last name (trailing part of the
    first) that the body uses about as often as its shortest form."""
    out = list(names)
    for i, name in enumerate(names):
        words = name.split()
        if len(words) < 2 or i not in (0, len(names) - 1):
            continue
        forms = [" ".join(words[:k] if i else words[-k:]) for k in range(1, len(words) + 1)]
        counts = [len(re.findall(rf"(?<![\w-]){re.escape(f)}(?![\w-])", body, re.I)) for f in forms]
        if counts[-1] >= 2 or counts[0] < 2:
            continue  # the whole name is the page's, or no form of it is
        best = max(k for k, c in enumerate(counts) if c >= max(2, counts[0] // 2))
        out[i] = forms[best]
    return out


def page_title(doc: ParsedDocument, front_title: str | None) -> str | None:
    if front_title and _VS_RE.search(front_title):
        return front_title
    title = doc.title
    if title and _VS_RE.search(title):
        return title
    first = doc.blocks[0].text.split("\n", 1)[0] if doc.blocks else ""
    return first if _VS_RE.search(first) and len(first) <= 120 else None


def sections(doc: ParsedDocument, names: list[str], title: str) -> list[Section]:
    """Each tool's lines: from a short line (or heading) that starts with its name up to
    the next tool's. Lines before the first section belong to no tool."""
    out = {n: Section(n) for n in names}
    starts = [(n, re.compile(rf"^(?:\d+[.)]\s*)?(?:the\s+)?{re.escape(n)}\b", re.I)) for n in names]
    current: Section | None = None
    for block in doc.blocks:
        for line in block.text.split("\n"):
            if line == title:
                continue
            head = next(
                (n for n, rx in starts if rx.match(line) and (len(line) <= len(n) + 40)), None
            )
            starts_tool = block.kind == "heading" or len(line) <= len(head or "") + 40
            if head and starts_tool and (block.kind == "heading" or current is not out[head]):
                current = out[head]
                continue  # (a short line about the tool whose section this is stays in it)
            if current is not None:
                current.lines.append(line)
    return [s for s in out.values() if s.lines]


def records(
    doc: ParsedDocument,
    front_title: str | None,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    scope: str = "",
) -> list[ToolRecord] | None:
    """The page's tools as records, or None when the document is not a comparison page
    (`scope`: what the page says of itself, its tags and description)."""
    title = page_title(doc, front_title)
    names = tool_names(title)
    if not title or not names:
        return None
    names = trimmed_names(names, doc.plain)
    found = sections(doc, names, title)
    if len(found) < 2:
        return None
    stated = column_lines(doc, [s.name for s in found])
    versioned = versioned_names(doc, [s.name for s in found])
    for s in found:
        s.lines[:0] = stated.get(s.name, [])
        s.name = versioned.get(s.name, s.name)
    return [_record(s, source_url, observed_at, scope=scope) for s in found]


def _same_tool(cell: str, name: str) -> bool:
    c, n = (re.sub(r"[^a-z0-9]", "", x.lower()) for x in (cell, name))
    return bool(c) and (c == n or c.startswith(n))


def versioned_names(doc: ParsedDocument, names: list[str]) -> dict[str, str]:
    """`Claude vs GPT` over a table with a column per `Claude 3.5 Sonnet` and `GPT-4.5`:
    the page compares those models, and the title names only their families. A title
    name that already carries a version is kept."""
    out: dict[str, str] = {}
    for table in doc.tables:
        for head in table.header[1:]:
            cell = head.strip(" *_`")
            for n in names:
                if (
                    not re.search(r"\d", n)
                    and re.search(r"\d", cell)
                    and len(cell) <= 60
                    and _same_tool(cell, n)
                    and len(cell) > len(n)
                ):
                    out.setdefault(n, cell)
    return out if len(out) == len(names) else {}


_MAKER_HEADING_RE = re.compile(r"^(.{2,40}?)\s*\(([^()]{2,60})\)\s*$")


def column_lines(doc: ParsedDocument, names: list[str]) -> dict[str, list[str]]:
    """`Key: value` lines per tool from a table with a column per tool (`| Feature |
    ChatGPT | Claude |`, a row per fact) and from `Maker (Tool)` headings."""
    out: dict[str, list[str]] = {n: [] for n in names}
    for table in doc.tables:
        cols = {}
        for i, head in enumerate(table.header[1:], start=1):
            tool = next((n for n in names if _same_tool(head, n)), None)
            if tool:
                cols[i] = tool
        if len(set(cols.values())) < 2:
            continue
        for row in table.rows:
            key = row[0].strip(" *_") if row else ""
            if not key or ":" in key:
                continue
            for i, tool in cols.items():
                if i < len(row) and row[i].strip():
                    out[tool].append(f"{key}: {row[i].strip()}")
    for h in doc.headings:
        m = _MAKER_HEADING_RE.match(h.text)
        tool = next((n for n in names if m and _same_tool(m.group(2), n)), None)
        if m and tool and not any(_same_tool(m.group(1), n) for n in names):
            out[tool].append(f"Maker: {m.group(1).strip()}")
    return out


STATED_FACTS = frozenset(
    {"params_total", "params_active", "context_length", "release_date", "open_weights"}
)
"""The model facts a page's `Key: value` line or table cell states of one tool."""
SIZE_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?([BMT])\b")
_GUESS_RE = re.compile(r"\bestimat|\brumou?red\b|\breportedly\b|\bspeculat", re.I)
_ESTIMATE_RE = re.compile(rf"^\s*[~≈<>]|\bapprox|{_GUESS_RE.pattern}", re.I)
_YES_RE = re.compile(r"^(?:yes|✅|✓|✔️?|true)(?!\w)", re.I)
_NO_RE = re.compile(r"^(?:no|❌|✗|✘|false)(?!\w)", re.I)


def sizes(value: str) -> list[str]:
    """`7B, 13B` -> ["7B", "13B"]: the sizes a cell states."""
    return [f"{n}{u}" for n, u in SIZE_RE.findall(value)]


def put_stated(rb: RecordBuilder, field_name: str, value: str, evidence: str, put: Put) -> None:
    """One stated model fact (`Context Window: 200K`, a `Parameters` cell, `Open
    Weights: ❌`). An estimate (`~300B (estimated)`) is no stated count."""
    value = value.strip().strip("*_`").strip()
    if field_name in ("params_total", "params_active"):
        found = sizes(value)
        count = params.from_name(found[0]) if found and not _ESTIMATE_RE.search(value) else None
        if count and count.total:
            kind = "total" if field_name == "params_total" else "active"
            put("parameters", Parameters(**{kind: count.total}), "parameters", evidence)
    elif field_name == "context_length" and (hit := ctx.from_sentence(f"context length: {value}")):
        put("context_length", hit.value, "context", evidence)
    elif field_name == "release_date" and (day := dates.parse_loose(value)):
        put("release_date", day, "release-date", evidence)
    elif field_name == "open_weights" and _YES_RE.match(value):
        put("open_weights", True, "open-weights", evidence)
    elif field_name == "open_weights" and _NO_RE.match(value):
        put("open_weights", False, "closed", evidence)
        if not rb.has("license"):
            put("license", License(terms=LicenseTerms.PROPRIETARY), "closed", evidence)


def putter(rb: RecordBuilder) -> Put:
    """`put(field, value, how, evidence)`: a third-party value, at the pages' confidence."""

    def put(field_name: str, value: object, how: str, evidence: str | None) -> None:
        rb.set(field_name, value, f"{METHOD}:{how}", evidence, confidence=CONFIDENCE)

    return put


def _record(
    section: Section, source_url: str | None, observed_at: datetime | None, *, scope: str = ""
) -> ToolRecord:
    rb = RecordBuilder(section.name, source_url, observed_at)
    put = putter(rb)
    for line in section.lines:  # `Best for: …`, `License: …`, `Category: …`
        key, _, value = line.partition(":")
        if not value.strip():
            continue
        stated = page_key_field(key)
        if stated == "tagline":
            put("tagline", sanitize_line(value), "best-for", line)
        elif stated == "category":
            put("category", sanitize_line(value, 60), "category", line)
        elif stated == "license" and (lic := licenses.from_value(value)):
            put("license", lic, "license", line)
        elif stated == "vendor" and re.fullmatch(r"[A-Z][\w .&'-]{1,40}", value.strip()):
            put("vendor", value.strip(), "vendor", line)
        elif stated in STATED_FACTS:
            put_stated(rb, stated, value, line, put)
    # a maker the section states of the tool, else the family's: the first company a
    # section mentions is as often a rival's (`Google-proof questions`)
    maker = maker_phrase(section.name, sentences(" ".join(section.lines)), 3) or vendor_for_family(
        section.name
    )
    if maker:
        put("vendor", maker[0], "vendor", maker[1])
    prose_facts(rb, section.name, section.lines, put, scope=scope)
    return rb.build(None)


def prose_facts(
    rb: RecordBuilder, name: str, lines: list[str], put: Put, *, scope: str = ""
) -> None:
    """What a tool's own paragraphs state: licenses named, availability, sizes, context,
    release date, and an LLM's task (`scope`: the headings above the tool, for the task)."""
    sents = sentences("\n".join(lines))
    text = " ".join(lines)
    for s in sents:
        found = licenses.mentions(s)
        if found and not rb.has("license"):
            put("license", licenses.make_license(found[0][1]), "license", s)
        elif not rb.has("license") and licenses.custom_restricted(s):
            put("license", License(terms=LicenseTerms.RESTRICTED), "license", s)
    _availability(rb, sents, put)
    total = params.from_name(name)
    active = total.active if total else None
    total_v = total.total if total else None
    for s in sents:
        if _GUESS_RE.search(s):
            continue  # `~1.8T (estimated)`: a third party's guess is no stated count
        hit = params.from_sentence(params.ACTIVE_RE.sub(" ", s))
        total_v = total_v or (hit.total if hit else None)
        active = active or params.active_from_sentence(s)
    if total_v or active:
        if active and total_v and active >= total_v:
            active = None
        put("parameters", Parameters(total=total_v, active=active), "parameters", text[:300])
    for s in sents:
        hit = ctx.from_sentence(s)
        if hit:
            put("context_length", hit.value, "context", s)
            break
    for s in sents:
        if _RELEASED_RE.search(s) and (d := dates.parse_date(s)):
            put("release_date", d, "release-date", s)
            break
    llm = _LLM_RE.search(f"{scope} {text}")
    called = next(
        (s for s in sents if s.lower().startswith(name.lower()) and _CALLED_LLM_RE.match(s)), None
    )
    if called and not _MODAL_RE.search(name):
        # `GPT-4o is the latest LLM launched by OpenAI`: what the page calls the tool,
        # whatever else it says the tool can read (images, voice)
        put("task", "text-generation", "llm", called)
    elif llm and not _MODAL_RE.search(f"{scope} {text}"):
        put("task", "text-generation", "llm", llm.group(0))
    elif (page := _LLM_RE.search(scope)) and not _MODAL_RE.search(f"{scope} {name}"):
        put("task", "text-generation", "page-llm", page.group(0))  # a page about LLMs
    candidates.refine(rb, ParsedDocument(), [name], single_model=False, sentences=sents,
                      allow_task=False)  # fmt: skip
    rb.warnings.append("third-party comparison page: lowest-rank source")


def _availability(rb: RecordBuilder, sents: list[str], put: Put) -> None:
    phrases = [p.lower() for p in vocabulary()["open_weights"]["phrases"]]
    for s in sents:
        low = s.lower()
        if _CLOSED_RE.search(s):
            put("open_weights", False, "closed", s)
            if not rb.has("license"):
                put("license", License(terms=LicenseTerms.PROPRIETARY), "closed", s)
            return
        if any(p in low for p in phrases) or re.search(r"\b(?:on|from) hugging ?face\b", low):
            put("open_weights", True, "open-weights", s)
            return
