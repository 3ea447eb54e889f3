"""Price-list formats: recognise a document by its content and read its entries.

Pure parsing, no units: every parser returns prices *as written* in the file
(`PriceEntry.input`/`output`) with the format's declared unit; deciding the unit
of the whole table and turning entries into `ToolRecord`s is `normalizer.price_list`.

Formats (recognised from the parsed content, never from the file name):

| format | shape | declared unit |
|---|---|---|
| `openrouter-api` | `{"data": [{"id", "pricing": {"prompt", "completion"}, ...}]}` | USD per token (strings) |
| `openrouter-table` | `{"models": [{"name", "code", "prices": [in, out]}]}` (scraped table) | none stated |
| `scraped-table` | `[{"model_id", "Input ($/1M tokens)": "$0,05", ...}]` (scraped, localised) | USD per 1M tokens |
| `litellm` | `{"<model>": {"input_cost_per_token", "litellm_provider", ...}}` (litellm, tokencost) | USD per token |
| `genai-prices` | `[{"id": provider, "models": [{"id", "prices": {"input_mtok", ...}}]}]` | USD per 1M tokens |
| `llm-prices` | `{"vendor", "models": [{"id", "name", "price_history": [...]}]}` (simonw) | USD per 1M tokens |
| `models-dev` | TOML `name = …`, `[cost] input/output`, `[limit] context` (one model per file) | USD per 1M tokens |
"""

from __future__ import annotations

import json
import re
import statistics
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urlparse

PER_TOKEN = "per-token"
PER_MTOK = "per-mtok"
PER_MTOK_X100 = "per-mtok-x100"
UNKNOWN = "unknown"


class PriceFormatError(ValueError):
    """The document is not a price list this module can read (the message says why)."""


@dataclass
class PriceEntry:
    """One model entry of a price list, prices as written in the file."""

    model_id: str
    """The provider's own id for the model (`meta-llama/llama-3.1-8b-instruct:free`)."""
    name: str | None
    provider: str | None
    input: float | None = None
    output: float | None = None
    input_method: str = ""
    output_method: str = ""
    name_method: str = ""
    provider_method: str = ""
    hf_id: str | None = None
    hf_method: str = ""
    vendor: str | None = None
    """A maker as the entry states it (an org handle, a name prefix, a company column)."""
    vendor_method: str = ""
    context_length: int | None = None
    context_method: str = ""
    currency: str = "USD"
    extra: dict[str, tuple[Any, str]] = field(default_factory=dict)
    """Other stated fields: name -> (value, method) (models.dev release_date, open_weights)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedList:
    format: str
    declared_unit: str
    entries: list[PriceEntry]
    warnings: list[str] = field(default_factory=list)


# -- small value readers ---------------------------------------------------------------


def _num(value: Any) -> float | None:
    """A JSON number or numeric string; None for null/""/non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    n = _num(value)
    if n is None or n <= 0 or n != int(n):
        return None
    return int(n)


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


_MISSING = {"", "-", "--", "—", "n/a", "na", "none", "null", "?"}


