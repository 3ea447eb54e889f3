"""The published catalog as downstream sees it: read API, exports, compare.

Everything here reads the published documents (`published_docs`: one per tool
whose status is `published`, built from the snapshot when it changes, see
`storage.published`) and the change log; never claims, overrides, candidates,
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Connection, Engine, bindparam, func, select
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
from storage.names import norm_alias
from storage.published import STATUS_FIELD
from storage.schema import CatalogState, Change, PublishedDoc, PublishedName

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


def public_change(id: int, slug: str, field: str, old: Any, new: Any, at: datetime) -> PublicChange:
    if field == STATUS_FIELD:
        old, new = _public_status(old), _public_status(new)
    return PublicChange(id=id, slug=slug, field=field, old=old, new=new, at=at)


def _impossible(*texts: str | None) -> bool:
    """A NUL character: no stored text has one (and PostgreSQL refuses it in a query)."""
    return any(t is not None and "\x00" in t for t in texts)


class CatalogVersion(BaseModel):
    """The catalog's version: bumped by every transaction that changes a published
    document or logs a change; `change_id` is the dataset version then (the newest
    change id, the feed cursor); `updated_at` is distinct, in whole seconds, per version."""

    version: int = 0
    change_id: int = 0
    updated_at: datetime | None = None


class StoredDoc(NamedTuple):
    """A published tool as stored: its JSON text, ETag and Last-Modified."""

    slug: str
    doc: str
    etag: str
    updated_at: datetime


class Reader:
    """Reads of the published catalog inside one transaction (see `reading`).

    Everything is read from the published documents (`PublishedDoc`, built at publish
    time) and the change log: an indexed lookup and a copy, never a resolution."""

    def __init__(self, session: Session | Connection) -> None:
        self.session = session

    # dataset -------------------------------------------------------------------------

    def state(self) -> CatalogVersion:
        row = self.session.execute(_STATE).first()
        if row is None:
            return CatalogVersion()
        return CatalogVersion(version=row[0], change_id=row[1], updated_at=row[2])

    def version(self) -> int:
        """The dataset version: the id of the newest change to published data."""
        return self.state().change_id

    def count(self, filters: ToolFilters | None = None) -> int:
        filters = filters or ToolFilters()
        if _impossible(filters.vendor, filters.task, filters.category):
            return 0
        query = select(func.count()).select_from(PublishedDoc).where(*_where(filters))
        return int(self.session.scalar(query) or 0)

    # tools ---------------------------------------------------------------------------

    def page_json(
        self,
        *,
        after: str | None = None,
        limit: int = 50,
        filters: ToolFilters | None = None,
        full: bool = False,
    ) -> tuple[list[tuple[str, str]], bool]:
        """(slug, JSON text) of the published tools whose slug sorts after `after`, in
        slug order; whether more follow. `full`: with provenance (the whole document)."""
        limit = max(1, limit)
        filters = filters or ToolFilters()
        if _impossible(after, filters.vendor, filters.task, filters.category):
            return [], False
        query, params = _page_query(filters, after, full)
        rows = [(r[0], r[1]) for r in self.session.execute(query, {**params, "n": limit + 1})]
        return rows[:limit], len(rows) > limit

    def page(
        self, *, after: str | None = None, limit: int = 50, filters: ToolFilters | None = None
    ) -> tuple[list[PublicTool], bool]:
        """Published tools whose slug sorts after `after`, slug order; and whether
        more follow."""
        rows, more = self.page_json(after=after, limit=limit, filters=filters, full=True)
        return [PublicTool.model_validate_json(doc) for _, doc in rows], more

    def iter_json(
        self, *, page_size: int = 500, filters: ToolFilters | None = None
    ) -> Iterator[str]:
        """Every published tool's full JSON, slug order, loaded one page at a time."""
        after: str | None = None
        while True:
            rows, more = self.page_json(after=after, limit=page_size, filters=filters, full=True)
            yield from (doc for _, doc in rows)
            if not more or not rows:
                return
            after = rows[-1][0]

    def iter_tools(
        self, *, page_size: int = 500, filters: ToolFilters | None = None
    ) -> Iterator[PublicTool]:
        """Every published tool in slug order, loaded one page at a time."""
        for doc in self.iter_json(page_size=page_size, filters=filters):
            yield PublicTool.model_validate_json(doc)

    def doc_version(self, slug: str) -> tuple[str, datetime] | None:
        """The ETag and Last-Modified of the published tool `slug` (None: not published),
        without its document: enough to answer a revalidation."""
        if _impossible(slug):
            return None
        row = self.session.execute(_DOC_VERSION, {"slug": slug}).first()
        return (row[0], row[1]) if row else None

    def docs(self, slugs: Sequence[str]) -> list[StoredDoc]:
        """The stored documents of the published ones among `slugs`, in the order asked."""
        slugs = [s for s in slugs if not _impossible(s)]
        if not slugs:
            return []
        if len(slugs) == 1:
            rows = self.session.execute(_DOC, {"slug": slugs[0]})
        else:
            rows = self.session.execute(_DOCS, {"slugs": list(dict.fromkeys(slugs))})
        found = {r[0]: StoredDoc(*r) for r in rows}
        return [found[s] for s in slugs if s in found]

    def tool(self, slug: str) -> PublicTool | None:
        """The published tool with this slug (None for any other status)."""
        found = self.tools([slug])
        return found[0] if found else None

    def tools(self, slugs: Sequence[str]) -> list[PublicTool]:
        """The published ones among `slugs`, in the order asked."""
        return [PublicTool.model_validate_json(d.doc) for d in self.docs(slugs)]

    def named(self, name: str) -> list[str]:
        """Slugs of the published tools known by `name` (slug, name or alias, in any
        casing or spelling `names.norm_alias` folds together)."""
        norm = norm_alias(name)
        if not norm or _impossible(norm):
            return []
        return list(self.session.scalars(_NAMED, {"norm": norm}))

    # change feed ---------------------------------------------------------------------

    def changes(self, since: int = 0, limit: int = 100) -> tuple[list[PublicChange], int, bool]:
        """Changes after cursor `since`, oldest first; the next cursor; whether more follow."""
        rows, cursor, more = self._change_rows(since, limit)
        return [public_change(*r) for r in rows], cursor, more

    def changes_json(self, since: int = 0, limit: int = 100) -> tuple[list[str], int, bool]:
        """`changes`, each as its `PublicChange` JSON text (built without models: the
        feed is read in pages of up to 1,000)."""
        rows, cursor, more = self._change_rows(since, limit)
        texts = []
        for id_, slug, field, old, new, at in rows:
            if field == STATUS_FIELD:
                old, new = _public_status(old), _public_status(new)
            when = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            item = {"id": id_, "slug": slug, "field": field, "old": old, "new": new, "at": when}
            texts.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        return texts, cursor, more

    def _change_rows(self, since: int, limit: int) -> tuple[list[Any], int, bool]:
        limit = max(1, min(limit, 1000))
        if since >= MAX_ID:  # ids are 32-bit on PostgreSQL: nothing lies beyond
            return [], since, False
        rows = list(self.session.execute(_CHANGES, {"since": since, "n": limit + 1}))
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (rows[-1][0] if rows else since), more


