"""Which source wins a field: the one place the source rank table lives.

Resolution order is override > source rank > recency. An override (an editor's
value, `storage.overrides`) is the top layer: `OVERRIDE_KIND` ranks above every
source kind for every field, and `resolve.resolve_claims` takes its value whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_SOURCE_RANK: tuple[str, ...] = ("hf-api", "hf-card", "announcement", "price-list")
"""Most trusted first. A kind not listed ranks after all listed ones."""

OVERRIDE_KIND = "override"
"""The source kind of an editor's override: ranks above every source, every field."""

FIELD_SOURCE_RANK: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "pricing": ("price-list", "hf-api", "hf-card", "announcement"),
    }
)
"""Per-field exceptions to `DEFAULT_SOURCE_RANK`."""


@dataclass(frozen=True)
class RankPolicy:
    default: tuple[str, ...] = DEFAULT_SOURCE_RANK
    per_field: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: FIELD_SOURCE_RANK)

    def order(self, field_name: str) -> tuple[str, ...]:
        return self.per_field.get(field_name, self.default)

    def rank(self, field_name: str, source_kind: str) -> int:
        """0 is the best source; an override ranks -1, above every source."""
        if source_kind == OVERRIDE_KIND:
            return -1
        order = self.order(field_name)
        try:
            return order.index(source_kind)
        except ValueError:
            return len(order)


DEFAULT_POLICY = RankPolicy()
