"""Model announcement posts (blog posts, release READMEs, changelog entries) -> ToolRecords.

One record per model or size the post ANNOUNCES. Which models are announced:
- the post's primary model name (title / first heading), and every family whose
  name extends it (`DeepSeek-R1` -> `DeepSeek-R1-Distill-Qwen`, `Qwen2.5` -> `Qwen2.5-Coder`);
  their sizes come from Hugging Face links and size lists ("comes in two sizes: 8B and 70B");
- models named in an explicit release statement ("Llama Guard 2 was also released",
  "we have also open-sourced the Qwen2-VL-72B", "New model available: `x`").
Models only compared against (tables of other vendors' models) are not records.

Facts stated in prose apply to the records a sentence names; a sentence naming none
applies to the primary family's records only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, wraps
from typing import Any, TypeVar

from normalizer import candidates, comparison, dates, licenses, params, tool_lists
from normalizer import context as ctx
from normalizer import model_names as mn
from normalizer.budget import check as check_budget
from normalizer.builder import RecordBuilder
from normalizer.extract import _BASE_TRIGGER_RE, ModelRef, base_from_text
from normalizer.frontmatter import split
from normalizer.identity import family_of, repo_id_from_url
from normalizer.models import (
    DocKind,
    License,
    LicenseTerms,
    LinkType,
    NormalizeResult,
    Parameters,
    ToolRecord,
)
from normalizer.numbers import NUM, to_number
from normalizer.regex import compiled
from normalizer.tables import row_matches
from normalizer.taxonomy import category_for
from normalizer.text import Doc, inline_to_text, sanitize_line, strip_code
from normalizer.text import sentences as sentences_of
from normalizer.vendors import (
    vendor_for_domain,
    vendor_for_family,
    vendor_for_org,
    vendor_from_text,
)

_SIZE_TOKEN = r"\d+x\d+(?:\.\d+)?[BbMm]|\d+(?:\.\d+)?[BbMm]"
_SIZE_IN_NAME_RE = re.compile(rf"(?:^|[-_ ])({_SIZE_TOKEN})(?=$|[-_ ])")
_VARIANT_RE = re.compile(
    r"(?:^|[-_ ])(?:instruct|chat|it|base|hf|python|dpo|sft|gguf|awq|gptq|fp8|int4|bnb|nf4|4bit|8bit)(?=$|[-_ ])",
    re.I,
)
_TITLE_LEAD_RE = re.compile(
    r"^(?:the|welcome|introducing|introduce|introduction to|hello|meet|announcing|say hello to|notes on|"
    r"a deep ?dive into|deploy|welcome to|欢迎)\s+",
    re.I,
)
_NAME = r"(?:`[^`\n]{2,60}`|[A-Z][\w.]*(?:[- ](?:[A-Z0-9][\w.]*))*)"
_RELEASE_RES = [
    re.compile(
        rf"\bnew models? (?:is |are )?available:\s*(?P<names>{_NAME}(?:\s*\(aka\s*{_NAME}\))?)",
        re.I,
    ),
    re.compile(
        rf"\b[Ww]e(?: have| are)?(?: also)?(?: (?:proud|excited|happy|pleased|thrilled|delighted) to)? (?:released|open[- ]sourced|launched|releasing|open[- ]sourcing|release|introduce|introducing|present|presenting|unveil|unveiling|announce|announcing|open[- ]weighting|open[- ]weight)\s+"
        rf"(?:the\s+(?:new\s+)?|a\s+new\s+|our\s+(?:new\s+)?)?(?P<names>{_NAME}(?:\s*\(\s*{_NAME}\s*\))?"
        rf"(?:\s*(?:,|and)\s+{_NAME}(?:\s*\(\s*{_NAME}\s*\))?)*)"
    ),
    re.compile(
        rf"(?P<names>{_NAME}(?:\s+and\s+{_NAME})?)\s+(?:was|were|is|are|has been|have been)\s+(?:also\s+|now\s+)?"
        rf"(?:released|open[- ]sourced|launched|open[- ]weighted)\b"
    ),
    # `DeepSeek has released DeepSeek-V3`, `Acme has open-sourced Foo-7B`
    re.compile(
        rf"\b(?:has|have)\s+(?:just\s+|now\s+|also\s+)?(?:released|open[- ]sourced|launched|unveiled|introduced|announced)\s+"
        rf"(?:the\s+(?:new\s+)?|a\s+new\s+|its\s+(?:new\s+)?|their\s+(?:new\s+)?)?(?P<names>{_NAME})"
    ),
    # `Foo-7B is now available on Hugging Face`
    # (`now available in <a product>` is another maker's model brought to a product)
    re.compile(
        rf"(?P<names>{_NAME})\s+(?:is|are)\s+now\s+(?:openly\s+)?available\s+"
        r"(?:for download|(?:on|from|via)\s+(?:Hugging ?Face|the (?:Hugging Face )?Hub|ModelScope|GitHub))"
    ),
    re.compile(rf"\breleased as\s+(?P<names>{_NAME})"),
    # `There is also a new small version of Llama Guard, Llama Guard 3 1B, that ...`
    re.compile(
        rf"\b(?:also|is|released) an? new (?:\w+ ){{0,2}}version of [A-Z][\w.-]*(?: [A-Z0-9][\w.-]*){{0,3}},\s*(?P<names>{_NAME})\s*,"
    ),
    re.compile(
        r"\b[Oo]ur (?:latest|newest|new|next[- ]generation)\s+(?:[\w-]+\s+){0,3}?models?,\s*(?P<names>`[^`\n]{2,60}`)"
    ),
    re.compile(
        rf"\breleased (?:two|three|four|several|\d+) new models?:\s*(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s*and\s+{_NAME})?)"
    ),
]
_RELEASE_HINT_RE = re.compile(
    r"releas|launched|introduc|present|unveil|announc|open[- ](?:sourc|weight)|version of|"
    r"models?,|(?i:available)"
)
"""A word every pattern of `_RELEASE_RES` needs, in its case: a sentence without one is
not searched with the nine (most sentences; the searches were a tenth of a corpus pass).
A new release pattern needs one of these words, or a word added here
(tests/test_normalizer_speed.py wants an example sentence per pattern)."""
_PAST_RELEASE_RE = re.compile(
    r"\b(?:when|as|after|since|before|once|because|until)\s+(?:we|they|it)\b|\b(?:last|earlier|previously|ago)\b|"
    r"\bupdate\s*:",  # `September 2023 Update: Falcon 180B has just been released`
    re.I,
)
_PAST_DATE_RE = re.compile(
    r"^[^.;]{0,40}?\b(?:on|in)\s+(?:beta\s+on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"^[^.;]{0,40}?\b(?:last|earlier|previously|ago)\b",
)
_HF_LINK_RE = re.compile(r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/", re.I)
_PRESENT_RELEASE_RE = re.compile(
    r"\btoday\b|\bwe(?:'re|’re| are) (?:now )?(?:releasing|launching|introducing|open[- ]sourcing|announcing)\b",
    re.I,
)
_GENERIC_NAMES = {
    "we",
    "the",
    "it",
    "this",
    "today",
    "meta",
    "google",
    "model",
    "models",
    "our",
    "they",
    "both",
    "llm",
    "llms",
    "a",
    "an",
    "all",
    "these",
    "in",
    "and",
}
_LLM_CUE_RE = re.compile(
    r"(?<![\w-])LLMs?(?![\w-])|\blanguage models?\b|\bchat models?\b|\bfunction calling\b|\binstruct(?:ion)?[- ]tuned\b|"
    r"\bcode (?:completion|generation)\b|\bcoding\b|\breasoning models?\b",
    re.I,
)
_NOT_TEXT_GEN_RE = re.compile(
    r"(?:^|[-_ ])(?:vl|vision|guard|embed\w*|tts|audio|omni|image|diffusion|ocr|rerank\w*|clip|whisper|vlm)(?=$|[-_ \d])",
    re.I,
)
# `SmolVLM2`, `InternVL3`, `GotOCR`: a modality glued to the name in camel case
_CAMEL_MODAL_RE = re.compile(r"(?<=[a-z])(?:VLM?|OCR|TTS|ASR)(?=$|[-_ .\d])")
_MULTIMODAL_RE = re.compile(
    r"\bvision[- ]language models?\b|\bmultimodal models?\b|\bmulti-modal models?\b|\bVLMs?\b",
    re.I,
)
# a sentence that names an LLM together with another modality is no cue for a text model
_MODAL_WORD_RE = re.compile(
    r"\bvisual|\bvision\b|\bimages?\b|\bvideos?\b|\baudio\b|\bspeech\b|multi-?modal|\bVLMs?\b",
    re.I,
)
_NOT_LLM_RE = re.compile(
    r"\bmasked language model|\bencoder[- ]only model|\bfill-mask\b|\b(?:an?|the) embedding model\b",
    re.I,
)
_OPEN_RE = re.compile(
    r"\b(?:(?:have |has |been |are |is |were |was |also )open[- ]?sourced?|open[- ]?source(?:d)? release|"
    r"open[- ]access|open[- ]weights? release|weights (?:are|is) (?:now )?(?:available|released)|released? the weights|"
    r"download the weights|(?:models|available) on the (?:hugging face )?hub|on the hugging face hub|"
    r"made available under an open license|following models are open[- ]sourced|"
    r"\bwe(?:'re|’re| are)? (?:now |also )?open[- ]?sourcing\b|\b(?:of )?them open[- ]?sourced\b|"
    r"\bwe (?:have )?(?:also )?released (?:the |our )?(?:\w+ ){0,2}(?:checkpoints|weights)\b|"
    r"\bopen[- ]weight(?:ing|ed)\b|"
    r"\bweights (?:are |is )?(?:now )?(?:available |hosted |published )?on (?:hugging ?face|the (?:hugging face )?hub|modelscope)\b)",
    re.I,
)
_OPEN_EXCLUDE_RE = re.compile(
    r"\b(?:whether|alongside|compar\w*|against|versus|vs\.?|leading|other)\b", re.I
)
_API_ONLY_RE = re.compile(
    r"\bAPI of\b|\bAPI[- ]only\b|\bonly (?:available )?(?:via|through) (?:the |our )?API\b|"
    r"\bnot (?:been )?open[- ]?sourced?\b|\bclosed[- ]source\b|\bproprietary model\b|\bthrough (?:the |our )?API\b",
    re.I,
)
_EXCEPT_RE = re.compile(
    rf"\bexcept (?:for )?(?:the )?((?:{_SIZE_TOKEN}|\d+(?:\.\d+)?)(?:\s*(?:,|and|&)\s*(?:{_SIZE_TOKEN}|\d+(?:\.\d+)?))*)",
    re.I,
)
_SIZE_LIST_CUE_RE = re.compile(
    r"\b(?:sizes?|comes? in|come in|available in|family of|introduces|consists? of|including|variants|"
    r"release[sd]?|open[- ]?sourc\w*|parameters)\b",
    re.I,
)
_SIZE_LIST_EXCLUDE_RE = re.compile(
    r"^\W*(?:[\w ]{0,20}\b)?(?:note|update|edit)\s*:|\bafter this release\b|"  # afterthoughts about later models
    r"\btotal param\w*|\bactive param\w*|\b(?:compared?|outperform\w*|than|vs\.?|versus|goes from|from \d|against|like|such as|similar|"
    r"match(?:es|ing)?|rival\w*|on par|surpass\w*|beat\w*)\b",
    re.I,
)
_UNITLESS_LIST_RE = re.compile(
    r"(?<![\w.])((?:\d+(?:\.\d+)?\s*(?:,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*))+\d+(?:\.\d+)?)\s?(B|M|billion|million)\b",
    re.I,
)
_NAMEISH_RE = re.compile(r"(?<![\w.])[A-Za-z][\w]*(?:[-.][\w]+)*\d[\w.]*(?:-[\w.]+)*")
_LIST_SIZE_RE = re.compile(
    r"(?<![\w.\-–])(\d+x\d+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(B|M|billion|million)?(?![\w]|\.\d|\+)(?!\s*(?:tokens|active|activated|of (?:data|tokens)))(?P<later>\s+(?:is |are )?(?:on the way|coming soon|upcoming|to come))?",
    re.I,
)
_PARAM_HEADER_RE = re.compile(
    r"^#?\s*(?:total\s+)?param(?:eter)?s(?:\s*\(total\))?$|^#?\s*total\s+param", re.I
)
_ACTIVE_HEADER_RE = re.compile(
    r"^#?\s*\(?activ\w*\)?\s*param\w*$|^#?\s*activ\w*\s*param|^#?\s*active$", re.I
)
_LICENSE_HEADER_RE = re.compile(r"^licen[cs]e$", re.I)
_BASE_HEADER_RE = re.compile(r"^base\s*model$", re.I)


def _ckey(family: str) -> str:
    return family.replace("-", "").lower()


def _norm_size(num: str, unit: str | None) -> str | None:
    unit = (unit or "b").lower()
    unit = {"billion": "b", "million": "m"}.get(unit, unit)
    if "x" in num.lower():
        return f"{num.lower()}{unit}"
    try:
        value = float(num)
    except ValueError:
        return None
    text = f"{value:g}"
    return f"{text}{unit}"


def _size_of(name: str) -> str | None:
    sizes = {s.lower() for s in _SIZE_IN_NAME_RE.findall(name)}
    if len(sizes) != 1:
        return None
    tok = sizes.pop()
    m = re.match(r"^(\d+x\d+(?:\.\d+)?|\d+(?:\.\d+)?)([bm])$", tok)
    return _norm_size(m.group(1), m.group(2)) if m else None


@dataclass
class Group:
    """One announced model (a family at one size): its names and repos."""

    ckey: str
    size: str | None
    display: str
    extra: bool = False
    repos: list[tuple[str, str]] = field(default_factory=list)
    """(repo id, anchor text)"""
    names: list[str] = field(default_factory=list)
    evidence: str | None = None
    family_display: str | None = None
    code_repos: list[str] = field(default_factory=list)
    """Hub repo ids the post's code loads (`from_pretrained("org/name")`)"""
    variant_names: list[str] = field(default_factory=list)
    """Other spellings the post uses (`Qwen2.5-7B-Instruct` for `Qwen2.5-7B`)"""

    def ref(self, org_hint: str | None) -> ModelRef:
        repo = self.best_repo(org_hint)
        extra = tuple(
            dict.fromkeys(
                [
                    *self.names,
                    *[a for _, a in self.repos if a],
                    *[r.split("/")[-1] for r, _ in self.repos],
                ]
            )
        )
        return ModelRef(name=self.display, repo_id=repo, extra_names=extra)

    def best_repo(self, org_hint: str | None) -> str | None:
        if not self.repos:
            return None

        def rank(item: tuple[str, str]) -> tuple[int, int, int]:
            rid = item[0]
            org = rid.split("/")[0]
            return (
                0 if org_hint and org.lower() == org_hint.lower() else 1,
                1 if _VARIANT_RE.search(rid.split("/")[-1]) else 0,
                len(rid),
            )

        return sorted(self.repos, key=rank)[0][0]


