"""The database schema (SQLAlchemy 2.0 typed ORM). All tables live here.

Alembic will autogenerate migrations from `Base.metadata`, so every table,
constraint and index is declared in this module, with a naming convention so
constraint names are stable across SQLite and PostgreSQL.

Timestamps are stored as UTC and always come back timezone-aware (`UTCDateTime`),
on SQLite as well as on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Unicode,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

TOOL_STATUSES = ("candidate", "published", "rejected", "merged")
RUN_STATUSES = ("running", "finished", "failed", "interrupted")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC; naive input is taken as UTC, output is always aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no offset; we only ever write UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType}


class Document(Base):
    """One fetched resource, kept raw. (url, content_hash) is unique: unchanged
    content is stored once; seeing it again only moves `last_seen_at`."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("url", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    """sha256 hex digest of the uncompressed body."""
    body: Mapped[bytes] = mapped_column(LargeBinary)
    """zlib-compressed body."""
    status: Mapped[int] = mapped_column(Integer, default=200)
    content_type: Mapped[str | None] = mapped_column(String(255))
    fetched_at: Mapped[datetime]
    """When this exact content was first seen."""
    last_seen_at: Mapped[datetime]
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    """The crawl run that first stored this content (if any)."""
    normalized_version: Mapped[str | None] = mapped_column(String(64), index=True)
    """The normalizer version whose claims stand for this document; None: stored raw,
    waiting for a normalise worker (raw capture comes first)."""


class Tool(Base):
    """A canonical tool (a model family / size a comparison page shows)."""

    __tablename__ = "tools"
    __table_args__ = (CheckConstraint(_in("status", TOOL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(512))
    family: Mapped[str | None] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="candidate", server_default="candidate")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tools.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    variants: Mapped[list[Variant]] = relationship(back_populates="tool", order_by="Variant.id")
    aliases: Mapped[list[Alias]] = relationship(back_populates="tool", order_by="Alias.id")


class Variant(Base):
    """A Hugging Face repo grouped under a tool (size, base/instruct, quantisation)."""

    __tablename__ = "variants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(255), unique=True)
    source_id_norm: Mapped[str] = mapped_column(String(255), unique=True)
    """Lower-cased repo id: Hub repo ids are case-insensitive."""

    tool: Mapped[Tool] = relationship(back_populates="variants")


class Alias(Base):
    """A name a tool is known by; unique on its normalised form across all tools."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    alias: Mapped[str] = mapped_column(String(512))
    alias_norm: Mapped[str] = mapped_column(String(512), unique=True)

    tool: Mapped[Tool] = relationship(back_populates="aliases")


class Claim(Base):
    """A claim: document D says field F of record K (about tool T) is V. Append-only:
    re-normalising a document supersedes its claims (`superseded_at`), never deletes
    them; one current claim per document, record and field."""

    __tablename__ = "claims"
    __table_args__ = (
        Index(
            "uq_claims_current",
            "document_id",
            "record_key",
            "field",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    record_key: Mapped[str] = mapped_column(String(512))
    """Which record of the document: its source_id, else its slug."""
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSONType)
    source_kind: Mapped[str] = mapped_column(String(32))
    source_url: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(255))
    evidence: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    observed_at: Mapped[datetime]
    normalizer_version: Mapped[str | None] = mapped_column(String(64))
    """The normalizer that made this claim (None: made before versions were kept)."""
    superseded_at: Mapped[datetime | None]
    """Set when a newer normalizer re-read the document; superseded claims are history
    and take no part in resolution."""


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(128))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    host: Mapped[str | None] = mapped_column(String(255))
    """Machine and process that ran it: a `running` run whose process is gone is dead."""
    pid: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    """Why a run failed or was interrupted, in one line."""
    health: Mapped[dict[str, Any] | None] = mapped_column()
    """The run's health checks: `{"status": ok|warning|failing, "checks": [...]}`."""


