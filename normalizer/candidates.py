"""Scored field candidates: every value with the structure it came from and a score.

Stage 3 of the normalizer for the fields extractors leave empty (and for the context
a model's own name states). Each candidate names its structure (`fact:kv-line`,
`fact:kv-table`, `fact:spec-row`, `name-token`, `sentence`) and carries a score; the best
candidate at or above `THRESHOLD` wins, two different values sharing the top score
leave the field empty (no value beats a wrong one). The score is the claim's confidence
and the evidence is the line, cell or sentence. Weights are set by hand, one per
structure (`SCORES`); `eval/calibration.md` checks that they mean what they say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from normalizer import context as ctx
from normalizer import dates, licenses, params
from normalizer.builder import RecordBuilder
from normalizer.facts import Fact, facts, row_cells, vocabulary
from normalizer.identity import REPO_ID_RE
from normalizer.models import License, LicenseTerms, Parameters
from normalizer.numbers import NUM, to_number
from normalizer.parse import ParsedDocument
from normalizer.regex import compiled

THRESHOLD = 0.5
SCORES = {
    "name-token": 0.95,
    "fact:kv-line": 0.9,
    "fact:kv-table": 0.9,
    "fact:spec-row": 0.85,
    "sentence:model": 0.8,
    "sentence:card": 0.65,
    "tags": 0.8,
    "chat-model": 0.7,
    "news-line": 0.85,
}
PIPELINE_TAGS = {
    "text-generation", "text2text-generation", "fill-mask", "feature-extraction",
    "sentence-similarity", "image-text-to-text", "text-to-image", "text-to-speech",
    "automatic-speech-recognition", "image-classification", "text-classification",
    "token-classification", "translation", "summarization", "question-answering",
    "zero-shot-classification", "image-to-text", "visual-question-answering",
    "text-ranking", "any-to-any", "audio-text-to-text", "video-text-to-text",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    value: Any
    score: float
    method: str
    evidence: str


def choose(cands: list[Candidate]) -> Candidate | None:
    """The best candidate at or above the threshold; a tie between values is no answer."""
    if not cands:
        return None
    top = max(c.score for c in cands)
    if top < THRESHOLD:
        return None
    best = [c for c in cands if c.score == top]
    return best[0] if len({repr(c.value) for c in best}) == 1 else None


def _fact(f: Fact, value: Any) -> Candidate:
    return Candidate(
        value, SCORES[f"fact:{f.structure}"], f"fact:{f.structure}:{f.key}", f.evidence
    )


_COUNT_RE = re.compile(rf"^\s*~?\s*({NUM})\s?(billion|million|trillion|[BMT])\b", re.I)
_ACTIVE_NAME_RE = re.compile(r"(?:^|[-_ .])[aA](\d+(?:\.\d+)?)[bB](?=$|[-_ .])")


def _count(value: str) -> int | None:
    m = _COUNT_RE.match(value)
    if not m:
        return None
    n = to_number(m.group(1), m.group(2))
    return int(round(n)) if n and n >= 1e6 else None


def refine(
    rb: RecordBuilder,
    doc: ParsedDocument,
    names: list[str],
    *,
    single_model: bool,
    tags: list[str] | None = None,
    sentences: list[str] | None = None,
    allow_task: bool = True,
) -> None:
    """Fill what the extractors left empty from facts, name tokens and sentences.

    `names` are the record's names (most canonical first); `single_model` says the document
    is about this model alone (a card), so unscoped facts and sentences are its own.
    """
    found = facts(doc) if single_model else []
    by_field: dict[str, list[Fact]] = {}
    for f in found:
        by_field.setdefault(f.field, []).append(f)
    sents = sentences if sentences is not None else (doc.sentences if single_model else [])
    name_res = [_name_re(n) for n in names if n]
    _release_date(rb, by_field)
    news_line_date(rb, doc, names)
    _vendor(rb, by_field)
    _parameters(rb, doc, by_field, names, sents, name_res, single_model)
    _context(rb, by_field, names)
    _license(rb, by_field, doc)
    _base_model(rb, by_field)
    if allow_task:
        _task(rb, by_field, names, tags or [], doc, single_model)


def _set(rb: RecordBuilder, field: str, best: Candidate | None, *, overwrite: bool = False) -> None:
    if best is not None:
        rb.set(
            field,
            best.value,
            best.method,
            best.evidence,
            confidence=best.score,
            overwrite=overwrite,
        )


@lru_cache(maxsize=4096)
def _name_re(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", name.rsplit("/", 1)[-1]) if p]
    return re.compile(r"(?<![\w.-])" + r"[-_ ]?".join(parts) + r"(?![\w])", re.I)


def _release_date(rb: RecordBuilder, by_field: dict[str, list[Fact]]) -> None:
    if rb.has("release_date"):
        return
    cands = [
        _fact(f, d) for f in by_field.get("release_date", []) if (d := dates.parse_date(f.value))
    ]
    _set(rb, "release_date", choose(cands))


_NEWS_RE = re.compile(
    r"^\W{0,4}(20\d\d)[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?![\d/.-])\W{0,4}\s*(.+)$"
)
_ACTIVE_RELEASE = (
    r"\b(?:releas(?:e|es|ed|ing)|open[- ]?sourc(?:e|es|ed|ing)|launch(?:es|ed)?|"
    r"introduc(?:e|es|ed|ing)|publish(?:es|ed)?|unveil(?:s|ed)?|announc(?:e|es|ed))\b"
    r"(?:[^.;:!?]|(?<=\d)\.(?=\d)){0,40}?(?:(?:[\w.-]+,\s+){1,4}(?:and\s+)?)?"
)
_PASSIVE_RELEASE = (
    r"\s+(?:(?:is|are|has been|have been|was|were)\s+)?(?:now\s+)?"
    r"(?:released|available|open[- ]?sourced|out|launched)\b"
)
_VARIANT_TAIL = r"(?:-(?:chat|instruct|base|it|hf)\b|(?![\w-]))"


_OBJECT_LEAD_RE = re.compile(r"\b(?:for|of|on|with|about|to|from|in|using)\s+(?:the\s+)?$", re.I)


def _releases(rx: re.Pattern[str], text: str) -> bool:
    """The release verb has the model for object, or for subject (`X is now available`,
    not `a tutorial for X is now available`)."""
    for m in rx.finditer(text):
        if m.group("subject") is None or not _OBJECT_LEAD_RE.search(text[: m.start()]):
            return True
    return False


def news_line_date(rb: RecordBuilder, doc: ParsedDocument, names: list[str]) -> None:
    """`- 2024.05.16: We released DeepSeek-V2-Lite.`: a README's dated news line whose
    release verb has this model (by its exact name, not a longer sibling's) for object or
    subject dates it; the earliest such line is the release. A line releasing something
    else that merely names the model (a tutorial, a report, an SDK) does not."""
    if rb.has("release_date") or not names:
        return
    dated = [
        (m, line)
        for block in doc.blocks
        if block.kind in ("item", "paragraph")
        for line in block.text.split("\n")
        if (m := _NEWS_RE.match(line))
    ]
    if not dated:  # most documents have no dated lines: no name pattern is built
        return
    patterns = []
    for n in names:
        if not n:
            continue
        name = _name_re(n).pattern.removesuffix(r"(?![\w])") + _VARIANT_TAIL
        patterns.append(
            compiled(f"{_ACTIVE_RELEASE}{name}|(?P<subject>{name}){_PASSIVE_RELEASE}", re.I)
        )
    found: list[tuple[str, str]] = []
    for m, line in dated:
        if not any(_releases(rx, m.group(4)) for rx in patterns):
            continue
        year, month, day = (int(g) if g else None for g in m.group(1, 2, 3))
        when = dates.valid(year, month, day) if year and month else None
        if when:
            found.append((when, line))
    if found:
        day, line = min(found)
        _set(rb, "release_date", Candidate(day, SCORES["news-line"], "news-line", line[:300]))


def _vendor(rb: RecordBuilder, by_field: dict[str, list[Fact]]) -> None:
    if rb.has("vendor"):
        return
    from normalizer.vendors import vendor_from_text

    cands = []
    for f in by_field.get("vendor", []):
        hit = vendor_from_text(f.value)
        raw = f.value.strip().rstrip(".")
        value = hit[0] if hit else (raw if re.fullmatch(r"[A-Z][\w .&-]{1,40}", raw) else None)
        if value:
            cands.append(_fact(f, value))
    _set(rb, "vendor", choose(cands))


def _parameters(
    rb: RecordBuilder,
    doc: ParsedDocument,
    by_field: dict[str, list[Fact]],
    names: list[str],
    sents: list[str],
    name_res: list[re.Pattern[str]],
    single_model: bool,
) -> None:
    current = rb.values.get("parameters")
    total = current.total if current else None
    active = current.active if current else None
    if total is None:
        cands = [
            _fact(f, v)
            for f in by_field.get("params_total", [])
            if (v := _count(f.value)) and _row_is_this_size(f, names)
        ]
        for f in row_cells(doc, names, "params_total"):  # `| GLM-4.5-Air | 106B-A12B |`
            hit = params.from_name(f.value.replace(" ", ""))
            if not (hit and hit.total) and (count := _count(f.value)) is not None:
                cands.append(_fact(f, count))  # `110 million` (the unit was in the header)
                continue
            if hit and hit.total:
                cands.append(_fact(f, hit.total))
                if hit.active and active is None:
                    active = hit.active
        best = choose(cands)
        if best:
            total = best.value
            rb.set("parameters", Parameters(total=total, active=active), best.method, best.evidence,
                   confidence=best.score, overwrite=True)  # fmt: skip
    if active is not None:
        return
    cands = [_fact(f, v) for f in by_field.get("params_active", []) if (v := _count(f.value))]
    totals: list[Candidate] = []
    for n in names:
        m = _ACTIVE_NAME_RE.search(n.rsplit("/", 1)[-1])
        if m:
            cands.append(
                Candidate(int(float(m.group(1)) * 1e9), SCORES["name-token"], "name-token", n)
            )
    for s in sents:
        value = params.active_from_sentence(s)
        if not value or _COMPARISON_RE.search(s):
            continue  # `comparable to DeepSeek R1, a 671B model (with 37B activated)`
        if any(r.search(s) for r in name_res) or re.search(r"\b(?:this|the) model\b", s, re.I):
            score = SCORES["sentence:model"]
        elif single_model:
            score = SCORES["sentence:card"]
        else:
            continue
        cands.append(Candidate(value, score, "sentence:active", s[:300]))
        if total is None:  # `132B total parameters of which 36B are active`
            rest = params.from_sentence(params.ACTIVE_RE.sub(" ", s))
            if rest and rest.total and rest.total > value:
                totals.append(Candidate(rest.total, score, "sentence:total", s[:300]))
    best = choose(cands)
    if total is None and best is not None:
        found = choose([t for t in totals if t.evidence == best.evidence])
        total = found.value if found else None
    if best is None or (total is not None and best.value >= total):
        return
    rb.set("parameters", Parameters(total=total, active=best.value), best.method, best.evidence,
           confidence=best.score, overwrite=True)  # fmt: skip


_COMPARISON_RE = re.compile(
    r"\b(?:than|compared|comparable|versus|vs\.?|outperform\w*|rival\w*|match(?:es|ing)?|like)\b",
    re.I,
)
_SIZE_TOKEN_RE = re.compile(r"(?:^|[-_ :.])(\d+(?:\.\d+)?)([bBmM])(?=$|[-_ .)])")


def _row_is_this_size(f: Fact, names: list[str]) -> bool:
    """A spec row labelled with a size (`smollm2:135M-Q4`) is that variant's: its value is
    the model's only when the model's name carries the same size."""
    if f.structure != "spec-row":
        return True
    row_sizes = {m.group(0).strip("-_ :.").lower() for m in _SIZE_TOKEN_RE.finditer(f.row_label)}
    if not row_sizes:
        return True
    name_sizes = {
        m.group(0).strip("-_ :.").lower() for n in names for m in _SIZE_TOKEN_RE.finditer(n)
    }
    return bool(row_sizes & name_sizes)


def _context(rb: RecordBuilder, by_field: dict[str, list[Fact]], names: list[str]) -> None:
    """A context in the model's own name (`-200K`) beats a smaller number from elsewhere."""
    for n in names:
        value = ctx.window_of_name(n.rsplit("/", 1)[-1])
        if value:
            current = rb.values.get("context_length")
            if current is None or current < value:
                rb.set("context_length", value, "name-token", n, confidence=SCORES["name-token"],
                       overwrite=True)  # fmt: skip
            return
    if rb.has("context_length"):
        return
    cands = [
        _fact(f, v) for f in by_field.get("context_length", []) if (v := ctx.from_cell(f.value))
    ]
    _set(rb, "context_length", choose(cands))


def _license(rb: RecordBuilder, by_field: dict[str, list[Fact]], doc: ParsedDocument) -> None:
    if rb.has("license"):
        return
    cands = []
    for f in by_field.get("license", []):
        stated = licenses.from_value(f.value)  # `License: MIT`, `| License | Apache 2.0 |`
        if stated is not None and stated.id:
            cands.append(_fact(f, stated))
            continue
        link = next((lk.url for lk in doc.links if lk.text and lk.text in f.value), None)
        lid = licenses.from_link(link) if link else None
        if lid:
            cands.append(_fact(f, licenses.make_license(lid)))
            continue
        terms = _terms_from_words(f.value) or (stated.terms if stated else None)
        if terms:
            cands.append(_fact(f, License(terms=terms)))
    _set(rb, "license", choose(cands))


_NC_WORDS = re.compile(r"non[- ]?commercial|research[- ]only|\bresearch (?:use )?licen[cs]e", re.I)


def _terms_from_words(value: str) -> LicenseTerms | None:
    if _NC_WORDS.search(value):
        return LicenseTerms.NON_COMMERCIAL
    return None


def _base_model(rb: RecordBuilder, by_field: dict[str, list[Fact]]) -> None:
    if rb.has("base_model"):
        return
    cands = [
        _fact(f, f.value.strip().split()[0])
        for f in by_field.get("base_model", [])
        if f.value.strip() and REPO_ID_RE.match(f.value.strip().split()[0])
    ]
    _set(rb, "base_model", choose(cands))


def _task(
    rb: RecordBuilder,
    by_field: dict[str, list[Fact]],
    names: list[str],
    tags: list[str],
    doc: ParsedDocument,
    single_model: bool,
) -> None:
    if rb.has("task") or not single_model:
        return
    cands = [_fact(f, f.value.strip().lower()) for f in by_field.get("task", [])
             if f.value.strip().lower() in PIPELINE_TAGS]  # fmt: skip
    words = vocabulary()["task"]
    low_tags = {t.lower() for t in tags}
    name_tokens = {t for n in names for t in re.split(r"[-_ ./]+", n.lower()) if t}
    not_text = name_tokens & set(words["not_text"]) or low_tags & set(words["not_text"])
    if not not_text:
        if "text-generation" in low_tags or "conversational" in low_tags:
            tag = "text-generation" if "text-generation" in low_tags else "conversational"
            cands.append(Candidate("text-generation", SCORES["tags"], "tags", f"tag: {tag}"))
        elif name_tokens & set(words["chat_names"]):
            intro = " ".join(b.text for b in doc.blocks[:12]).lower()
            cue = next(
                (w for w in words["llm_words"] if compiled(rf"\b{re.escape(w)}\b").search(intro)),
                None,
            )
            if cue and not any(
                compiled(rf"\b{re.escape(w)}\b").search(intro) for w in words["not_text"]
            ):
                cands.append(Candidate("text-generation", SCORES["chat-model"], "chat-model", cue))
    _set(rb, "task", choose(cands))