def parse_localized(text: Any, decimal: str) -> float | None:
    """`$0,05` (decimal ",") / `$1,234.50` (decimal ".") / `$0100% off` -> a float or None."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str):
        return None
    s = text.strip()
    if s.lower() in _MISSING:
        return None
    # OpenRouter's table renders a discount badge right after the price: "$0" + "100% off".
    s = re.sub(r"\d{1,3}\s*%\s*off\s*$", "", s, flags=re.I).strip()
    s = s.replace("$", "").replace("US", "").replace("\u00a0", "").replace(" ", "")
    if not s or not re.fullmatch(r"[0-9.,]+", s):
        return None
    thousands = "." if decimal == "," else ","
    s = s.replace(thousands, "").replace(decimal, ".")
    try:
        return float(s)
    except ValueError:
        return None


def _detect_decimal(samples: list[str]) -> tuple[str, str]:
    """Per file: is `,` or `.` the decimal separator? -> (separator, reason)."""
    comma = sum(1 for s in samples if re.search(r"\d,\d{1,2}(?!\d)", s) or re.search(r"\d,\d+$", s))
    dot_groups = sum(1 for s in samples if re.fullmatch(r"\$?\d{1,3}(\.\d{3})+", s.strip()))
    dot_dec = sum(1 for s in samples if re.search(r"\d\.\d{1,2}$", s.strip()))
    if comma and comma >= dot_dec:
        return ",", f"decimal comma ({comma} values like '0,05'; '.' groups thousands)"
    if dot_groups and not dot_dec:
        return ",", f"'.' groups thousands ({dot_groups} values like '204.800')"
    return ".", "decimal point"


# -- detection ---------------------------------------------------------------------------


def _is_dict_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value[:20])


def _table_columns(row: dict[str, Any]) -> tuple[str, str] | None:
    """Input/output column names of a scraped table row (`Input ($/1M tokens)`)."""
    cols = {k.lower(): k for k in row}
    inp = next((orig for low, orig in cols.items() if low.startswith("input") and "$" in low), None)
    out = next(
        (orig for low, orig in cols.items() if low.startswith("output") and "$" in low), None
    )
    return (inp, out) if inp and out else None


LITELLM_KEYS = {
    "input_cost_per_token",
    "output_cost_per_token",
    "litellm_provider",
    "max_input_tokens",
    "max_tokens",
    "mode",
}


def detect_format(data: Any) -> str | None:
    """The format of a parsed document (see the module docstring), or None."""
    if isinstance(data, dict):
        rows = data.get("data")
        if _is_dict_list(rows) and any(
            "id" in r and ({"pricing", "context_length", "hugging_face_id"} & r.keys())
            for r in rows[:20]
        ):
            return "openrouter-api"
        models = data.get("models")
        if _is_dict_list(models):
            if any("price_history" in m for m in models[:20]):
                return "llm-prices"
            if any(isinstance(m.get("prices"), list) and "code" in m for m in models[:20]):
                return "openrouter-table"
        if isinstance(data.get("cost"), dict) or (
            isinstance(data.get("name"), str) and isinstance(data.get("limit"), dict)
        ):
            return "models-dev"
        values = [v for v in data.values() if isinstance(v, dict)]
        if values:
            hits = sum(1 for v in values if LITELLM_KEYS & v.keys())
            if hits >= max(1, len(values) // 2):
                return "litellm"
    if _is_dict_list(data):
        if any(_is_dict_list(p.get("models")) and "id" in p for p in data[:5]):
            return "genai-prices"
        if _table_columns(data[0]) is not None:
            return "scraped-table"
    return None


def load(text: str) -> tuple[Any, str]:
    """Parse JSON, else TOML -> (data, syntax). Raises PriceFormatError naming both failures."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise PriceFormatError("empty document")
    try:
        return json.loads(stripped), "json"
    except json.JSONDecodeError as jexc:
        if stripped[0] in "[{":
            raise PriceFormatError(
                f"malformed JSON: {jexc.msg} at line {jexc.lineno} column {jexc.colno}"
            ) from jexc
        try:
            return tomllib.loads(stripped), "toml"
        except tomllib.TOMLDecodeError as texc:
            raise PriceFormatError(
                f"neither JSON ({jexc.msg} at line {jexc.lineno}) nor TOML ({texc})"
            ) from texc


# -- parsers -------------------------------------------------------------------------------


def _openrouter_api(data: dict[str, Any], source_url: str | None) -> ParsedList:
    out = ParsedList("openrouter-api", PER_TOKEN, [])
    for i, row in enumerate(data["data"]):
        if not isinstance(row, dict) or not _str(row.get("id")):
            out.warnings.append(f"data[{i}]: no model id; skipped")
            continue
        pricing = row.get("pricing") if isinstance(row.get("pricing"), dict) else {}
        e = PriceEntry(
            model_id=row["id"].strip(),
            name=_str(row.get("name")),
            name_method="openrouter:name",
            provider="openrouter",
            provider_method="openrouter:api",
            input=_num(pricing.get("prompt")),
            output=_num(pricing.get("completion")),
            input_method="openrouter:pricing.prompt",
            output_method="openrouter:pricing.completion",
            hf_id=_str(row.get("hugging_face_id")),
            hf_method="openrouter:hugging_face_id",
            context_length=_int(row.get("context_length")),
            context_method="openrouter:context_length",
        )
        out.entries.append(e)
    return out