@dataclass
class Post:
    markup: str
    title: str | None
    date: str | None
    date_evidence: str | None
    url: str | None
    doc: Doc
    warnings: list[str] = field(default_factory=list)
    topics: str = ""
    """What the post says of itself in front matter: tags, description, category."""
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    """Views of the post computed once (`_per_post`), not once per caller or record."""


_TOPIC_KEYS = ("tags", "categories", "category", "description", "meta_description",
               "summary", "excerpt", "keywords")  # fmt: skip


def _topics(data: dict[str, object]) -> str:
    parts: list[str] = []
    for key in _TOPIC_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(str(v) for v in value if isinstance(v, str | int | float))
    return " / ".join(parts)[:2000]


_T = TypeVar("_T")


def _per_post(fn: Callable[[Post], _T]) -> Callable[[Post], _T]:
    """Compute `fn(post)` once per post: its callers (one per record, several per step)
    share the result and must not change it."""
    key = fn.__qualname__

    @wraps(fn)
    def once(post: Post) -> _T:
        if key not in post.memo:
            post.memo[key] = fn(post)
        return post.memo[key]

    return once


def normalize_announcement(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
) -> NormalizeResult:
    result = NormalizeResult(kind=DocKind.ANNOUNCEMENT, source_url=source_url)
    if not text.strip():
        result.warnings.append("empty document; no record")
        return result
    post = _read_post(text, source_url)
    result.warnings.extend(post.warnings)
    compared = comparison.records(
        post.doc.parsed, post.title, post.url, observed_at, scope=post.topics
    )
    if compared:  # a third-party "A vs B" page: one record per tool it describes
        result.records.extend(compared)
        return result
    groups, primary = _announced(post)
    if not groups:
        listed = tool_lists.records(
            post.doc.parsed, post.title, post.url, observed_at, scope=post.topics
        )
        if listed:  # a third-party list of tools: a row or a heading per tool
            result.records.extend(listed)
            return result
        result.warnings.append("no announced model found")
        return result
    org_hint = _primary_org(groups, primary)
    main_count = sum(1 for g in groups if not g.extra)
    index = _mention_index(post, groups)
    for g in groups:
        check_budget()
        result.records.append(
            _record(g, groups, post, primary, org_hint, main_count, observed_at, index)
        )
    return result


# a sentence that goes on about the records the previous one named
_CONTINUES_RE = re.compile(
    r"^(?:It|This model|The model|They|These models|Both models|The models)\b"
)
_FAMILY_WORD_RE = re.compile(r"\s+(?:models|series|family)\b", re.I)


def _in_family(key: str, family: str) -> bool:
    """`deepseekvl2tiny` is of `deepseekvl2`; `glm4.5` and `qwen25` are not of `glm4`, `qwen2`."""
    return key == family or (
        key.startswith(family) and not (key[len(family)].isdigit() or key[len(family)] == ".")
    )


def _names_family(rx: re.Pattern[str], sentence: str) -> bool:
    """Every mention of a record's name is the family's (`X models`, `the X series`)."""
    hits = list(rx.finditer(sentence))
    return bool(hits) and all(_FAMILY_WORD_RE.match(sentence, m.end()) for m in hits)


_BARE_SIZE_RE = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)\s?([BbMm])(?![\w-])")


def _other_sizes_only(sentence: str, g: Group, sibling_sizes: set[str | None]) -> bool:
    """`The 2B and 7B models of the series are open-sourced`: a family sentence naming
    sibling sizes and not this record's is about those siblings only."""
    if not g.size or not sibling_sizes:
        return False
    named = {_norm_size(n, u) for n, u in _BARE_SIZE_RE.findall(sentence)}
    return bool(named & sibling_sizes) and g.size not in named


_CLAUSE_RE = re.compile(
    r";\s+|,\s+(?:while|whereas)\s+|,?\s+(?:and|but)\s+(?=(?:we|they|it|its|our)\b)", re.I
)


def _own_clauses(
    sentence: str, own_re: re.Pattern[str], others: set[int], group_res: list[re.Pattern[str]]
) -> str:
    """`We open-source A-2B and A-7B under Apache 2.0, and we release the API of A-72B`:
    of a sentence naming other records too, the clauses that name this one (when its
    clauses name them apart)."""
    if not others:
        return sentence
    clauses = [c for c in _CLAUSE_RE.split(sentence) if c and c.strip()]
    if len(clauses) < 2:
        return sentence
    mine = [c for c in clauses if own_re.search(c)]
    theirs_apart = all(
        not own_re.search(c) for c in clauses if any(group_res[o].search(c) for o in others)
    )
    return " ".join(mine) if mine and theirs_apart else sentence


@dataclass
class MentionIndex:
    """Which records and families each sentence of the post names: computed once per post
    (sentences x records), not once per record (records x sentences x records)."""

    groups: list[set[int]]
    families: list[set[str]]


