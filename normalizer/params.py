"""Parameter counts: API safetensors totals, explicit text, unambiguous model names.

`8x7B` style names are NOT converted to a total (the experts share layers);
`57B-A14B` names give total 57B and active 14B.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from normalizer.numbers import NUM, to_number


@dataclass(frozen=True)
class ParamHit:
    total: int | None
    active: int | None
    method: str
    evidence: str | None = None


# A size token inside a model name: `7b`, `0.5B`, `1.1B`, `86M`; not `8x7B`, not `v0.1`.
_NAME_SIZE_RE = re.compile(r"(?:^|[-_ .])(\d+(?:\.\d+)?)([bBmM])(?=$|[-_ .])")
_NAME_MOE_RE = re.compile(r"(?:^|[-_ .])\d+x\d+(?:\.\d+)?[bBmM](?=$|[-_ .])", re.I)
_NAME_ACTIVE_RE = re.compile(
    r"(?:^|[-_ .])(\d+(?:\.\d+)?)([bBmM])[-_ .]?[aA](\d+(?:\.\d+)?)([bBmM])(?=$|[-_ .])"
)


@lru_cache(maxsize=16384)
def from_name(name: str) -> ParamHit | None:
    """Unambiguous size in a model name: `Llama-2-7b` -> 7e9, `Qwen2-57B-A14B` -> 57e9/14e9."""
    short = name.rsplit("/", 1)[-1]
    m = _NAME_ACTIVE_RE.search(short)
    if m:
        total = to_number(m.group(1), m.group(2))
        active = to_number(m.group(3), m.group(4))
        return ParamHit(_int(total), _int(active), "name", short)
    if _NAME_MOE_RE.search(short):
        return None
    sizes = {(float(g[0]), g[1].lower()) for g in _NAME_SIZE_RE.findall(short)}
    if len(sizes) != 1:
        return None
    (num, unit) = sizes.pop()
    value = to_number(str(num), unit)
    if value is None or value < 1e6:
        return None
    return ParamHit(_int(value), None, "name", short)


def from_api(data: dict[str, Any]) -> ParamHit | None:
    """`safetensors.total` (or the sum of `safetensors.parameters`) in Hub API JSON."""
    st = data.get("safetensors")
    if not isinstance(st, dict):
        return None
    total = st.get("total")
    if not isinstance(total, int):
        per = st.get("parameters")
        if isinstance(per, dict) and per and all(isinstance(v, int) for v in per.values()):
            total = sum(per.values())
        else:
            return None
    if total <= 0:
        return None
    return ParamHit(total, None, "api:safetensors.total", f"safetensors.total={total}")


_UNIT = r"(billion|million|trillion|bn|[bmt])"
_COUNT = rf"({NUM})\s?{_UNIT}"
# `Number of Parameters: 0.49B`, `Params: 7B`, `Parameters: 2.7 billion`
_KV_RE = re.compile(
    rf"^(?:total\s+)?(?:number of (?:total )?param(?:eter)?s|param(?:eter)?s|model size|parameter count)"
    rf"(?:\s*\(total\))?\s*[:：]\s*(?:~|about |approx\.? )?{_COUNT}\b(?!\s*(?:tokens|non-embedding))",
    re.I,
)
# `The total number of parameters is not 56B, but about 45B`
_TOTAL_IS_RE = re.compile(
    rf"\btotal (?:number of )?param(?:eter)?s?(?: count)? (?:is|are|of)\s+(?:not [^,.]+,\s*but\s+)?"
    rf"(?:about|around|approximately|roughly|~)?\s*{_COUNT}\b",
    re.I,
)
_NON_EMBED_RE = re.compile(r"non-?embedding", re.I)
_RIVAL_RE = re.compile(
    r"\b(?:outperform\w*|than|compared|versus|vs\.?|rival\w*|beat\w*|surpass\w*|like|match\w*)\b",
    re.I,
)
# `a 16.8B Mixture-of-Experts (MoE) large language model with 2.75B activated parameters`
_MOE_PAIR_RE = re.compile(
    rf"(?<![\w.$]){_COUNT}\s+(?:[\w()-]+\s+){{0,6}}?(?:model|LLM)\s+with\s+(?:only\s+)?"
    rf"{_COUNT}\s+(?:activated|active)\s+param",
    re.I,
)
# `2.7 billion parameters`, `a 7B parameter model`, `279M-parameter`
_PROSE_RE = re.compile(rf"(?<![\w.$])(?:~\s?)?{_COUNT}(?:[- ]|\s+total\s+)param(?:eter)?s?\b", re.I)
ACTIVE_RE = re.compile(
    rf"(?<![\w.])({NUM})\s?{_UNIT}(?:\s|-)?(?:(?:parameters?|params)\s+)?(?:are\s+)?(?:activated|active|live)\b"
    rf"|(?:activated|active|live)\s+(?:parameters?|params)?\s*(?:of|:)?\s*({NUM})\s?{_UNIT}\b",
    re.I,
)
_COMPARATIVE_RE = re.compile(
    r"(?:less|fewer|more|greater|larger|smaller|bigger|higher|lower)\s+than\s*$|"
    r"(?:under|over|below|above|up to|upto|from|between|than|like|vs\.?|versus|to|and|or|,)\s*$|"
    r"\d\s?[BM]?\s*[∼~–-]\s*$|\bactivat(?:es?|ed|ing)\s+(?:\S+\s+){0,2}$|"
    r"(?:speed|size|cost|latency|performance|quality|level) of (?:a|an)\s*$|(?:as|similar to|comparable to|equivalent to) (?:a|an)\s*$",
    re.I,
)
_RANGE_AFTER_RE = re.compile(rf"^\s*(?:to|-|–|∼|~|and|or|,)\s*(?:{NUM})", re.I)


@lru_cache(maxsize=16384)
def from_sentence(sentence: str) -> ParamHit | None:
    """An explicit, single parameter count in one sentence (no ranges, lists or comparisons)."""
    kv = _KV_RE.search(sentence.strip())
    if kv and not _NON_EMBED_RE.search(sentence[: kv.end() + 20]):
        value = to_number(kv.group(1), kv.group(2))
        if value:
            return ParamHit(_int(value), None, "text:key-value", sentence[:300])
    total = _TOTAL_IS_RE.search(sentence)
    if total:
        value = to_number(total.group(1), total.group(2))
        if value and value >= 1e6:
            return ParamHit(_int(value), None, "text:total", sentence[:300])
    if re.search(r"\b(?:not|n't|doesn't|isn't)\b", sentence, re.I):
        return None
    pair = _MOE_PAIR_RE.search(sentence)
    lead = sentence[: pair.start()] if pair else ""
    if pair and not _COMPARATIVE_RE.search(lead) and not _RIVAL_RE.search(lead):
        total_v, active_v = (
            to_number(pair.group(1), pair.group(2)),
            to_number(pair.group(3), pair.group(4)),
        )
        if total_v and active_v and 1e6 <= active_v < total_v:
            return ParamHit(_int(total_v), _int(active_v), "text:moe", sentence[:300])
    hits = []
    for m in _PROSE_RE.finditer(sentence):
        before = sentence[: m.start()]
        if _COMPARATIVE_RE.search(before):
            continue
        if _RANGE_AFTER_RE.match(
            sentence[m.end(2) if m.lastindex and m.lastindex >= 2 else m.end() :]
        ):
            continue
        if re.search(r"non-?embedding\s*$", before, re.I):
            continue
        if re.match(r"\s*(?:models|LLMs|class)\b", sentence[m.end() :], re.I):
            continue  # `parity with 7B parameter models`: a class of other models
        value = to_number(m.group(1), m.group(2))
        if value and value >= 1e6:
            hits.append(value)
    if len({round(h, -6) for h in hits}) == 1:
        return ParamHit(_int(hits[0]), None, "text", sentence[:300])
    return None


@lru_cache(maxsize=16384)
def active_from_sentence(sentence: str) -> int | None:
    """`37B activated parameters`, `36B active`, `14B live` -> active parameters."""
    m = ACTIVE_RE.search(sentence)
    if not m:
        return None
    num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    value = to_number(num, unit)
    return _int(value) if value and value >= 1e6 else None


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))
