"""Vendor display names from HF orgs (data/vendors.toml) and from post text."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _data() -> dict[str, dict[str, str]]:
    raw = resources.files("normalizer").joinpath("data/vendors.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return {
        "orgs": {k.lower(): v for k, v in data.get("orgs", {}).items()},
        "mentions": dict(data.get("mentions", {})),
        "families": {k.lower(): v for k, v in data.get("families", {}).items()},
        "domains": {k.lower(): v for k, v in data.get("domains", {}).items()},
        "platforms": {n: n for n in data.get("platforms", {}).get("names", [])},
    }


def vendor_for_org(org: str | None) -> str | None:
    """HF org -> display name; unknown orgs fall back to the org name itself."""
    if not org:
        return None
    return _data()["orgs"].get(org.lower(), org)


def is_known_org(org: str) -> bool:
    return org.lower() in _data()["orgs"]


def vendor_from_text(text: str) -> tuple[str, str] | None:
    """The first maker named in `text` -> (display name, the phrase found); at one
    position the phrase listed first wins. A platform (`[platforms]`) counts only in a
    maker statement."""
    for m in _mentions_re().finditer(text):
        vendor = _data()["mentions"][m.group(0)]
        if vendor not in _data()["platforms"] or _MAKER_BEFORE_RE.search(text[: m.start()]):
            return vendor, m.group(0)
    return None


_MAKER_LEAD = (
    r"\b(?:from|(?:trained|developed|created|made|built|released|launched|published) by)\s+"
)
MAKER_RE = re.compile(_MAKER_LEAD + r"((?:[A-Z][\w.&'-]*|AI)(?:\s+(?:[A-Z][\w.&'-]*|AI)){0,2})")
"""`GPT-4 from OpenAI`, `the AI chatbot launched by Anthropic`: a maker statement."""
_MAKER_BEFORE_RE = re.compile(_MAKER_LEAD + "$")


def maker_phrase(name: str, sentences: list[str], first: int = 2) -> tuple[str, str] | None:
    """The maker that one of the first sentences opening with the tool's name states:
    (maker, sentence)."""
    for s in [s for s in sentences if s.lower().startswith(name.lower()[:4])][:first]:
        m = MAKER_RE.search(s)
        if m:
            phrase = m.group(1).rstrip(".,")
            return _data()["mentions"].get(phrase, phrase), s
    return None


@lru_cache(maxsize=1)
def _mentions_re() -> re.Pattern[str]:
    """All mention phrases in one pattern, in the data's order: its leftmost match is the
    leftmost phrase, the first listed at that position (one search instead of one per
    phrase)."""
    alts = "|".join(re.escape(phrase) for phrase in _data()["mentions"])
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


def vendor_for_family(name: str) -> tuple[str, str] | None:
    """Maker of a model family named without a repo (`Qwen2.5-Max` -> Qwen): (vendor, prefix)."""
    compact = re.sub(r"[^a-z0-9]", "", name.lower())
    best: tuple[str, str] | None = None
    for prefix, vendor in _data()["families"].items():
        if compact.startswith(prefix) and (best is None or len(prefix) > len(best[1])):
            best = (vendor, prefix)
    return best


def vendor_for_domain(url: str) -> str | None:
    """Maker whose own site published the post (`https://mistral.ai/news/...` -> Mistral AI)."""
    from urllib.parse import urlparse

    host = (urlparse(url).netloc or "").lower().split(":")[0]
    for domain, vendor in _data()["domains"].items():
        if host == domain or host.endswith("." + domain):
            return vendor
    return None
