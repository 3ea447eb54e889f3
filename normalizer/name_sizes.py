"""Sizes in model names (`7B`, `8x22B`, `Qwen2-57B`) and patterns that find a name however
a post spells it: every stage of the announcement reader keys a model by family and size."""

from __future__ import annotations

import re
from functools import lru_cache

from normalizer.numbers import to_number

SIZE_TOKEN = r"\d+x\d+(?:\.\d+)?[BbMm]|\d+(?:\.\d+)?[BbMm]"
_SIZE_IN_NAME_RE = re.compile(rf"(?:^|[-_ ])({SIZE_TOKEN})(?=$|[-_ ])")


_DIGIT_UNDERSCORE_RE = re.compile(r"(?<=\d)_(?=\d)")
"""Repo ids spell a version or size dot as `_` (`internlm2_5-1_8b` is InternLM2.5-1.8B)."""


def ckey(family: str) -> str:
    return _DIGIT_UNDERSCORE_RE.sub(".", family).replace("-", "").lower()


def norm_size(num: str, unit: str | None) -> str | None:
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


def size_of(name: str) -> str | None:
    sizes = {s.lower() for s in _SIZE_IN_NAME_RE.findall(_DIGIT_UNDERSCORE_RE.sub(".", name))}
    if len(sizes) != 1:
        return None
    tok = sizes.pop()
    m = re.match(r"^(\d+x\d+(?:\.\d+)?|\d+(?:\.\d+)?)([bm])$", tok)
    return norm_size(m.group(1), m.group(2)) if m else None


_CHECKPOINT_RE = re.compile(
    rf"^(?P<base>.*?[-_](?:{SIZE_TOKEN}))[-_](?:pt|ft|mix|step\d+|stage\d+|ckpt\d*|iter\d+)(?:[-_].*)?$",
    re.I,
)


def checkpoint_base(short: str) -> str:
    """Checkpoints of one model at one size (`paligemma-3b-pt-224`, `-mix-448`,
    `-ft-vqav2-448`: pretrained / mixture / task fine-tunes at some resolution; a
    recipe's intermediate `-step2`, `-stage1`) are one model: `paligemma-3b`."""
    m = _CHECKPOINT_RE.match(short)
    return m.group("base") if m else short


def size_number(size: str | None) -> float | None:
    if not size:
        return None
    m = re.match(r"^(\d+x)?(\d+(?:\.\d+)?)([bm])$", size)
    if not m or m.group(1):
        return None
    return to_number(m.group(2), m.group(3))


@lru_cache(maxsize=2048)
def sized_name_regex(name: str) -> re.Pattern[str]:
    """`<family>-<size>` (`Qwen2-57B` in `Qwen2-57B-A14B`); group 1 is the size."""
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
    return re.compile(r"(?<![\w.-])" + r"[-_ ]?".join(parts) + rf"[-_ ]({SIZE_TOKEN})(?![\w]|\.\d)")


@lru_cache(maxsize=2048)
def name_regex(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
    return re.compile(r"(?<![\w.-])" + r"[-_ ]?".join(parts) + r"(?![\w]|[-.][\w])", re.I)
