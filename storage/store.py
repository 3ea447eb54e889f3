"""`Store`: the storage facade the crawler pipelines, the CLI and the web app use.

Every call opens its own session, so one Store can be shared by threads (e.g. a
Scrapy pipeline handing batches to a worker thread). Writes run in one
transaction each; ingest batches and editorial actions are serialised per
database (SQLite `BEGIN IMMEDIATE`, PostgreSQL transaction-level advisory lock),
which makes find-or-create of tools safe across threads and processes and lets an
editor act while a crawl ingests.

Editorial API (every editorial write takes `actor`, an existing editor's name, and
raises `storage.errors.UnknownEditor` otherwise; other refusals are
`ToolNotFound`, `ReviewNotFound`, `InvalidTransition`, `InvalidOverride`, all
subclasses of `storage.errors.EditorialError`):

    candidates(limit=None, *, source_kind=None, vendor=None, conflicts=None,
               reopened=None) -> list[CandidateView]
    accept(slug, actor, reason="") -> ResolvedTool           # candidate|rejected -> published
    accept_many(slugs, actor, reason="") -> int              # the same, in bulk
    republish() -> int                                       # rebuild the served documents
    reject(slug, actor, reason) -> ResolvedTool              # candidate -> rejected
    withdraw(slug, actor, reason) -> ResolvedTool            # published -> rejected (unpublished)
    merge(slug, into, actor, reason="") -> ResolvedTool      # -> merged; `into` gains
                                                             #    claims, variants, aliases
    unmerge(slug, actor, reason="") -> ResolvedTool          # restores what merge moved
    override(slug, field, value, actor, reason) -> Any       # the stored (validated) value
    clear_override(slug, field, actor, reason="") -> bool
    review_queue(*, status="pending", slug=None, kind=None, limit=None)
        -> list[ReviewItemView]                              # `change` and `conflict` items
    decide_review(item_id, accept: bool, actor, note="") -> ReviewItemView
    history(slug) -> list[ChangeView]                        # changes to published data
    decisions(slug) -> list[DecisionView]                    # the tool's editorial log
    changes(since=0, limit=100) -> (list[ChangeView], next_cursor)   # change feed
    published(slug) -> PublishedTool | None                  # the snapshot, never unreviewed
    published_tools(*, vendor=None) -> list[PublishedTool]
    add_editor(name, password) -> None
    verify_editor(name, password) -> bool
    editors() -> list[str]
    editor_session_version(name) / end_editor_sessions(name) / set_editor_password(name, pw)

Resolution is override > source rank > recency (`resolve`, `ranking`); `resolve()`
shows it live (with candidates and unreviewed changes), `published()` shows the
snapshot downstream sees. See `storage.editorial` for the rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from normalizer.models import NormalizeResult, RawDocument, utcnow
from normalizer.version import normalizer_version
from storage import accounting, editorial, editors, history, queries, review, runs
from storage import published as published_docs
from storage.candidates import CandidateView, list_candidates
from storage.capture import capture, scrub
from storage.db import WRITE_OPTIONS, init_db, make_engine
from storage.ingest import BatchWriter
from storage.published import published_tool, published_tools
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.schema import (
    RUN_STATUSES,
    CrawlError,
    CrawlRun,
    Decision,
    Document,
    Tool,
)
from storage.views import (
    CaptureStats,
    ChangeView,
    DecisionView,
    IngestStats,
    PublishedTool,
    ResolvedTool,
    ReviewItemView,
    SourceState,
    StoredDocument,
    ToolSummary,
)

INGEST_LOCK_KEY = 0x746F6F6C77617463  # "toolwatc": pg_advisory_xact_lock key for ingest


def _by_run(
    items: list[tuple[Document, NormalizeResult]], run_id: int | None
) -> dict[int | None, list[tuple[Document, NormalizeResult]]]:
    """Group by the run a batch is counted in: the given one, else each document's."""
    groups: dict[int | None, list[tuple[Document, NormalizeResult]]] = {}
    for row, result in items:
        groups.setdefault(run_id if run_id is not None else row.run_id, []).append((row, result))
    return groups


