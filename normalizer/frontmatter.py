"""YAML front matter of model cards and posts: safe loading, bounded.

Only the safe constructors (libyaml's CSafeLoader when PyYAML has it). Aliases are
refused: a card never needs them, and a few hundred bytes of nested aliases expand to
gigabytes once anything walks the result (the "billion laughs" shape). Front matter
larger than `MAX_YAML_BYTES` is refused too. Both raise `UnsafeFrontMatter`, which the
pipeline records as an error for that document while the rest of its batch is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from normalizer.errors import UnsafeFrontMatter

_OPEN_RE = re.compile(r"\A\ufeff?(?:[ \t]*\r?\n)*---[ \t]*\r?\n")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
# Keys that mark a YAML block as model-card metadata (used to spot embedded cards).
_CARD_KEYS = re.compile(
    r"^(?:license|license_name|pipeline_tag|library_name|base_model|tags|language|datasets|extra_gated_\w+|model-index|inference):",
    re.M,
)
# libyaml's safe loader when PyYAML has it (ten times faster on long chat templates);
# the same safe constructor set as yaml.safe_load either way.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_YAML_BYTES = 1 << 20
"""Front matter above 1 MiB is refused (the largest real cards, with chat templates,
hold under 100 KB)."""
_ANCHOR_RE = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]+", re.M)


def safe_load(text: str) -> Any:
    """`yaml.safe_load` on libyaml, refusing aliases and oversized input."""
    if len(text) > MAX_YAML_BYTES:
        raise UnsafeFrontMatter(f"YAML block of {len(text)} characters (limit {MAX_YAML_BYTES})")
    if "*" in text and _ANCHOR_RE.search(text):
        _refuse_aliases(text)
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a SafeLoader


def _refuse_aliases(text: str) -> None:
    """Walk the YAML events (libyaml) and refuse the first alias; nothing is constructed."""
    try:
        for event in yaml.parse(text, Loader=_SAFE_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise UnsafeFrontMatter(
                    f"YAML alias *{event.anchor} (aliases are refused: alias-bomb shape)"
                )
    except yaml.YAMLError:
        return  # invalid YAML: the loader itself reports it


STUB_BODIES = ("entry not found", "error: the path", "404: not found", "not found")


@dataclass
class FrontMatter:
    """Parsed metadata + the Markdown body that follows it."""

    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    warnings: list[str] = field(default_factory=list)
    had_block: bool = False
    embedded_card_at: int | None = None
    """Offset in `body` where a second, embedded card YAML block starts (fork cards)."""

    @property
    def own_body(self) -> str:
        """The body up to an embedded card (the quoted original card is not about this repo)."""
        if self.embedded_card_at is None:
            return self.body
        return self.body[: self.embedded_card_at]


def is_stub(text: str) -> bool:
    """An empty body or an error page stored in place of a README."""
    t = text.strip().lower()
    if not t:
        return True
    return len(t) < 200 and any(t.startswith(s) for s in STUB_BODIES)


def split(text: str) -> FrontMatter:
    """Split `---` YAML front matter from the body. Never raises."""
    fm = FrontMatter(body=text)
    m = _OPEN_RE.match(text)
    if m:
        if m.start() != 0 or text[: m.end()].count("\n") > 1:
            fm.warnings.append("front matter preceded by blank line(s)")
        close = _CLOSE_RE.search(text, m.end())
        if close is None:
            fm.warnings.append("front matter is not closed; treated as text")
        else:
            raw = text[m.end() : close.start()]
            fm.had_block = True
            fm.body = text[close.end() :].lstrip("\r\n")
            try:
                loaded = safe_load(raw)
            except yaml.YAMLError as exc:
                fm.warnings.append(f"front matter is not valid YAML: {str(exc).splitlines()[0]}")
                loaded = None
            if isinstance(loaded, dict):
                fm.data = {str(k): v for k, v in loaded.items()}
            elif loaded is not None:
                fm.warnings.append("front matter is not a mapping; ignored")
    else:
        fm.warnings.append("no front matter")
    fm.embedded_card_at = _find_embedded_card(fm.body)
    if fm.embedded_card_at is not None:
        fm.warnings.append(
            "body embeds a second YAML card block (fork/copy of another card); "
            "its metadata and the text after it are not used"
        )
    return fm


def _find_embedded_card(body: str) -> int | None:
    for m in re.finditer(r"^---[ \t]*\r?\n", body, re.M):
        close = _CLOSE_RE.search(body, m.end())
        if close is None:
            return None
        block = body[m.end() : close.start()]
        if len(_CARD_KEYS.findall(block)) >= 2:
            try:
                loaded = safe_load(block)
            except yaml.YAMLError:
                continue
            if isinstance(loaded, dict):
                return m.start()
    return None


def as_list(value: Any) -> list[str]:
    """A front-matter value that may be a string or a list -> list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value).strip()] if str(value).strip() else []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return []
