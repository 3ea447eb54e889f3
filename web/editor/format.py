"""Record values for people: licenses, prices, sizes and dates in words and numbers
(JSON only in the advanced override editor). Jinja filters; output is text, escaped
by the templates like everything else."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage.diff import describe_change, describe_value, human_count, money

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: Any) -> str:
    """`2024-04-17` → `17 Apr 2024`; `2024-04` → `Apr 2024`; anything else as it is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else str(value)
    parts = text[:10].split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return text


def pricing_lines(value: Any) -> list[str]:
    """One line for the pricing model, one per provider (input / output per Mtok)."""
    if not isinstance(value, dict):
        return [describe_value("pricing", value)]
    lines = [str(value["model"])] if value.get("model") else []
    for p in value.get("prices") or []:
        cur = p.get("currency") or "USD"
        name = str(p.get("provider")) + (f" ({p['model_id']})" if p.get("model_id") else "")
        line = (
            f"{name}: {money(p.get('input_per_mtok'), cur)} in / "
            f"{money(p.get('output_per_mtok'), cur)} out per Mtok"
        )
        if p.get("checked_at"):
            line += f" · checked {day(p['checked_at'])}"
        lines.append(line)
    return lines or ["—"]


def field_value(value: Any, field: str) -> str:
    """A field's value in words (pricing on one line; see `pricing_lines`)."""
    if field == "release_date":
        return day(value)
    if field == "pricing":
        return "; ".join(pricing_lines(value))
    return describe_value(field, value)


def entry(amount: float | None, currency: str | None) -> str:
    return "—" if amount is None else f"{money(amount, currency or 'USD')}/Mtok"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def changes(value: Any, field: str, old: Any) -> list[str]:
    """`new | changes(field, old)`: what changed, one line per part."""
    return describe_change(field, old, value)


FILTERS = {
    "day": day,
    "pricing_lines": pricing_lines,
    "field_value": field_value,
    "entry": entry,
    "percent": percent,
    "count": human_count,
    "changes": changes,
}
