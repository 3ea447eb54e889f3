"""Pydantic models at the normalizer boundary: what a document is, what it says.

These are the contract between crawler, normalizer and storage. A `ToolRecord`
is one model as ONE document describes it; storage later resolves many records
(claims) into a canonical tool.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DocKind(StrEnum):
    """What kind of document a body is; decides which extractor reads it."""

    HF_CARD = "hf-card"
    HF_API = "hf-api"
    ANNOUNCEMENT = "announcement"
    PRICE_LIST = "price-list"
    HF_CONFIG = "hf-config"
    """A Hub repo's `config.json` (architecture, context window, experts)."""
    CATALOG = "catalog"
    """A model catalog document (the crawled kind). Claims from a vendor's own catalog
    (Mistral's docs registry) keep this kind."""
    APP_CATALOG = "app-catalog"
    """Claims from an app's or platform's catalog about other makers' models (LM Studio,
    GPT4All, Azure ML, Docker Hub): curated by a third party."""


class LicenseTerms(StrEnum):
    PERMISSIVE = "permissive"
    RESTRICTED = "restricted"
    NON_COMMERCIAL = "non-commercial"
    PROPRIETARY = "proprietary"


class BaseModelRelation(StrEnum):
    FINETUNE = "finetune"
    ADAPTER = "adapter"
    QUANTIZED = "quantized"
    MERGE = "merge"


class PricingModel(StrEnum):
    OPEN_WEIGHTS = "open-weights"
    FREE = "free"
    PAID = "paid"
    FREEMIUM = "freemium"


class LinkType(StrEnum):
    ANNOUNCEMENT = "announcement"
    MODEL_CARD = "model_card"
    WEIGHTS = "weights"
    LICENSE = "license"
    DOCS = "docs"
    PAPER = "paper"


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class License(_Model):
    id: str | None = None
    """Hugging Face vocabulary id (apache-2.0, llama3.1, ...) or the license_name for `other`."""
    name: str | None = None
    spdx: str | None = None
    url: str | None = None
    terms: LicenseTerms | None = None


class Parameters(_Model):
    total: int | None = None
    active: int | None = None


class Experts(_Model):
    """Mixture-of-experts routing as a config states it."""

    total: int | None = None
    """Experts per MoE layer (`num_local_experts`, `num_experts`, `n_routed_experts`)."""
    per_token: int | None = None
    """Experts each token is routed to (`num_experts_per_tok`)."""


class Price(_Model):
    provider: str
    input_per_mtok: float | None = None
    output_per_mtok: float | None = None
    currency: str = "USD"
    checked_at: datetime | None = None
    model_id: str | None = None
    """The provider's own id for the model (e.g. `meta-llama/llama-3.1-8b-instruct:free`)."""


class Pricing(_Model):
    model: PricingModel | None = None
    prices: list[Price] = Field(default_factory=list)
    summary: str | None = None
    """In words, for a comparison page (set on resolved records by `normalizer.copy`)."""
    entry_price: str | None = None
    """What it costs to start: "Free" when weights are downloadable, else the cheapest
    input price (set on resolved records by `normalizer.copy`)."""


class Link(_Model):
    type: LinkType
    url: str


class FieldProvenance(_Model):
    source_url: str | None = None
    method: str
    """How the value was obtained, e.g. `frontmatter:license`, `api:safetensors.total`, `prose`."""
    observed_at: datetime | None = None
    evidence: str | None = None
    """For prose: the sentence the value came from."""
    confidence: float = 1.0
    source_kind: str | None = None
    """Set on resolved records: the kind of document the value came from."""
    rule: str | None = None
    """Set on resolved records: which resolution rule picked this value, in words."""


class ToolRecord(_Model):
    """One model as one document describes it. Every set field has provenance."""

    name: str
    slug: str
    aliases: list[str] = Field(default_factory=list)
    source_id: str | None = None
    """Hugging Face repo id when known (`meta-llama/Llama-3.1-8B-Instruct`)."""
    vendor: str | None = None
    family: str | None = None
    task: str | None = None
    category: str | None = None
    tagline: str | None = None
    description: str | None = None
    verdict: str | None = None
    """An editor's short verdict for comparison pages; never extracted from documents."""
    license: License | None = None
    open_weights: bool | None = None
    parameters: Parameters | None = None
    context_length: int | None = None
    release_date: str | None = None
    """`YYYY-MM-DD`, or `YYYY-MM` when only the month is known."""
    base_model: str | None = None
    base_model_relation: BaseModelRelation | None = None
    architecture: str | None = None
    """The config's architecture class (`MixtralForCausalLM`)."""
    experts: Experts | None = None
    pricing: Pricing | None = None
    links: list[Link] = Field(default_factory=list)
    provenance: dict[str, FieldProvenance] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)


class NormalizeResult(_Model):
    """What one document yields: its records and what was odd about it."""

    kind: DocKind
    source_url: str | None = None
    records: list[ToolRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class RawDocument(BaseModel):
    """One fetched resource as the crawler hands it over; kept raw in storage."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    url: str
    kind: DocKind
    body: bytes
    status: int = 200
    content_type: str | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    meta: dict[str, Any] = Field(default_factory=dict)
    """Crawl context: `source_id`, `sha`, `last_modified`, `etag`, `assembled`..."""
