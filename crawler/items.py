"""What spiders yield besides documents: failures worth recording."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CrawlFailure(BaseModel):
    """A request that ended without a usable document. Recorded, never fatal."""

    model_config = ConfigDict(extra="forbid")

    url: str
    kind: str
    """`http-401`, `http-404`, `http-429`, `http-5xx`, `timeout`, `dns`, `error`..."""
    message: str
    source_key: str | None = None
