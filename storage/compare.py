"""The decision table behind "A vs B" pages: a pure function of tool records.

`decision_table([(record, status), ...])` gives one row per question a reader
asks (what does it cost, may I use it commercially, what is it for, how big, how
much context, how recent, where to read more). Each row carries the raw value and
a sanitised text per tool, and — only where one value is objectively better —
which tools hold the better value:

    entry_price     cheaper (lowest input $/Mtok over providers, same currency only)
    license         more permissive terms (permissive > restricted > non-commercial
                    > proprietary)
    context_length  longer context
    release_date    newer release (dates of different precision that could be the
                    same day are not ranked)

Other rows (vendor, pricing summary, best for, category, parameters, open
weights, links) never say "better": more parameters is not better by itself.
Ties and rows with fewer than two known values mark nothing.

Every string in the table (values included) is plain text: scraped markup is
stripped with nh3, so renderers only have to escape (`render_markdown`,
`render_html` do).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any

import nh3
from pydantic import BaseModel, ConfigDict, Field

TERMS_RANK = {"permissive": 0, "restricted": 1, "non-commercial": 2, "proprietary": 3}
BETTER_MARK = "✓"

STATUS_LABELS = {
    "published": "published",
    "candidate": "candidate (unreviewed)",
    "rejected": "rejected (not published)",
    "merged": "merged (not published)",
}


class CompareTool(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str
    name: str
    vendor: str | None = None
    status: str = Field(
        description="`published` in the API; the CLI may also compare unpublished tools "
        "for editors, e.g. `candidate (unreviewed)`."
    )


class CompareCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str
    value: Any = Field(None, description="The value as data (null when unknown).")
    text: str = Field(description="Human-readable, sanitised plain text (`—` when unknown).")
    better: bool = Field(False, description="This tool holds the better value of the row.")
    source: str | None = Field(
        None, description="Where the value came from: source kind and extraction method."
    )


class CompareRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    label: str
    criterion: str | None = Field(
        None,
        description="What makes a value better, for rows where that is objective "
        "(`cheaper`, `more permissive`, `longer context`, `newer release`); null otherwise.",
    )
    better: list[str] = Field(
        default_factory=list,
        description="Slugs holding the better value; empty when not objective, tied or unknown.",
    )
    cells: list[CompareCell]


class DecisionTable(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tools": [
                        {
                            "slug": "llama-3.1-8b",
                            "name": "Llama-3.1-8B-Instruct",
                            "vendor": "Meta",
                            "status": "published",
                        },
                        {
                            "slug": "llama-3-8b",
                            "name": "Meta-Llama-3-8B-Instruct",
                            "vendor": "Meta",
                            "status": "published",
                        },
                    ],
                    "rows": [
                        {
                            "key": "context_length",
                            "label": "Context",
                            "criterion": "longer context",
                            "better": ["llama-3.1-8b"],
                            "cells": [
                                {
                                    "slug": "llama-3.1-8b",
                                    "value": 128000,
                                    "text": "128K tokens",
                                    "better": True,
                                },
                                {
                                    "slug": "llama-3-8b",
                                    "value": 8192,
                                    "text": "8.19K tokens",
                                    "better": False,
                                },
                            ],
                        }
                    ],
                }
            ]
        },
    )

    tools: list[CompareTool]
    rows: list[CompareRow]

    def row(self, key: str) -> CompareRow:
        return next(r for r in self.rows if r.key == key)


# sanitising ----------------------------------------------------------------------------

_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0]+")


def clean_text(text: str) -> str:
    """Plain text with no markup: tags stripped (nh3) until stable, entities decoded."""
    current = text
    for _ in range(5):
        cleaned = html.unescape(nh3.clean(current, tags=set()))
        if cleaned == current:
            break
        current = cleaned
    else:  # still changing: drop anything that could open a tag
        current = current.replace("<", "").replace(">", "")
    return _SPACE_RE.sub(" ", current).strip()


def clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_value(v) for k, v in value.items()}
    return value


# values --------------------------------------------------------------------------------

NONE = "—"


def human_count(n: int | None) -> str:
    if n is None:
        return NONE
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            return f"{n / div:.2f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def _money(amount: float, currency: str) -> str:
    if amount == 0:
        return "free"
    sign = "$" if currency == "USD" else ""
    text = f"{amount:.4f}".rstrip("0").rstrip(".")
    return f"{sign}{text}" + ("" if sign else f" {currency}")


def _dump(record: Any, field: str) -> Any:
    value = getattr(record, field, None)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    return value


def entry_price(record: Any) -> dict[str, Any] | None:
    """The cheapest input price per million tokens over providers (ties: first listed)."""
    prices = record.pricing.prices if record.pricing else []
    known = [p for p in prices if p.input_per_mtok is not None]
    if not known:
        return None
    best = min(known, key=lambda p: p.input_per_mtok)
    return {
        "input_per_mtok": best.input_per_mtok,
        "output_per_mtok": best.output_per_mtok,
        "currency": best.currency,
        "provider": best.provider,
        "model_id": best.model_id,
    }


def _entry_text(value: dict[str, Any] | None) -> str:
    if value is None:
        return NONE
    head = _money(value["input_per_mtok"], value["currency"])
    head += " / Mtok input" if value["input_per_mtok"] else ""
    where = value["provider"] + (f" · {value['model_id']}" if value.get("model_id") else "")
    return f"{head} ({where})"


def _entry_label(record: Any) -> str:
    """The copy's entry price ("Free" for downloadable weights), then the cheapest API."""
    stated = getattr(record.pricing, "entry_price", None) if record.pricing else None
    api = _entry_text(entry_price(record))
    if stated and stated.startswith("Free") and api != NONE:
        return f"{stated} (open weights) · API {api}"
    return api if api != NONE else (stated or NONE)


