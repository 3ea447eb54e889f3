"""Pure extraction: raw document bytes + URL -> ToolRecords with provenance.

No Scrapy, no SQLAlchemy, no network here (see docs/DESIGN.md, "Boundaries").
"""

from normalizer.dispatch import normalize

__all__ = ["normalize"]
