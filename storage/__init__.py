"""Storage: raw documents, append-only claims, canonical tools, crawl bookkeeping.

Knows the normalizer's models, never Scrapy. Entry point: `Store`.
"""

from storage.db import default_db_url, init_db, make_engine
from storage.errors import EditorialError
from storage.store import Store
from storage.views import (
    ChangeView,
    ClaimView,
    Conflict,
    DecisionView,
    IngestStats,
    OverrideView,
    PublishedTool,
    ResolvedTool,
    ReviewItemView,
    SourceState,
    ToolSummary,
)

__all__ = [
    "ChangeView",
    "ClaimView",
    "Conflict",
    "DecisionView",
    "EditorialError",
    "IngestStats",
    "OverrideView",
    "PublishedTool",
    "ResolvedTool",
    "ReviewItemView",
    "SourceState",
    "Store",
    "ToolSummary",
    "default_db_url",
    "init_db",
    "make_engine",
]
