"""Storage: raw documents, append-only claims, canonical tools, crawl bookkeeping.

Knows the normalizer's models, never Scrapy. Entry point: `Store`.
"""

from storage.db import default_db_url, init_db, make_engine
from storage.store import Store
from storage.views import (
    ClaimView,
    Conflict,
    IngestStats,
    ResolvedTool,
    SourceState,
    ToolSummary,
)

__all__ = [
    "ClaimView",
    "Conflict",
    "IngestStats",
    "ResolvedTool",
    "SourceState",
    "Store",
    "ToolSummary",
    "default_db_url",
    "init_db",
    "make_engine",
]
