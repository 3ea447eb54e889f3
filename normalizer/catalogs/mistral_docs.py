"""Mistral's docs model registry: one TypeScript module per model (`export default {...}
as const satisfies StaticModel`), read by its top-level keys, never executed.

States release date, license and Hub repo per weights, total/active parameters (in
billions), context, API names (`open-mixtral-8x22b`, `mistral-small-2501`) and
prices per million tokens.
"""

from __future__ import annotations

import re
from datetime import datetime

from normalizer.catalogs.common import builder, context, license_named, size
from normalizer.identity import repo_id_from_url
from normalizer.models import DocKind, LinkType, NormalizeResult, Parameters, Price, Pricing

_MARK = re.compile(r"satisfies\s+StaticModel")
_TOP = r"^  {key}:\s*"
_STR = r"'((?:[^'\\]|\\.)*)'"
_WEIGHT_KEY = re.compile(r"^ {6}(\w+):\s*(?:'((?:[^'\\]|\\.)*)'|(null))", re.M)
_PRICE_ENTRY = re.compile(r"\{[^{}]*?price:\s*([\d.]+)[^{}]*?denominator:\s*'([^']+)'[^{}]*\}")
_LABEL = re.compile(r"label:\s*'([^']+)'")
_LIST = re.compile(r"'((?:[^'\\]|\\.)*)'")
_DESCRIPTION = re.compile(r"description:\s*l\.text\(\s*(?:`([^`]*)`|'((?:[^'\\]|\\.)*)')")
VENDOR = "Mistral AI"
PROVIDER = "Mistral AI"


def looks_like(text: str) -> bool:
    return bool(_MARK.search(text)) and "releaseDate" in text


def _top(text: str, key: str) -> str | None:
    m = re.search(_TOP.format(key=key) + _STR, text, re.M)
    return m.group(1) if m else None


def _block(text: str, key: str) -> str:
    """The text of a top-level `key: [ ... ]` or `key: { ... }` (bracket-balanced)."""
    m = re.search(_TOP.format(key=key) + r"([\[{])", text, re.M)
    if not m:
        return ""
    opening = m.group(1)
    closing = "]" if opening == "[" else "}"
    depth, start = 0, m.end() - 1
    for i in range(start, len(text)):
        depth += {opening: 1, closing: -1}.get(text[i], 0)
        if depth == 0:
            return text[start : i + 1]
    return ""


def _weights(text: str) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for m in _WEIGHT_KEY.finditer(_block(text, "weights")):
        key, value = m.group(1), m.group(2)
        if key == "name" or not out:
            out.append({})
        out[-1][key] = value
    return out


def _prices(block: str) -> float | None:
    """The per-million-token price of a list (the unlabelled or `Input`/`Output` one)."""
    for entry in _PRICE_ENTRY.finditer(block):
        label = _LABEL.search(entry.group(0))
        if entry.group(2) == "/M Tokens" and (not label or label.group(1) in ("Input", "Output")):
            return float(entry.group(1))
    return None


def normalize(text: str, source_url: str | None, observed_at: datetime | None) -> NormalizeResult:
    result = NormalizeResult(kind=DocKind.CATALOG, source_url=source_url)
    name = _top(text, "name")
    if not name:
        result.warnings.append("registry module without a top-level name; no record")
        return result
    version = _top(text, "version")
    if version and not re.search(r"\d", name):  # `Codestral` 24.05 and 25.01 are two models
        name = f"{name} {version}"
    rb = builder(name, source_url, observed_at)
    ev = f"registry entry {_top(text, 'slug') or name!r}"
    hosted_third_party = "third-party" in text.lower()
    if not hosted_third_party:
        rb.set("vendor", VENDOR, "catalog:registry", ev)

    if date := _top(text, "releaseDate"):
        rb.set("release_date", date, "catalog:releaseDate", f"releaseDate: '{date}'")

    desc = _DESCRIPTION.search(text)
    if desc:
        prose = (desc.group(1) or desc.group(2) or "").strip()
        rb.set("description", prose, "catalog:description", prose)

    weights = _weights(text)
    repos = [r for w in weights if (r := repo_id_from_url(w.get("url")))]
    first = weights[0] if weights else {}
    lic = license_named(first.get("license"), first.get("licenseUrl"))
    if lic:
        rb.set("license", lic, "catalog:weights.license", f"license: '{first.get('license')}'")
        if lic.url:
            rb.add_link(LinkType.LICENSE, lic.url)
    if repos:
        rb.set("open_weights", True, "catalog:weights.url", f"weights: {', '.join(repos)}")
        for repo in repos:
            rb.add_link(LinkType.WEIGHTS, f"https://huggingface.co/{repo}")
    elif _top(text, "type") in ("Premier", "Labs"):
        rb.set("open_weights", False, "catalog:type", f"type: '{_top(text, 'type')}', no weights")

    total = size(first.get("parameters"), "b")
    active = size(first.get("active"), "b")
    if total:
        params = Parameters(total=total, active=active if active and active < total else None)
        evidence = f"parameters: '{first.get('parameters')}', active: '{first.get('active')}'"
        rb.set("parameters", params, "catalog:weights.parameters", evidence)

    ctx_text = _top(text, "contextLength") or first.get("contextSize")
    if ctx := context(ctx_text):
        rb.set("context_length", ctx, "catalog:contextLength", f"contextLength: '{ctx_text}'")

    api_names = _LIST.findall(_block(text, "identifiers"))
    rb.aliases.extend(api_names)
    pricing = _block(text, "pricing")
    inp, out = _prices(_section(pricing, "input")), _prices(_section(pricing, "output"))
    if inp is not None or out is not None:
        price = Price(
            provider=PROVIDER,
            input_per_mtok=inp,
            output_per_mtok=out,
            checked_at=observed_at,
            model_id=api_names[0] if api_names else None,
        )
        rb.set("pricing", Pricing(model="paid", prices=[price]), "catalog:pricing", ev)

    for key, kind in (("bloglink", LinkType.ANNOUNCEMENT), ("paperlink", LinkType.PAPER)):
        rb.add_link(kind, _top(text, key))
    caps = _section(text, "capabilities")
    rb.set("task", _task(caps), "catalog:capabilities", caps[:200] or None, confidence=0.9)
    result.records.append(rb.build(repos[0] if repos else None))
    return result


def _section(text: str, key: str) -> str:
    """`key: [ ... ]` or `{ ... }` at any depth (first occurrence), bracket-balanced."""
    m = re.search(rf"\b{key}:\s*([\[{{])", text)
    if not m:
        return ""
    opening = m.group(1)
    closing = "]" if opening == "[" else "}"
    depth = 0
    for i in range(m.end() - 1, len(text)):
        depth += {opening: 1, closing: -1}.get(text[i], 0)
        if depth == 0:
            return text[m.end() - 1 : i + 1]
    return ""


def _task(caps: str) -> str | None:
    """The HF pipeline tag the stated modalities amount to, when unambiguous."""
    out = set(_LIST.findall(_section(caps, "output")))
    inp = set(_LIST.findall(_section(caps, "input")))
    if out == {"embeddings"}:
        return "feature-extraction"
    if out <= {"text", "reasoning"} and out:
        if "audio" in inp:
            return "audio-text-to-text"
        if inp & {"image", "vision", "document"}:
            return "image-text-to-text"
        if inp == {"text"}:
            return "text-generation"
    return None
