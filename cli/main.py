"""The `toolwatch` command line: crawl, inspect, compare, normalise, and the
editorial workflow (accept, reject, merge, override, review, history)."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from cli.options import DbOption, JsonOption
from normalizer import taxonomy
from normalizer.models import DocKind

# configuration comes in at the edge: the site taxonomy file, if the operator set one
taxonomy.configure(os.environ.get("TOOLWATCH_TAXONOMY") or None)

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
console = Console()
err = Console(stderr=True)


def _store(db: str | None):  # type: ignore[no-untyped-def]
    """The database a read command looks at; a SQLite file that does not exist is a
    typo or a missing crawl, never a reason to create an empty database."""
    from cli.database import open_store

    return open_store(db)


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors")
    ] = False,
) -> None:
    from cli.database import DEBUG

    DEBUG["on"] = debug


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _find_slug(store: Any, ref: str) -> str:
    from cli.editorial import find_slug

    return find_slug(store, ref)


# JSON key -> (column label, crawl stat it shows)
SUMMARY_COLUMNS = {
    "pages": ("pages", "downloader/response_count"),
    "documents": ("new documents", "toolwatch/documents_new"),
    "new_candidates": ("new candidates", "toolwatch/tools_new"),
    "changed_tools": ("changed tools", "toolwatch/tools_changed"),
    "errors": ("errors", "toolwatch/errors"),
    "retries": ("retries", "retry/count"),
    "spooled": ("spooled", "toolwatch/spooled"),
    "unspooled": ("from spool", "toolwatch/unspooled"),
}


@app.command()
def crawl(
    spiders: Annotated[
        list[str] | None, typer.Argument(help="Spiders to run (default: all)")
    ] = None,
    replay: Annotated[
        Path | None, typer.Option("--replay", help="Replay cassettes from DIR; no network")
    ] = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="Record the live crawl to cassettes in DIR")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Replay the cassettes bundled with toolwatch")
    ] = False,
    sources: Annotated[
        Path | None, typer.Option("--sources", help="Watchlist file (default: sources.toml)")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Ignore incremental state; fetch everything")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (for cron and scripts)")
    ] = False,
    job: Annotated[
        str | None, typer.Option("--job", hidden=True, help="Scheduled job this run belongs to")
    ] = None,
    db: DbOption = None,
) -> None:
    """Crawl the watchlist into the database, with progress and a closing summary.

    Exits 1 when a run's health is failing (fetched nothing, too many errors,
    documents without records, ...), with the reason in one line."""
    from cli.crawling import demo_fixtures, project_settings, run_crawls, spider_names
    from cli.database import database_url
    from crawler.outcome import verdict
    from crawler.sources import SourcesError, load_sources
    from storage.db import default_db_url

    database_url(db)  # a --db that is not a URL stops here, not in every batch's spool
    if sum(bool(x) for x in (replay, record, demo)) > 1:
        err.print("[red]choose one of --replay, --record, --demo[/red]")
        raise typer.Exit(2)
    overrides: dict[str, Any] = {"TOOLWATCH_DB": db or default_db_url(), "LOG_LEVEL": "WARNING"}
    if demo:
        replay, demo_sources = demo_fixtures()
        sources = sources or demo_sources
    if replay:
        if not replay.is_dir():
            err.print(f"[red]--replay: {replay} is not a directory[/red]")
            raise typer.Exit(2)
        overrides |= {"TOOLWATCH_REPLAY_DIR": str(replay), "TOOLWATCH_REPLAY_STRICT": True}
    if record:
        record.mkdir(parents=True, exist_ok=True)
        overrides["TOOLWATCH_RECORD_DIR"] = str(record)
    settings = project_settings(overrides)
    sources_path = sources or Path(settings.get("TOOLWATCH_SOURCES"))
    try:
        watchlist = load_sources(sources_path)
    except SourcesError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    settings.set("TOOLWATCH_HEALTH", watchlist.health.model_dump(), priority="cmdline")
    if job:
        settings.set("TOOLWATCH_JOB", job, priority="cmdline")
    known = spider_names(settings)
    chosen = spiders or known
    unknown = [s for s in chosen if s not in known]
    if unknown:
        err.print(f"[red]unknown spider(s): {', '.join(unknown)}[/red]; known: {', '.join(known)}")
        raise typer.Exit(2)
    args: dict[str, Any] = {"sources": str(sources_path)}
    if full:
        args["full"] = "true"
    outcomes = run_crawls(chosen, settings, args, err if as_json else console)

    from rich.table import Table

    table = Table(title="Crawl summary", show_lines=False)
    table.add_column("spider", no_wrap=True)
    for label, _ in SUMMARY_COLUMNS.values():
        table.add_column(label, justify="right")
    failed = False
    summaries = []
    for o in outcomes:
        row = {key: o.get(stat) for key, (_, stat) in SUMMARY_COLUMNS.items()}
        summaries.append(
            {
                "spider": o.spider,
                **row,
                "finish_reason": o.stats.get("finish_reason"),
                "run_id": o.stats.get("toolwatch/run_id"),
                "health": o.stats.get("toolwatch/health"),
            }
        )
        table.add_row(o.spider, *[str(v) for v in row.values()])
        if o.get("replay/unmatched"):
            failed = True
            err.print(
                f"[red]{o.spider}: {o.get('replay/unmatched')} request(s) had no recorded "
                "response in the cassettes (see the log above)[/red]"
            )
        outcome = verdict(o.stats)
        summaries[-1] |= {"status": outcome.status, "reason": outcome.reason}
        # one line per spider: the run's verdict, then its health when that fails too
        spooled = bool(o.get("toolwatch/spooled"))
        problems = []
        if not outcome.ok:
            problems.append(f"{outcome.reason}{'; written on the next crawl' if spooled else ''}")
        if o.stats.get("toolwatch/health") == "failing":
            problems.append(f"health failing: {o.stats.get('toolwatch/health_summary')}")
        if problems:
            failed = True
            colour = "yellow" if spooled and len(problems) == 1 else "red"
            line = f"{o.spider}: {'; '.join(problems)}"
            err.print(line, style=colour, soft_wrap=True, markup=False, highlight=False)
    if as_json:
        _emit_json(summaries)
    else:
        console.print(table)
    if failed:
        raise typer.Exit(1)


@app.command()
def normalize(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Document file")],
    kind: Annotated[DocKind, typer.Option("--kind", help="What the document is")] = DocKind.HF_CARD,
    source_url: Annotated[
        str | None, typer.Option("--source-url", help="Where it came from")
    ] = None,
) -> None:
    """Print the records one document yields, as a JSON array."""
    from normalizer import normalize as run
    from normalizer.errors import DocumentRefused

    try:
        result = run(kind, path.read_bytes(), source_url, filename=path.name)
    except DocumentRefused as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _emit_json([r.model_dump(mode="json", exclude_none=True) for r in result.records])


class ToolStatus(StrEnum):
    candidate = "candidate"
    published = "published"
    rejected = "rejected"
    merged = "merged"


@app.command()
def tools(
    status: Annotated[ToolStatus | None, typer.Option(help="Only tools with this status")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List tools with their status, license, size and sources."""
    from cli.render import tools_table

    store = _store(db)
    try:
        rows = store.list_tools(status=status.value if status else None)
    finally:
        store.close()
    if as_json:
        _emit_json([r.model_dump(mode="json") for r in rows])
    else:
        console.print(tools_table(rows))


