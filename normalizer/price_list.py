"""Price lists -> one `ToolRecord` per model entry, prices in USD per million tokens.

The format is recognised from the content (`normalizer.prices_formats`); the unit
of the whole table is then decided from the distribution of its values, because a
table is written in one unit and the same numbers mean very different prices:

- median non-zero input price < 0.001 as written: USD per token (×1e6), whatever
  the format claims (no real per-million table has a median under $0.001);
- a format declaring per-token prices whose median is >= 0.001 is read as per
  million tokens ($1000+ per Mtok as a *median* is not a price list);
- a median >= 10 in a format that does not state its unit (the scraped OpenRouter
  table), or >= 100 in one that states per million tokens, is a table stored ×100
  (cents): ÷100;
- otherwise USD per million tokens.

The decision is recorded as a warning on the result. After conversion, a single
price above $1000 per Mtok or below 0 is not stored (None) and flagged with a
warning on the result and on its record. A missing price stays None: a price is
never invented. `:free` OpenRouter variants that state 0 cost 0 (`pricing.model`
free).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from normalizer import params
from normalizer.identity import REPO_ID_RE, family_of, slugify
from normalizer.models import (
    DocKind,
    FieldProvenance,
    NormalizeResult,
    Parameters,
    Price,
    Pricing,
    PricingModel,
    ToolRecord,
)
from normalizer.prices_formats import (
    PER_MTOK,
    PER_MTOK_X100,
    PER_TOKEN,
    UNKNOWN,
    ParsedList,
    PriceEntry,
    PriceFormatError,
    median,
    parse,
)
from normalizer.vendors import is_known_org, vendor_for_org, vendor_from_text

MAX_PER_MTOK = 1000.0
"""Above this (USD per million tokens) a single price is an outlier, not a price."""

FACTOR = {PER_TOKEN: 1e6, PER_MTOK: 1.0, PER_MTOK_X100: 0.01}
METHOD_SUFFIX = {PER_TOKEN: "*1e6", PER_MTOK: "", PER_MTOK_X100: "/100"}
UNIT_TEXT = {
    PER_TOKEN: "USD per token (×1e6 -> per Mtok)",
    PER_MTOK: "USD per million tokens",
    PER_MTOK_X100: "USD per million tokens ×100 (÷100)",
}

# Provider/vendor handles that normalizer.vendors does not map (not HF orgs).
_PROVIDER_VENDORS = {
    "mistral": "Mistral AI",
    "meta": "Meta",
    "meta-ai": "Meta",
    "moonshot-ai": "Moonshot AI",
    "moonshotai": "Moonshot AI",
    "x-ai": "xAI",
    "xai": "xAI",
    "deepseek": "DeepSeek",
    "cohere": "Cohere",
    "minimax": "MiniMax",
}
# OpenRouter id suffixes naming an offer of a model, not another model.
_OPENROUTER_VARIANT = re.compile(r":(free|beta|extended|thinking|online|nitro|floor)$")
_NAME_PREFIX = re.compile(r"^([^:()]{1,40}):\s+(\S.*)$")


def vendor_display(label: str | None) -> str | None:
    """Display name for a maker handle/label (`mistralai`, `Mistral`, `x-ai`), if known."""
    if not label:
        return None
    low = label.strip().lower()
    if low in _PROVIDER_VENDORS:
        return _PROVIDER_VENDORS[low]
    if is_known_org(low):
        return vendor_for_org(low)
    found = vendor_from_text(label.strip())
    if found and found[1].lower() == low:
        return found[0]
    return None


def decide_unit(parsed: ParsedList) -> tuple[str, str]:
    """The unit of the whole table -> (unit, the warning that records the decision)."""
    inputs = [e.input for e in parsed.entries if e.input is not None and e.input > 0]
    values = inputs or [
        v for e in parsed.entries for v in (e.input, e.output) if v is not None and v > 0
    ]
    declared = parsed.declared_unit
    if not values:
        unit = declared if declared != UNKNOWN else PER_MTOK
        return unit, f"price unit: {UNIT_TEXT[unit]} (no non-zero price to check it against)"
    med = median(values)
    what = "input" if inputs else "input/output"
    if med < 1e-3:
        unit = PER_TOKEN
    elif med >= (100 if declared == PER_MTOK else 10):
        unit = PER_MTOK_X100
    else:
        unit = PER_MTOK
    note = (
        f"price unit: {UNIT_TEXT[unit]}, decided for the whole table from the median non-zero "
        f"{what} price as written ({med:g} over {len(values)} entries)"
    )
    if declared not in (UNKNOWN, unit):
        note += f"; the format declares {UNIT_TEXT[declared]}, overruled by the values"
    elif declared == UNKNOWN:
        note += "; the format does not state a unit"
    return unit, note


def _round(value: float) -> float:
    return float(f"{value:.10g}")


def _convert(
    raw: float | None, unit: str, label: str, entry: PriceEntry, warnings: list[str]
) -> float | None:
    if raw is None:
        return None
    value = _round(raw * FACTOR[unit])
    if value < 0:
        warnings.append(
            f"{entry.model_id}: {label} price {raw:g} as written is negative (variable or "
            "unknown price); not stored"
        )
        return None
    if value > MAX_PER_MTOK:
        warnings.append(
            f"{entry.model_id}: {label} price {raw:g} as written is ${value:g} per Mtok, above "
            f"the ${MAX_PER_MTOK:g} sanity bound; not stored"
        )
        return None
    return value


def _clean_name(entry: PriceEntry) -> tuple[str, str | None, str]:
    """(model name, vendor prefix from the name, method) for an entry."""
    short = entry.model_id.rsplit("/", 1)[-1]
    if entry.provider == "openrouter":
        short = _OPENROUTER_VARIANT.sub("", short)
    if not entry.name:
        return short, None, "derived:provider model id"
    name, prefix = entry.name, None
    if m := _NAME_PREFIX.match(name):
        prefix, name = m.group(1).strip(), m.group(2).strip()
    if _OPENROUTER_VARIANT.search(entry.model_id):
        name = re.sub(r"\s*\([^()]*\)\s*$", "", name) or name
    method = entry.name_method + (
        " (maker prefix / variant tag removed)" if name != entry.name else ""
    )
    return name, prefix, method


def _vendor(entry: PriceEntry, name_prefix: str | None) -> tuple[str, str] | None:
    if entry.hf_id and REPO_ID_RE.match(entry.hf_id):
        return vendor_for_org(entry.hf_id.split("/", 1)[0]) or "", f"{entry.hf_method} org"
    if entry.provider == "openrouter" and "/" in entry.model_id:
        prefix = entry.model_id.split("/", 1)[0]
        if v := vendor_display(prefix):
            return v, f"{entry.name_method.split(':', 1)[0]}:model id prefix {prefix!r}"
    if entry.vendor:
        return vendor_display(entry.vendor) or entry.vendor, entry.vendor_method
    if name_prefix:
        return vendor_display(name_prefix) or name_prefix, f"{entry.name_method} prefix"
    return None


def _variant_rank(entry: PriceEntry) -> tuple[int, int]:
    """Plain entries first: no `:free`-style suffix, then fewer provider path segments."""
    variant = 1 if _OPENROUTER_VARIANT.search(entry.model_id) else 0
    depth = 0 if entry.provider == "openrouter" else entry.model_id.count("/")
    return variant, depth


class _Records:
    """Builds records, keeping record keys (source_id or slug) unique in the document:
    storage keeps one claim per (document, record key, field), so a second entry for
    the same model (a `:free` variant, another provider's copy) gets its own slug
    (from its provider id) and keeps the Hugging Face id as an alias only."""

    def __init__(self, source_url: str | None, observed_at: datetime) -> None:
        self.source_url = source_url
        self.observed_at = observed_at
        self.keys: set[str] = set()

    def prov(self, method: str, evidence: str | None = None) -> FieldProvenance:
        return FieldProvenance(
            source_url=self.source_url,
            method=method,
            observed_at=self.observed_at,
            evidence=evidence[:500] if evidence else None,
        )

    def _unique(self, key: str) -> bool:
        if key.casefold() in self.keys:
            return False
        self.keys.add(key.casefold())
        return True

    def build(self, entry: PriceEntry, unit: str, warnings: list[str]) -> ToolRecord:
        name, prefix, name_method = _clean_name(entry)
        rec_warnings = list(entry.notes)
        values: dict[str, Any] = {}
        prov: dict[str, FieldProvenance] = {"name": self.prov(name_method, entry.name)}

        hf_id = entry.hf_id if entry.hf_id and REPO_ID_RE.match(entry.hf_id) else None
        source_id = hf_id
        slug = slugify(hf_id.replace("/", "-")) if hf_id else slugify(name)
        slug_method = "derived:slugify(hugging_face_id)" if hf_id else "derived:slugify(name)"
        if not self._unique(source_id or slug):
            source_id = None
            base = slugify(f"{entry.provider or ''} {entry.model_id}")
            slug, n = base, 1
            while not self._unique(slug):
                n += 1
                slug = f"{base}-{n}"
            slug_method = "derived:slugify(provider model id), another entry has the model's slug"
        prov["slug"] = self.prov(slug_method)
        if source_id:
            values["source_id"] = source_id
            prov["source_id"] = self.prov(entry.hf_method, hf_id)

        aliases: list[str] = []
        short = entry.model_id.rsplit("/", 1)[-1]
        if entry.provider == "openrouter":
            short = _OPENROUTER_VARIANT.sub("", short)
        for alias in (entry.model_id, short, hf_id, entry.name):
            seen = {name.casefold(), *(a.casefold() for a in aliases)}
            if alias and alias.casefold() not in seen:
                aliases.append(alias)
        if aliases:
            values["aliases"] = aliases
            prov["aliases"] = self.prov("derived:provider model id, hugging_face_id, listed name")

        if vendor := _vendor(entry, prefix):
            values["vendor"], method = vendor
            prov["vendor"] = self.prov(method)

        family = entry.extra.get("family")
        if family:
            values["family"] = family[0]
            prov["family"] = self.prov(family[1])
        else:
            values["family"] = family_of(name)
            prov["family"] = self.prov("derived:family_of(name)")

        # A host's limit for open weights it serves (OpenRouter `:free` at 16K) is not the
        # model's context window; only a first-party entry (no weights id) states that.
        if entry.context_length and not hf_id:
            values["context_length"] = entry.context_length
            prov["context_length"] = self.prov(entry.context_method)

        # an unambiguous size in the listed name (`Qwen2.5 7B Instruct`, `Qwen3 235B A22B`)
        if (size := params.from_name(name.replace(" ", "-"))) is not None:
            values["parameters"] = Parameters(total=size.total, active=size.active)
            prov["parameters"] = self.prov(size.method, size.evidence)

        for field in ("release_date", "open_weights"):
            if field in entry.extra:
                values[field] = entry.extra[field][0]
                prov[field] = self.prov(entry.extra[field][1])

        pricing = self._pricing(entry, unit, rec_warnings)
        if pricing is not None:
            values["pricing"], prov["pricing"] = pricing
        warnings.extend(w for w in rec_warnings if w.startswith(entry.model_id + ":"))
        return ToolRecord(name=name, slug=slug, provenance=prov, warnings=rec_warnings, **values)

    def _pricing(
        self, entry: PriceEntry, unit: str, warnings: list[str]
    ) -> tuple[Pricing, FieldProvenance] | None:
        if entry.provider is None:
            return None
        free_variant = entry.model_id.endswith(":free")
        inp = _convert(entry.input, unit, "input", entry, warnings)
        out = _convert(entry.output, unit, "output", entry, warnings)
        stated = [v for v in (inp, out) if v is not None]
        if stated and any(v > 0 for v in stated):
            model: PricingModel | None = PricingModel.PAID
            if free_variant:
                warnings.append(f"{entry.model_id}: a ':free' variant with a non-zero price")
        elif stated:
            model = PricingModel.FREE
        else:
            model = PricingModel.FREE if free_variant else None
        prices = []
        if stated:
            prices.append(
                Price(
                    provider=entry.provider,
                    input_per_mtok=inp,
                    output_per_mtok=out,
                    currency=entry.currency,
                    checked_at=self.observed_at,
                    model_id=entry.model_id,
                )
            )
        if model is None and not prices:
            return None
        suffix = METHOD_SUFFIX[unit]
        methods = [
            m + suffix
            for m, v in ((entry.input_method, inp), (entry.output_method, out))
            if v is not None
        ]
        if not stated:
            methods = ["openrouter:':free' id suffix"]
        raw = ", ".join(
            f"{label} {v:g}"
            for label, v in (("input", entry.input), ("output", entry.output))
            if v is not None
        )
        evidence = f"{entry.model_id}: {raw or 'no price'} as written; {UNIT_TEXT[unit]}"
        return Pricing(model=model, prices=prices), self.prov("; ".join(methods), evidence)


def normalize_price_list(
    text: str,
    source_url: str | None,
    observed_at: datetime,
    *,
    filename: str | None = None,
) -> NormalizeResult:
    """Normalise one price list. Never raises for bad input: the result says what was wrong."""
    result = NormalizeResult(kind=DocKind.PRICE_LIST, source_url=source_url)
    try:
        parsed = parse(text, source_url, observed_at, filename)
    except PriceFormatError as exc:
        result.warnings.append(f"price list not read: {exc}")
        return result
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        result.warnings.append(f"price list not read: {type(exc).__name__}: {exc}")
        return result
    result.warnings.append(f"price list format: {parsed.format}, {len(parsed.entries)} entries")
    unit, note = decide_unit(parsed)
    result.warnings.append(note)
    result.warnings.extend(parsed.warnings)
    records = _Records(source_url, observed_at)
    built: list[tuple[int, ToolRecord]] = []
    # The plain entry of a model claims its canonical slug before its variants do.
    for n, entry in sorted(enumerate(parsed.entries), key=lambda ne: _variant_rank(ne[1])):
        try:
            built.append((n, records.build(entry, unit, result.warnings)))
        except (ValidationError, ValueError, TypeError) as exc:
            result.warnings.append(f"{entry.model_id}: entry skipped ({type(exc).__name__}: {exc})")
    result.records = [rec for _, rec in sorted(built, key=lambda nr: nr[0])]
    if not result.records:
        result.warnings.append("no model entry in this price list")
    return result
