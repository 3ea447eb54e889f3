"""Which source wins a field: the one place the source rank table lives.

Resolution order is override > source rank > recency. Overrides (editor values)
are not stored yet; they will sit above `RankPolicy` as a separate layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_SOURCE_RANK: tuple[str, ...] = ("hf-api", "hf-card", "announcement", "price-list")
"""Most trusted first. A kind not listed ranks after all listed ones."""

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
        """0 is best."""
        order = self.order(field_name)
        try:
            return order.index(source_kind)
        except ValueError:
            return len(order)


DEFAULT_POLICY = RankPolicy()
