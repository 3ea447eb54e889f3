"""Context window in tokens, as the document states it (`8K` -> 8000, `32,768` -> 32768)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from normalizer.numbers import NUM, to_number


@dataclass(frozen=True)
class ContextHit:
    value: int
    method: str
    evidence: str
    rank: int
    """Lower is stronger: 0 key-value, 1 prose, 2 table."""


_CTX_UNIT = r"(k|m)?"
_CTX_NUM = rf"({NUM})\s?{_CTX_UNIT}(?![a-z0-9])"
_CTX_WORDS = r"(?:context(?:\s|-)?(?:length|window|size|len)|max(?:imum)?\s+(?:context|sequence|input|seq)\s+length|seq(?:uence)?\s*len(?:gth)?|content length)"

# `Context length: 2048 tokens`, `Context Length: Full 32,768 tokens`,
# `Context length: Supports long context, at least 128K tokens`
_KV_RE = re.compile(
    rf"^{_CTX_WORDS}(?:\s*\((?:context|tokens)\))?\s*[:：]\s*(?:full|up to|upto|~)?\s*{_CTX_NUM}"
    rf"|^{_CTX_WORDS}\s*[:：]\s*(?:supports?\s+)?(?:[\w-]+,?\s+){{0,4}}?(?:at least|up to)\s+{_CTX_NUM}\s+tokens\b",
    re.I,
)
# `long-context understanding up to 256K input tokens`
_LONG_CONTEXT_RE = re.compile(
    rf"\blong[- ]context\b(?:\s+[\w-]+){{0,3}}?\s+(?:up\s+to|of)\s+{_CTX_NUM}\s+(?:input\s+)?tokens\b",
    re.I,
)
# `context length of 8K tokens`, `context window of up to 128K`, `context length up to 32,768 tokens`
_PROSE_FWD_RE = re.compile(
    rf"\b{_CTX_WORDS}\s+(?:of\s+|is\s+|to\s+|at\s+|up\s+to\s+|of\s+up\s+to\s+|is\s+up\s+to\s+|set\s+for\s+\w+\s+up\s+to\s+)*"
    rf"(?:~|about\s+|approximately\s+)?{_CTX_NUM}",
    re.I,
)
# `a 16k context window`, `128K context length`, `32k-token context`, `128K tokens of context`
_PROSE_BACK_RE = re.compile(
    rf"(?<![\w.]){_CTX_NUM}(?:[- ]tokens?)?(?:\s+of)?[- ](?:long[- ])?(?:context|ctx)(?:[- ](?:length|window|size))?\b",
    re.I,
)
# `input text longer than 256 word pieces is truncated`
_TRUNC_RE = re.compile(
    rf"longer than\s+{_CTX_NUM}\s+(?:tokens|word\s?pieces|wordpieces)\s+(?:is|are|will be|gets?)\s+truncated",
    re.I,
)
# `support(s) up to 128K tokens` — only when the sentence is about context
_SUPPORT_RE = re.compile(rf"\bsupports?\s+(?:up\s+to\s+)?{_CTX_NUM}\s+tokens\b", re.I)

_NEGATION_RE = re.compile(r"\b(?:not|n't|no longer|without|cannot)\b", re.I)
_NOT_WINDOW_RE = re.compile(
    r"\b(?:generat\w*|output|fine-?tun\w*|trained with|training|extrapolat\w*|extend\w*|exceeding|beyond|longer than|yarn|rope)\b",
    re.I,
)

# `On MMLU-Pro (4k context length), X achieves 51.0`: a length an evaluation ran at is
# not the model's window, unless the sentence also speaks of what the model supports
_EVAL_RE = re.compile(
    r"\b(?:achiev\w*|scor\w*|performance|benchmark\w*|evaluat\w*|accuracy|outperform\w*|"
    r"results?|tested|measured)\b",
    re.I,
)
_CAPACITY_RE = re.compile(
    r"\b(?:supports?|supporting|window|up to|maximum|max|natively|native|handles?|extends?)\b",
    re.I,
)


def _eval_setting(sentence: str) -> bool:
    return bool(_EVAL_RE.search(sentence)) and not _CAPACITY_RE.search(sentence)


TABLE_HEADERS = re.compile(
    r"^length$|^(?:default\s+)?(?:context(?:\s|-)?(?:length|window|size|len)?|content length|seq\s?len(?:gth)?|max(?:imum)?\s+(?:context|sequence|tokens)(?:\s+length)?|sequence length)\b",
    re.I,
)


def parse_tokens(num: str, unit: str | None) -> int | None:
    value = to_number(num, unit)
    if value is None:
        return None
    value = int(round(value))
    return value if 64 <= value <= 100_000_000 else None


@lru_cache(maxsize=16384)  # pure; cards and posts ask it of the same sentence again
def from_sentence(sentence: str) -> ContextHit | None:
    s = sentence.strip()
    m = _KV_RE.search(s)
    if m:
        num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        v = parse_tokens(num, unit)
        if v:
            return ContextHit(v, "text:key-value", s[:300], 0)

    def negated(start: int) -> bool:
        return bool(_NEGATION_RE.search(s[max(0, start - 25) : start]))

    m = _TRUNC_RE.search(s)
    if m:
        v = parse_tokens(m.group(1), m.group(2))
        if v:
            return ContextHit(v, "text:truncation", s[:300], 1)
    if _eval_setting(s):
        return None
    for regex in (_PROSE_FWD_RE, _PROSE_BACK_RE, _LONG_CONTEXT_RE):
        m = regex.search(s)
        if m and not negated(m.start()):
            lead = s[max(0, m.start() - 60) : m.start()]
            if _NOT_WINDOW_RE.search(lead + m.group(0)):
                continue
            v = parse_tokens(m.group(1), m.group(2))
            if v:
                return ContextHit(v, "text", s[:300], 1)
    m = _SUPPORT_RE.search(s)
    if (
        m
        and not negated(m.start())
        and re.search(r"context", s, re.I)
        and not _NOT_WINDOW_RE.search(s[: m.start()])
    ):
        v = parse_tokens(m.group(1), m.group(2))
        if v:
            return ContextHit(v, "text", s[:300], 1)
    return None


_WINDOW_TOKEN = r"(?:(\d{2,4})[kK]|(10|[1-9])[mM])(?=$|[-_ .,;:)])"
"""`200K`, `1M` as a name's token (a window of 1M-10M: a name's `-500M` is a parameter
count)."""
_NAME_WINDOW_RE = re.compile(rf"(?:^|(?<=[-_ .])){_WINDOW_TOKEN}")
_TEXT_WINDOW_RE = re.compile(rf"(?<=[\w.][-_]){_WINDOW_TOKEN}")


def _window(m: re.Match[str]) -> int:
    return int(m.group(1)) * 1000 if m.group(1) else int(m.group(2)) * 1_000_000


def window_of_name(name: str) -> int | None:
    """The context window a model's name carries (`Yi-34B-200K` -> 200000)."""
    m = _NAME_WINDOW_RE.search(name)
    return _window(m) if m else None


def windows_in_names(text: str) -> set[int]:
    """The windows the model names in a text carry (`…-Chat-1M supports …` -> 1000000);
    a bare `128K tokens` is no name's."""
    return {_window(m) for m in _TEXT_WINDOW_RE.finditer(text)}


def from_cell(cell: str) -> int | None:
    """`128K`, `up to 32,768 tokens`; `256K -> 1M (YaRN)`: the native window, not the
    length an extension method reaches."""
    m = re.search(
        rf"^\s*(?:up to\s+)?{_CTX_NUM}(?:\s*tokens)?\s*(?:(?:->|→|⇒)\s*(?:{NUM})\s?[km]?\s*\((?:yarn|rope|extended|with [\w -]+)\)\s*)?$",
        cell,
        re.I,
    )
    if not m:
        return None
    return parse_tokens(m.group(1), m.group(2))
