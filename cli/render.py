"""Human-readable views for the CLI (Rich tables); plain data for --json."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from normalizer.models import ToolRecord
from storage.diff import describe_value
from storage.provenance import field_source


def source_text(resolved: Any, field: str) -> str:
    """Where the resolved value of `field` came from, in one line ("—" if empty)."""
    src = field_source(resolved, field)
    if src is None:
        return "—"
    parts = [src.kind]
    if src.url:
        parts.append(src.url)
    if src.observed_at:
        parts.append(src.observed_at.strftime("%Y-%m-%d"))
    if src.confidence is not None and src.confidence < 1:
        parts.append(f"{src.confidence:.0%}")
    if src.kind == "override":
        parts.append(f"{src.method}: {src.evidence}")
    prov = resolved.record.provenance.get(field)
    if prov is not None and prov.rule and src.kind != "override":
        parts.append(f"rule: {prov.rule}")
    return " · ".join(parts)


def human_count(n: int | None) -> str:
    if n is None:
        return "—"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            value = n / div
            return f"{value:.2f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def license_text(rec: ToolRecord) -> str:
    lic = rec.license
    if lic is None or not (lic.id or lic.name):
        return "—"
    label = lic.id or lic.name or ""
    return f"{label} ({lic.terms})" if lic.terms else label


PRICING_LABELS = {
    "open-weights": "open weights (free to self-host)",
    "paid": "paid API",
    "free": "free",
    "freemium": "freemium",
}


def pricing_text(rec: ToolRecord) -> str:
    p = rec.pricing
    parts: list[str] = []
    model = (p.model if p else None) or ("open-weights" if rec.open_weights else None)
    if model:
        parts.append(PRICING_LABELS.get(str(model), str(model)))
    for price in (p.prices if p else [])[:3]:
        i = "—" if price.input_per_mtok is None else f"{price.input_per_mtok:g}"
        o = "—" if price.output_per_mtok is None else f"{price.output_per_mtok:g}"
        parts.append(f"{price.provider}: {i} in / {o} out {price.currency}/Mtok")
    return "\n".join(parts) or "—"


def _links(rec: ToolRecord) -> str:
    return "\n".join(f"{link.type}: {link.url}" for link in rec.links) or "—"


COMPARE_FIELDS: list[tuple[str, str, Any]] = [  # (label, record field, text)
    ("HF repo", "source_id", lambda r: r.source_id or "—"),
    ("vendor", "vendor", lambda r: r.vendor or "—"),
    ("family", "family", lambda r: r.family or "—"),
    ("task", "task", lambda r: r.task or "—"),
    ("category", "category", lambda r: r.category or "—"),
    ("best for", "tagline", lambda r: r.tagline or "—"),
    ("license", "license", license_text),
    (
        "open weights",
        "open_weights",
        lambda r: "—" if r.open_weights is None else ("yes" if r.open_weights else "no"),
    ),
    ("pricing", "pricing", pricing_text),
    (
        "parameters (total)",
        "parameters",
        lambda r: human_count(r.parameters.total if r.parameters else None),
    ),
    (
        "parameters (active)",
        "parameters",
        lambda r: human_count(r.parameters.active if r.parameters else None),
    ),
    (
        "context length",
        "context_length",
        lambda r: human_count(r.context_length) + (" tokens" if r.context_length else ""),
    ),
    ("release date", "release_date", lambda r: r.release_date or "—"),
    ("base model", "base_model", lambda r: r.base_model or "—"),
    ("links", "links", _links),
]


def decision_table_view(table: Any) -> Table:
    """A `storage.compare.DecisionTable` as a Rich table; ✓ marks the better value."""
    from storage.compare import BETTER_MARK

    criteria = ", ".join(r.criterion for r in table.rows if r.criterion)
    t = Table(
        title=" vs ".join(tool.name for tool in table.tools),
        caption=f"{BETTER_MARK} better, where that is objective: {criteria}",
        show_lines=True,
    )
    t.add_column("", style="bold", no_wrap=True)
    for tool in table.tools:
        style = "dim" if tool.status == "published" else "bold yellow"
        head = Text(tool.name + "\n")
        head.append(f"{tool.slug} · status: {tool.status}", style=style)
        t.add_column(head, overflow="fold")
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = Text(cell.text)  # plain Text: no Rich markup from the data
            if cell.better:
                text.append(f" {BETTER_MARK}", style="bold green")
            if getattr(cell, "source", None):
                text.append(f"\n↳ {cell.source}", style="dim")
            cells.append(text)
        t.add_row(row.label, *cells)
    return t


def tools_table(rows: list[Any]) -> Table:
    table = Table(title=f"{len(rows)} tools")
    table.add_column("slug", no_wrap=True)
    for col in ("vendor", "status", "license", "params", "claims", "sources"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.slug,
            r.vendor or "—",
            r.status,
            r.license_id or "—",
            human_count(r.params_total),
            str(r.claims_count),
            ", ".join(r.source_kinds),
        )
    return table


def tool_view(resolved: Any) -> Group:
    rec: ToolRecord = resolved.record
    head = Text.assemble((rec.name, "bold"), f"  {rec.slug} · {resolved.status}")
    if rec.tagline:
        head.append(f"\n{rec.tagline}", style="italic")
    fields = Table(show_header=True, box=None)
    fields.add_column("field", style="bold", no_wrap=True)
    fields.add_column("value", overflow="fold")
    fields.add_column("source", style="dim", overflow="fold")
    for label, field, fn in COMPARE_FIELDS:
        fields.add_row(label, Text(fn(rec)), Text(source_text(resolved, field)))
    claims = Table(title=f"claims ({len(resolved.claims)})", show_lines=False)
    claims.add_column("field", no_wrap=True)
    claims.add_column("value", overflow="fold", ratio=3)
    claims.add_column("source", overflow="fold", ratio=2)
    claims.add_column("observed", no_wrap=True)
    for c in sorted(resolved.claims, key=lambda c: (c.field, c.observed_at)):
        where = c.source_kind + (f" · {c.source_url}" if c.source_url else "")
        conf = f" · {c.confidence:.0%}" if c.confidence < 1 else ""
        claims.add_row(
            c.field,
            Text(describe_value(c.field, c.value)),
            Text(f"{where} ({c.method}{conf})"),
            c.observed_at.strftime("%Y-%m-%d"),
        )
    parts: list[Any] = [Panel(head), fields]
    if resolved.variants:
        parts.append(Text("variants: " + ", ".join(resolved.variants)))
    for m in resolved.suggested_matches:
        parts.append(Text(f"may be the same model as {m.slug} ({m.reason})", style="yellow"))
    if resolved.conflicts:
        conflicts = Table(title="conflicts between sources", style="yellow")
        for col in ("field", "value", "source kind", "source URL"):
            conflicts.add_column(col, overflow="fold")
        for conflict in resolved.conflicts:
            label = conflict.field + (f".{conflict.facet}" if conflict.facet else "")
            for v in conflict.values:
                for src in v.sources:
                    conflicts.add_row(
                        label,
                        Text(describe_value(conflict.field, v.value)),
                        src.source_kind,
                        src.source_url or "—",
                    )
        parts.append(conflicts)
    parts.append(claims)
    return Group(*parts)


def candidates_table(rows: list[Any]) -> Table:
    table = Table(title=f"{len(rows)} candidates (newest first)", show_lines=True)
    table.add_column("candidate", no_wrap=True)
    table.add_column("evidence", overflow="fold")
    table.add_column("conflicts / may be", overflow="fold")
    for r in rows:
        evidence = "\n".join(
            f"{e.source_kind}: " + ", ".join(e.urls[:2]) + (" …" if len(e.urls) > 2 else "")
            for e in r.evidence
        )
        notes = [f"conflict: {c.field}" for c in r.conflicts]
        notes += [f"may be {m.slug} ({m.reason})" for m in r.suggested_matches]
        if r.override_conflicts:
            notes.append(f"{r.override_conflicts} override conflict(s): see `toolwatch review`")
        head = f"{r.slug}\n[dim]{r.vendor or '—'} · {str(r.created_at)[:10]}[/dim]"
        if r.reopened:
            head += f"\n[bold yellow]reopened[/bold yellow]: {r.reopened_reason}" + (
                f"\n[dim]rejected for: {r.rejection_reason}[/dim]" if r.rejection_reason else ""
            )
        table.add_row(head, evidence, "\n".join(notes) or "—")
    return table


STATS_LABELS = {
    "documents": "documents stored",
    "claims": "claims",
    "tools": "tools",
    "variants": "variants (HF repos)",
    "aliases": "aliases",
    "source_state": "incremental-crawl keys",
    "errors": "crawl errors (distinct URLs)",
    "crawl_runs": "crawl runs",
}


def _breakdown(parts: dict[str, Any]) -> str:
    return " · ".join(f"{n:,} {key.replace('_', ' ')}" for key, n in parts.items()) or "—"


def stats_view(data: dict[str, Any]) -> Table:
    """`Store.stats()` as one line per kind of thing: its total, then its parts."""
    table = Table(title="toolwatch database", show_header=True, box=None)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("total", justify="right")
    table.add_column("of which", overflow="fold")
    for key, value in data.items():
        label = STATS_LABELS.get(key, key.replace("_", " "))
        if not isinstance(value, dict):
            table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value), "")
            continue
        numbers = {k: v for k, v in value.items() if isinstance(v, int)}
        nested = {k: v for k, v in value.items() if isinstance(v, dict)}
        total = numbers.pop("total", numbers.pop("distinct", None))
        if total is None and nested:
            total = sum(int(n) for n in next(iter(nested.values())).values())
        details = [_breakdown(v) for v in nested.values()]
        details += [f"{n:,} {k.replace('_', ' ')}" for k, n in numbers.items()]
        table.add_row(label, "—" if total is None else f"{total:,}", "; ".join(details))
    return table
