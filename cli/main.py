"""The `toolwatch` command line: crawl, inspect, compare, normalise."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from normalizer.models import DocKind

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.command()
def normalize(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Document file")],
    kind: Annotated[DocKind, typer.Option("--kind", help="What the document is")] = DocKind.HF_CARD,
    source_url: Annotated[str | None, typer.Option("--source-url", help="Where it came from")] = None,
) -> None:
    """Print the records one document yields, as a JSON array."""
    from normalizer import normalize as run

    result = run(kind, path.read_bytes(), source_url, filename=path.name)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out = [r.model_dump(mode="json", exclude_none=True) for r in result.records]
    typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
