"""Site category from task and tags, via the rules in data/taxonomy.toml."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Rule:
    category: str
    tags: frozenset[str]
    tasks: frozenset[str]


def rules() -> tuple[Rule, ...]:
    """The site's taxonomy: $TOOLWATCH_TAXONOMY (a TOML file of `[[rule]]`s) if set,
    else the bundled data/taxonomy.toml."""
    return _load(os.environ.get("TOOLWATCH_TAXONOMY") or None)


@lru_cache(maxsize=4)
def _load(path: str | None) -> tuple[Rule, ...]:
    if path:
        raw = Path(path).read_text("utf-8")
    else:
        raw = resources.files("normalizer").joinpath("data/taxonomy.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return tuple(
        Rule(
            category=r["category"],
            tags=frozenset(t.lower() for t in r.get("tags", [])),
            tasks=frozenset(t.lower() for t in r.get("tasks", [])),
        )
        for r in data.get("rule", [])
    )


def category_for(
    task: str | None, tags: list[str] | None = None, name: str | None = None
) -> str | None:
    """First rule whose tags (or words of the model name) or task match; None if none does."""
    words = {t.lower() for t in tags or []}
    if name:
        words |= {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}
    t = (task or "").lower()
    for rule in rules():
        if rule.tags & words or (t and t in rule.tasks):
            return rule.category
    return None