def _mention_index(post: Post, groups: list[Group]) -> MentionIndex:
    fam_res: dict[str, re.Pattern[str]] = {}
    for g in groups:
        if g.family_display:
            fam_res.setdefault(g.ckey, _name_regex(g.family_display))
    group_res = [_group_regex(g) for g in groups]
    per_group: list[set[int]] = []
    per_family: list[set[str]] = []
    for i, s in enumerate(post.doc.sentences):
        if not i & 255:
            check_budget()
        per_group.append({gi for gi, rx in enumerate(group_res) if rx.search(s)})
        per_family.append(_family_mentions(s, fam_res))
    return MentionIndex(per_group, per_family)


# ---------------------------------------------------------------- reading


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return (
        head.startswith("<!doctype html")
        or head.startswith("<html")
        or ("<body" in text[:5000].lower() and "<head" in text[:5000].lower())
    )


def _read_post(text: str, source_url: str | None) -> Post:
    warnings: list[str] = []
    title: str | None = None
    date: str | None = None
    date_ev: str | None = None
    topics = ""
    url = source_url
    if _looks_html(text):
        meta = _html_metadata(text, source_url)
        title = meta.get("title")
        date = dates.parse_loose(meta.get("date")) if meta.get("date") else None
        date_ev = f"published: {meta.get('date')}" if date else None
        url = url or meta.get("url")
        markup = _html_main_text(text) or ""
        if not markup:
            warnings.append("could not extract the main text of the HTML page")
    else:
        fm = split(text)
        data = fm.data
        markup = fm.body if fm.had_block else text
        if isinstance(data.get("title"), str):
            title = data["title"].strip()
        topics = _topics(data)
        for key in (
            "date", "published", "pubDate", "release_date", "datePublished", "publishDate",
            "publish_date", "published_at", "pub_date", "created",
        ):  # fmt: skip
            if data.get(key):
                date = dates.parse_loose(data[key])
                if date:
                    date_ev = f"{key}: {data[key]}"
                    break
        if not url:
            for key in ("url", "canonical", "permalink"):
                if isinstance(data.get(key), str) and data[key].startswith("http"):
                    url = data[key]
                    break
    if title is None:
        m = re.search(r"^\s*#\s+(.+)$", strip_code(markup), re.M)
        if m:
            title = inline_to_text(m.group(1))
    return Post(
        markup=markup,
        title=title,
        date=date,
        date_evidence=date_ev,
        url=url,
        doc=Doc(markup),
        warnings=warnings,
        topics=topics,
    )


def _html_main_text(html_text: str) -> str | None:
    import trafilatura

    try:
        return trafilatura.extract(
            html_text,
            output_format="markdown",
            include_links=True,
            include_tables=True,
            include_comments=False,
            favor_recall=True,
        )
    except Exception:  # trafilatura on broken markup
        return None