def _openrouter_table(data: dict[str, Any], source_url: str | None) -> ParsedList:
    out = ParsedList("openrouter-table", UNKNOWN, [])
    for i, row in enumerate(data["models"]):
        code = _str(row.get("code")) or _str(str(row.get("href") or "").lstrip("/"))
        if not code:
            out.warnings.append(f"models[{i}]: no model code; skipped")
            continue
        prices = row.get("prices") if isinstance(row.get("prices"), list) else []
        raw_in = prices[0] if len(prices) > 0 else None
        raw_out = prices[1] if len(prices) > 1 else None
        out.entries.append(
            PriceEntry(
                model_id=code,
                name=_str(row.get("name")),
                name_method="openrouter-table:name",
                provider="openrouter",
                provider_method="openrouter-table:openrouter.ai table",
                input=parse_localized(raw_in, "."),
                output=parse_localized(raw_out, "."),
                input_method="openrouter-table:prices[0]",
                output_method="openrouter-table:prices[1]",
            )
        )
    return out


def _scraped_table(data: list[dict[str, Any]], source_url: str | None) -> ParsedList:
    out = ParsedList("scraped-table", PER_MTOK, [])
    cols = _table_columns(data[0])
    assert cols is not None
    in_col, out_col = cols
    ctx_col = next((k for k in data[0] if k.lower().startswith("context")), None)
    samples = [str(r.get(c)) for r in data for c in (in_col, out_col) if isinstance(r.get(c), str)]
    decimal, reason = _detect_decimal(samples)
    ctx_samples = [str(r.get(ctx_col)) for r in data if ctx_col and isinstance(r.get(ctx_col), str)]
    if decimal == "." and ctx_samples:
        decimal, reason = _detect_decimal(samples + ctx_samples)
    out.warnings.append(f"number format: {reason}")
    is_openrouter = (
        source_url is None
        or "openrouter" in (source_url or "")
        or any(str(r.get("url", "")).startswith("/") for r in data[:5])
    )
    for i, row in enumerate(data):
        model_id = _str(row.get("model_id")) or _str(str(row.get("url") or "").lstrip("/"))
        if not model_id:
            out.warnings.append(f"[{i}]: no model id; skipped")
            continue
        e = PriceEntry(
            model_id=model_id,
            name=_str(row.get("model_name")),
            name_method="scraped-table:model_name",
            provider="openrouter" if is_openrouter else None,
            provider_method="scraped-table:openrouter.ai/models",
            input=parse_localized(row.get(in_col), decimal),
            output=parse_localized(row.get(out_col), decimal),
            input_method=f"scraped-table:{in_col}",
            output_method=f"scraped-table:{out_col}",
            vendor=_str(row.get("company")),
            vendor_method="scraped-table:company",
        )
        if ctx_col is not None:
            ctx = parse_localized(row.get(ctx_col), decimal)
            if ctx is not None and ctx == int(ctx) and ctx > 0:
                e.context_length = int(ctx)
                e.context_method = f"scraped-table:{ctx_col}"
        out.entries.append(e)
    return out