def _pricing_text(record: Any) -> str:
    pricing = record.pricing
    lines: list[str] = []
    if pricing and getattr(pricing, "summary", None):
        lines.append(pricing.summary)
    elif pricing and pricing.model:
        lines.append(str(pricing.model))
    elif record.open_weights:
        lines.append("open weights (free to self-host)")
    for p in pricing.prices if pricing else []:
        i = NONE if p.input_per_mtok is None else _money(p.input_per_mtok, p.currency)
        o = NONE if p.output_per_mtok is None else _money(p.output_per_mtok, p.currency)
        name = p.provider + (f" · {p.model_id}" if p.model_id else "")
        lines.append(f"{name}: {i} in / {o} out per Mtok")
    return "\n".join(lines) or NONE


def _license_value(record: Any) -> Any:
    lic = record.license
    if lic is None or not (lic.id or lic.name or lic.terms):
        return None
    return lic.model_dump(mode="json")


def _license_text(record: Any) -> str:
    lic = record.license
    if lic is None or not (lic.id or lic.name or lic.terms):
        return NONE
    label = lic.name or lic.id or "unknown license"
    if lic.id and lic.name and lic.id.casefold() != lic.name.casefold():
        label = f"{lic.name} ({lic.id})"
    return f"{label} · {lic.terms}" if lic.terms else label


def _best_for_value(record: Any) -> Any:
    parts = {"category": record.category, "task": record.task, "tagline": record.tagline}
    return parts if any(parts.values()) else None


def _best_for_text(record: Any) -> str:
    head = " · ".join(x for x in (record.category, record.task) if x)
    if record.tagline:
        return f"{head}\n{record.tagline}" if head else record.tagline
    return head or NONE


def _links_text(record: Any) -> str:
    return "\n".join(f"{link.type}: {link.url}" for link in record.links) or NONE


def _yes_no(value: bool | None) -> str:
    return NONE if value is None else ("yes" if value else "no")


def _date_key(value: str | None) -> tuple[int, ...] | None:
    if not value:
        return None
    parts = value.split("-")
    try:
        return tuple(int(p) for p in parts[:3])
    except ValueError:
        return None


# "better" rules --------------------------------------------------------------------------


def _best(keys: dict[str, Any], lower_is_better: bool) -> list[str]:
    known = {slug: k for slug, k in keys.items() if k is not None}
    if len(known) < 2 or len(set(known.values())) == 1:
        return []
    pick = min if lower_is_better else max
    target = pick(known.values())
    return [slug for slug, k in known.items() if k == target]


