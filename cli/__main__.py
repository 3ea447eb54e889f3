"""`python -m cli`: the `toolwatch` command (what the scheduler runs crawls with)."""

from cli.main import app

app()
