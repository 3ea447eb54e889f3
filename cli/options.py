"""Options every command shares, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $TOOLWATCH_DB, else sqlite:///toolwatch.db)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
SourcesOption = Annotated[
    Path | None, typer.Option("--sources", help="Watchlist file (default: sources.toml)")
]