def _better_price(values: dict[str, Any]) -> list[str]:
    known = {s: v for s, v in values.items() if v is not None}
    if len({v["currency"] for v in known.values()}) > 1:
        return []  # no exchange rates here: not comparable
    return _best({s: v["input_per_mtok"] for s, v in known.items()}, lower_is_better=True)


def _better_license(values: dict[str, Any]) -> list[str]:
    return _best(
        {s: TERMS_RANK.get((v or {}).get("terms") or "") for s, v in values.items()},
        lower_is_better=True,
    )


def _better_context(values: dict[str, Any]) -> list[str]:
    return _best(values, lower_is_better=False)


def _better_date(values: dict[str, Any]) -> list[str]:
    keys = {s: _date_key(v) for s, v in values.items()}
    known = {s: k for s, k in keys.items() if k is not None}
    if len(known) < 2:
        return []
    newest = max(known.values())
    winners = [s for s, k in known.items() if k == newest]
    for key in known.values():  # "2024-07" vs "2024-07-18": could be the same day
        if key != newest and len(key) != len(newest):
            n = min(len(key), len(newest))
            if key[:n] == newest[:n]:
                return []
    return winners if len(winners) < len(known) else []


Row = tuple[
    str,  # key
    str,  # label
    Callable[[Any], Any],  # value
    Callable[[Any], str],  # text
    str | None,  # criterion
    Callable[[dict[str, Any]], list[str]] | None,  # better
]

ROWS: list[Row] = [
    ("vendor", "Vendor", lambda r: r.vendor, lambda r: r.vendor or NONE, None, None),
    ("pricing", "Pricing", lambda r: _dump(r, "pricing"), _pricing_text, None, None),
    (
        "entry_price",
        "Entry price",
        entry_price,
        lambda r: _entry_label(r),
        "cheaper",
        _better_price,
    ),
    ("license", "License", _license_value, _license_text, "more permissive", _better_license),
    (
        "open_weights",
        "Open weights",
        lambda r: r.open_weights,
        lambda r: _yes_no(r.open_weights),
        None,
        None,
    ),
    ("best_for", "Best for", _best_for_value, _best_for_text, None, None),
    ("category", "Category", lambda r: r.category, lambda r: r.category or NONE, None, None),
    (
        "parameters_total",
        "Parameters (total)",
        lambda r: r.parameters.total if r.parameters else None,
        lambda r: human_count(r.parameters.total if r.parameters else None),
        None,
        None,
    ),
    (
        "parameters_active",
        "Parameters (active)",
        lambda r: r.parameters.active if r.parameters else None,
        lambda r: human_count(r.parameters.active if r.parameters else None),
        None,
        None,
    ),
    (
        "context_length",
        "Context",
        lambda r: r.context_length,
        lambda r: human_count(r.context_length) + (" tokens" if r.context_length else ""),
        "longer context",
        _better_context,
    ),
    (
        "release_date",
        "Release date",
        lambda r: r.release_date,
        lambda r: r.release_date or NONE,
        "newer release",
        _better_date,
    ),
    ("links", "Links", lambda r: _dump(r, "links") or None, _links_text, None, None),
]


_ROW_FIELD = {
    "entry_price": "pricing",
    "best_for": "tagline",
    "parameters_total": "parameters",
    "parameters_active": "parameters",
}


def _source(record: Any, key: str) -> str | None:
    """`catalog · catalog:releaseDate`: the kind of document and the method, from the
    record's provenance (resolved and published records carry it)."""
    prov = (getattr(record, "provenance", None) or {}).get(_ROW_FIELD.get(key, key))
    if prov is None:
        return None
    kind = getattr(prov, "source_kind", None)
    return " · ".join(x for x in (kind, prov.method) if x) or None


def tool_column(record: Any, status: str) -> dict[str, Any]:
    """One tool's part of a decision table as JSON: its head and, per row, the
    sanitised value and text. Independent of the other tools, so a server may keep
    it (by the record's version) and compare without sanitising again."""
    head = CompareTool(
        slug=record.slug,
        name=clean_text(record.name),
        vendor=clean_text(record.vendor) if record.vendor else None,
        status=STATUS_LABELS.get(status, f"{status} (not published)"),
    )
    cells = {
        key: [
            value := clean_value(value_of(record)),
            clean_text(text_of(record)) or NONE,
            _source(record, key) if value is not None else None,
        ]
        for key, _label, value_of, text_of, _criterion, _better in ROWS
    }
    return {"head": head.model_dump(), "cells": cells}


