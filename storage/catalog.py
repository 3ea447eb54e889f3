"""The published catalog as downstream sees it: read API, exports, compare.

Everything here reads the published snapshot (`published_values`) of tools whose
status is `published`, and the change log; never claims, overrides, candidates,
review items or any other unreviewed data.

    with catalog.reading(store) as reader:       # one consistent read transaction
        reader.version()                         # dataset version: the newest change id
        reader.page(after=None, limit=50, filters=ToolFilters(vendor="Meta"))
        reader.tool("llama-3.1-8b")              # PublicTool | None
        reader.iter_tools(page_size=500)         # keyset-paged, memory flat
        reader.changes(since=0, limit=100)       # public change feed

A reader is one transaction (REPEATABLE READ on PostgreSQL, a WAL snapshot on
SQLite), so an export, or a tool and its variants, never mixes two states.

Pages are keyset-paginated on the slug (unique, never changes): a page holds the
tools whose slug sorts after the previous page's last slug. Tools published while
a client pages through appear if their slug is still ahead of the cursor; tools
that existed throughout are returned exactly once, whatever is published,
withdrawn or re-crawled between two requests.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, exists, func, literal_column, select
from sqlalchemy.orm import Session

from normalizer.models import (
    BaseModelRelation,
    Experts,
    FieldProvenance,
    License,
    LicenseTerms,
    Link,
    Parameters,
    Pricing,
)
from storage.history import STATUS_FIELD, last_change_id
from storage.schema import Change, PublishedValue, Tool, Variant

MAX_PAGE = 200
MAX_ID = 2**31 - 1
"""Largest change id (an INTEGER column: 32 bits on PostgreSQL)."""

EXAMPLE_TOOL: dict[str, Any] = {
    "slug": "llama-3.1-8b",
    "name": "Llama-3.1-8B-Instruct",
    "aliases": ["Llama 3.1 8B Instruct", "meta-llama/llama-3.1-8b-instruct"],
    "source_id": "meta-llama/Llama-3.1-8B-Instruct",
    "vendor": "Meta",
    "family": "llama-3.1",
    "task": "text-generation",
    "category": "Chat & Text",
    "tagline": "Multilingual large language models in 8B, 70B and 405B sizes.",
    "description": None,
    "license": {
        "id": "llama3.1",
        "name": "Llama 3.1 Community License",
        "spdx": None,
        "url": None,
        "terms": "restricted",
    },
    "open_weights": True,
    "parameters": {"total": 8030261248, "active": None},
    "context_length": 128000,
    "release_date": "2024-07-18",
    "base_model": None,
    "base_model_relation": None,
    "pricing": {
        "model": "paid",
        "prices": [
            {
                "provider": "openrouter",
                "input_per_mtok": 0.02,
                "output_per_mtok": 0.03,
                "currency": "USD",
                "checked_at": "2025-01-10T08:00:00Z",
                "model_id": "meta-llama/llama-3.1-8b-instruct",
            }
        ],
    },
    "links": [{"type": "model_card", "url": "https://huggingface.co/meta-llama/Llama-3.1-8B"}],
    "variants": ["meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct"],
    "provenance": {
        "license": {
            "source_url": "https://huggingface.co/api/models/meta-llama/Llama-3.1-8B-Instruct",
            "method": "api:cardData.license",
            "observed_at": "2025-01-10T08:00:00Z",
            "evidence": "license: llama3.1",
            "confidence": 1.0,
        }
    },
    "updated_at": "2025-01-10T08:00:00Z",
}


class PublicTool(BaseModel):
    """A published tool: the values editors let through, each with its provenance.

    The fields are those of `normalizer.models.ToolRecord` (without the
    normaliser's `warnings`), plus the Hugging Face repos grouped under the tool
    (`variants`) and when the published record last changed (`updated_at`)."""

    model_config = ConfigDict(
        extra="forbid", use_enum_values=True, json_schema_extra={"examples": [EXAMPLE_TOOL]}
    )

    slug: str = Field(description="Stable identifier; the key of every endpoint and export.")
    name: str
    aliases: list[str] = Field(default_factory=list)
    source_id: str | None = Field(None, description="Hugging Face repo id when known.")
    vendor: str | None = None
    family: str | None = None
    task: str | None = Field(None, description="Hugging Face pipeline tag.")
    category: str | None = Field(None, description="Site taxonomy category.")
    tagline: str | None = None
    description: str | None = Field(None, description="Sanitised plain text.")
    verdict: str | None = Field(None, description="The editors' short verdict, plain text.")
    license: License | None = None
    open_weights: bool | None = None
    parameters: Parameters | None = None
    context_length: int | None = Field(None, description="Tokens.")
    release_date: str | None = Field(
        None, description="`YYYY-MM-DD`, or `YYYY-MM` when only the month is known."
    )
    base_model: str | None = None
    base_model_relation: BaseModelRelation | None = None
    architecture: str | None = Field(None, description="config.json architecture class.")
    experts: Experts | None = Field(None, description="Mixture-of-experts routing (config).")
    pricing: Pricing | None = Field(
        None, description="Pricing model and prices per provider (per million tokens)."
    )
    links: list[Link] = Field(default_factory=list)
    variants: list[str] = Field(
        default_factory=list, description="Hugging Face repos grouped under this tool."
    )
    provenance: dict[str, FieldProvenance] = Field(
        default_factory=dict, description="Where each published field's value came from."
    )
    updated_at: datetime | None = Field(None, description="When the published record changed.")


PUBLIC_RECORD_FIELDS: tuple[str, ...] = tuple(
    f for f in PublicTool.model_fields if f not in ("slug", "variants", "provenance", "updated_at")
)
"""Snapshot fields a PublicTool carries (the change feed's `field` values, bar `_status`)."""


class PublicChange(BaseModel):
    """One change to the published dataset (`id` is the feed cursor).

    `field` is a tool field, or `_status`: `new == "published"` when the tool
    enters the published set, `"unpublished"` when it leaves it (merged into
    another tool, withdrawn). A `new` of null removes the field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "slug": "llama-3.1-8b",
                    "field": "context_length",
                    "old": 8192,
                    "new": 128000,
                    "at": "2025-01-10T08:00:00Z",
                }
            ]
        },
    )

    id: int
    slug: str
    field: str
    old: Any = None
    new: Any = None
    at: datetime


class ToolFilters(BaseModel):
    """Filters of the tool listing; strings compare case-insensitively."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vendor: str | None = None
    task: str | None = None
    license_terms: LicenseTerms | None = None
    open_weights: bool | None = None
    category: str | None = None

    def fingerprint(self) -> str:
        """The filters, normalised (a cursor is only valid with the same filters)."""
        data = self.model_dump(mode="json", exclude_none=True)
        for key in ("vendor", "task", "category"):
            if key in data:
                data[key] = data[key].strip().lower()
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _public_status(value: Any) -> Any:
    return value if value in (None, "published") else "unpublished"


def public_change(change: Change) -> PublicChange:
    old, new = change.old, change.new
    if change.field == STATUS_FIELD:
        old, new = _public_status(old), _public_status(new)
    return PublicChange(
        id=change.id, slug=change.slug, field=change.field, old=old, new=new, at=change.at
    )


def _impossible(*texts: str | None) -> bool:
    """A NUL character: no stored text has one (and PostgreSQL refuses it in a query)."""
    return any(t is not None and "\x00" in t for t in texts)


class Reader:
    """Reads of the published catalog inside one transaction (see `reading`)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    # dataset -------------------------------------------------------------------------

    def version(self) -> int:
        """The dataset version: the id of the newest change to published data."""
        return last_change_id(self.session)

    def count(self, filters: ToolFilters | None = None) -> int:
        filters = filters or ToolFilters()
        if _impossible(filters.vendor, filters.task, filters.category):
            return 0
        query = select(func.count(Tool.id)).where(*self._where(filters))
        return int(self.session.scalar(query) or 0)

    # tools ---------------------------------------------------------------------------

    def page(
        self, *, after: str | None = None, limit: int = 50, filters: ToolFilters | None = None
    ) -> tuple[list[PublicTool], bool]:
        """Published tools whose slug sorts after `after`, slug order; and whether
        more follow."""
        limit = max(1, limit)
        filters = filters or ToolFilters()
        if _impossible(after, filters.vendor, filters.task, filters.category):
            return [], False
        query = (
            select(Tool.id, Tool.slug, Tool.name)
            .where(*self._where(filters))
            .order_by(Tool.slug)
            .limit(limit + 1)
        )
        if after is not None:
            query = query.where(Tool.slug > after)
        rows = list(self.session.execute(query))
        return self._build(rows[:limit]), len(rows) > limit

    def iter_tools(
        self, *, page_size: int = 500, filters: ToolFilters | None = None
    ) -> Iterator[PublicTool]:
        """Every published tool in slug order, loaded one page at a time."""
        after: str | None = None
        while True:
            tools, more = self.page(after=after, limit=page_size, filters=filters)
            yield from tools
            if not more or not tools:
                return
            after = tools[-1].slug

    def tool(self, slug: str) -> PublicTool | None:
        """The published tool with this slug (None for any other status)."""
        found = self.tools([slug])
        return found[0] if found else None

    def tools(self, slugs: Sequence[str]) -> list[PublicTool]:
        """The published ones among `slugs`, in the order asked."""
        slugs = [s for s in slugs if not _impossible(s)]
        if not slugs:
            return []
        rows = list(
            self.session.execute(
                select(Tool.id, Tool.slug, Tool.name).where(
                    Tool.status == "published", Tool.slug.in_(list(slugs))
                )
            )
        )
        built = {t.slug: t for t in self._build(rows)}
        return [built[s] for s in slugs if s in built]

    # change feed ---------------------------------------------------------------------

    def changes(self, since: int = 0, limit: int = 100) -> tuple[list[PublicChange], int, bool]:
        """Changes after cursor `since`, oldest first; the next cursor; whether more follow."""
        limit = max(1, min(limit, 1000))
        if since >= MAX_ID:  # ids are 32-bit on PostgreSQL: nothing lies beyond
            return [], since, False
        rows = list(
            self.session.scalars(
                select(Change).where(Change.id > since).order_by(Change.id).limit(limit + 1)
            )
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return [public_change(c) for c in rows], (rows[-1].id if rows else since), more

    # internals -----------------------------------------------------------------------

    def _build(self, rows: Sequence[Any]) -> list[PublicTool]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        values: dict[int, list[PublishedValue]] = defaultdict(list)
        for pv in self.session.execute(
            select(
                PublishedValue.tool_id,
                PublishedValue.field,
                PublishedValue.value,
                PublishedValue.provenance,
                PublishedValue.updated_at,
            ).where(PublishedValue.tool_id.in_(ids))
        ):
            values[pv.tool_id].append(pv)
        variants: dict[int, list[str]] = defaultdict(list)
        for tool_id, source_id in self.session.execute(
            select(Variant.tool_id, Variant.source_id)
            .where(Variant.tool_id.in_(ids))
            .order_by(Variant.source_id)
        ):
            variants[tool_id].append(source_id)
        out = []
        for row in rows:
            pvs = values[row.id]
            data: dict[str, Any] = {
                pv.field: pv.value for pv in pvs if pv.field in PUBLIC_RECORD_FIELDS
            }
            data.setdefault("name", row.name)
            data["slug"] = row.slug
            data["variants"] = variants[row.id]
            data["provenance"] = {
                pv.field: pv.provenance
                for pv in pvs
                if pv.provenance and pv.field in PUBLIC_RECORD_FIELDS
            }
            data["updated_at"] = max((pv.updated_at for pv in pvs), default=None)
            out.append(PublicTool.model_validate(data))
        return out

    def _where(self, filters: ToolFilters) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Tool.status == "published"]
        for field, wanted in (
            ("vendor", filters.vendor),
            ("task", filters.task),
            ("category", filters.category),
        ):
            if wanted is not None:
                text = func.lower(self._json_text(PublishedValue.value))
                where.append(self._has(field, text == wanted.strip().lower()))
        if filters.license_terms is not None:
            terms = self._json_text(PublishedValue.value, "terms")
            where.append(self._has("license", terms == str(filters.license_terms)))
        if filters.open_weights is not None:
            flag = self._json_text(PublishedValue.value)
            if self.dialect == "sqlite":  # json_extract gives 1 / 0 for true / false
                where.append(self._has("open_weights", flag == int(filters.open_weights)))
            else:
                wanted = "true" if filters.open_weights else "false"
                where.append(self._has("open_weights", flag == wanted))
        return where

    @staticmethod
    def _has(field: str, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(
            and_(PublishedValue.tool_id == Tool.id, PublishedValue.field == field, condition)
        )

    def _json_text(self, column: Any, *path: str) -> ColumnElement[Any]:
        """The JSON value (or a key of it) as SQL text, on SQLite and PostgreSQL."""
        if self.dialect == "sqlite":
            return func.json_extract(column, "$" + "".join(f'."{p}"' for p in path))
        pg_path = "{" + ",".join(path) + "}"
        return column.op("#>>")(literal_column(f"'{pg_path}'"))


@contextmanager
def reading(store: Any) -> Iterator[Reader]:
    """A `Reader` on one consistent snapshot of `store`'s database."""
    engine = store.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine) as session, session.begin():
        yield Reader(session)
