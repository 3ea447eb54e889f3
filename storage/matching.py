"""Uncertain identity matches: proposed to editors, never applied silently."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from normalizer.identity import family_of
from normalizer.models import ToolRecord
from storage.schema import Tool

FUZZY_THRESHOLD = 88.0
MAX_SUGGESTIONS = 5


def suggest_matches(
    tool: Tool, record: ToolRecord, others: Iterable[Tool]
) -> list[tuple[Tool, float, str]]:
    """Existing tools a new candidate may be the same model as, best first."""
    name = record.name or tool.name
    family = record.family or family_of(record.source_id or name)
    found: list[tuple[Tool, float, str]] = []
    sizes = _sizes(tool.slug)
    for other in others:
        other_sizes = _sizes(other.slug)
        if sizes and other_sizes and sizes != other_sizes:
            continue  # 8B and 70B are different models, however alike the names
        numbers, other_numbers = _numbers(tool.slug), _numbers(other.slug)
        if numbers and other_numbers and numbers != other_numbers:
            continue  # Llama 3 and Llama 3.1 (or Mistral Small 3 and 4) are different releases
        score = fuzz.ratio(_plain(name), _plain(other.name))
        # slugs are tool keys (no -Instruct/-v0.1/quant noise): compare them as names too;
        # one key inside the other counts only as an affix (`open-mixtral-8x22b`), never
        # with a word in the middle (`llama-guard-3-8b` is not `llama-3-8b`)
        slug_score = max(
            fuzz.ratio(tool.slug, other.slug), 100.0 if _affixed(tool.slug, other.slug) else 0.0
        )
        best = max(score, slug_score)
        if best >= FUZZY_THRESHOLD:
            found.append((other, round(best, 1), f"similar name ({best:.0f}/100)"))
        elif (
            family
            and other.family == family
            and not (sizes and other_sizes)
            and (not record.vendor or not other.vendor or record.vendor == other.vendor)
        ):
            found.append((other, round(best, 1), f"same family {family!r}; size unstated"))
    found.sort(key=lambda t: -t[1])
    return found[:MAX_SUGGESTIONS]


def _affixed(a: str, b: str) -> bool:
    """One key is the other with words only before or after it."""
    short, long = sorted((a.split("-"), b.split("-")), key=len)
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
_DEPLOYMENT_WORDS = frozenset({"open", "latest", "preview", "api", "official", "hosted"})


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