def table_from_columns(columns: Sequence[dict[str, Any]]) -> DecisionTable:
    """The decision table of tools given by their `tool_column`s."""
    slugs = [c["head"]["slug"] for c in columns]
    rows: list[CompareRow] = []
    for key, label, _value_of, _text_of, criterion, better_of in ROWS:
        values = {slug: c["cells"][key][0] for slug, c in zip(slugs, columns, strict=True)}
        better = better_of(values) if better_of else []
        cells = [
            CompareCell(
                slug=slug,
                value=c["cells"][key][0],
                text=c["cells"][key][1],
                better=slug in better,
                source=c["cells"][key][2] if len(c["cells"][key]) > 2 else None,
            )
            for slug, c in zip(slugs, columns, strict=True)
        ]
        rows.append(
            CompareRow(key=key, label=label, criterion=criterion, better=better, cells=cells)
        )
    return DecisionTable(tools=[CompareTool(**c["head"]) for c in columns], rows=rows)


def decision_table(tools: Sequence[tuple[Any, str]]) -> DecisionTable:
    """The decision table of `tools`: (record, status) pairs, where a record is a
    `ToolRecord` or a `storage.catalog.PublicTool` and status a tool status."""
    return table_from_columns([tool_column(rec, status) for rec, status in tools])


# renderers --------------------------------------------------------------------------------

_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~])")


def _md(text: str) -> str:
    escaped = _MD_SPECIAL_RE.sub(r"\\\1", html.escape(text, quote=False))
    return escaped.replace("\n", "<br>")


def _criteria(table: DecisionTable) -> str:
    return ", ".join(r.criterion for r in table.rows if r.criterion)


def render_markdown(table: DecisionTable) -> str:
    """A GitHub-flavoured Markdown page; every cell escaped."""
    title = " vs ".join(_md(t.name) for t in table.tools)
    head = "| |" + "".join(
        f" {_md(t.name)}<br>{_md(t.slug)} · {_md(t.status)} |" for t in table.tools
    )
    lines = [f"# {title}", "", head, "|---|" + "---|" * len(table.tools)]
    for row in table.rows:
        cells = "".join(
            f" {_md(c.text)}{' **' + BETTER_MARK + ' better**' if c.better else ''} |"
            for c in row.cells
        )
        lines.append(f"| **{_md(row.label)}** |{cells}")
    lines += ["", f"{BETTER_MARK} better, where that is objective: {_md(_criteria(table))}.", ""]
    return "\n".join(lines)


def _html_text(text: str) -> str:
    out = []
    for line in text.split("\n"):
        type_, _, url = line.partition(": ")
        if url.startswith(("https://", "http://")) and " " not in url:
            link = html.escape(url, quote=True)
            out.append(f'{html.escape(type_)}: <a href="{link}" rel="nofollow noopener">{link}</a>')
        else:
            out.append(html.escape(line))
    return "<br>".join(out)


def render_html(table: DecisionTable) -> str:
    """A standalone HTML page; every text escaped, links only for http(s) URLs."""
    title = " vs ".join(html.escape(t.name) for t in table.tools)
    heads = "".join(
        f'<th scope="col">{html.escape(t.name)}<br><small>{html.escape(t.slug)} · '
        f"{html.escape(t.status)}</small></th>"
        for t in table.tools
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f"<td{' class=better' if c.better else ''}>{_html_text(c.text)}"
            + (f" <strong>{BETTER_MARK} better</strong>" if c.better else "")
            + "</td>"
            for c in row.cells
        )
        body.append(f'<tr><th scope="row">{html.escape(row.label)}</th>{cells}</tr>')
    rows = "\n".join(body)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        "<style>table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.4em;"
        "vertical-align:top;text-align:left}td.better{background:#e8f5e9}</style>"
        f"</head><body><h1>{title}</h1>\n"
        f"<table><thead><tr><th></th>{heads}</tr></thead><tbody>\n{rows}\n</tbody></table>\n"
        f"<p>{BETTER_MARK} better, where that is objective: "
        f"{html.escape(_criteria(table))}.</p></body></html>\n"
    )
