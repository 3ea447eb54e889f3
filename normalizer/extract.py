"""Field extraction from a document's text for ONE named model (cards and posts share it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from normalizer import context as ctx
from normalizer import dates, licenses, params
from normalizer.builder import RecordBuilder
from normalizer.identity import family_of, repo_id_from_url
from normalizer.models import BaseModelRelation, LinkType
from normalizer.tables import lookup
from normalizer.text import Doc, inline_to_text, sanitize_line, strip_code


@dataclass
class ModelRef:
    """How a document may refer to the model a record is about."""

    name: str
    repo_id: str | None = None
    extra_names: tuple[str, ...] = ()

    @property
    def org(self) -> str | None:
        return self.repo_id.split("/", 1)[0] if self.repo_id and "/" in self.repo_id else None

    def names(self) -> list[str]:
        out = [self.name, *self.extra_names]
        if self.repo_id:
            out.append(self.repo_id.rsplit("/", 1)[-1])
        # the card's prose names the model without its repo's date stamp
        # (`cohere-transcribe-arabic-07-2026` is `Cohere Transcribe Arabic`)
        out += [u for n in out if n and (u := _STAMP_TAIL_RE.sub("", n)) != n and len(u) >= 3]
        seen: list[str] = []
        for n in out:
            if n and n not in seen:
                seen.append(n)
        return seen

    def name_re(self) -> re.Pattern[str]:
        """Exact mention: `Yi-34B` matches `Yi 34B` but not `Yi-34B-200K`."""
        return _names_re(tuple(self.names()))

    def size_keys(self) -> list[str]:
        """Size tokens of the name (`8B`, `0.5B`) for table row matching."""
        keys: list[str] = []
        for n in self.names():
            for m in re.finditer(r"(?:^|[-_ ])(\d+(?:\.\d+)?[bBmM])(?=$|[-_ ])", n):
                keys.append(m.group(1).upper())
        return keys


_STAMP_TAIL_RE = re.compile(
    r"[-_](?:(?:0[1-9]|1[0-2])[-_](?:20)?2\d|(?:20)?2[2-9](?:0[1-9]|1[0-2])|20\d\d[-_]?\d\d[-_]?\d\d)$"
)


@lru_cache(maxsize=4096)
def _names_re(names: tuple[str, ...]) -> re.Pattern[str]:
    alts = []
    for n in names:
        parts = [re.escape(p) for p in re.split(r"[-_ ]+", n) if p]
        if parts:
            alts.append(r"[-_ ]?".join(parts))
    body = "|".join(sorted(alts, key=len, reverse=True)) or r"(?!x)x"
    return re.compile(rf"(?<![\w.-])(?:{body})(?![\w]|[-.]\w)", re.I)


# ---------------------------------------------------------------- license


def license_into(rb: RecordBuilder, doc: Doc, *, sentences: Iterable[str] | None = None) -> None:
    if rb.has("license"):
        return
    hit = licenses.find_in_sentences(list(sentences if sentences is not None else doc.sentences))
    if hit:
        lic = hit.license
        url = _license_link(doc)
        if url and lic.url is None:
            lic = lic.model_copy(update={"url": url})
        rb.set("license", lic, "text:license", hit.evidence, confidence=0.8)
        if lic.url:
            rb.add_link(LinkType.LICENSE, lic.url)


def _license_link(doc: Doc) -> str | None:
    for text, url in doc.links:
        if re.search(r"licen[cs]e", text + " " + url, re.I) and url.startswith("http"):
            return url
    return None


# ---------------------------------------------------------------- params


def params_into(
    rb: RecordBuilder,
    ref: ModelRef,
    doc: Doc | None,
    *,
    name_first: bool = True,
    sentences: list[str] | None = None,
) -> None:
    """Parameter counts: key-value text > unambiguous name > prose naming the model."""
    if rb.has("parameters"):
        return
    from normalizer.models import Parameters

    sents = sentences if sentences is not None else (doc.sentences if doc else [])
    if sentences is None and doc is not None:
        sents = sents + spec_kv_sentences(doc)
    name_hit = None
    for n in ref.names():
        name_hit = params.from_name(n)
        if name_hit:
            break
    kv_hit = None
    prose_hit = None
    name_re = ref.name_re()
    for s in sents:
        hit = params.from_sentence(s)
        if not hit:
            continue
        if hit.method == "text:key-value":
            kv_hit = kv_hit or hit
        elif prose_hit is None and (
            name_re.search(s) or re.search(r"\bthis (?:model|repo)", s, re.I)
        ):
            prose_hit = hit
    order = [kv_hit, name_hit, prose_hit] if name_first else [kv_hit, prose_hit, name_hit]
    chosen = next((h for h in order if h is not None), None)
    if chosen is None:
        return
    active = chosen.active
    if active is None and name_hit and name_hit.active:
        active = name_hit.active
    method = "name" if chosen is name_hit else chosen.method
    rb.set("parameters", Parameters(total=chosen.total, active=active), method, chosen.evidence)


_KV_PARAM_KEY_RE = re.compile(
    r"^(?:total\s+)?(?:n\s?params|n\s?parameters|param(?:eter)?s|number of param(?:eter)?s)$", re.I
)
_KV_CTX_KEYS = {
    "nctx": "Context length",
    "npositions": "Context length",
    "maxpositionembeddings": "Context length",
}


def _kv_key(cell: str) -> str:
    """`\\(n_{ctx}\\)` -> `n ctx`; `Max Seq Length` stays."""
    key = re.sub(r"\\[()\[\]]|[{}()\\$*`]", "", cell).replace("_", " ")
    return re.sub(r"\s+", " ", key).strip()


def spec_kv_sentences(doc: Doc) -> list[str]:
    """`key: value` lines from two-column architecture tables (`Hyperparameter | Value`).
    Only a table that also states the parameter count counts: a training-hyperparameter
    table of a fine-tune (`max_seq_length | 2048`) says nothing about the model's window."""
    out: list[str] = []
    for table in doc.tables:
        rows = [r for r in table if len(r) == 2]
        if len(rows) < 3 or len(rows) != len(table):
            continue
        keys = [_kv_key(r[0]) for r in rows]
        if not any(_KV_PARAM_KEY_RE.match(k) for k in keys):
            continue
        for key, (_, value) in zip(keys, rows, strict=True):
            compact = re.sub(r"[^a-z]", "", key.lower())
            if _KV_PARAM_KEY_RE.match(key):
                key = "Parameters"
            key = _KV_CTX_KEYS.get(compact, key)
            out.append(f"{key}: {value.strip()}")
    return out