# statements, built once (a request only binds its values) ------------------------------

_STATE = select(CatalogState.version, CatalogState.change_id, CatalogState.updated_at).where(
    CatalogState.id == 1
)
_DOC = select(
    PublishedDoc.slug, PublishedDoc.doc, PublishedDoc.etag, PublishedDoc.updated_at
).where(PublishedDoc.slug == bindparam("slug"))
_DOC_VERSION = select(PublishedDoc.etag, PublishedDoc.updated_at).where(
    PublishedDoc.slug == bindparam("slug")
)
_DOCS = select(
    PublishedDoc.slug, PublishedDoc.doc, PublishedDoc.etag, PublishedDoc.updated_at
).where(PublishedDoc.slug.in_(bindparam("slugs", expanding=True)))
_NAMED = (
    select(PublishedDoc.slug)
    .join(PublishedName, PublishedName.tool_id == PublishedDoc.tool_id)
    .where(PublishedName.name_norm == bindparam("norm"))
    .order_by(PublishedDoc.slug)
)
_CHANGES = (
    select(Change.id, Change.slug, Change.field, Change.old, Change.new, Change.at)
    .where(Change.id > bindparam("since"))
    .order_by(Change.id)
    .limit(bindparam("n"))
)
_FILTER_COLUMNS = {
    "vendor": PublishedDoc.vendor_key,
    "task": PublishedDoc.task_key,
    "category": PublishedDoc.category_key,
    "license_terms": PublishedDoc.license_terms,
    "open_weights": PublishedDoc.open_weights,
}
_PAGES: dict[tuple[tuple[str, ...], bool, bool], Any] = {}


def _filter_values(filters: ToolFilters) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("vendor", "task", "category"):
        wanted = getattr(filters, key)
        if wanted is not None:
            values[key] = wanted.strip().lower()
    if filters.license_terms is not None:
        values["license_terms"] = str(filters.license_terms)
    if filters.open_weights is not None:
        values["open_weights"] = filters.open_weights
    return values


def _where(filters: ToolFilters) -> list[ColumnElement[bool]]:
    return [_FILTER_COLUMNS[k] == v for k, v in _filter_values(filters).items()]


def _page_query(filters: ToolFilters, after: str | None, full: bool) -> tuple[Any, dict[str, Any]]:
    """The page statement for this shape of request (one per filter combination, kept)
    and its parameters (without the row count `n`)."""
    params = _filter_values(filters)
    key = (tuple(params), after is not None, full)
    query = _PAGES.get(key)
    if query is None:
        column = PublishedDoc.doc if full else PublishedDoc.summary
        query = select(PublishedDoc.slug, column).where(
            *(_FILTER_COLUMNS[k] == bindparam(k) for k in params)
        )
        if after is not None:
            query = query.where(PublishedDoc.slug > bindparam("after"))
        query = _PAGES[key] = query.order_by(PublishedDoc.slug).limit(bindparam("n"))
    if after is not None:
        params["after"] = after
    return query, params


@contextmanager
def reading(store: Any) -> Iterator[Reader]:
    """A `Reader` on one consistent snapshot of `store`'s database."""
    with Session(snapshot_engine(store.engine)) as session, session.begin():
        yield Reader(session)


def statement_engine(engine: Engine) -> Engine:
    """`engine`, with each statement its own transaction (no BEGIN / COMMIT round trips):
    for reads of one row, where one statement is already one snapshot."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine.execution_options(toolwatch_autocommit=True)  # storage.db's BEGIN hook


def snapshot_engine(engine: Engine) -> Engine:
    """`engine`, with transactions that see one snapshot (PostgreSQL REPEATABLE READ;
    a SQLite read transaction in WAL mode already does)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine
