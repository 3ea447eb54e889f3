"""Site category from task and tags, via the rules in data/taxonomy.toml."""

from __future__ import annotations

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


_configured: str | None = None


def configure(path: str | Path | None) -> None:
    """Use the site taxonomy in `path` (a TOML file of `[[rule]]`s); None for the bundled
    data/taxonomy.toml. Called at the edges (the CLI, the crawler's settings
    `TOOLWATCH_TAXONOMY`), so the normalizer itself reads no environment."""
    global _configured
    _configured = str(path) if path else None


def rules() -> tuple[Rule, ...]:
    """The site's taxonomy: the configured file, else the bundled data/taxonomy.toml."""
    return _load(_configured)


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


@lru_cache(maxsize=4)
def _words_and_default(
    path: str | None,
) -> tuple[tuple[tuple[str, frozenset[str]], ...], str | None]:
    if path:
        raw = Path(path).read_text("utf-8")
    else:
        raw = resources.files("normalizer").joinpath("data/taxonomy.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    words = tuple(
        (w["category"], frozenset(x.lower() for x in w.get("words", [])))
        for w in data.get("words", [])
    )
    default = next((d.get("category") for d in data.get("default", [])), None)
    return words, default


def category_for_words(words: set[str]) -> tuple[str, str] | None:
    """(category, the word) of the first `[[words]]` rule one of `words` matches."""
    for cat, rule_words in _words_and_default(_configured)[0]:
        hit = sorted(rule_words & words)
        if hit:
            return cat, hit[0]
    return None


def default_category() -> str | None:
    """The `[[default]]` category of the taxonomy (None if it names none)."""
    return _words_and_default(_configured)[1]