class RunLock(Base):
    """One crawl per source at a time, across processes and machines: a row per
    source being crawled, refreshed while the crawl runs (`heartbeat_at`)."""

    __tablename__ = "run_locks"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class ScheduledJob(Base):
    """APScheduler's job store (`crawler.schedule`), in the table it would create itself.

    Declared and migrated here so that schedulers starting at once on a fresh
    database find it made (under the migration lock) instead of racing to create it."""

    __tablename__ = "scheduled_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class CrawlError(Base):
    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    """http-401 / http-403 / http-404 / http-429 / http-5xx / timeout / parse / ..."""
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class SourceStateRow(Base):
    """Incremental-crawl state per source (HF sha, ETag, Last-Modified, content hash)."""

    __tablename__ = "source_state"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    """e.g. `hf:meta-llama/Llama-3.1-8B-Instruct`."""
    sha: Mapped[str | None] = mapped_column(String(128))
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class MatchSuggestion(Base):
    """An uncertain identity match, proposed to editors instead of guessed.

    Written when a new candidate resembles an existing tool (same family and size
    written differently, or a close fuzzy name) without matching it for certain.
    """

    __tablename__ = "match_suggestions"
    __table_args__ = (UniqueConstraint("tool_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


# editorial workflow (issue 5) ------------------------------------------------------

REVIEW_KINDS = ("change", "conflict")
REVIEW_STATUSES = ("pending", "accepted", "rejected", "superseded")
DECISION_ACTIONS = (
    "accept",
    "reject",
    "merge",
    "unmerge",
    "reopen",
    "withdraw",
    "override",
    "clear-override",
    "review-accept",
    "review-reject",
)
"""Lifecycle actions, and the field-level editor decisions (overrides set or cleared,
review items accepted or rejected) that the tool's history shows beside them."""


class Editor(Base):
    """Someone allowed to make editorial decisions; the password is an argon2 hash."""

    __tablename__ = "editors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Raised by logout and password changes: cookies signed with an older one are void."""


class Override(Base):
    """An editor's value for one field of a tool; wins over every claim."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("tool_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    """JSON as the field is stored in claims; null forces the field empty."""
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class PublishedValue(Base):
    """The published snapshot: one row per non-empty field of a published tool.

    Only editor actions and crawl updates of non-reviewed fields write here; every
    write is matched by a `Change` row (the change feed replays to this table)."""

    __tablename__ = "published_values"

    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime]


class Change(Base):
    """One change to published data; `id` is the change-feed cursor.

    `field` is a ToolRecord field, or `_status` for a tool entering / leaving the
    published set. `actor` is an editor name or `crawl:<run id>`."""

    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    slug: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[Any] = mapped_column(JSONType, nullable=True)
    new: Mapped[Any] = mapped_column(JSONType, nullable=True)
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class ReviewItem(Base):
    """Something an editor must decide: a crawled change to a reviewed field of a
    published tool (`change`), or claims disagreeing with an override (`conflict`)."""

    __tablename__ = "review_items"
    __table_args__ = (
        CheckConstraint(_in("kind", REVIEW_KINDS), name="kind"),
        CheckConstraint(_in("status", REVIEW_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[Any] = mapped_column(JSONType, nullable=True)
    """`change`: the published value; `conflict`: the override's value."""
    new: Mapped[Any] = mapped_column(JSONType, nullable=True)
    """`change`: the value the sources now resolve to; `conflict`: the claimed value."""
    sources: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class Decision(Base):
    """The editorial log of lifecycle actions on a tool (and automatic reopenings).

    `data` keeps what an action needs later: a rejection's document watermark (new
    evidence = a claim from a newer document), exactly what a merge moved."""

    __tablename__ = "decisions"
    __table_args__ = (CheckConstraint(_in("action", DECISION_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


# published form (issue 15) ---------------------------------------------------------


class PublishedDoc(Base):
    """A published tool in the form the read API serves, built when it is published.

    One row per published tool, written in the same transaction as its snapshot
    (`storage.published.refresh`): a read is an indexed lookup and a copy of `doc`
    (the full JSON) or `summary` (without provenance, for list pages). `etag` is
    the sha256 of `doc`; the `*_key` columns hold the listing filters, folded."""

    __tablename__ = "published_docs"
    __table_args__ = (
        Index("ix_published_docs_vendor_key_slug", "vendor_key", "slug"),
        Index("ix_published_docs_task_key_slug", "task_key", "slug"),
        Index("ix_published_docs_category_key_slug", "category_key", "slug"),
        Index("ix_published_docs_license_terms_slug", "license_terms", "slug"),
    )

    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    """The catalog version (`CatalogState.version`) that last changed this document."""
    etag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    """Last-Modified: each new version lands in a later whole second than the one before."""
    doc: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    vendor_key: Mapped[str | None] = mapped_column(String(255))
    task_key: Mapped[str | None] = mapped_column(String(255))
    category_key: Mapped[str | None] = mapped_column(String(255))
    license_terms: Mapped[str | None] = mapped_column(String(32))
    open_weights: Mapped[bool | None] = mapped_column(Boolean)


class PublishedName(Base):
    """A published name of a published tool (slug, name, aliases, variants), folded
    with `names.norm_alias`: the read API redirects a lookup by any of them."""

    __tablename__ = "published_names"
    __table_args__ = (UniqueConstraint("name_norm", "tool_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_norm: Mapped[str] = mapped_column(String(512), index=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)


class CatalogState(Base):
    """One row (`id` 1): the catalog version, bumped by every transaction that changes
    a published document or the change log; `change_id` is the newest change then."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    change_id: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