def _litellm(data: dict[str, Any], source_url: str | None) -> ParsedList:
    out = ParsedList("litellm", PER_TOKEN, [])
    no_provider = 0
    for key, row in data.items():
        if key == "sample_spec" or not isinstance(row, dict):
            continue
        provider = _str(row.get("litellm_provider"))
        method = "litellm:litellm_provider"
        if provider is None and "/" in key:
            provider, method = key.split("/", 1)[0], "litellm:key prefix"
        if provider is None:
            no_provider += 1
        out.entries.append(
            PriceEntry(
                model_id=key,
                name=None,
                provider=provider,
                provider_method=method,
                input=_num(row.get("input_cost_per_token")),
                output=_num(row.get("output_cost_per_token")),
                input_method="litellm:input_cost_per_token",
                output_method="litellm:output_cost_per_token",
                context_length=_int(row.get("max_input_tokens")),
                context_method="litellm:max_input_tokens",
            )
        )
    if no_provider:
        out.warnings.append(
            f"{no_provider} entries name no provider (no litellm_provider, no provider/ prefix):"
            " their prices are not stored"
        )
    return out


def _genai_price(value: Any, path: str, notes: list[str]) -> tuple[float | None, str]:
    if isinstance(value, dict) and "base" in value:
        if value.get("tiers"):
            notes.append(f"{path} is tiered; the base price is kept")
        return _num(value.get("base")), f"{path}.base"
    return _num(value), path


def _genai_current(prices: Any, observed: date) -> tuple[dict[str, Any], str]:
    """The price set in force at `observed` -> (prices, path)."""
    if isinstance(prices, dict):
        return prices, "prices"
    if not isinstance(prices, list):
        return {}, "prices"
    best: tuple[str, int] | None = None
    for n, option in enumerate(prices):
        if not isinstance(option, dict):
            continue
        constraint = option.get("constraint") or {}
        start = str(constraint.get("start_date") or "")
        if set(constraint) - {"start_date"}:
            continue  # time-of-day or other conditions: not a list price
        if start and start > observed.isoformat():
            continue
        if best is None or start > best[0]:
            best = (start, n)
    if best is None:
        return {}, "prices"
    option = prices[best[1]]
    return (option.get("prices") or {}), f"prices[{best[1]}].prices"


def _genai_prices(data: list[dict[str, Any]], observed: date) -> ParsedList:
    out = ParsedList("genai-prices", PER_MTOK, [])
    for p in data:
        provider = _str(p.get("id"))
        for m in p.get("models") or []:
            if not isinstance(m, dict) or not _str(m.get("id")):
                continue
            e = PriceEntry(
                model_id=m["id"].strip(),
                name=_str(m.get("name")),
                name_method="genai-prices:models[].name",
                provider=provider,
                provider_method="genai-prices:providers[].id",
                context_length=_int(m.get("context_window")),
                context_method="genai-prices:context_window",
            )
            prices, path = _genai_current(m.get("prices"), observed)
            e.input, e.input_method = _genai_price(
                prices.get("input_mtok"), f"genai-prices:{path}.input_mtok", e.notes
            )
            e.output, e.output_method = _genai_price(
                prices.get("output_mtok"), f"genai-prices:{path}.output_mtok", e.notes
            )
            out.entries.append(e)
    return out


def _llm_prices(data: dict[str, Any], observed: date) -> ParsedList:
    out = ParsedList("llm-prices", PER_MTOK, [])
    vendor = _str(data.get("vendor"))
    for m in data["models"]:
        if not isinstance(m, dict) or not _str(m.get("id")):
            continue
        history = [h for h in m.get("price_history") or [] if isinstance(h, dict)]
        today = observed.isoformat()
        current = [
            (n, h)
            for n, h in enumerate(history)
            if (not h.get("from_date") or str(h["from_date"]) <= today)
            and (not h.get("to_date") or str(h["to_date"]) > today)
        ]
        e = PriceEntry(
            model_id=m["id"].strip(),
            name=_str(m.get("name")),
            name_method="llm-prices:name",
            provider=vendor,
            provider_method="llm-prices:vendor",
            vendor=vendor,
            vendor_method="llm-prices:vendor",
        )
        if current:
            n, h = max(current, key=lambda nh: str(nh[1].get("from_date") or ""))
            e.input, e.input_method = _num(h.get("input")), f"llm-prices:price_history[{n}].input"
            e.output, e.output_method = (
                _num(h.get("output")),
                f"llm-prices:price_history[{n}].output",
            )
        elif history:
            e.notes.append("no price in force at the observation date (all in price_history ended)")
        out.entries.append(e)
    return out


