"""Typed errors for documents the normalizer refuses to read.

A refused document is bad input, not a bug: the pipeline records it as a crawl error
for its URL and stores the rest of the batch. Every refusal names the limit it hit.
"""

from __future__ import annotations


class DocumentRefused(ValueError):
    """The document cannot be read safely or faithfully; `reason` says which limit."""

    reason: str = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


class DocumentOverBudget(DocumentRefused):
    """Larger or slower than the per-document budget (size, YAML nodes, time)."""

    reason = "over budget"


class UnsafeFrontMatter(DocumentRefused):
    """YAML front matter using aliases (the shape of an alias bomb) or over its limits."""

    reason = "unsafe front matter"


class UndecodableDocument(DocumentRefused):
    """Bytes that decode under no declared or detected charset without replacement."""

    reason = "undecodable"
