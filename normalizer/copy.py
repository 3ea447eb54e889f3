"""Comparison copy: what a comparison page prints beside the facts, derived from a
resolved record. Pure functions over the record's data, each value with provenance.

- category: the site taxonomy (task rules, then name words, then the record's other
  words), the site's default last; an editor's override stays;
- description: sanitised prose about the model (a catalog's or card's description),
  never a sentence about benchmarks, code or installation;
- best for (`tagline`): one line: the description's first sentence, else the facts;
- pricing summary in words and an entry price ("Free" when weights are downloadable).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import nh3

from normalizer import taxonomy

METHOD = "copy"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_OFF_TOPIC = re.compile(
    r"benchmark|\bscores?\b|outperform|leaderboard|\bMMLU\b|\bHumanEval\b|\bGSM8K\b|\bMT[- ]?Bench\b"
    r"|\bpip\b|\binstall|docker|\bimport\b|\bpython\b|transformers\b|\bnpm\b|\bcurl\b|```|`"
    r"|\bcode snippet|\bsee (?:below|the table)|\bbelow, we\b|\bwe show how\b|\bthis (?:repo|card)\b"
    r"|\bclick here\b|\bdownload\b|\bquantiz|\bgguf\b|\bfine-tun(?:e|ing) (?:it|this)",
    re.IGNORECASE,
)
_MAX_TAGLINE = 160
_MAX_DESCRIPTION = 600


def plain(text: str) -> str:
    """Scraped text as plain words: markup removed (nh3), whitespace folded."""
    cleaned = html.unescape(nh3.clean(text, tags=set()))
    cleaned = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cleaned)  # Markdown links
    cleaned = re.sub(r"[*_#>]+", " ", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip()


def off_topic(sentence: str) -> bool:
    """About benchmarks, code or installing the model rather than the model itself."""
    return bool(_OFF_TOPIC.search(sentence))


def on_topic(sentence: str) -> bool:
    """A sentence (not a fragment) about the model itself."""
    return len(sentence) >= 20 and not off_topic(sentence)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(plain(text)) if s.strip()]


def describe(text: str | None) -> str | None:
    """The on-topic sentences of `text`, up to `_MAX_DESCRIPTION` characters."""
    if not text:
        return None
    out: list[str] = []
    for sentence in sentences(text):
        if not on_topic(sentence):
            continue
        if sum(len(s) + 1 for s in out) + len(sentence) > _MAX_DESCRIPTION:
            break
        out.append(sentence)
    return " ".join(out) or None


def category(data: dict[str, Any]) -> tuple[str, str]:
    """(category, evidence): task rules, then name words, then description words, then
    the site's default."""
    name_words = _words(" ".join(str(data.get(k) or "") for k in ("name", "family", "slug")))
    by_task = taxonomy.category_for(data.get("task"), sorted(name_words))
    if by_task:
        return by_task, f"task={data.get('task')}; name words"
    for source, words in (("name", name_words), ("description", _words(data.get("description")))):
        if found := taxonomy.category_for_words(words):
            return found[0], f"{source} word {found[1]!r}"
    return taxonomy.default_category(), "no task or word placed it: the site's default"


def _words(text: Any) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", str(text or "").lower()) if w}


def _license_label(lic: dict[str, Any] | None) -> str | None:
    if not lic:
        return None
    label = lic.get("name") or lic.get("id")
    return label.replace(" License", "").replace(" license", "") if label else None


def _money(amount: float) -> str:
    return f"${amount:.2f}" if amount >= 0.01 else f"${amount:g}"


def pricing_copy(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(summary in words, entry price)."""
    pricing = data.get("pricing") or {}
    prices = [p for p in pricing.get("prices") or [] if p.get("input_per_mtok") is not None]
    paid = [p for p in prices if p["input_per_mtok"] > 0 and p.get("currency", "USD") == "USD"]
    free_tier = [
        p for p in prices if p["input_per_mtok"] == 0 and p.get("output_per_mtok") in (0, None)
    ]
    cheapest = min(paid, key=lambda p: p["input_per_mtok"]) if paid else None
    api = (
        f"API from {_money(cheapest['input_per_mtok'])}/Mtok input on {cheapest['provider']}"
        if cheapest
        else None
    )
    if free_tier:
        api = (
            (api + f"; a free tier on {free_tier[0]['provider']}")
            if api
            else (f"a free API tier on {free_tier[0]['provider']}")
        )
    if data.get("open_weights") is True:
        lic = _license_label(data.get("license"))
        head = f"Free, open weights ({lic})" if lic else "Free, open weights"
        return f"{head}: self-host" + (f", or {api}" if api else ""), "Free"
    if cheapest:
        entry = f"{_money(cheapest['input_per_mtok'])}/Mtok input ({cheapest['provider']})"
        return f"Paid: {api}", entry
    if free_tier:
        return f"Free: {api}", "Free"
    return None, None


def best_for(data: dict[str, Any], description: str | None, cat: str) -> tuple[str, str]:
    """(one line, evidence): a stated one-liner that is on topic, else the description's
    first sentence when short, else the category. Never the parameters or license: those
    change only through review, and a one-liner must not publish them around it."""
    stated = plain(str(data.get("tagline") or ""))
    if stated and not off_topic(stated) and len(stated) <= _MAX_TAGLINE:
        return stated, "the sources' one-line description"
    if description:
        first = sentences(description)[0]
        if len(first) <= _MAX_TAGLINE:
            return first, "first sentence of the description"
    return cat, "the category: no source gives a one-line description"


Provenance = Callable[[str, str, str], dict[str, Any]]


def comparison_copy(data: dict[str, Any], keep: set[str], prov: Provenance) -> dict[str, Any]:
    """Copy values for the record `data` (resolved JSON values): fields in `keep` (an
    editor's overrides) are left as they are. Returns the new values, and adds each
    one's provenance through `prov(field, method, evidence)` into `data`."""
    out: dict[str, Any] = {}
    if "category" not in keep:
        cat, ev = category(data)
        out["category"] = cat
        prov("category", f"{METHOD}:category", ev)
    cat = out.get("category") or data.get("category") or taxonomy.default_category()
    if "description" not in keep:
        desc = describe(data.get("description")) or describe(data.get("tagline"))
        out["description"] = desc
        if desc:
            prov("description", f"{METHOD}:description", "on-topic sentences of the sources' prose")
    desc = out.get("description", data.get("description"))
    if "tagline" not in keep:
        line, ev = best_for(data, desc, cat)
        out["tagline"] = line
        prov("tagline", f"{METHOD}:best_for", ev)
    if "pricing" not in keep or not (data.get("pricing") or {}).get("summary"):
        summary, entry = pricing_copy(data)
        if summary or entry:
            out["pricing"] = {
                **(data.get("pricing") or {}),
                "summary": summary,
                "entry_price": entry,
            }
            if "pricing" not in data:
                prov("pricing", f"{METHOD}:pricing", "open weights and license")
    return out