def _html_metadata(html_text: str, url: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        import extruct

        data = extruct.extract(
            html_text, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True
        )
    except Exception:  # extruct raises on odd documents
        data = {}
    for item in data.get("json-ld", []) if isinstance(data, dict) else []:
        for obj in item.get("@graph", [item]) if isinstance(item, dict) else []:
            if not isinstance(obj, dict):
                continue
            out.setdefault("title", obj.get("headline") or obj.get("name") or "")
            if obj.get("datePublished"):
                out.setdefault("date", str(obj["datePublished"]))
            if isinstance(obj.get("url"), str):
                out.setdefault("url", obj["url"])
    for og in data.get("opengraph", []) if isinstance(data, dict) else []:
        if not isinstance(og, dict):
            continue
        if og.get("og:title"):
            out.setdefault("title", str(og["og:title"]))
        if og.get("article:published_time"):
            out.setdefault("date", str(og["article:published_time"]))
        if og.get("og:url"):
            out.setdefault("url", str(og["og:url"]))
    if not out.get("title"):
        m = re.search(r"<title[^>]*>(.*?)</title>", html_text, re.S | re.I)
        if m:
            out["title"] = inline_to_text(m.group(1))
    return {k: v for k, v in out.items() if isinstance(v, str) and v}


# ---------------------------------------------------------------- which models


@_per_post
def _hf_links(post: Post) -> list[tuple[str, str]]:
    """(repo id, anchor text); the anchor is kept only when it names the model."""
    out: list[tuple[str, str]] = []
    for anchor, url in post.doc.links:
        rid = repo_id_from_url(url) if _HF_LINK_RE.match(url) else None  # not GitHub `/blob/` paths
        if rid and "/" in rid and not re.search(r"/(?:spaces|datasets|blog|collections)/", url):
            short = rid.split("/")[-1]
            fam = _ckey(family_of(short))
            a_fam = _ckey(family_of(anchor)) if anchor else ""
            if not anchor or not (
                a_fam and (a_fam.startswith(fam[:4]) or fam.startswith(a_fam[:4]))
            ):
                anchor = ""
            elif _size_of(anchor) and _size_of(short) and _size_of(anchor) != _size_of(short):
                anchor = ""  # `[Llama-3-70B](…/Meta-Llama-3-8B)`: a wrong link names neither
            out.append((rid, anchor))
    return out


def _vendor_words() -> set[str]:
    from normalizer.vendors import _data

    d = _data()
    words = {mn.compact(v) for v in d["orgs"].values()} | {mn.compact(k) for k in d["mentions"]}
    return {w for w in words if len(w) >= 2}


@_per_post
def _body_sentences(post: Post) -> list[str]:
    """Sentences of the body: not the title, not a bare date."""
    title = (post.title or "").strip()
    out = []
    for s in post.doc.sentences:
        t = s.strip()
        if not t or (title and title in t and len(t) <= len(title) + 40):
            continue
        if re.fullmatch(r"[\d\s/.:TZ+-]+", t):
            continue
        out.append(t)
    return out


def _title_names(post: Post, repo_families: set[str]) -> list[str]:
    """The model names a title announces, best first: the vetted title segment most used
    in the body, then names the same segment joins (`Sarvam 105B and Sarvam 30B`)."""
    cands = mn.title_names(post.title, _vendor_words())
    if not cands:
        return []
    body = _body_sentences(post)
    title_only = sum(len(s.split()) for s in body) < 12
    body_plain = post.doc.plain
    best: tuple[int, int, str] | None = None
    best_cand: mn.TitleName | None = None
    for pos, c in enumerate(cands):
        name = c.name
        if name.lower() in _GENERIC_NAMES or len(name) < 2:
            continue
        if not _title_name_ok(c, name, repo_families, body, title_only):
            continue
        parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
        rx = compiled(r"(?<![\w])" + r"[-_ ]?".join(parts) + r"(?![\w])", re.I)
        count = len(rx.findall(body_plain))
        if (
            best is not None
            and count >= 2
            and _ckey(name.lower()).startswith(_ckey(best[2].lower()))
        ):
            best = (max(count, best[0]), -pos, name)  # `Llama` then `Llama 3.2`: the precise name
            best_cand = c
        elif best is None or count > best[0]:
            best = (count, -pos, name)
            best_cand = c
    if best is None or best_cand is None:
        return []
    out = [best[2]]
    for other in best_cand.others:
        if mn.has_version(other) and _title_name_ok(
            mn.TitleName(other, "", "", best_cand.announced, []),
            other,
            repo_families,
            body,
            title_only,
        ):
            out.append(other)
    return out


def _repo_supported(name: str, repo_families: set[str]) -> bool:
    ck = _ckey(family_of(name))
    return bool(ck) and any(f == ck or f.startswith(ck) for f in repo_families)


def _title_name_ok(
    c: mn.TitleName, name: str, repo_families: set[str], body: list[str], title_only: bool
) -> bool:
    """A title name backed by the post's own Hub links is a model; any other must look
    like one, be presented by the title, and (without a version) be called a model."""
    if _repo_supported(name, repo_families) and _model_like(name, repo_families):
        return True
    if not mn.plausible_name(name) or not mn.rest_ok(c) or not mn.tagline_ok(c):
        return False
    if mn.called_non_model(name, body):
        return False
    if title_only:
        return mn.has_version(name)
    if not mn.has_version(name) and not mn.called_model(name, body):
        return False
    return not (mn.only_distributed(name, body) and not c.announced)


def _model_like(name: str, repo_families: set[str]) -> bool:
    """A model name has a digit, a hyphen, inner capitals (`SmolLM`, `DBRX`) or names a linked repo family."""
    if re.search(r"\d|-", name) or re.search(r"[a-z][A-Z]|^[A-Z]{2,}", name):
        return True
    ck = _ckey(family_of(name))
    return any(f == ck or f.startswith(ck) for f in repo_families)


def _release_names(post: Post) -> list[tuple[str, list[str], str]]:
    """(name, aliases, evidence) for models named in release statements."""
    out: list[tuple[str, list[str], str]] = []
    lines = strip_code(post.markup)
    lines = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", lines)
    lines = re.sub(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", r"\1", lines)
    lines = re.sub(r"<[^>]+>", " ", lines).replace("**", "").replace("__", "")
    body = _body_sentences(post)
    blocked = bool(post.title) and not mn.title_is_announcing(post.title or "")
    # one verdict per name and post: long posts repeat names, and each verdict scans the body
    non_model: dict[str, bool] = {}
    unsupported: dict[str, bool] = {}

    def not_a_model(main: str, aliases: list[str]) -> bool:
        if main not in non_model:
            non_model[main] = mn.called_non_model(main, body)
        if non_model[main] or aliases:
            return non_model[main]
        if main not in unsupported:
            unsupported[main] = (
                not mn.has_version(main)
                and not mn.is_known_family(main)
                and not mn.called_model(main, body)
            )
        return unsupported[main]

    for i, line in enumerate(lines.splitlines()):
        if not i & 255:
            check_budget()
        if not _RELEASE_HINT_RE.search(line):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if not _RELEASE_HINT_RE.search(sentence):
                continue
            for rx in _RELEASE_RES:
                for m in rx.finditer(sentence):
                    names = m.group("names")
                    if _PAST_RELEASE_RE.search(
                        sentence[: m.start("names")]
                    ) or _PAST_DATE_RE.search(sentence[m.end("names") :]):
                        continue  # `as we noted when we launched X`, `we launched X on August 11`
                    found = _split_names(names)
                    for main, aliases in found:
                        if not_a_model(main, aliases):
                            continue  # `we are releasing Claude Science (an app)`
                        if blocked and not _PRESENT_RELEASE_RE.search(sentence):
                            continue  # a how-to / news title: only "today we release X" counts
                        out.append((main, aliases, inline_to_text(sentence)[:300]))
    return out


_INTRO_RE = re.compile(
    rf"^(?:The\s+)?(?P<names>{_NAME}(?:\s+and\s+{_NAME})?)\s+(?:is|are)\s+(?:a|an|our|the)\s+"
    r"(?:[\w(),-]+\s+){0,10}?(?:models?|LLMs?|MoE|family|series)\b"
)


def _intro_names(post: Post) -> list[tuple[str, list[str], str]]:
    """`Kimi K2 is a state-of-the-art mixture-of-experts (MoE) language model …` opening
    one of the first paragraphs: the document is about that model (only asked when the
    document has no title and no release statement)."""
    body = _body_sentences(post)
    paragraphs = [b for b in post.doc.parsed.blocks if b.kind == "paragraph"][:8]
    for block in paragraphs:
        first = sentences_of(block.text)[:1]
        m = _INTRO_RE.match(first[0]) if first else None
        if not m:
            continue
        out = []
        for main, aliases in _split_names(m.group("names")):
            if _name_ok(main) and not mn.called_non_model(main, body):
                out.append((main, aliases, first[0][:300]))
        if out:
            return out
    return []


def _download_names(post: Post) -> list[tuple[str, list[str], str]]:
    """The model family a document's Hub links point at most (at least twice, one org):
    a README's download table. Only asked when nothing else names the model."""
    counts: dict[tuple[str, str], list[str]] = {}
    for link in post.doc.parsed.links:
        if link.target != "hub-model" or not link.repo_id:
            continue
        org, short = link.repo_id.split("/", 1)
        base = _checkpoint_base(short)
        key = (org.lower(), _ckey(family_of(base)))
        counts.setdefault(key, [])
        if link.repo_id not in counts[key]:
            counts[key].append(link.repo_id)
    if not counts:
        return []
    key, repos = max(counts.items(), key=lambda kv: len(kv[1]))
    if len(repos) < 2 or sum(len(r) >= len(repos) for r in counts.values()) > 1:
        return []  # one link, or two families linked as often: no verdict
    name = family_of(min((r.split("/")[1] for r in repos), key=len))
    return [(name, [], f"download links: {', '.join(repos[:4])}")] if _name_ok(name) else []


_RELEASE_VERB_RE = re.compile(
    r"\b(?:releas(?:e|es|ed|ing)|launch(?:es|ed|ing)?|introduc(?:e|es|ed|ing)|open[- ]sourc(?:e|es|ed|ing)|"
    r"announc(?:e|es|ed|ing)|unveil(?:s|ed|ing)?)\b",
    re.I,
)
_SIZED_ANCHOR_RE = re.compile(rf"^(?:the\s+|our\s+|a\s+)?({_SIZE_TOKEN})\b(.*)$", re.I)
_ANCHOR_GENERIC = {
    "llm",
    "model",
    "models",
    "version",
    "base",
    "checkpoint",
    "instruct",
    "chat",
    "new",
    "parameter",
    "parameters",
}
_MODALITY_RE = re.compile(
    r"^(?:vlm|vision|vl|audio|speech|omni|image|video|embedding|reranker|tts|asr)$", re.I
)


def _sized_anchor_releases(post: Post) -> list[tuple[str, str, str | None]]:
    """(repo id, size, modality or None) for Hub links in a present release sentence whose
    anchor is a size (`[11B LLM](https://huggingface.co/tiiuae/falcon-11B)`)."""
    out: list[tuple[str, str, str | None]] = []
    link_re = re.compile(
        r"\[([^\[\]]{1,60})\]\((https?://(?:www\.)?(?:huggingface\.co|hf\.co)/[^)\s]+)\)"
    )
    for line in strip_code(post.markup).splitlines():
        if "](" not in line:
            continue
        for sent in re.split(r"(?<=[.!?])\s+", line):
            for m in link_re.finditer(sent):
                before = sent[: m.start()]
                if not _RELEASE_VERB_RE.search(before) or _PAST_RELEASE_RE.search(before):
                    continue
                a = _SIZED_ANCHOR_RE.match(inline_to_text(m.group(1)).strip())
                rid = repo_id_from_url(m.group(2))
                if (
                    not a
                    or not rid
                    or "/" not in rid
                    or re.search(r"/(?:spaces|datasets)/", m.group(2))
                ):
                    continue
                size = _norm_size(
                    *re.match(
                        r"(\d+x\d+(?:\.\d+)?|\d+(?:\.\d+)?)([bm])", a.group(1).lower()
                    ).groups()
                )
                if size is None or _size_of(rid.split("/")[-1]) != size:
                    continue
                words = [w for w in re.split(r"[\s-]+", a.group(2).lower()) if w]
                if any(w not in _ANCHOR_GENERIC and not _MODALITY_RE.match(w) for w in words):
                    continue  # the anchor names something else (`11B tokenizer`)
                modal = next((w for w in words if _MODALITY_RE.match(w)), None)
                if modal is None:
                    modal = next(
                        (t for t in re.split(r"[-_]", rid.split("/")[-1]) if _MODALITY_RE.match(t)),
                        None,
                    )
                out.append((rid, size, modal))
    return out


def _split_names(names: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for chunk in re.split(r"\s*(?:,|\band\b)\s*(?![^(]*\))", names):
        chunk = chunk.strip()
        if not chunk:
            continue
        m = re.match(r"^(.*?)\s*\(\s*(?:aka\s*)?(.*?)\s*\)\s*$", chunk)
        main, alias = (m.group(1), m.group(2)) if m else (chunk, None)
        main = main.strip().strip("`").strip().rstrip(".,;:!?")
        aliases = [alias.strip("`").strip()] if alias else []
        if not _name_ok(main):
            continue
        out.append((main, aliases))
    return out


def _name_ok(name: str) -> bool:
    words = name.split()
    if not name or name.lower() in _GENERIC_NAMES or words[0].lower() in _GENERIC_NAMES:
        return False
    if not mn.plausible_name(name):
        return False
    return (
        bool(re.search(r"\d", name))
        or len(words) >= 2
        or "-" in name
        or name.isupper()
        and len(name) > 2
    )


_QUALIFIER_STOP = {
    "model",
    "models",
    "family",
    "series",
    "collection",
    "release",
    "releases",
    "also",
    "now",
    "is",
    "are",
    "comes",
    "come",
    "was",
    "were",
    "will",
    "has",
    "have",
    "and",
    "or",
    "the",
    "in",
    "at",
    "with",
}


def _qualifier_after(sent: str, end: int) -> str | None:
    """`Llama 3.2 Vision comes in two sizes`: the capitalised word right after the family
    name names a sub-family (a modality or speciality: Vision, VL, Coder, Math, Audio)."""
    m = re.match(r"[-_ ]([A-Z][a-z]+|[A-Z]{2,5})(?=[\s:,(])", sent[end:])
    if not m or m.group(1).lower() in _QUALIFIER_STOP:
        return None
    return m.group(1)


def _size_lists(
    post: Post, families: dict[str, str], primary: str | None, is_main: Any = None
) -> list[tuple[str, list[str], str, str | None]]:
    """(family ckey, sizes, evidence, qualifier) from lines like `Qwen2.5-Coder: 1.5B, 7B` /
    `comes in two sizes: 8B and 70B` / `Llama 3.2 Vision comes in two sizes: 11B and 90B`
    (qualifier `Vision`: the sizes are of the sub-family)."""
    out: list[tuple[str, list[str], str, str | None]] = []
    family_res = {ck: _name_regex(disp) for ck, disp in families.items()}
    for sent in post.doc.sentences + ([post.title] if post.title else []):
        if "|" in sent or _SIZE_LIST_EXCLUDE_RE.search(sent) or re.search(r"\b(?:not|n't)\b", sent):
            continue
        line_form = re.match(r"^([A-Z][\w.-]*(?:\s[A-Z0-9][\w.-]*)?)\s*[:：]\s*(.*)$", sent)
        target: str | None = None
        qualifier: str | None = None
        rest = sent
        if line_form:
            lead = line_form.group(1).strip()
            for ck, rx in family_res.items():
                if rx.fullmatch(lead):
                    target, rest = ck, line_form.group(2)
                    break
            else:
                ck = _ckey(family_of(lead))
                if is_main is not None and is_main(ck) and _LIST_SIZE_RE.search(line_form.group(2)):
                    families.setdefault(ck, lead)
                    family_res[ck] = _name_regex(lead)
                    target, rest = ck, line_form.group(2)
        if target is None:
            if not _SIZE_LIST_CUE_RE.search(sent):
                continue
            mentioned = [
                (m.start(), ck, m.end())
                for ck, rx in family_res.items()
                for m in [rx.search(sent)]
                if m
            ]
            if mentioned:
                _, target, end = sorted(mentioned, key=lambda x: (x[0], -len(x[1])))[0]
                qualifier = _qualifier_after(sent, end)
            else:
                target = primary
        if target is None:
            continue
        sizes: list[str] = []
        # `Qwen2-0.5B, Qwen2-1.5B and Qwen2-72B`: a list of family names with sizes lists
        # those sizes (one such name alone is a mention, not a list)
        for disp in families.values():
            srx = _sized_name_regex(disp)
            if len(srx.findall(rest)) >= 2:
                rest = srx.sub(lambda m: " " + m.group(1), rest)
        rest = _NAMEISH_RE.sub(
            lambda m: m.group(0) if re.fullmatch(_SIZE_TOKEN, m.group(0)) else " ", rest
        )
        for rx in family_res.values():
            rest = rx.sub(" ", rest)
        raw: list[tuple[str, str | None, bool]] = []
        for m in _LIST_SIZE_RE.finditer(rest):
            raw.append((m.group(1), m.group(2), bool(m.group("later"))))
        # `7, 13, and 34 billion parameters`: a trailing unit applies to the whole list
        listed: dict[str, str] = {}
        for m in _UNITLESS_LIST_RE.finditer(rest):
            for num in re.findall(r"\d+(?:\.\d+)?", m.group(1)):
                listed[num] = m.group(2)
        for num, unit, later in raw:
            u = unit or listed.get(num)
            if not u or later:
                continue
            size = _norm_size(num, u)
            value = _size_value(size)
            if size and value and 1e8 <= value <= 2e12 and size not in sizes:
                sizes.append(size)
        if len(sizes) >= 2 or (len(sizes) == 1 and line_form is not None and rest is not sent):
            out.append((target, sizes, sent[:300], qualifier))
    return out


def _qualified_names(post: Post, display: str, qualifier: str, size: str, joiner: str) -> list[str]:
    """Names of a sub-family model at one size, the form the post uses most first:
    `Llama 3.2 11B Vision` (repos put the size first) and `Llama 3.2 Vision 11B`."""
    forms = [
        f"{display}{joiner}{size}{joiner}{qualifier}",
        f"{display}{joiner}{qualifier}{joiner}{size}",
    ]
    counts = [len(_name_regex(f).findall(post.doc.plain)) for f in forms]
    if counts[1] > counts[0]:
        forms.reverse()
    return forms


_CHECKPOINT_RE = re.compile(
    rf"^(?P<base>.*?[-_](?:{_SIZE_TOKEN}))[-_](?:pt|ft|mix)(?:[-_].*)?$", re.I
)


def _checkpoint_base(short: str) -> str:
    """Checkpoints of one model at one size (`paligemma-3b-pt-224`, `-mix-448`,
    `-ft-vqav2-448`: pretrained / mixture / task fine-tunes at some resolution) are one
    model: `paligemma-3b`."""
    m = _CHECKPOINT_RE.match(short)
    return m.group("base") if m else short


def _size_value(size: str | None) -> float | None:
    if not size:
        return None
    m = re.match(r"^(\d+x)?(\d+(?:\.\d+)?)([bm])$", size)
    if not m or m.group(1):
        return None
    return to_number(m.group(2), m.group(3))


@lru_cache(maxsize=2048)
def _sized_name_regex(name: str) -> re.Pattern[str]:
    """`<family>-<size>` (`Qwen2-57B` in `Qwen2-57B-A14B`); group 1 is the size."""
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
    return re.compile(
        r"(?<![\w.-])" + r"[-_ ]?".join(parts) + rf"[-_ ]({_SIZE_TOKEN})(?![\w]|\.\d)"
    )


@lru_cache(maxsize=2048)
def _name_regex(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
    return re.compile(r"(?<![\w.-])" + r"[-_ ]?".join(parts) + r"(?![\w]|[-.][\w])", re.I)


def _announced(post: Post) -> tuple[list[Group], str | None]:
    repo_families = {_ckey(family_of(rid.split("/")[-1])) for rid, _ in _hf_links(post)}
    title_names = _title_names(post, repo_families)
    title_name = title_names[0] if title_names else None
    releases = _release_names(post)
    if not post.title and not title_names and not releases:
        # a README without a title or release verb: `X is a … language model` opening it,
        # else the family its download table links most
        releases = _intro_names(post) or _download_names(post)
    if len(title_names) > 1:  # `Sarvam 105B and Sarvam 30B`: each one announced
        releases += [(n, [], post.title or n) for n in title_names]
    primary_name = title_name or (releases[0][0] if releases else None)
    primary = _ckey(family_of(primary_name)) if primary_name else None

    families: dict[str, str] = {}
    if primary_name and primary:
        families[primary] = primary_name

    def is_main(ck: str) -> bool:
        if primary is None:
            return False
        if ck == primary:
            return True
        return ck.startswith(primary) and not re.match(r"[\d.]", ck[len(primary) :])

    groups: dict[tuple[str, str | None], Group] = {}

    def add(
        ck: str,
        size: str | None,
        display: str,
        *,
        extra: bool,
        repo: tuple[str, str] | None = None,
        name: str | None = None,
        evidence: str | None = None,
    ) -> None:
        key = (ck, size)
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(ck, size, display, extra=extra, evidence=evidence)
        if repo and repo not in g.repos:
            g.repos.append(repo)
        if name and name not in g.names:
            g.names.append(name)

    # Hugging Face repos of the primary family (and families extending it); repos of
    # other orgs (community re-uploads, quantisations) only join models already found
    main_links = [
        (rid, a)
        for rid, a in _hf_links(post)
        if is_main(_ckey(family_of(_checkpoint_base(rid.split("/")[-1]))))
    ]
    org_counts: dict[str, int] = {}
    for rid, _ in main_links:
        org_counts[rid.split("/")[0]] = org_counts.get(rid.split("/")[0], 0) + 1
    top_org = max(org_counts, key=lambda k: org_counts[k]) if org_counts else None
    for own_org in (True, False):
        for rid, anchor in main_links:
            if (rid.split("/")[0] == top_org) != own_org:
                continue
            short = _checkpoint_base(rid.split("/")[-1])
            ck = _ckey(family_of(short))
            size = _size_of(short)
            if not own_org and (ck, size) not in groups:
                continue
            families.setdefault(ck, _family_display(short))
            add(ck, size, short, extra=False, repo=(rid, anchor), name=anchor or None)

    # `releasing the base [11B LLM](…/falcon-11B) and the [11B VLM model](…/Falcon-11B-vlm)`:
    # repos a release sentence names only by size are the primary model at that size, or,
    # with a modality in the anchor or repo name, a model of their own
    if primary and primary_name:
        for rid, size, modal in _sized_anchor_releases(post):
            short = rid.split("/")[-1]
            if modal:
                ck = _ckey(family_of(short)) + _ckey(modal)
                add(ck, size, short, extra=False, repo=(rid, ""), name=short)
                families.setdefault(ck, primary_name)  # facts about the family are its facts
            else:
                joiner = " " if " " in primary_name else "-"
                base = primary_name if not _size_of(primary_name) else family_of(primary_name)
                add(primary, size, f"{base}{joiner}{size.upper()}", extra=False, repo=(rid, ""))

    # models named in release statements
    repo_by_anchor = {a.lower(): (rid, a) for rid, a in _hf_links(post) if a}
    for name, aliases, ev in releases:
        ck = _ckey(family_of(name))
        size = _size_of(name)
        repo = repo_by_anchor.get(name.lower())
        if repo is None:
            for rid, a in _hf_links(post):
                if (
                    _ckey(family_of(rid.split("/")[-1])) == ck
                    and _size_of(rid.split("/")[-1]) == size
                ):
                    repo = (rid, a)
                    break
        if repo and size is None:
            size = _size_of(repo[0].split("/")[-1])
        main = is_main(ck)
        if main:
            families.setdefault(ck, _family_display(name))
        add(ck, size, name, extra=not main, repo=repo, name=name, evidence=ev)
        for alias in aliases:
            groups[(ck, size)].names.append(alias)

    # size lists for the main families
    for ck, sizes, ev, qualifier in _size_lists(post, families, primary, is_main):
        if not is_main(ck):
            continue
        if any(g.ckey == ck and g.size is None and g.repos for g in groups.values()):
            continue  # a family with an unsized repo is one model, not a size series
        display = families.get(ck, ck)
        joiner = " " if " " in display else "-"
        if qualifier:
            sub = f"{display}{joiner}{qualifier}"
            sub_ck = _ckey(family_of(sub))
            if not is_main(sub_ck):
                continue
            for size in sizes:
                names = _qualified_names(post, display, qualifier, size.upper(), joiner)
                add(sub_ck, size, names[0], extra=False, evidence=ev)
                for n in names:
                    add(sub_ck, size, names[0], extra=False, name=n)
            continue
        for size in sizes:
            add(
                ck,
                size,
                f"{display}{joiner}{size.upper()}",
                extra=False,
                name=f"{display}{joiner}{size.upper()}",
                evidence=ev,
            )

    # spec tables (`Models | Params | Context Length | License`, either orientation):
    # every sized model of a main family the table describes is announced
    # a spec table also lists the post's sibling families (`Qwen3-Embedding` and
    # `Qwen3-Reranker`): same versioned root as the primary name, then a name of its own
    root_m = re.match(r"[a-z]+\d[\d.]*", primary or "")
    root = root_m.group(0) if root_m else None
    for name, ev in _spec_table_models(post):
        ck = _ckey(family_of(name))
        size = _size_of(name)
        # a sibling has its own name after the root; the bare root (`Qwen1.5-7B` in a
        # `Qwen1.5-MoE` post) is the previous generation, compared against
        sibling = (
            bool(root)
            and ck.startswith(root)
            and len(ck) > len(root)
            and not re.match(r"[\d.]", ck[len(root) :])
        )
        if not size or not (is_main(ck) or sibling):
            continue
        families.setdefault(ck, _family_display(name))
        add(ck, size, name, extra=False, name=name, evidence=ev)

    # the primary model itself, when the post names no repo or size for it
    if (
        primary
        and primary_name
        and not any(g.ckey == primary or is_main(g.ckey) for g in groups.values())
    ):
        add(
            primary,
            _size_of(primary_name),
            primary_name,
            extra=False,
            name=primary_name,
            evidence=post.title,
        )

    # drop unsized groups of a family that also has sized groups
    sized = {g.ckey for g in groups.values() if g.size}
    out = [g for g in groups.values() if g.size or g.ckey not in sized or g.repos and g.extra]
    for g in out:
        if (
            g.size is None
            and not g.extra
            and families.get(g.ckey)
            and g.display != families[g.ckey]
        ):
            g.names.append(families[g.ckey])
    for g in out:
        g.family_display = families.get(g.ckey)
    _attach_code_repos(post, out)
    _attach_variant_names(post, out)
    return out, primary


_CODE_LOAD_RE = re.compile(
    r"from_pretrained|model_id|model_name|repo_id|pipeline\(|snapshot_download|hf_hub_download|"
    r"huggingface-cli|hf download|--model\b|--model[-_]id|--model[-_]name",
    re.I,
)
_CODE_REPO_RE = re.compile(
    r"""["'\s=]([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*[A-Za-z0-9])(?=["'\s,)]|$)"""
)


def _code_repos(post: Post) -> list[str]:
    """Hub repo ids that the post's code blocks load (`from_pretrained("Qwen/Qwen1.5-MoE-A2.7B")`,
    `model_id = "..."`, `--model_name_or_path org/name`)."""
    out: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", post.markup, re.S):
        for line in block.splitlines():
            if not _CODE_LOAD_RE.search(line):
                continue
            for m in _CODE_REPO_RE.finditer(line):
                rid = m.group(1)
                if re.search(r"\.(?:py|json|md|txt|sh|bin|safetensors|gguf|yaml)$", rid, re.I):
                    continue
                if rid.startswith(("http", "/", ".")) or rid.count("/") != 1:
                    continue
                if rid not in out:
                    out.append(rid)
    return out


def _attach_code_repos(post: Post, groups: list[Group]) -> None:
    """A repo the post's code loads, of a model the post announces, shows that model's
    weights are downloadable (and is one more name for it). Code never adds a model."""
    for rid in _code_repos(post):
        short = _checkpoint_base(rid.split("/")[-1])
        ck = _ckey(family_of(short))
        size = _size_of(short)
        hits = [g for g in groups if g.ckey == ck and g.size == size and not g.extra]
        if len(hits) == 1 and rid not in hits[0].code_repos:
            hits[0].code_repos.append(rid)


_VARIANT_SUFFIX = r"(?:[-_ ](?:Instruct|Chat|Base|it|Preview))"


def _attach_variant_names(post: Post, groups: list[Group]) -> None:
    """The post's own spellings of a record with a variant suffix (`Qwen2.5-7B-Instruct`)."""
    text = post.doc.plain
    for g in groups:
        if not g.size:
            continue
        base = _group_regex(g).pattern
        body = base[base.index("(?:") : base.rindex("(?![\\w]")]  # the alternation only
        rx = compiled(rf"(?<![\w.-]){body}{_VARIANT_SUFFIX}+(?![\w]|[-.][\w])", re.I)
        for m in rx.finditer(text):
            n = m.group(0)
            if n not in g.variant_names and n not in g.names:
                g.variant_names.append(n)


_SOFTWARE_SUBJECT_RE = re.compile(
    r"^\W*(?:it|this|they|these|that)\b|\b(?:library|libraries|framework|toolkit|sdk|codebase|"
    r"code repository|this repository|source code|inference server|container|package)\b|"
    r"^\W*(?:all |the |our )?(?:training |inference |evaluation )?code (?:for|to|is|are|and)\b",
    re.I,
)
_MODELS_HEADER_RE = re.compile(r"^\s*models?\s*(?:name)?\s*$", re.I)


def _is_spec_header(cell: str) -> bool:
    cell = cell.strip()
    return bool(_PARAM_HEADER_RE.search(cell) or ctx.TABLE_HEADERS.search(cell))


def _spec_table_models(post: Post) -> list[tuple[str, str]]:
    """(model name, evidence) for the models a visible spec table lists: a table headed
    `Models` with a parameter or context-length column (or, transposed, row). A license
    column alone does not make a spec table (comparison tables have one)."""
    out: list[tuple[str, str]] = []
    for table in post.doc.tables:
        if len(table) < 2 or not table[0]:
            continue
        head = table[0]
        # the `Models` column may follow a grouping column (`Model Type | Models | Size | ...`)
        col = next((i for i, h in enumerate(head) if _MODELS_HEADER_RE.match(h)), None)
        if col is None:
            continue
        if any(_is_spec_header(h) for i, h in enumerate(head) if i != col):
            names = [r[col] for r in table[1:] if len(r) > col]
        elif col != 0:
            continue
        elif any(r and _is_spec_header(r[0]) for r in table[1:]):
            names = head[1:]
        else:
            continue
        ev = " | ".join(head)[:200]
        for n in names:
            n = inline_to_text(n).strip().strip("*`").strip()
            if n:
                out.append((n, ev))
    return out


def _family_display(name: str) -> str:
    fam = family_of(name)
    parts = re.split(r"[-_ ]+", name)
    keep = [p for p in parts if _ckey(p) and _ckey(p) in _ckey(fam)]
    return "-".join(keep) or name


def _primary_org(groups: list[Group], primary: str | None) -> str | None:
    counts: dict[str, int] = {}
    for g in groups:
        for rid, _ in g.repos:
            org = rid.split("/")[0]
            counts[org] = counts.get(org, 0) + (2 if g.ckey == primary else 1)
    return max(counts, key=lambda k: counts[k]) if counts else None


# ---------------------------------------------------------------- facts per record


def _group_regex(g: Group) -> re.Pattern[str]:
    names = tuple(dict.fromkeys([g.display, *g.names, *[r.split("/")[-1] for r, _ in g.repos]]))
    return _names_regex(names)


@lru_cache(maxsize=2048)
def _names_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    alts = []
    for n in names:
        parts = [re.escape(p) for p in re.split(r"[-_ ]+", n) if p]
        if parts:
            alts.append(r"[-_ ]?".join(parts))
    body = "|".join(sorted(alts, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{body})(?![\w]|[-.][\w])", re.I)


def _family_mentions(s: str, families: dict[str, re.Pattern[str]]) -> set[str]:
    return {ck for ck, rx in families.items() if rx.search(s)}


def _record(
    g: Group,
    groups: list[Group],
    post: Post,
    primary: str | None,
    org_hint: str | None,
    main_count: int,
    observed_at: datetime | None,
    index: MentionIndex,
) -> ToolRecord:
    ref = g.ref(org_hint)
    rb = RecordBuilder(g.display, post.url, observed_at)
    rb.aliases = [
        n
        for n in dict.fromkeys(
            [*g.names, *[r for r, _ in g.repos], *g.variant_names, *g.code_repos]
        )
        if n != g.display
    ]

    # which sentences speak about this record (from the post's mention index)
    me = next(i for i, o in enumerate(groups) if o is g)
    same_family_sized = {
        i for i, o in enumerate(groups) if o is not g and o.ckey == g.ckey and o.size
    }
    own_re = _group_regex(g)
    group_res = [_group_regex(o) for o in groups]
    sibling_sizes = {groups[i].size for i in same_family_sized}
    own: list[str] = []
    contrasted: list[str] = []  # own clauses of sentences that speak of siblings apart
    family_level: list[str] = []
    unscoped: list[str] = []
    prev_own = False
    for i, s in enumerate(post.doc.sentences):
        if "|" in s and s.count("|") >= 2:
            prev_own = False
            continue
        named = index.groups[i]
        fams = index.families[i]
        as_family = {o for o in named if _names_family(group_res[o], s)}
        if as_family:  # `DeepSeek-VL2 models are subject to ...`: the family, every size
            named = named - as_family
            fams = fams | {
                x.ckey for o in as_family for x in groups if _in_family(x.ckey, groups[o].ckey)
            }
        if me in named or (prev_own and _CONTINUES_RE.match(s)):
            clause = _own_clauses(s, own_re, named - {me}, group_res) if me in named else s
            own.append(clause)
            if clause != s:
                contrasted.append(clause)
            prev_own = True
            continue
        prev_own = False
        if named:  # names another record: family level only when no sized sibling is named
            if g.ckey in fams and not (named & same_family_sized):
                family_level.append(s)
            continue
        if fams:
            if g.ckey in fams and not _other_sizes_only(s, g, sibling_sizes):
                family_level.append(s)
            continue
        unscoped.append(s)
    scoped = own + family_level
    general = unscoped if not g.extra else []

    # vendor
    org = ref.org
    if org:
        rb.set("vendor", vendor_for_org(org), "hf:org", f"org={org}")
    else:
        fv = vendor_for_family(g.display)
        if fv:
            rb.set("vendor", fv[0], "vendors:family", f"{g.display} -> {fv[0]}", confidence=0.8)
        elif post.url and vendor_for_domain(post.url):
            rb.set(
                "vendor", vendor_for_domain(post.url), "vendors:domain", post.url, confidence=0.7
            )
        else:
            hit = vendor_from_text(
                " ".join(([post.title] if post.title else []) + scoped[:5] + general[:5])
            )
            if hit:
                rb.set("vendor", hit[0], "text:vendor", hit[1], confidence=0.6)

    # license: own sentences > table row > family/unscoped sentences
    _license(rb, g, ref, scoped, general, post)

    # parameters
    if main_count == 1 and not g.extra:
        shared = family_level + general
    elif not g.extra and not g.size:
        shared = _collective(post, [o for o in groups if not o.extra])
    else:
        shared = []
    _params(rb, g, ref, own, shared, post)

    # context
    _context(rb, ref, own, family_level, general, post)

    # release date: the post's own date
    if post.date:
        rb.set("release_date", post.date, "post:date", post.date_evidence)

    # scored candidates for what is still empty (name tokens, facts, own sentences)
    candidates.refine(
        rb,
        post.doc.parsed,
        ref.names(),
        single_model=main_count == 1 and not g.extra,
        sentences=own,
        allow_task=False,
    )

    # open weights
    primary_open = any(o.repos and not o.extra for o in groups)
    hub_presence = any(
        re.match(
            r"https?://(?:www\.)?(?:huggingface\.co|hf\.co|modelscope\.cn)/(?!spaces/|studios/|datasets/|blog/|docs/|papers/)[\w-]+",
            url,
        )
        for _, url in post.doc.links
    )
    _open_weights(
        rb, g, scoped, general, primary_open, hub_presence, main_count == 1, contrasted=contrasted
    )

    # task: an LLM only if no sentence about the family calls it an encoder / masked LM.
    # A title naming a language model AND a VLM speaks of both: its multimodal cue is the
    # VLM's when another record of the post is named as one
    modal_sibling = any(
        o is not g and not o.extra and _NOT_TEXT_GEN_RE.search(o.display) for o in groups
    ) and bool(_LLM_CUE_RE.search(post.title or ""))
    own_sib_re = compiled(
        _group_regex(g).pattern + r"\s+(?:VLMs?|vision|VL|multimodal)\b", re.I
    )  # `Falcon 2 11B VLM` names the sibling
    base_re = _name_regex(re.split(r"[-_ ]", g.family_display or g.display)[0])
    if (
        not g.extra
        and not any(_NOT_LLM_RE.search(s) for s in scoped)
        and not _family_called_non_llm(post, base_re)
        and not _NOT_TEXT_GEN_RE.search(g.display)
        and not _CAMEL_MODAL_RE.search(g.display)
        and not _MULTIMODAL_RE.search(
            " ".join([post.title or "", *own[:3]])
            if not modal_sibling
            else " ".join(own_sib_re.sub(" ", x) for x in own[:3])
        )
        and not any(_NOT_TEXT_GEN_RE.search(r) for r, _ in g.repos)
    ):
        cue = next(
            (
                s
                for s in scoped + general + ([post.title] if post.title else [])
                if _LLM_CUE_RE.search(s) and not _MODAL_WORD_RE.search(s)
            ),
            None,
        )
        if cue is None:
            # an API product whose usage example is a chat-completions call is a chat LLM
            api = re.search(
                r"\bchat\.completions\.create\b|/v\d/chat/completions\b|\bChatCompletion\.create\b",
                post.markup,
            )
            cue = api.group(0) if api else None
        if cue:
            rb.set("task", "text-generation", "text:llm", cue, confidence=0.7)

    # base model
    _base(rb, g, ref, groups, post, own, org_hint)

    # tagline, category, links
    tag = next((sanitize_line(s) for s in own if len(s) > 40 and "|" not in s), None)
    rb.set("tagline", tag, "text:first-sentence", tag)
    cat = category_for(rb.values.get("task"), [], g.display)
    rb.set("category", cat, "taxonomy", f"task={rb.values.get('task')} name={g.display}")
    if post.url:
        rb.add_link(LinkType.ANNOUNCEMENT, post.url)
    for rid, _ in g.repos:
        rb.add_link(LinkType.MODEL_CARD, f"https://huggingface.co/{rid}")
    return rb.build(ref.repo_id)


def _family_called_non_llm(post: Post, base_re: re.Pattern[str]) -> bool:
    """A sentence naming the family word calls it an encoder / masked LM: asked once per
    post and word (every record of the family asked it of every sentence)."""
    key = f"_family_called_non_llm:{base_re.pattern}"
    if key not in post.memo:
        post.memo[key] = any(_NOT_LLM_RE.search(x) for x in post.doc.sentences if base_re.search(x))
    return bool(post.memo[key])


_COLLECTIVE_RE = re.compile(
    r"\bboth (?:of (?:the|these|our) )?models\b|\ball (?:\w+ )?(?:of the |these |our )?models\b|\beach (?:of the )?models?\b",
    re.I,
)


def _collective(post: Post, mains: list[Group]) -> list[str]:
    """Sentences about every model of a post: one naming all of them (`StarCoder and
    StarCoderBase are ...`) or `both models`, and the next sentence of the same paragraph
    when it names no model (`... we trained a ~15B parameter model`)."""
    if len(mains) < 2:
        return []
    res = [_group_regex(o) for o in mains]
    out: list[str] = []
    for para in re.split(r"\n\s*\n", post.doc.plain):
        prev = False
        for s in sentences_of(para):
            named = [bool(rx.search(s)) for rx in res]
            if all(named) or (_COLLECTIVE_RE.search(s) and not any(named)):
                out.append(s)
                prev = True
                continue
            if prev and not any(named) and not _PARAM_OTHER_RE.search(s):
                out.append(s)
            prev = False
    return out


_PARAM_OTHER_RE = re.compile(r"\b(?:than|compared|versus|vs\.?|outperform\w*)\b", re.I)


def _license(
    rb: RecordBuilder, g: Group, ref: ModelRef, scoped: list[str], general: list[str], post: Post
) -> None:
    # a sentence naming several licenses (`Apache 2.0, while X is under the Qwen License`)
    # splits them between models: only the spec table or the name's own clause decides
    multi = [s for s in scoped + general if len({lid for _, lid in licenses.mentions(s)}) >= 2]
    single = [s for s in scoped if s not in multi]
    general = [s for s in general if s not in multi]
    hit = licenses.find_in_sentences(single)
    if hit:
        rb.set("license", hit.license, "text:license", hit.evidence, confidence=0.8)
        return
    keys = ref.names()
    for table in _spec_tables(post):
        if len(table) < 2:
            continue
        head = table[0]
        cols = [i for i, h in enumerate(head) if _LICENSE_HEADER_RE.search(h.strip())]
        if not cols:
            continue
        rows = _rows_for(table[1:], keys)
        vals = {licenses.from_prose(r[cols[0]] + " license") for r in rows if len(r) > cols[0]}
        vals.discard(None)
        if len(vals) == 1:
            lid = vals.pop()
            assert lid is not None
            rb.set(
                "license",
                licenses.make_license(lid),
                "table:license",
                " | ".join(rows[0])[:200],
                confidence=0.8,
            )
            return
    # a sentence naming no model that starts with a pronoun, or is about software, licenses
    # whatever the previous sentence was about (`It ... is distributed under the Apache 2 license`)
    general = [
        s
        for s in general
        if not _SOFTWARE_SUBJECT_RE.search(s) or re.search(r"\b(?:models?|weights)\b", s, re.I)
    ]
    # a sentence about the model or its weights before one about anything else
    general.sort(key=lambda s: 0 if re.search(r"\b(?:models?|weights)\b", s, re.I) else 1)
    own_re = _group_regex(g)
    for s in multi:
        m = own_re.search(s)
        if not m:
            continue
        after = [lid for pos, lid in licenses.mentions(s) if pos >= m.end()]
        if after:
            rb.set("license", licenses.make_license(after[0]), "text:license", s, confidence=0.6)
            return
    for s in general + single:
        lid = _model_license_in(s) if re.search(r"licen[cs]", s, re.I) else None
        if not lid and re.search(r"licen[cs]", s, re.I):
            for anchor, url in post.doc.links:
                if anchor and anchor in s and re.search(r"licen[cs]", anchor, re.I):
                    lid = licenses.from_link(url)
                    if lid:
                        break
        if not lid:
            continue
        exc = _EXCEPT_RE.search(s)
        if exc:
            excluded = {
                _norm_size(n, u or "b")
                for n, u in re.findall(r"(\d+(?:\.\d+)?)\s?([BbMm])?", exc.group(1))
            }
            if g.size in excluded:
                continue
        elif licenses._NEGATED.search(s):
            continue
        rb.set("license", licenses.make_license(lid), "text:license", s, confidence=0.7)
        return
    # no license id: custom terms shown to be restricted (`Responsible AI License`,
    # `... which includes an acceptable use policy`, `under very restrictive conditions`)
    for s in scoped + general:
        if licenses.custom_restricted(s):
            rb.set(
                "license",
                License(terms=LicenseTerms.RESTRICTED),
                "text:license-terms",
                s[:300],
                confidence=0.6,
            )
            return


_CODE_SUBJECT_RE = re.compile(
    r"\bcode\b|\blibrar(?:y|ies)\b|\bframework\b|\brepositor(?:y|ies)\b|\btoolkit\b|\bsdk\b", re.I
)


def _model_license_in(s: str) -> str | None:
    """The license a sentence gives the model: not one its own clause gives to code
    (`the model weights ... with OpenRAIL license, all code ... with Apache 2.0 license`)."""
    lid = licenses.from_prose(s)
    if not lid:
        return None

    def for_code(pos: int) -> bool:
        lead = s[max(0, pos - 80) : pos]
        cuts = list(re.finditer(r"licen[cs]e\w*|[;:]", lead, re.I))
        if cuts:
            lead = lead[cuts[-1].end() :]
        return bool(_CODE_SUBJECT_RE.search(lead)) and not re.search(
            r"\bmodels?\b|\bweights\b|\bcheckpoints?\b", lead, re.I
        )

    found = licenses.mentions(s)
    if not any(m == lid for _, m in found):
        return lid
    if any(m == lid and not for_code(pos) for pos, m in found):
        return lid
    return next((m for pos, m in found if not for_code(pos)), None)


def _rows_for(rows: list[list[str]], keys: list[str]) -> list[list[str]]:
    """Rows naming the model; exact cell matches win over partial ones."""
    norm = [re.sub(r"[^a-z0-9.]", "", k.lower()) for k in keys]
    exact = [r for r in rows if any(re.sub(r"[^a-z0-9.]", "", c.lower()) in norm for c in r)]
    if exact:
        return exact
    return [r for r in rows if row_matches(r, keys)]


@_per_post
def _spec_tables(post: Post) -> list[list[list[str]]]:
    """Visible tables, tables kept in HTML comments, and transposed spec tables (a `Models`
    header row of model names over `# Params` / `Context Length` rows) turned upright."""
    tables = post.doc.tables + _comment_tables(post)
    upright = []
    for t in post.doc.tables:
        if (
            len(t) >= 2
            and t[0]
            and _MODELS_HEADER_RE.match(t[0][0])
            and any(r and _is_spec_header(r[0]) for r in t[1:])
        ):
            width = max(len(r) for r in t)
            rows = [list(r) + [""] * (width - len(r)) for r in t]
            upright.append([list(col) for col in zip(*rows, strict=True)])
    return tables + upright


def _comment_tables(post: Post) -> list[list[list[str]]]:
    """Spec tables kept in HTML comments (blogs keep them as the source of a spec image)."""
    from normalizer.text import markdown_tables

    out: list[list[list[str]]] = []
    for m in re.finditer(r"<!--(.*?)-->", post.markup, re.S):
        if "|" in m.group(1):
            out.extend(markdown_tables(m.group(1)))
    return out


def _params(
    rb: RecordBuilder, g: Group, ref: ModelRef, own: list[str], shared: list[str], post: Post
) -> None:
    """Main records: a stated count close to the size, the spec table, then the size itself.
    Extras and unsized models: the count their own sentences state."""
    size_value = _size_value(g.size)
    prose = None
    for s in own + shared:
        hit = params.from_sentence(s)
        if hit and hit.total:
            if size_value and not g.extra and abs(hit.total - size_value) > 0.15 * size_value:
                continue
            prose = (hit, params.active_from_sentence(s), s)
            break
    if prose:
        hit, active, s = prose
        rb.set("parameters", Parameters(total=hit.total, active=active), hit.method, s)
        return
    keys = ref.names()
    tables = _spec_tables(post)
    total = _table_value(tables, _PARAM_HEADER_RE, keys)
    if total and (not size_value or abs(total[0] - size_value) <= 0.15 * size_value):
        # a bare-number active column is in the unit of the total's column
        active = _table_value(
            tables, _ACTIVE_HEADER_RE, keys, default_unit="b" if total[0] >= 1e9 else None
        )
        if active and active[0] >= total[0]:
            active = None  # a dense model in an MoE comparison table
        rb.set(
            "parameters",
            Parameters(
                total=int(total[0]),
                active=int(active[0]) if active else _active_from_names(g, total[0]),
            ),
            "table:params",
            total[1],
            confidence=0.9,
        )
        return
    if size_value:
        rb.set(
            "parameters",
            Parameters(total=int(size_value), active=_active_from_names(g, size_value)),
            "name",
            f"{g.display} ({g.size})",
            confidence=0.8,
        )
        return
    if ref.repo_id:
        hit = params.from_name(ref.repo_id)
        if hit:
            rb.set(
                "parameters",
                Parameters(total=hit.total, active=hit.active),
                "name",
                ref.repo_id,
                confidence=0.8,
            )


def _active_from_names(g: Group, total: float) -> int | None:
    """`Qwen2-57B-A14B`: a name of the record that states the active count for this total."""
    for n in [g.display, *g.names]:
        hit = params.from_name(n)
        if hit and hit.active and hit.total and abs(hit.total - total) <= 0.15 * total:
            return hit.active
    return None


def _table_value(
    tables: list[list[list[str]]],
    header: re.Pattern[str],
    keys: list[str],
    default_unit: str | None = None,
) -> tuple[float, str] | None:
    for table in tables:
        if len(table) < 2:
            continue
        cols = [i for i, h in enumerate(table[0]) if header.search(h.strip())]
        if not cols:
            continue
        rows = _rows_for(table[1:], keys)
        vals = set()
        unit: str | None = None
        for r in rows:
            if len(r) <= cols[0]:
                continue
            m = re.match(rf"^\s*~?\s*({NUM})\s?([BbMmTt])\b", r[cols[0]])
            if m:
                vals.add(to_number(m.group(1), m.group(2)))
                continue
            m = re.fullmatch(rf"\s*~?\s*({NUM})\s*", r[cols[0]])
            if m:
                unit = unit or _column_unit(table, cols[0]) or default_unit or "-"
                if unit != "-":
                    vals.add(to_number(m.group(1), unit))
        vals.discard(None)
        if len(vals) == 1:
            v = vals.pop()
            assert v is not None
            return v, " | ".join(rows[0])[:200]
    return None


def _column_unit(table: list[list[str]], col: int) -> str | None:
    """The unit of a column of bare numbers (`#Parameters | 14.3`): the header's
    (`Params (B)`, `in billions`), or B when every row whose name carries a size agrees
    with it in billions (`Mistral-7B | 7.2`, `Gemma-7B | 8.5`: at least two such rows)."""
    head = table[0][col]
    m = re.search(r"\(\s*(B|M|billions?|millions?)\s*\)|\bin (billions|millions)\b", head, re.I)
    if m:
        word = (m.group(1) or m.group(2)).lower()
        return "b" if word.startswith("b") else "m"
    checked = 0
    for r in table[1:]:
        if len(r) <= col or not r[0].strip():
            continue
        size = _size_value(_size_of(inline_to_text(r[0]).strip().strip("*`")))
        cell = re.fullmatch(rf"\s*~?\s*({NUM})\s*", r[col])
        if not size or not cell:
            continue
        value = to_number(cell.group(1), "b")
        if not value or abs(value - size) > 0.25 * size:
            return None
        checked += 1
    return "b" if checked >= 2 else None


def _context(
    rb: RecordBuilder,
    ref: ModelRef,
    own: list[str],
    family_level: list[str],
    general: list[str],
    post: Post,
) -> None:
    """Sentences naming the model > its spec-table cell > sentences about the family > the rest."""
    for pool, conf in ((own, 0.9), (None, 0.85), (family_level, 0.85), (general, 0.7)):
        if pool is None:
            tables = _spec_tables(post)
            for table in tables:
                if len(table) < 2:
                    continue
                cols = [i for i, h in enumerate(table[0]) if ctx.TABLE_HEADERS.search(h.strip())]
                if not cols:
                    continue
                rows = _rows_for(table[1:], ref.names())
                vals = {ctx.from_cell(r[cols[0]]) for r in rows if len(r) > cols[0]}
                vals.discard(None)
                if len(vals) == 1:
                    v = vals.pop()
                    assert v is not None
                    rb.set(
                        "context_length",
                        v,
                        "table:context",
                        " | ".join(rows[0])[:200],
                        confidence=conf,
                    )
                    return
            continue
        for s in pool:
            hit = ctx.from_sentence(s)
            if hit:
                rb.set("context_length", hit.value, hit.method, hit.evidence, confidence=conf)
                return


def _open_weights(
    rb: RecordBuilder,
    g: Group,
    scoped: list[str],
    general: list[str],
    primary_open: bool,
    hub_presence: bool,
    only_model: bool = False,
    *,
    contrasted: list[str] | None = None,
) -> None:
    if g.repos:
        rb.set("open_weights", True, "text:hf-repo-link", f"https://huggingface.co/{g.repos[0][0]}")
        return
    if g.code_repos:
        rb.set("open_weights", True, "code:hub-repo", g.code_repos[0], confidence=0.8)
        return
    for s in scoped + general:
        m = _OPEN_RE.search(s)
        if m and not _OPEN_EXCLUDE_RE.search(s[max(0, m.start() - 50) : m.start()]):
            rb.set("open_weights", True, "text:open-weights", s, confidence=0.8)
            return
    if g.extra and g.evidence and primary_open and not _API_ONLY_RE.search(g.evidence):
        rb.set("open_weights", True, "text:released-with-open-models", g.evidence, confidence=0.6)
        return
    # `we open-source X-2B and X-7B, and we release the API of X-72B`: this record's own
    # clause, set against its siblings', speaks for it alone
    api_own = next(
        (s for s in contrasted or [] if _API_ONLY_RE.search(s) and not _OPEN_RE.search(s)), None
    )
    if hub_presence and api_own is None:
        return  # the post points at a model hub: API access is not evidence of a closed model
    if api_own is not None:
        scoped = [api_own]
    # a post about one model that links no model hub: `you can use it through the API`
    # (the sentence names no model) speaks about that model
    for s in scoped + (general if only_model and not g.extra else []):
        if _API_ONLY_RE.search(s):
            rb.set("open_weights", False, "text:api-only", s, confidence=0.7)
            if not rb.has("license"):
                rb.set(
                    "license",
                    License(terms=LicenseTerms.PROPRIETARY),
                    "text:api-only",
                    s,
                    confidence=0.6,
                )
            return


def _base(
    rb: RecordBuilder,
    g: Group,
    ref: ModelRef,
    groups: list[Group],
    post: Post,
    own: list[str],
    org_hint: str | None,
) -> None:
    keys = ref.names()
    for table in post.doc.tables:
        if len(table) < 2:
            continue
        cols = [i for i, h in enumerate(table[0]) if _BASE_HEADER_RE.search(h.strip())]
        if not cols:
            continue
        rows = _rows_for(table[1:], keys)
        if len(rows) != 1 or len(rows[0]) <= cols[0]:
            continue
        cell = rows[0][cols[0]].strip()
        for anchor, url in post.doc.links:
            rid = repo_id_from_url(url)
            if rid and "/" in rid and anchor.strip() == cell:
                rb.set(
                    "base_model", rid, "table:base-model", " | ".join(rows[0])[:200], confidence=0.9
                )
                rb.set("base_model_relation", "finetune", "table:base-model", cell, confidence=0.6)
                return
    own_re = _group_regex(g)
    lines = []
    for ln in strip_code(post.markup).splitlines():
        if ln.count("|") >= 2:
            continue
        m = own_re.search(ln)
        if m:
            tail = ln[m.start() :]  # the record must be the subject, before the trigger
            trig = _BASE_TRIGGER_RE.search(tail)
            if trig and "," in tail[m.end() - m.start() : trig.start()]:
                continue  # a list of models precedes the trigger: its subject is not this one
            lines.append(tail)
    found = base_from_text("\n".join(lines), ref) if lines else None
    if found:
        rb.set("base_model", found[0], "text:base-model", found[1], confidence=0.7)
        rb.set("base_model_relation", found[2].value, "text:base-model", found[1], confidence=0.6)
        return
    # `We fine-tuned StarCoderBase ... resulting in a new model that we call StarCoder`:
    # another record of this post, named before the result
    for s in own:
        trig = re.search(
            r"\b(?:fine-?tuned|further (?:pre-?)?trained|continued (?:pre-?)?training(?: of)?)\s+",
            s,
            re.I,
        )
        res = re.search(r"\bresulting in\b|\bto (?:create|obtain|produce)\b", s, re.I)
        if not trig or not res or res.start() < trig.end():
            continue
        mine = own_re.search(s, res.end())
        if not mine:
            continue
        for other in groups:
            if other is g or not other.repos:
                continue
            m = _group_regex(other).match(s, trig.end())
            if m and m.end() <= res.start():
                rid = other.best_repo(org_hint)
                rb.set("base_model", rid, "text:base-model", s, confidence=0.7)
                rb.set("base_model_relation", "finetune", "text:base-model", s, confidence=0.7)
                return
    # "fine-tuned on Llama 3 8B": another record of this post
    for s in own:
        m = re.search(r"\bfine-?tuned (?:on|from)\s+(.{3,60})", s, re.I)
        if not m:
            continue
        for other in groups:
            if other is g or not other.repos:
                continue
            if _group_regex(other).match(m.group(1)):
                rid = other.best_repo(org_hint)
                rb.set("base_model", rid, "text:base-model", s, confidence=0.7)
                rb.set("base_model_relation", "finetune", "text:base-model", s, confidence=0.7)
                return
