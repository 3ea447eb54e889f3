"""Sizes a post lists for a family (`comes in two sizes: 8B and 70B`, `Qwen2.5-Coder:
1.5B, 7B`): each size is a model of its own, announced with the family."""

from __future__ import annotations

import re
from typing import Any

from normalizer.identity import family_of
from normalizer.name_sizes import (
    SIZE_TOKEN,
    ckey,
    name_regex,
    norm_size,
    size_number,
    sized_name_regex,
)
from normalizer.post import Post
from normalizer.post_names import fold_line, history_lines

_SIZE_LIST_CUE_RE = re.compile(
    r"\b(?:sizes?|comes? in|come in|available in|family of|introduces|consists? of|including|variants|"
    r"release[sd]?|open[- ]?sourc\w*|parameters)\b",
    re.I,
)
_SIZE_LIST_EXCLUDE_RE = re.compile(
    r"^\W*(?:[\w ]{0,20}\b)?(?:note|update|edit)\s*:|\bafter this release\b|"  # afterthoughts about later models
    r"\btotal param\w*|\bactive param\w*|\bactivat(?:es?|ed|ing)\b|\d\s?[BM]?\s*[∼~]\s*\d|\b(?:compared?|outperform\w*|than|vs\.?|versus|goes from|from \d|against|like|such as|similar|"
    r"match(?:es|ing)?|rival\w*|on par|parity|surpass\w*|beat\w*)\b",
    re.I,
)
_UNITLESS_LIST_RE = re.compile(
    r"(?<![\w.])((?:\d+(?:\.\d+)?\s*(?:,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*))+\d+(?:\.\d+)?)\s?(B|M|billion|million)\b",
    re.I,
)
_SOURCE_CLAUSE_RE = re.compile(
    r"\b(?:expanded|initiali[sz]ed|derived|distilled|upcycled|converted|pruned|continually pre-?trained)"
    r" from\b|\bbased on\b|\bbuilt (?:on|upon|from)\b",
    re.I,
)
_NAMEISH_RE = re.compile(r"(?<![\w.])[A-Za-z][\w]*(?:[-.][\w]+)*\d[\w.]*(?:-[\w.]+)*")
_LIST_SIZE_RE = re.compile(
    r"(?<![\w.\-–])(\d+x\d+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(B|M|billion|million)?(?![\w]|\.\d|\+)(?!\s*(?:tokens|active|activated|of (?:data|tokens)))(?P<later>\s+(?:is |are )?(?:on the way|coming soon|upcoming|to come))?",
    re.I,
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


def size_lists(
    post: Post, families: dict[str, str], primary: str | None, is_main: Any = None
) -> list[tuple[str, list[str], str, str | None]]:
    """(family ckey, sizes, evidence, qualifier) from lines like `Qwen2.5-Coder: 1.5B, 7B` /
    `comes in two sizes: 8B and 70B` / `Llama 3.2 Vision comes in two sizes: 11B and 90B`
    (qualifier `Vision`: the sizes are of the sub-family)."""
    out: list[tuple[str, list[str], str, str | None]] = []
    family_res = {ck: name_regex(disp) for ck, disp in families.items()}
    history = history_lines(post)
    for sent in post.doc.sentences + ([post.title] if post.title else []):
        if "|" in sent:
            continue
        if history and _in_history(sent, history):
            continue  # `2025.03.18: We released X, including 2.4B, 7.8B and 32B`: old news
        out += _named_lists(sent, families, is_main)
        if _SIZE_LIST_EXCLUDE_RE.search(sent) or re.search(r"\b(?:not|n't)\b", sent):
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
                ck = ckey(family_of(lead))
                if is_main is not None and is_main(ck) and _LIST_SIZE_RE.search(line_form.group(2)):
                    families.setdefault(ck, lead)
                    family_res[ck] = name_regex(lead)
                    target, rest = ck, line_form.group(2)
        subject = _SUBJECT_RE.match(sent)
        if target is None and subject and is_main is not None:
            # `InternLM2-Reward is a series of reward models, available in 1.8B, 7B and 20B`
            ck = ckey(family_of(subject.group(1)))
            if ck not in families and not is_main(ck) and _SIZE_LIST_CUE_RE.search(sent):
                continue  # another family's sizes: not the primary's
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
        # `1B, 8B and 20B, which are expanded from the Qwen2.5 base models of 0.5B, 7B and
        # 14B`: the sizes after a source clause are another model's
        if src := _SOURCE_CLAUSE_RE.search(rest):
            rest = rest[: src.start()]
        # `Qwen2-0.5B, Qwen2-1.5B and Qwen2-72B`: a list of family names with sizes lists
        # those sizes (one such name alone is a mention, not a list)
        for disp in families.values():
            srx = sized_name_regex(disp)
            if len(srx.findall(rest)) >= 2:
                rest = srx.sub(lambda m: " " + m.group(1), rest)
        rest = _NAMEISH_RE.sub(
            lambda m: m.group(0) if re.fullmatch(SIZE_TOKEN, m.group(0)) else " ", rest
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
            _keep_size(sizes, num, u)
        if len(sizes) >= 2 or (len(sizes) == 1 and line_form is not None and rest is not sent):
            out.append((target, sizes, sent[:300], qualifier))
    return out


def _in_history(sent: str, history: list[str]) -> bool:
    key = fold_line(sent)
    return len(key) >= 20 and any(key in line for line in history)


_SUBJECT_RE = re.compile(
    r"^([A-Z][\w.]*\d[\w.]*(?:-[A-Za-z][\w.]*)*)\s+(?:is|are|was|were|comes?|came|ships?|shipped|has|had)\b"
)
_ANY_SIZE_RE = re.compile(r"\d[BbMm](?![a-z])")
_SLASH_SIZES_RE = re.compile(
    r"(?<![\w.-])(?P<name>[A-Z][\w.]*(?:-[A-Za-z][\w.]*)*)-(?P<sizes>\d+(?:\.\d+)?[BM](?:/\d+(?:\.\d+)?[BM])+)(?![\w/])"
)


def _named_lists(
    sent: str, families: dict[str, str], is_main: Any
) -> list[tuple[str, list[str], str, str | None]]:
    """Sizes a sentence lists in the family's own names, wherever it compares after them:
    `Qwen2-Math-Instruct-1.5B/7B/72B`, `models – Bolmo 7B and Bolmo 1B – that are on par
    with …` (the list comes before the comparison, so the sizes are the family's)."""
    out: list[tuple[str, list[str], str, str | None]] = []
    if len(_ANY_SIZE_RE.findall(sent)) < 2:
        return out  # (most sentences: no list to read)
    for m in _SLASH_SIZES_RE.finditer(sent):
        ck = ckey(family_of(m.group("name")))
        if ck in families or (is_main is not None and is_main(ck)):
            out.append((ck, _sizes_in(m.group("sizes")), sent[:300], None))
    cut = _SIZE_LIST_EXCLUDE_RE.search(sent)
    head = sent[: cut.start()] if cut else sent
    for ck, disp in families.items():
        found = sized_name_regex(disp).findall(head)
        if len(set(found)) >= 2:
            out.append((ck, _sizes_in("/".join(found)), sent[:300], None))
    return [o for o in out if len(o[1]) >= 2]


def _sizes_in(text: str) -> list[str]:
    sizes: list[str] = []
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)\s?([BbMm])", text):
        _keep_size(sizes, num, unit)
    return sizes


def _keep_size(sizes: list[str], num: str, unit: str) -> None:
    """Add a model size (100M to 2T) once, in the order the post gives it."""
    size = norm_size(num, unit)
    value = size_number(size)
    if size and value and 1e8 <= value <= 2e12 and size not in sizes:
        sizes.append(size)


def qualified_names(post: Post, display: str, qualifier: str, size: str, joiner: str) -> list[str]:
    """Names of a sub-family model at one size, the form the post uses most first:
    `Llama 3.2 11B Vision` (repos put the size first) and `Llama 3.2 Vision 11B`."""
    forms = [
        f"{display}{joiner}{size}{joiner}{qualifier}",
        f"{display}{joiner}{qualifier}{joiner}{size}",
    ]
    counts = [len(name_regex(f).findall(post.doc.plain)) for f in forms]
    if counts[1] > counts[0]:
        forms.reverse()
    return forms
