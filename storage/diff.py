"""What changed between two values of a record field: whether it matters, and in words.

Pure functions on ToolRecord JSON values (what claims, overrides and the published
snapshot store). Two uses:

- `meaningfully_same(field, old, new)`: a price list re-checked with the same prices
  differs only in `checked_at`; a figure re-read as 0.030000001 instead of 0.03
  differs only by rounding. Neither deserves an editor's review (`storage.editorial`
  records such re-checks in the history directly).
- `describe_change(field, old, new)`: one line per changed part, in words and numbers
  ("input $0.03 → $0.05 per Mtok (+67%), openrouter"; "license apache-2.0 → llama3.1
  (permissive → restricted)"), for review items, the history and the CLI.
"""

from __future__ import annotations

import json
import math
from typing import Any

REL_TOLERANCE = 0.005
"""Numbers closer than this (relative, 0.5%) are the same figure, rounded differently."""
ABS_TOLERANCE = 1e-9
VOLATILE_KEYS = frozenset({"checked_at"})
"""Keys that say when a value was looked at, not what it is."""


# meaningful change -----------------------------------------------------------------------


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_KEYS and v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        key = _price_key if all(_is_price(x) for x in [*a, *b]) else None
        if key is not None:  # providers may come in another order
            a, b = sorted(a, key=key), sorted(b, key=key)
        return all(_close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def meaningfully_same(field: str, old: Any, new: Any) -> bool:
    """True when `old` and `new` differ at most in check times or by rounding."""
    del field  # the rule is the same for every field; kept for callers' clarity
    return _close(_strip(old), _strip(new))


# words -----------------------------------------------------------------------------------


def money(amount: float | None, currency: str = "USD") -> str:
    if amount is None:
        return "—"
    text = f"{amount:.4f}".rstrip("0").rstrip(".")
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def human_count(n: int | float | None) -> str:
    if n is None:
        return "—"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            return f"{n / div:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{n:g}"


def percent(old: float | None, new: float | None) -> str:
    """' (+67%)', or '' when there is no honest ratio (a missing or zero old value)."""
    if old is None or new is None or old == 0:
        return ""
    change = (new - old) / abs(old) * 100
    digits = 0 if abs(change) >= 10 else 1
    return f" ({change:+.{digits}f}%)"


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return json.dumps(_strip(value), ensure_ascii=False, sort_keys=True)


def _is_price(value: Any) -> bool:
    return isinstance(value, dict) and "provider" in value


def _price_key(price: dict[str, Any]) -> tuple[str, str, str]:
    return (
        str(price.get("provider") or ""),
        str(price.get("model_id") or ""),
        str(price.get("currency") or "USD"),
    )


def _price_text(price: dict[str, Any]) -> str:
    cur = price.get("currency") or "USD"
    return (
        f"input {money(price.get('input_per_mtok'), cur)}, "
        f"output {money(price.get('output_per_mtok'), cur)} per Mtok"
    )


def _provider(price: dict[str, Any]) -> str:
    return str(price.get("provider")) + (f" ({price['model_id']})" if price.get("model_id") else "")


def _pricing_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if old.get("model") != new.get("model"):
        lines.append(f"pricing model {_text(old.get('model'))} → {_text(new.get('model'))}")
    before = {_price_key(p): p for p in old.get("prices") or []}
    after = {_price_key(p): p for p in new.get("prices") or []}
    for key, price in after.items():
        was = before.get(key)
        if was is None:
            lines.append(f"{_provider(price)} added: {_price_text(price)}")
            continue
        cur = price.get("currency") or "USD"
        for side in ("input", "output"):
            a, b = was.get(f"{side}_per_mtok"), price.get(f"{side}_per_mtok")
            if not _close(a, b):
                lines.append(
                    f"{side} {money(a, cur)} → {money(b, cur)} per Mtok{percent(a, b)}, "
                    f"{_provider(price)}"
                )
    for key, price in before.items():
        if key not in after:
            lines.append(f"{_provider(price)} removed (was {_price_text(price)})")
    if not lines and not meaningfully_same("pricing", old, new):
        lines.append("pricing details changed")
    return lines


def _license_label(value: dict[str, Any]) -> str:
    return str(value.get("id") or value.get("name") or value.get("spdx") or "—")


def _license_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    head = f"license {_license_label(old)} → {_license_label(new)}"
    if old.get("terms") != new.get("terms"):
        head += f" ({_text(old.get('terms'))} → {_text(new.get('terms'))})"
    if _license_label(old) != _license_label(new) or old.get("terms") != new.get("terms"):
        return [head]
    lines = [
        f"license {key} {_text(old.get(key))} → {_text(new.get(key))}"
        for key in ("name", "spdx", "url")
        if old.get(key) != new.get(key)
    ]
    return lines or [head]


def _parameters_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for key in ("total", "active"):
        a, b = old.get(key), new.get(key)
        if not _close(a, b):
            lines.append(f"{key} parameters {human_count(a)} → {human_count(b)}{percent(a, b)}")
    return lines


def _list_lines(field: str, old: list[Any], new: list[Any]) -> list[str]:
    before = {_text(v) for v in old}
    after = {_text(v) for v in new}
    lines = [f"{field} + {v}" for v in sorted(after - before)]
    lines += [f"{field} − {v}" for v in sorted(before - after)]
    return lines or [f"{field} reordered"]


def describe_change(field: str, old: Any, new: Any) -> list[str]:
    """What changed, one line per part, in words and numbers ([] when nothing did)."""
    if _strip(old) == _strip(new):
        return []
    label = field.replace("_", " ")
    if old is None and field == "pricing" and isinstance(new, dict):
        return _pricing_lines({}, new)
    if old is None:
        return [f"{label} set: {describe_value(field, new)}"]
    if new is None:
        return [f"{label} removed (was {describe_value(field, old)})"]
    if isinstance(old, dict) and isinstance(new, dict):
        if field == "pricing":
            return _pricing_lines(old, new)
        if field == "license":
            return _license_lines(old, new)
        if field == "parameters":
            return _parameters_lines(old, new)
    if isinstance(old, list) and isinstance(new, list):
        return _list_lines(label, old, new)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if numbers:
        return [f"{label} {_text(old)} → {_text(new)}{percent(old, new)}"]
    return [f"{label} {_text(old)} → {_text(new)}"]


def describe_value(field: str, value: Any) -> str:
    """A field's value in words: "llama3.1 (restricted)", "8.03B total, 1B active"."""
    if value is None or value in ([], {}):
        return "—"
    if field == "license" and isinstance(value, dict):
        terms = f" ({value['terms']})" if value.get("terms") else ""
        name = value.get("name")
        extra = f" · {name}" if name and name != value.get("id") else ""
        return _license_label(value) + terms + extra
    if field == "parameters" and isinstance(value, dict):
        parts = [f"{human_count(value['total'])} total"] if value.get("total") else []
        if value.get("active"):
            parts.append(f"{human_count(value['active'])} active")
        return ", ".join(parts) or "—"
    if field == "pricing" and isinstance(value, dict):
        parts = [str(value["model"])] if value.get("model") else []
        parts += [f"{_provider(p)}: {_price_text(p)}" for p in value.get("prices") or []]
        return "; ".join(parts) or "—"
    if field == "context_length" and isinstance(value, int):
        return f"{human_count(value)} tokens"
    if field == "links" and isinstance(value, list):
        return ", ".join(f"{link.get('type')}: {link.get('url')}" for link in value)
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return _text(value)