# ---------------------------------------------------------------- context


def context_into(
    rb: RecordBuilder, ref: ModelRef, doc: Doc, *, sentences: list[str] | None = None
) -> None:
    if rb.has("context_length"):
        return
    sents = sentences if sentences is not None else doc.sentences + spec_kv_sentences(doc)
    best: ctx.ContextHit | None = None
    for s in sents:
        hit = ctx.from_sentence(s)
        if hit and (best is None or hit.rank < best.rank):
            best = hit
            if hit.rank == 0:
                break
    if best is not None:
        rb.set("context_length", best.value, best.method, best.evidence)
        return
    cell = lookup(doc.tables, ctx.TABLE_HEADERS, ctx.from_cell, ref.names() + ref.size_keys())
    if cell:
        rb.set("context_length", cell.value, "table", cell.evidence, confidence=0.9)
        return
    if (uniform := _uniform_row(doc.tables, ctx.TABLE_HEADERS, ctx.from_cell)) is not None:
        rb.set("context_length", uniform[0], "table:all-columns", uniform[1], confidence=0.8)


def _uniform_row(
    tables: list[list[list[str]]], header: re.Pattern[str], parse: Callable[[str], int | None]
) -> tuple[int, str] | None:
    """A family spec table (a column per model) whose row for the field holds one value
    in every column: whichever column is the card's, that is its value."""
    for table in tables:
        for row in table[1:]:
            if len(row) < 3 or not header.search(row[0].strip()):
                continue
            values = [parse(c) for c in row[1:] if c.strip()]
            if len(values) >= 2 and None not in values and len(set(values)) == 1:
                return values[0], " | ".join(row)[:200]
    return None


# ---------------------------------------------------------------- dates