@app.command()
def candidates(
    limit: Annotated[
        int | None, typer.Option(min=1, help="Show at most this many (1 or more)")
    ] = None,
    source_kind: Annotated[
        DocKind | None, typer.Option("--source-kind", help="Only with evidence of this kind")
    ] = None,
    vendor: Annotated[str | None, typer.Option(help="Only from this vendor")] = None,
    conflicts: Annotated[
        bool | None, typer.Option("--conflicts/--no-conflicts", help="With / without conflicts")
    ] = None,
    reopened: Annotated[
        bool | None,
        typer.Option("--reopened/--not-reopened", help="Only (or no) reopened rejections"),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Candidates awaiting review, newest first: evidence, conflicts, reopened rejections."""
    from cli.render import candidates_table

    store = _store(db)
    try:
        rows = store.candidates(
            limit,
            source_kind=source_kind.value if source_kind else None,
            vendor=vendor,
            conflicts=conflicts,
            reopened=reopened,
        )
    finally:
        store.close()
    if as_json:
        _emit_json([r.model_dump(mode="json") for r in rows])
    else:
        console.print(candidates_table(rows))


@app.command()
def show(
    ref: Annotated[str, typer.Argument(help="Slug, alias or Hugging Face repo id")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A tool's resolved record and every claim behind it."""
    from cli.render import tool_view

    store = _store(db)
    try:
        resolved = store.resolve(_find_slug(store, ref))
    finally:
        store.close()
    if as_json:
        _emit_json(resolved.model_dump(mode="json"))
    else:
        console.print(tool_view(resolved))


class CompareFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    json = "json"


@app.command()
def compare(
    refs: Annotated[list[str], typer.Argument(help="Two or more slugs, aliases or repo ids")],
    fmt: Annotated[
        CompareFormat, typer.Option("--format", help="table (Rich), json, markdown or html")
    ] = CompareFormat.table,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json")] = False,
    db: DbOption = None,
) -> None:
    """The decision table: pricing and entry price, license, best for, category,
    parameters, context, release date, links; ✓ marks the objectively better value.

    Published tools show their published record (what the API serves); other
    tools show their live resolved record, labelled e.g. `candidate (unreviewed)`."""
    from cli.render import decision_table_view
    from storage.catalog import reading
    from storage.compare import decision_table, render_html, render_markdown

    if len(refs) < 2:
        err.print("[red]compare needs at least two tools[/red]")
        raise typer.Exit(2)
    store = _store(db)
    try:
        slugs = list(dict.fromkeys(_find_slug(store, r) for r in refs))
        with reading(store) as reader:
            published = {t.slug: t for t in reader.tools(slugs)}
        entries: list[tuple[Any, str]] = []
        for slug in slugs:
            if slug in published:
                entries.append((published[slug], "published"))
            else:
                resolved = store.resolve(slug)
                entries.append((resolved.record, resolved.status))
    finally:
        store.close()
    table = decision_table(entries)
    if as_json or fmt is CompareFormat.json:
        typer.echo(table.model_dump_json(indent=2))
    elif fmt is CompareFormat.markdown:
        typer.echo(render_markdown(table), nl=False)
    elif fmt is CompareFormat.html:
        typer.echo(render_html(table), nl=False)
    else:
        console.print(decision_table_view(table))
    unpublished = [t for t in table.tools if t.status != "published"]
    if unpublished:
        err.print(
            "[yellow]not published: "
            + ", ".join(f"{t.slug} (status: {t.status})" for t in unpublished)
            + "; downstream (API, exports) does not see "
            + ("it" if len(unpublished) == 1 else "them")
            + "[/yellow]"
        )


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Directory to write into")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl, csv or json")
    ] = ExportFormat.jsonl,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, max=5000, help="Tools read per query")
    ] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON")] = False,
    db: DbOption = None,
) -> None:
    """Write the published dataset (tools.FORMAT), its JSON Schema (tools.schema.json)
    and manifest.json (dataset version, generated at, counts, sha256 of each file)."""
    from storage.export import export_dataset

    store = _store(db)
    try:
        manifest = export_dataset(store, out, fmt.value, page_size=page_size)
    finally:
        store.close()
    if as_json:
        typer.echo(manifest.model_dump_json(indent=2))
        return
    console.print(
        f"exported [bold]{manifest.counts['tools']}[/bold] published tools "
        f"(dataset version {manifest.version}) to {out}/"
    )
    for f in manifest.files:
        console.print(f"  {f.name}  {f.bytes} bytes  sha256 {f.sha256[:16]}…")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    sources: Annotated[
        Path | None, typer.Option("--sources", help="Watchlist the Sources page shows")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (production: about one per core)", min=1)
    ] = 1,
    proxy_headers: Annotated[
        bool, typer.Option(help="Trust X-Forwarded-* from --forwarded-allow-ips")
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies trusted for X-Forwarded-* headers")
    ] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """Serve the editors' web UI and the read API (`/api/v1`, docs at `/docs`).

    With --workers N, N processes share the port; each has its own database
    connection pool (`TOOLWATCH_DB_POOL_SIZE`, default 8, plus as many overflow
    connections), so PostgreSQL needs N x 16 connections at most. Each worker runs
    as many request handlers at once as its pool keeps connections (more would only
    wait for the interpreter lock); production: about one worker per core behind a
    reverse proxy or CDN, which the ETags and `TOOLWATCH_API_MAX_AGE` let cache."""
    import os
    import secrets

    if sources is not None:
        os.environ["TOOLWATCH_SOURCES"] = str(sources.resolve())
    try:
        import uvicorn

        from web.app import create_app
    except ModuleNotFoundError as exc:  # the web UI is an optional extra
        err.print(f"[red]serve needs the web extra[/red] (no module {exc.name!r}): ", end="")
        err.print("pip install 'toolwatch[web]'", markup=False)
        raise typer.Exit(2) from exc
    from cli.database import open_store

    open_store(db).close()  # an existing, reachable database, or one red line
    options: dict[str, Any] = dict(
        host=host,
        port=port,
        log_level="info",
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    if workers == 1:
        uvicorn.run(create_app(db), **options)
        return
    # worker processes import the app themselves: hand them the settings, and one
    # session key for all (a login on one worker holds on the others)
    if db:
        os.environ["TOOLWATCH_DB"] = db
    os.environ.setdefault("TOOLWATCH_SECRET_KEY", secrets.token_urlsafe(32))
    uvicorn.run("web.app:create_app", factory=True, workers=workers, **options)


@app.command()
def republish(db: DbOption = None) -> None:
    """Rebuild the stored form of every published tool (what the API and exports
    serve) from the published snapshot; only needed after an upgrade changed it."""
    store = _store(db)
    try:
        changed = store.republish()
    finally:
        store.close()
    typer.echo(f"{changed} published documents rebuilt")


@app.command()
def stats(as_json: JsonOption = False, db: DbOption = None) -> None:
    """Counts of documents, claims, tools by status, crawl runs and errors."""
    store = _store(db)
    try:
        data = store.stats()
    finally:
        store.close()
    if as_json:
        _emit_json(data)
        return
    from cli.render import stats_view

    console.print(stats_view(data))


def _register_operations() -> None:
    from cli.operations import register

    register(app)


_register_operations()


def _register_editorial() -> None:
    from cli.editorial import register

    register(app)


_register_editorial()


def _register_workers() -> None:
    from cli.workers import register

    register(app)


_register_workers()
