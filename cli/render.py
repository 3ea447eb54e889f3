"""Human-readable views for the CLI (Rich tables); plain data for --json."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from normalizer.models import ToolRecord


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


COMPARE_FIELDS: list[tuple[str, Any]] = [
    ("vendor", lambda r: r.vendor or "—"),
    ("task", lambda r: r.task or "—"),
    ("category", lambda r: r.category or "—"),
    ("license", license_text),
    (
        "open weights",
        lambda r: "—" if r.open_weights is None else ("yes" if r.open_weights else "no"),
    ),
    ("pricing", pricing_text),
    ("parameters (total)", lambda r: human_count(r.parameters.total if r.parameters else None)),
    ("parameters (active)", lambda r: human_count(r.parameters.active if r.parameters else None)),
    (
        "context length",
        lambda r: human_count(r.context_length) + (" tokens" if r.context_length else ""),
    ),
    ("release date", lambda r: r.release_date or "—"),
    ("base model", lambda r: r.base_model or "—"),
    ("links", _links),
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
    fields.add_column("field", style="bold")
    fields.add_column("value")
    fields.add_column("source", style="dim")
    for label, fn in COMPARE_FIELDS:
        fields.add_row(label, fn(rec), "")
    claims = Table(title="claims", show_lines=False)
    for col in ("field", "value", "source kind", "source URL", "observed at"):
        claims.add_column(col)
    for c in resolved.claims:
        value = c.value if isinstance(c.value, str) else str(c.value)
        claims.add_row(
            c.field, value[:80], c.source_kind, c.source_url or "—", str(c.observed_at)[:19]
        )
    parts: list[Any] = [Panel(head), fields]
    if resolved.variants:
        parts.append(Text("variants: " + ", ".join(resolved.variants)))
    for m in resolved.suggested_matches:
        parts.append(Text(f"may be the same model as {m.slug} ({m.reason})", style="yellow"))
    if resolved.conflicts:
        conflicts = Table(title="conflicts between sources", style="yellow")
        for col in ("field", "value", "source kind", "source URL"):
            conflicts.add_column(col)
        for conflict in resolved.conflicts:
            label = conflict.field + (f".{conflict.facet}" if conflict.facet else "")
            for v in conflict.values:
                for src in v.sources:
                    conflicts.add_row(
                        label, str(v.value)[:80], src.source_kind, src.source_url or "—"
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
