"""Which source wins a field: the one place the source rank table lives.

Resolution order is override > source rank > recency. An override (an editor's
value, `storage.overrides`) is the top layer: `OVERRIDE_KIND` ranks above every
source kind for every field, and `resolve.resolve_claims` takes its value whole.

Sources rank by what they can know (DESIGN "Source classes"): structured sources
(the Hub's config.json and API, vendor catalogs, provider price lists) over vendor
prose (model cards, posts) over third-party pages. Within that, each field has its
own order, because a source is structured only for the fields it states as data:
the Hub computes parameter counts (safetensors) but its `createdAt` is when a repo
was made, not when the model was announced; a price list knows prices, not licenses.

A value a normalizer guessed rather than read (from the model's name, a taxonomy
rule, a first sentence) ranks after every value a source stated, whatever its kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

OVERRIDE_KIND = "override"
"""The source kind of an editor's override: ranks above every source, every field."""

SOURCE_CLASSES: Mapping[str, str] = MappingProxyType(
    {
        "hf-config": "structured",
        "hf-api": "structured",
        "catalog": "structured",
        "price-list": "structured",
        "hf-card": "vendor prose",
        "announcement": "vendor prose",
    }
)
"""Source kind -> class. A kind not listed is a third-party page."""

DEFAULT_SOURCE_RANK: tuple[str, ...] = (
    "hf-config",
    "hf-api",
    "catalog",
    "hf-card",
    "announcement",
    "price-list",
)
"""Most trusted first. A kind not listed ranks after all listed ones."""

FIELD_SOURCE_RANK: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # prices are the price lists' own data; a vendor catalog states list prices too
        "pricing": ("price-list", "catalog", "hf-api", "hf-card", "announcement"),
        # exact counts: safetensors (API), then the vendor's catalog, then prose
        "parameters": ("hf-api", "catalog", "hf-config", "hf-card", "announcement", "price-list"),
        # the model's own config and the vendor's catalog; a provider states the window it
        # serves (often less than the model's), so it comes after the vendor's prose
        "context_length": (
            "hf-config",
            "catalog",
            "hf-api",
            "hf-card",
            "announcement",
            "price-list",
        ),
        # announced or catalog dates beat a repo's creation date (hf-api createdAt) and a
        # provider's listing date
        "release_date": ("catalog", "announcement", "hf-card", "hf-api", "price-list"),
        # comparison copy: the vendor's own words about the model first
        "description": ("catalog", "hf-card", "announcement", "hf-api", "price-list"),
        "tagline": ("catalog", "hf-card", "announcement", "hf-api", "price-list"),
        "category": ("catalog", "hf-api", "hf-card", "announcement", "price-list"),
    }
)
"""Per-field exceptions to `DEFAULT_SOURCE_RANK`."""

GUESSED_METHODS: tuple[str, ...] = ("name", "derived:", "taxonomy", "text:first-sentence")
"""Method prefixes of values inferred rather than stated by the document."""


def is_guess(method: str | None) -> bool:
    return bool(method) and any(
        method == p or (p.endswith(":") and method.startswith(p)) for p in GUESSED_METHODS
    )


def source_class(kind: str) -> str:
    if kind == OVERRIDE_KIND:
        return "editor"
    return SOURCE_CLASSES.get(kind, "third-party")


@dataclass(frozen=True)
class RankPolicy:
    default: tuple[str, ...] = DEFAULT_SOURCE_RANK
    per_field: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: FIELD_SOURCE_RANK)

    def order(self, field_name: str) -> tuple[str, ...]:
        return self.per_field.get(field_name, self.default)

    def rank(self, field_name: str, source_kind: str, method: str | None = None) -> int:
        """0 is the best source; an override ranks -1, above every source; a guessed
        value ranks after every stated one."""
        if source_kind == OVERRIDE_KIND:
            return -1
        order = self.order(field_name)
        try:
            index = order.index(source_kind)
        except ValueError:
            index = len(order)
        return index + (len(order) + 1 if is_guess(method) else 0)


DEFAULT_POLICY = RankPolicy()
