"""Build a ToolRecord field by field, each value with its provenance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from normalizer.identity import aliases_for, family_of, slugify
from normalizer.models import FieldProvenance, Link, LinkType, ToolRecord


class RecordBuilder:
    """Collects values; `set` refuses a value without a method (no provenance, no value)."""

    def __init__(self, name: str, source_url: str | None, observed_at: datetime | None) -> None:
        self.name = name
        self.source_url = source_url
        self.observed_at = observed_at
        self.values: dict[str, Any] = {}
        self.provenance: dict[str, FieldProvenance] = {}
        self.links: list[Link] = []
        self.aliases: list[str] = []
        self.warnings: list[str] = []
        self.refused: set[str] = set()
        """Fields this document cannot state (its kind has none): later sets are ignored."""

    def has(self, field: str) -> bool:
        return self.values.get(field) is not None

    def set(
        self,
        field: str,
        value: Any,
        method: str,
        evidence: str | None = None,
        *,
        confidence: float = 1.0,
        overwrite: bool = False,
    ) -> None:
        if value is None or value == "" or (self.has(field) and not overwrite):
            return
        if field in self.refused:
            return
        if field == "base_model" and self._is_itself(str(value)):
            return  # `- Base model: <this release's own base checkpoint>` names a variant
        self.values[field] = value
        self.provenance[field] = FieldProvenance(
            source_url=self.source_url,
            method=method,
            observed_at=self.observed_at,
            evidence=evidence[:500] if evidence else None,
            confidence=confidence,
        )

    def _is_itself(self, repo: str) -> bool:
        """A model is not its own base: the value is one of the record's own names."""
        own = {n.lower() for n in (self.name, *self.aliases)}
        return repo.lower() in own or repo.rsplit("/", 1)[-1].lower() in own

    def add_link(self, kind: LinkType, url: str | None) -> None:
        if url and url.startswith("http") and not any(lk.url == url for lk in self.links):
            self.links.append(Link(type=kind, url=url))

    def build(self, source_id: str | None = None) -> ToolRecord:
        if self.links:
            self.provenance.setdefault(
                "links",
                FieldProvenance(
                    source_url=self.source_url, method="links", observed_at=self.observed_at
                ),
            )
        family = self.values.pop("family", None) or family_of(self.name)
        self.provenance.setdefault(
            "family",
            FieldProvenance(
                source_url=self.source_url,
                method="derived:family_of(name)",
                observed_at=self.observed_at,
            ),
        )
        return ToolRecord(
            name=self.name,
            slug=slugify(self.name if not source_id else source_id.replace("/", "-")),
            aliases=aliases_for(source_id, self.name, self.aliases),
            source_id=source_id,
            family=family,
            links=self.links,
            provenance=self.provenance,
            warnings=self.warnings,
            **self.values,
        )
