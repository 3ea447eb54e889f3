"""`Store`: the storage facade the crawler pipelines, the CLI and the web app use.

Every call opens its own session, so one Store can be shared by threads (e.g. a
Scrapy pipeline handing batches to a worker thread). Writes run in one
transaction each; ingest batches are serialised per database (SQLite
`BEGIN IMMEDIATE`, PostgreSQL transaction-level advisory lock), which makes
find-or-create of tools safe across threads and processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from normalizer.models import NormalizeResult, RawDocument, utcnow
from storage import queries
from storage.candidates import CandidateView, list_candidates
from storage.db import WRITE_OPTIONS, init_db, make_engine
from storage.ingest import BatchWriter, scrub
from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.schema import RUN_STATUSES, CrawlError, CrawlRun, SourceStateRow
from storage.views import IngestStats, ResolvedTool, SourceState, ToolSummary

INGEST_LOCK_KEY = 0x746F6F6C77617463  # "toolwatc": pg_advisory_xact_lock key for ingest


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
    def _reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    # crawl runs ---------------------------------------------------------------

    def start_run(self, spider: str, args: dict[str, Any] | None = None) -> int:
        with self._writing() as session:
            run = CrawlRun(
                spider=spider,
                args=scrub(to_jsonable_python(args or {})),
                started_at=utcnow(),
                status="running",
                stats={},
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(
        self, run_id: int, status: str = "finished", stats: dict[str, Any] | None = None
    ) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
        with self._writing() as session:
            run = session.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            run.status = status
            run.finished_at = utcnow()
            run.stats = scrub(to_jsonable_python(stats or {}))

    def record_error(self, run_id: int | None, url: str, kind: str, message: str = "") -> None:
        with self._writing() as session:
            session.add(
                CrawlError(
                    run_id=run_id, url=scrub(url), kind=kind, message=scrub(message), at=utcnow()
                )
            )

    # ingest -------------------------------------------------------------------

    def ingest_batch(
        self,
        items: Sequence[tuple[RawDocument, NormalizeResult]],
        run_id: int | None = None,
    ) -> IngestStats:
        """Store documents, tools, variants, aliases, claims and source state for a
        batch, all in ONE transaction. On error everything is rolled back and the
        exception propagates. Re-ingesting the same batch only moves `last_seen_at`."""
        with self._writing() as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK_KEY}
                )
            return BatchWriter(session, run_id, self.policy).write(items)

    # incremental-crawl state -------------------------------------------------------

    def source_state(self, keys: Iterable[str]) -> dict[str, SourceState]:
        """State for those keys that have any (missing keys are absent)."""
        with self._reading() as session:
            return queries.get_states(session, keys)

    def get_state(self, key: str) -> SourceState | None:
        return self.source_state([key]).get(key)

    def put_state(self, state: SourceState) -> None:
        """Set state directly (e.g. after a 304 Not Modified that stored no document)."""
        with self._writing() as session:
            row = session.get(SourceStateRow, state.key)
            if row is None:
                row = SourceStateRow(key=state.key, updated_at=utcnow())
                session.add(row)
            row.sha, row.etag, row.last_modified = state.sha, state.etag, state.last_modified
            row.content_hash = state.content_hash
            row.updated_at = state.updated_at or utcnow()

    # reads ----------------------------------------------------------------------

    def resolve(self, slug: str) -> ResolvedTool | None:
        with self._reading() as session:
            tool = queries.get_tool(session, slug)
            return None if tool is None else queries.resolve_tool(session, tool, self.policy)

    def list_tools(self, status: str | None = None) -> list[ToolSummary]:
        with self._reading() as session:
            return queries.list_tools(session, status, self.policy)

    def candidates(self, limit: int | None = None) -> list[CandidateView]:
        """Candidates newest first, with their evidence and open conflicts."""
        with self._reading() as session:
            return list_candidates(session, self.policy, limit)

    def stats(self) -> dict[str, Any]:
        """JSON-serialisable counts; see `queries.collect_stats` for what is stable."""
        with self._reading() as session:
            return queries.collect_stats(session)

    def tool_slug_for(self, name_or_id: str) -> str | None:
        with self._reading() as session:
            return queries.find_tool_slug(session, name_or_id)
