"""Uncertain identity matches: proposed to editors, never applied silently.

Suggestions come from a blocking index (`MatchIndex`): every tool is filed under a
few family keys (the family of its slug, of its name, its stored family, its slug
without deployment words), and a new tool is compared only with the tools filed
under its own keys. Ingest costs then grow with the size of a family, not with the
catalog: a 100,000-entry price list is compared family by family
(`bench/match_index.py` measures it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from normalizer.identity import family_of, release_stamp
from normalizer.models import ToolRecord
from storage.schema import Tool

FUZZY_THRESHOLD = 88.0
MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class _Entry:
    """A tool as the comparison needs it, computed once."""

    tool: Any
    slug: str
    words: tuple[str, ...]
    plain: str
    family: str | None
    vendor: str | None
    sizes: frozenset[str]
    numbers: frozenset[str]


def _entry(tool: Any) -> _Entry:
    slug = tool.slug or ""
    return _Entry(
        tool=tool,
        slug=slug,
        words=tuple(slug.split("-")),
        plain=_plain(tool.name or ""),
        family=tool.family,
        vendor=getattr(tool, "vendor", None),
        sizes=_sizes(slug),
        numbers=_numbers(slug),
    )


@lru_cache(maxsize=65536)
def _family_key(text: str) -> str:
    """A name's family with separators removed (`llama-3` and `llama3` file together);
    cached: a new tool's keys are computed for its lookup and again when it is filed."""
    return re.sub(r"[^a-z0-9]", "", family_of(text).lower())


def block_keys(slug: str, name: str | None, family: str | None) -> set[str]:
    """The blocks a tool is filed under and looked up in: names alike enough to be
    suggested share their family once sizes, variants and separators are set aside."""
    bare = "-".join(w for w in slug.split("-") if w not in _DEPLOYMENT_WORDS)
    sources = {slug, bare, name or "", family or ""} - {""}
    return {k for k in map(_family_key, sources) if k}


class MatchIndex:
    """The tools a new candidate may be compared with, filed by family keys."""

    def __init__(self, tools: Iterable[Any] = ()) -> None:
        self._blocks: dict[str, list[_Entry]] = defaultdict(list)
        for tool in tools:
            self.append(tool)

    def append(self, tool: Any) -> None:
        entry = _entry(tool)
        for key in block_keys(entry.slug, tool.name, tool.family):
            self._blocks[key].append(entry)

    def candidates(self, keys: Iterable[str]) -> list[_Entry]:
        seen: set[int] = set()
        out: list[_Entry] = []
        for key in keys:
            for entry in self._blocks.get(key, ()):
                if id(entry) not in seen:
                    seen.add(id(entry))
                    out.append(entry)
        return out


def suggest_matches(
    tool: Tool, record: ToolRecord, others: MatchIndex | Iterable[Any]
) -> list[tuple[Any, float, str]]:
    """Existing tools a new candidate may be the same model as, best first."""
    name = record.name or tool.name
    family = record.family or family_of(record.source_id or name)
    index = others if isinstance(others, MatchIndex) else MatchIndex(others)
    me = _entry(tool)
    plain = _plain(name)
    found: list[tuple[Any, float, str]] = []
    for other in index.candidates(block_keys(me.slug, name, family)):
        if other.tool is tool:
            continue
        if me.sizes and other.sizes and me.sizes != other.sizes:
            continue  # 8B and 70B are different models, however alike the names
        if not families_agree(family, _family(other)):
            continue  # `Llama Guard 3 8B` is not `Llama 3 8B`, however alike the names
        other_name = getattr(other, "name", None) or getattr(other.tool, "name", None)
        stamps = release_stamp(record.source_id or name), release_stamp(other_name)
        if all(stamps) and stamps[0] != stamps[1]:
            continue  # `mistral-large-2407` and `-2411` are two releases
        if me.numbers and other.numbers and me.numbers != other.numbers:
            continue  # Llama 3 and Llama 3.1 (or Mistral Small 3 and 4) are different releases
        score = fuzz.ratio(plain, other.plain)
        # slugs are tool keys (no -Instruct/-v0.1/quant noise): compare them as names too;
        # one key inside the other counts only as an affix (`open-mixtral-8x22b`), never
        # with a word in the middle (`llama-guard-3-8b` is not `llama-3-8b`)
        slug_score = max(
            fuzz.ratio(me.slug, other.slug), 100.0 if _affixed(me.words, other.words) else 0.0
        )
        best = max(score, slug_score)
        if best >= FUZZY_THRESHOLD:
            found.append((other.tool, round(best, 1), f"similar name ({best:.0f}/100)"))
        elif (
            family
            and other.family == family
            and not (me.sizes and other.sizes)
            and (not record.vendor or not other.vendor or record.vendor == other.vendor)
        ):
            found.append((other.tool, round(best, 1), f"same family {family!r}; size unstated"))
    found.sort(key=lambda t: -t[1])
    return found[:MAX_SUGGESTIONS]


def _family(entry: Any) -> str | None:
    family = getattr(entry, "family", None)
    return family if family is not None else getattr(getattr(entry, "tool", None), "family", None)


def families_agree(a: str | None, b: str | None) -> bool:
    """Same family, or one is the other with a version after it (`mistral-small` and
    `mistral-small-3`); unknown on either side agrees."""
    if not a or not b or a == b:
        return True
    short, long = sorted((a, b), key=len)
    return long.startswith(short + "-") and bool(
        re.fullmatch(r"\d+(?:\.\d+)*", long[len(short) + 1 :])
    )


def _affixed(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One key is the other with words only before or after it."""
    short, long = sorted((a, b), key=len)
    if len(short) < 2 or short == long:
        return False
    n = len(short)
    if long[:n] == short:
        extra = long[n:]
    elif long[-n:] == short:
        extra = long[: len(long) - n]
    else:
        return False
    # a size the shorter name leaves unstated (`Llama 3.1` and `llama-3.1-8b`) may be it too
    return all(word in _DEPLOYMENT_WORDS or _SIZE.match(word) for word in extra)


# Words providers put around a model's name without making it another model
# (`open-mixtral-8x22b`, `mixtral-8x22b-latest`); `mini`, `pro`, `guard`... do.
_DEPLOYMENT_WORDS = frozenset({"open", "latest", "api", "official", "hosted"})
"""`preview` is not one: a preview and the final release are two models."""


def _plain(text: str) -> str:
    return text.replace("-", " ").replace("_", " ").lower()


_SIZE = re.compile(r"^(?:\d+x)?\d+(?:\.\d+)?[bmk]$|^a\d+(?:\.\d+)?b$")


def _sizes(slug: str) -> frozenset[str]:
    return frozenset(t for t in slug.split("-") if _SIZE.match(t))


def _numbers(slug: str) -> frozenset[str]:
    """Version numbers in a slug (`3.1` in `llama-3.1-8b`, `2` in `qwen2-7b`)."""
    return frozenset(
        re.findall(r"(?<![a-z0-9.])\d+(?:\.\d+)*(?![0-9.]*[bmk]\b)", slug)
    ) | frozenset(re.findall(r"(?<=[a-z])\d+(?:\.\d+)*(?=-|$)", slug))
