"""`toolwatch worker` (normalise jobs from Redis) and `toolwatch renormalize`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)


def worker(
    redis: Annotated[
        str | None, typer.Option("--redis", help="Redis URL (default: $TOOLWATCH_REDIS_URL)")
    ] = None,
    queue: Annotated[str, typer.Option("--queue", help="RQ queue name")] = "toolwatch-normalize",
    burst: Annotated[bool, typer.Option("--burst", help="Stop once the queue is empty")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None,
) -> None:
    """Normalise stored documents: what is pending first, then jobs crawls enqueue
    (crawl with TOOLWATCH_NORMALIZE=rq)."""
    import os

    from storage.db import default_db_url
    from workers.rq_queue import work

    url = redis or os.environ.get("TOOLWATCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    work(db or default_db_url(), url, queue, burst=burst)


def renormalize(
    workers: Annotated[
        int, typer.Option("--workers", help="Normalise processes (0: one per core)")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None,
) -> None:
    """Re-read every stored document with the current normalizer, in parallel.

    Claims of earlier normalizer versions are superseded (kept, out of resolution);
    overrides, decisions and published snapshots stay; a changed license, pricing or
    parameters of a published tool opens a review item. Killed, it resumes where it
    stopped: documents already re-read are not read again."""
    from storage.db import default_db_url
    from workers.renormalize import renormalize as run

    summary = run(db or default_db_url(), workers or None)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        err.print(
            f"re-read {summary['documents']} documents with {summary['version']}: "
            f"{summary['claims_new']} claims, {summary['tools_new']} new tools, "
            f"{summary['tools_changed']} changed tools, {summary['review_items']} review items"
        )


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(renormalize)