def release_date_into(rb: RecordBuilder, ref: ModelRef, doc: Doc) -> None:
    if rb.has("release_date"):
        return
    name_re = ref.name_re()
    for s in doc.sentences:
        hit = dates.from_release_statement(s)
        if hit and (dates.is_release_key(s) or name_re.search(s)):
            rb.set("release_date", hit.value, hit.method, hit.evidence)
            return
    if hit := _release_heading_date(doc):
        rb.set("release_date", hit[0], "text:release-heading", hit[1], confidence=0.85)
        return
    group_hits: list[dates.DateHit] = []
    variant = _variant_of(ref)
    for line in doc.plain.splitlines():
        hit = dates.from_news_line(line)
        if hit and name_re.search(line):
            rb.set("release_date", hit.value, hit.method, hit.evidence, confidence=0.8)
            return
        if hit and variant and _news_subject_is_group(line, variant):
            group_hits.append(hit)
    # `2023-11-23: Chat models are open-sourced` on the card of a chat model: the one news
    # line whose subject is the model's variant group dates it
    if len({h.value for h in group_hits}) == 1:
        h = group_hits[0]
        rb.set("release_date", h.value, h.method, h.evidence, confidence=0.7)
        return
    for s in doc.sentences:
        if not name_re.search(s):
            continue
        hit = dates.from_released_on(s)
        if hit:
            rb.set("release_date", hit.value, hit.method, hit.evidence, confidence=0.8)
            return


_RELEASE_HEADING_RE = re.compile(r"^(?:model\s+)?release\s+date\s*:?\s*$", re.I)


def _release_heading_date(doc: Doc) -> tuple[str, str] | None:
    """`### Release Date:` then `* Huggingface: 12/19/2025`: the date the section opens with."""
    parsed = doc.parsed
    for k, h in enumerate(parsed.headings):
        if not _RELEASE_HEADING_RE.match(h.text):
            continue
        under = [b for b in parsed.blocks if b.section == k and b.kind != "heading"][:3]
        for b in under:
            if day := dates.parse_date(b.text):
                return day, f"{h.text} {b.text}"[:300]
    return None


def _variant_of(ref: ModelRef) -> str | None:
    """`chat` / `instruct` / `base` when the model's own name says so (`Yi-34B-Chat`)."""
    short = (ref.repo_id or ref.name).rsplit("/", 1)[-1]
    m = re.search(r"(?:^|[-_ ])(chat|instruct|base)(?=$|[-_ ])", short, re.I)
    return m.group(1).lower() if m else None


def _news_subject_is_group(line: str, variant: str) -> bool:
    """The news entry (after its date) starts with `<Variant> models` / `The <variant> models`."""
    m = re.match(
        r"^\W{0,8}(?:\[|\*\*|<b>)?\s*20\d\d[-/.]\d{1,2}(?:[-/.]\d{1,2})?\s*(?:\]|\*\*|</b>)?\s*[:：\-–—]?\s*(.*)$",
        line.strip().lstrip("🎯🔥🔔📣🚀⭐💥✨ *-[]"),
    )
    if not m:
        return False
    return bool(re.match(rf"(?:the\s+|our\s+)?{variant}\s+models\b", m.group(1).strip(), re.I))


# ---------------------------------------------------------------- base model