class Store:
    def __init__(
        self,
        url: str | None = None,
        *,
        create: bool = True,
        policy: RankPolicy = DEFAULT_POLICY,
    ) -> None:
        """Open the database at `url` (default `default_db_url()`); `create` makes
        missing tables."""
        self.engine: Engine = make_engine(url)
        self.policy = policy
        if create:
            init_db(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**WRITE_OPTIONS), expire_on_commit=False
        )
        # published documents follow the snapshot in the transaction that changed it
        event.listen(self._write, "before_commit", published_docs.before_commit)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def _locked(self) -> Iterator[Session]:
        """A write transaction holding the ingest/editorial lock (PostgreSQL advisory
        lock; on SQLite `BEGIN IMMEDIATE` already serialises writers)."""
        with self._writing() as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK_KEY}
                )
            yield session

    @contextmanager
    def _editing(self, actor: str) -> Iterator[Session]:
        """A locked write transaction on behalf of an existing editor."""
        with self._locked() as session:
            editors.require_editor(session, actor)
            yield session

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """A session for the storage modules' own queries (`storage.runs`, `storage.health`)."""
        with self._writing() if write else self._reading() as session:
            yield session

    # crawl runs ---------------------------------------------------------------

    def start_run(self, spider: str, args: dict[str, Any] | None = None) -> int:
        """A new run of `spider`; earlier runs of it whose process died become `failed`."""
        with self._writing() as session:
            runs.fail_dead_runs(session, spider)
            run = CrawlRun(
                spider=spider,
                args=scrub(to_jsonable_python(args or {})),
                started_at=utcnow(),
                status="running",
                stats={},
                host=runs.this_host(),
                pid=os.getpid(),
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(
        self,
        run_id: int,
        status: str = "finished",
        stats: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
        with self._locked() as session:  # the run's counters are written under the lock
            run = session.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            run.status = status
            run.finished_at = utcnow()
            run.stats = accounting.merged(run.stats, scrub(to_jsonable_python(stats or {})))
            if reason:
                run.reason = scrub(reason)

    def record_error(self, run_id: int | None, url: str, kind: str, message: str = "") -> None:
        with self._writing() as session:
            session.add(
                CrawlError(
                    run_id=run_id, url=scrub(url), kind=kind, message=scrub(message), at=utcnow()
                )
            )

    # ingest -----------------------------------------------------------------------
    #
    # Raw capture first (`capture`): fetched documents are stored as they came, and a
    # document already stored (same URL and content hash) costs nothing more. Then
    # normalise workers read the pending documents (`pending_documents`,
    # `load_documents`), normalise them outside any transaction and write their
    # claims (`ingest_normalized`), one transaction per batch that also marks the
    # documents done, so a worker killed mid-batch leaves them pending, and a
    # document normalised twice (two workers, a retry) is written once.

    def capture(self, docs: Sequence[RawDocument], run_id: int | None = None) -> CaptureStats:
        """Store fetched documents raw, in one transaction; returns the ids of the new
        ones (to normalise) and how many were unchanged. Counted in the run's stats."""
        with self._locked() as session:
            captured = capture(session, docs, run_id)
            stats = CaptureStats(
                new_ids=[row.id for row in captured.new], unchanged=captured.unchanged
            )
            accounting.account(
                session,
                run_id,
                {"documents_new": len(stats.new_ids), "documents_unchanged": stats.unchanged},
            )
            return stats

    def pending_documents(
        self,
        version: str | None = None,
        *,
        run_id: int | None = None,
        after_id: int = 0,
        limit: int = 1000,
    ) -> list[int]:
        """Ids of documents no normalizer has read yet (`version=None`), or not read by
        `version` (a re-normalisation), oldest first, from `after_id` on."""
        with self._reading() as session:
            return queries.pending_documents(session, version, run_id, after_id, limit)

    def load_documents(self, ids: Sequence[int]) -> list[StoredDocument]:
        with self._reading() as session:
            return queries.load_documents(session, ids)

    def ingest_normalized(
        self,
        results: Sequence[tuple[int, NormalizeResult]],
        version: str,
        *,
        redo: bool = False,
        run_id: int | None = None,
    ) -> IngestStats:
        """Write the claims of stored documents normalised by `version`, in ONE
        transaction, then the editorial rules (`editorial.after_crawl`). A document
        already normalised by `version` is skipped (written once, however often it
        was normalised); one normalised by another version is skipped too unless
        `redo` (a re-normalisation: its earlier claims are superseded). Counted in
        the stats of `run_id`, else of the run that captured each document."""
        with self._locked() as session:
            rows = queries.documents_to_write(session, [i for i, _ in results], version, redo)
            items = [(rows[i], r) for i, r in results if i in rows]
            stats = IngestStats()
            if not items:
                return stats
            for run, group in _by_run(items, run_id).items():
                mark = editorial.claim_mark(session)
                writer = BatchWriter(session, run, self.policy, claim_mark=mark, version=version)
                part = writer.write(group)
                editorial.after_crawl(
                    session,
                    mark,
                    run,
                    self.policy,
                    claims=writer.claims,
                    also=writer.superseded_tools,
                )
                accounting.account(
                    session,
                    run,
                    {
                        "documents_normalized": len(group),
                        "claims_new": part.claims_new,
                        "tools_new": part.tools_new,
                        "tools_changed": part.tools_changed,
                    },
                )
                stats = stats + part
            return stats

    def ingest_batch(
        self,
        items: Sequence[tuple[RawDocument, NormalizeResult]],
        run_id: int | None = None,
    ) -> IngestStats:
        """Capture and ingest documents normalised by the caller, all in ONE
        transaction (what a crawl does in two steps). A document already stored is
        not ingested again: re-ingesting the same batch only moves `last_seen_at`.
        On error everything is rolled back and the exception propagates."""
        version = normalizer_version()
        with self._locked() as session:
            captured = capture(session, [doc for doc, _ in items], run_id)
            fresh = {id(row) for row in captured.new}
            todo = [(row, res) for row, (_, res) in zip(captured.rows, items, strict=True)]
            todo = [(row, res) for row, res in todo if id(row) in fresh]
            mark = editorial.claim_mark(session)
            writer = BatchWriter(session, run_id, self.policy, claim_mark=mark, version=version)
            stats = writer.write(todo)
            stats.documents_new = len(captured.new)
            stats.documents_seen = captured.unchanged
            editorial.after_crawl(session, mark, run_id, self.policy, claims=writer.claims)
            accounting.account(
                session,
                run_id,
                {
                    "documents_new": stats.documents_new,
                    "documents_unchanged": stats.documents_seen,
                    "documents_normalized": len(todo),
                    "claims_new": stats.claims_new,
                    "tools_new": stats.tools_new,
                    "tools_changed": stats.tools_changed,
                },
            )
            return stats

    # incremental-crawl state -------------------------------------------------------

    def source_state(self, keys: Iterable[str]) -> dict[str, SourceState]:
        """State for those keys that have any (missing keys are absent)."""
        with self._reading() as session:
            return queries.get_states(session, keys)

    def get_state(self, key: str) -> SourceState | None:
        return self.source_state([key]).get(key)

    def repos_without_hub_facts(self, limit: int = 1000) -> list[str]:
        """Hub repos other sources name whose tool has no Hub facts (`storage.discovery`)."""
        from storage.discovery import repos_without_hub_facts

        with self._reading() as session:
            return repos_without_hub_facts(session, limit)

    # reads ----------------------------------------------------------------------

    def resolve(self, slug: str) -> ResolvedTool | None:
        with self._reading() as session:
            tool = queries.get_tool(session, slug)
            return None if tool is None else queries.resolve_tool(session, tool, self.policy)

    def list_tools(self, status: str | None = None) -> list[ToolSummary]:
        with self._reading() as session:
            return queries.list_tools(session, status, self.policy)

    def candidates(
        self,
        limit: int | None = None,
        *,
        source_kind: str | None = None,
        vendor: str | None = None,
        conflicts: bool | None = None,
        reopened: bool | None = None,
    ) -> list[CandidateView]:
        """Candidates newest first, with their evidence, open conflicts and whether
        they were reopened by new evidence after a rejection. Filters: evidence from
        `source_kind`, `vendor` (case-insensitive), with/without conflicts, reopened."""
        with self._reading() as session:
            return list_candidates(
                session,
                self.policy,
                limit,
                source_kind=source_kind,
                vendor=vendor,
                conflicts=conflicts,
                reopened=reopened,
            )

    def stats(self) -> dict[str, Any]:
        """JSON-serialisable counts; see `queries.collect_stats` for what is stable."""
        with self._reading() as session:
            return queries.collect_stats(session)

    def tool_slug_for(self, name_or_id: str) -> str | None:
        with self._reading() as session:
            return queries.find_tool_slug(session, name_or_id)

    # editors ----------------------------------------------------------------------

    def add_editor(self, name: str, password: str) -> None:
        with self._writing() as session:
            editors.add_editor(session, name, password)

    def verify_editor(self, name: str, password: str) -> bool:
        with self._reading() as session:
            return editors.verify_editor(session, name, password)

    def editors(self) -> list[str]:
        with self._reading() as session:
            return editors.editor_names(session)

    def editor_session_version(self, name: str) -> int | None:
        with self._reading() as session:
            return editors.session_version(session, name)

    def end_editor_sessions(self, name: str) -> int:
        with self._writing() as session:
            return editors.end_sessions(session, name)

    def set_editor_password(self, name: str, password: str) -> None:
        with self._writing() as session:
            editors.set_password(session, name, password)

    # lifecycle --------------------------------------------------------------------

    def _resolved(self, session: Session, slug: str) -> ResolvedTool:
        session.flush()
        session.expire_all()
        tool = editorial.tool_or_fail(session, slug)
        return queries.resolve_tool(session, tool, self.policy)

    def accept(self, slug: str, actor: str, reason: str = "") -> ResolvedTool:
        """Publish a candidate (or a rejected tool): its resolved record becomes the
        published snapshot."""
        with self._editing(actor) as session:
            editorial.accept(session, slug, actor, self.policy, reason)
            return self._resolved(session, slug)

    def accept_many(self, slugs: Sequence[str], actor: str, reason: str = "") -> int:
        """Publish many candidates in one transaction (all or none); returns how many."""
        with self._editing(actor) as session:
            return len(editorial.accept_many(session, slugs, actor, self.policy, reason))

    def republish(self) -> int:
        """Rebuild every published tool's stored document (the form the API serves)
        from its snapshot; returns how many changed (0 when all were current)."""
        with self._locked() as session:
            return published_docs.republish(session)

    def reject(self, slug: str, actor: str, reason: str) -> ResolvedTool:
        """Reject a candidate; it comes back (reopened) only with new evidence."""
        with self._editing(actor) as session:
            editorial.reject(session, slug, actor, reason)
            return self._resolved(session, slug)

    def withdraw(self, slug: str, actor: str, reason: str) -> ResolvedTool:
        """Unpublish a published tool (it leaves the API and exports; the change feed
        says `_status: unpublished`). Accepting it again republishes it."""
        with self._editing(actor) as session:
            editorial.withdraw(session, slug, actor, reason)
            return self._resolved(session, slug)

    def merge(self, slug: str, into: str, actor: str, reason: str = "") -> ResolvedTool:
        """Merge `slug` into `into` (which gains its claims, variants and aliases);
        returns the target."""
        with self._editing(actor) as session:
            editorial.merge(session, slug, into, actor, self.policy, reason)
            return self._resolved(session, into)

    def unmerge(self, slug: str, actor: str, reason: str = "") -> ResolvedTool:
        """Undo the merge of `slug`: exactly what was moved goes back."""
        with self._editing(actor) as session:
            editorial.unmerge(session, slug, actor, self.policy, reason)
            return self._resolved(session, slug)

    # overrides --------------------------------------------------------------------

    def override(self, slug: str, field: str, value: Any, actor: str, reason: str) -> Any:
        """Set an editor's value for a field (validated against ToolRecord; None
        empties the field). Returns the stored value."""
        with self._editing(actor) as session:
            return editorial.set_override(session, slug, field, value, actor, reason, self.policy)

    def clear_override(self, slug: str, field: str, actor: str, reason: str = "") -> bool:
        """Drop an override (False if there was none); the sources' value takes over."""
        with self._editing(actor) as session:
            return editorial.clear_override(session, slug, field, actor, reason, self.policy)

    # review -----------------------------------------------------------------------

    def review_queue(
        self,
        *,
        status: str | None = "pending",
        slug: str | None = None,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[ReviewItemView]:
        """Pending changes to published reviewed fields and override conflicts,
        oldest first (`status=None`: every item, decided ones too)."""
        with self._reading() as session:
            return review.list_items(session, status=status, slug=slug, kind=kind, limit=limit)

    def decide_review(
        self, item_id: int, accept: bool, actor: str, note: str = ""
    ) -> ReviewItemView:
        """Accept (publish the sources' value; for a conflict: drop the override) or
        reject (keep what is published / the override)."""
        with self._editing(actor) as session:
            item = editorial.decide_review(session, item_id, accept, actor, self.policy, note)
            tool = session.get(Tool, item.tool_id)
            assert tool is not None
            return review.item_view(item, tool)

    # history and published data ------------------------------------------------------

    def history(self, slug: str) -> list[ChangeView]:
        """Every change to the tool's published data, oldest first."""
        with self._reading() as session:
            tool = editorial.tool_or_fail(session, slug)
            return history.tool_history(session, tool.id)

    def decisions(self, slug: str) -> list[DecisionView]:
        """The tool's editorial log: accept, reject, withdraw, merge, unmerge, reopen,
        overrides set and cleared, review items accepted and rejected."""
        with self._reading() as session:
            tool = editorial.tool_or_fail(session, slug)
            rows = session.scalars(
                select(Decision).where(Decision.tool_id == tool.id).order_by(Decision.id)
            )
            return [
                DecisionView(
                    id=d.id,
                    slug=tool.slug,
                    action=d.action,
                    actor=d.actor,
                    reason=d.reason,
                    at=d.at,
                    data=d.data or {},
                )
                for d in rows
            ]

    def changes(self, since: int = 0, limit: int = 100) -> tuple[list[ChangeView], int]:
        """The change feed: changes after cursor `since`, oldest first, and the next
        cursor. Replaying it from 0 (`history.replay`) gives the published snapshot."""
        with self._reading() as session:
            return history.changes_since(session, since, limit)

    def published(self, slug: str) -> PublishedTool | None:
        """The published record of a published tool (None otherwise)."""
        with self._reading() as session:
            tool = queries.get_tool(session, slug)
            return None if tool is None else published_tool(session, tool)

    def published_tools(self, *, vendor: str | None = None) -> list[PublishedTool]:
        with self._reading() as session:
            return published_tools(session, vendor=vendor)