def _models_dev_id(source_url: str | None, filename: str | None) -> tuple[str | None, str | None]:
    """(provider, model id) from `…/providers/<p>/models/<id>.toml` or `<p>/models/<id>.toml`."""
    for ref in (source_url, filename):
        if not ref:
            continue
        path = unquote(urlparse(ref).path if "://" in ref else ref).replace("\\", "/")
        m = re.search(r"(?:^|/)([^/]+)/models/(.+)\.toml$", path)
        if m:
            return m.group(1), m.group(2).replace("__", ":")
    for ref in (filename, source_url):
        if ref:
            base = unquote(ref).replace("\\", "/").rsplit("/", 1)[-1]
            if base.endswith(".toml") and base != "provider.toml":
                return None, base[: -len(".toml")].replace("__", ":")
    return None, None


def _models_dev(data: dict[str, Any], source_url: str | None, filename: str | None) -> ParsedList:
    out = ParsedList("models-dev", PER_MTOK, [])
    provider, model_id = _models_dev_id(source_url, filename)
    name = _str(data.get("name"))
    if not model_id:
        model_id = name
    if not model_id:
        out.warnings.append("models.dev model file without a name or a model id in its path")
        return out
    cost = data.get("cost") if isinstance(data.get("cost"), dict) else {}
    limit = data.get("limit") if isinstance(data.get("limit"), dict) else {}
    e = PriceEntry(
        model_id=model_id,
        name=name,
        name_method="models.dev:name",
        provider=provider,
        provider_method="models.dev:providers/<provider>/ path",
        input=_num(cost.get("input")),
        output=_num(cost.get("output")),
        input_method="models.dev:cost.input",
        output_method="models.dev:cost.output",
        context_length=_int(limit.get("context")),
        context_method="models.dev:limit.context",
    )
    if provider is None:
        out.warnings.append("models.dev: the provider is not in the URL/file path")
    if isinstance(data.get("release_date"), str | date):
        e.extra["release_date"] = (str(data["release_date"]), "models.dev:release_date")
    if isinstance(data.get("open_weights"), bool):
        e.extra["open_weights"] = (data["open_weights"], "models.dev:open_weights")
    if _str(data.get("family")):
        e.extra["family"] = (data["family"].strip(), "models.dev:family")
    base = _str(data.get("base_model"))
    if base:
        e.notes.append(f"models.dev base_model {base!r} (a provider id, not a Hugging Face repo)")
    out.entries.append(e)
    return out


def parse(
    text: str, source_url: str | None, observed_at: datetime, filename: str | None = None
) -> ParsedList:
    """Recognise and read a price list. Raises PriceFormatError for anything else."""
    data, syntax = load(text)
    fmt = detect_format(data)
    if (
        fmt is None
        and syntax == "toml"
        and isinstance(data, dict)
        and {"npm", "env", "doc"} & data.keys()
    ):
        raise PriceFormatError("a models.dev provider.toml (provider metadata, no prices)")
    observed = observed_at.date()
    if fmt == "openrouter-api":
        return _openrouter_api(data, source_url)
    if fmt == "openrouter-table":
        return _openrouter_table(data, source_url)
    if fmt == "scraped-table":
        return _scraped_table(data, source_url)
    if fmt == "litellm":
        return _litellm(data, source_url)
    if fmt == "genai-prices":
        return _genai_prices(data, observed)
    if fmt == "llm-prices":
        return _llm_prices(data, observed)
    if fmt == "models-dev":
        return _models_dev(data, source_url, filename)
    shape = type(data).__name__
    keys = ", ".join(list(data)[:6]) if isinstance(data, dict) else ""
    raise PriceFormatError(
        f"not a recognised price list ({syntax} {shape}{': keys ' + keys if keys else ''})"
    )


def median(values: list[float]) -> float:
    return statistics.median(values)