_BASE_TRIGGER_RE = re.compile(
    r"(?:\bbased on|\bfine-?tuned (?:version |model )?(?:of|from)|\bfinetuned (?:version |model )?(?:of|from)|"
    r"\bfine-?tuned from model\s*:|\bfinetuned from model\s*:|\bstarting from|\binitiali[sz]ed (?:from|with)|"
    r"\bused the pretrained|\buse the pretrained|\bbuilt (?:up)?on (?:top of )?|\b(?:fine-?tuned|trained) on top of|"
    r"\bcontinued pre-?training (?:of|on|from)|\btrained from(?! scratch)|\bdistilled from|\bquantized (?:version )?(?:of|from)|"
    r"\bquantisation of|\bquantization of|\bconverted from|\bderived from|\bbase model\s*:)",
    re.I,
)
_DESIGN_RE = re.compile(
    r"\s*(?:\S+\s+)?\b(?:architecture|design|implementation|code ?base)\b", re.I
)
_PREDECESSOR_RE = re.compile(
    r"\b(?:improv\w*|updated?|new(?:er)?|successor|previous|upgrade\w*)\b[^.]{0,40}$", re.I
)
_HF_LINK_RE = re.compile(
    r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?(https?://(?:www\.)?(?:huggingface\.co|hf\.co)/[^)\s>]+)>?\s*\)"
    r"|<a\b[^>]*?href=[\"'](https?://(?:www\.)?(?:huggingface\.co|hf\.co)/[^\"']+)[\"']"
    r"|(https?://(?:www\.)?(?:huggingface\.co|hf\.co)/[^\s)\]>\"']+)",
    re.I,
)
_BARE_NAME_RE = re.compile(
    r"\s*(?:the\s+)?(?:pretrained\s+)?`?((?:[A-Za-z0-9][\w.-]*/)?[A-Za-z][\w.]*-[\w.-]*\d[\w.-]*)`?"
)


def base_from_text(
    markup: str, ref: ModelRef, accept: Callable[[str], bool] | None = None
) -> tuple[str, str, BaseModelRelation] | None:
    """(repo id, evidence, relation) when the text states what this model was built from;
    `accept` passes over statements whose base it refuses (a sibling's, on a family card)."""
    return next((c for c in _base_statements(markup, ref) if accept is None or accept(c[0])), None)


def _base_statements(markup: str, ref: ModelRef) -> Iterator[tuple[str, str, BaseModelRelation]]:
    text = strip_code(markup)
    name_re = ref.name_re()
    for m in _BASE_TRIGGER_RE.finditer(text):
        lead = text[max(0, m.start() - 60) : m.start()]
        if _PREDECESSOR_RE.search(lead):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if line.count("|") >= 2:
            continue  # a table cell describes some row's model, not necessarily this one
        sent_start = max(text.rfind(". ", 0, m.start()) + 1, line_start)
        subject = text[sent_start : m.start()]
        window = text[m.end() : m.end() + 140]
        window = re.split(r"(?<=[.!?])\s|\n\s*\n", window, maxsplit=1)[0]
        evidence = inline_to_text(text[max(0, m.start() - 80) : m.end() + len(window)])
        trigger = m.group(0).lower()
        relation = (
            BaseModelRelation.QUANTIZED if "quanti" in trigger else BaseModelRelation.FINETUNE
        )
        link = _HF_LINK_RE.search(window)
        if link and link.start() <= 25 and not re.search(r"[,;:.]\s", window[: link.start()]):
            url = link.group(2) or link.group(3) or link.group(4)
            rid = repo_id_from_url(url)
            anchor = link.group(1) or ""
            if _DESIGN_RE.search(anchor) or _DESIGN_RE.match(window[link.end() :]):
                continue  # `based on the [X architecture](…)`: a design, not the base weights
            if rid and "/" in rid and rid.lower() != (ref.repo_id or "").lower():
                yield rid, evidence, relation
            continue
        bare = _BARE_NAME_RE.match(window)
        about_this = bool(name_re.search(subject)) or bool(
            re.search(
                r"\b(?:this|our|the)\s+(?:\w+\s+){0,2}(?:model|checkpoint|repo\w*|version)\b|^\s*(?:it|we)\b",
                subject,
                re.I,
            )
        )
        if bare and about_this:
            token = bare.group(1).rstrip(".,;:")
            if "/" in token:
                if token.lower() != (ref.repo_id or "").lower():
                    yield token, evidence, relation
                continue
            same_line = family_of(token).split("-")[0] == family_of(ref.name).split("-")[0]
            if ref.org and same_line and token.lower() != ref.name.lower():
                yield f"{ref.org}/{token}", evidence, relation
                continue
            # another maker's model named bare (`trained from deepseek-coder-33b-base`): its
            # org is unknown, so the name as written (sized, hyphenated: a model name)
            if (
                not same_line
                and re.search(r"(?:^|[-_])\d+(?:\.\d+)?[bm](?:$|[-_])", token, re.I)
                and token.lower() != ref.name.lower()
            ):
                yield token, evidence, relation


# ---------------------------------------------------------------- tagline

_SKIP_LINE_RE = re.compile(
    r"^(?:table of contents|contents|news|model card|usage|license|citation)\b", re.I
)


def tagline_from(doc: Doc, ref: ModelRef) -> str | None:
    """First descriptive prose sentence of the document, sanitised to one line."""
    for s in doc.sentences[:80]:
        if "|" in s or len(s) < 30 or _SKIP_LINE_RE.match(s):
            continue
        if len(re.findall(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]", s)) < 15:
            continue
        if s.count(" ") < 4 and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", s):
            continue
        return sanitize_line(s)
    return None
