"""A batch that fails part-way leaves nothing behind (real database errors)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from builders import T0, doc, item, record
from pydantic_core import PydanticSerializationError
from sqlalchemy import event, exc, select
from sqlalchemy.orm import Session

from normalizer.models import DocKind, NormalizeResult, RawDocument
from storage import Store
from storage.schema import Document

Hook = Callable[[Any, Any, str, Any, Any, bool], tuple[str, Any]]


def first_batch() -> list[tuple[RawDocument, NormalizeResult]]:
    return [item(doc("https://a", "a", state_key="hf:a", sha="1"), record("a", source_id="org/a"))]


def second_batch() -> list[tuple[RawDocument, NormalizeResult]]:
    """Touches everything: a seen document, new documents, tools, claims, state."""
    later = T0 + timedelta(days=1)
    return [
        item(doc("https://a", "a", fetched_at=later, state_key="hf:a", sha="2"), record("a")),
        item(
            doc("https://b", "b", kind=DocKind.HF_API, state_key="hf:b"),
            record("b", context_length=4096),
        ),
        item(doc("https://c", "c"), record("a", context_length=8192), record("c", vendor="C")),
    ]


def snapshot(store: Store) -> tuple[Any, ...]:
    with Session(store.engine) as session:
        last_seen = list(session.scalars(select(Document.last_seen_at).order_by(Document.id)))
    return (
        store.stats(),
        store.list_tools(),
        store.resolve("a"),
        store.source_state(["hf:a", "hf:b"]),
        last_seen,
    )


@contextmanager
def on_statement(store: Store, hook: Hook) -> Iterator[None]:
    event.listen(store.engine, "before_cursor_execute", hook, retval=True)
    try:
        yield
    finally:
        event.remove(store.engine, "before_cursor_execute", hook)


def when_inserting_claims(action: Callable[[Any, bool], tuple[str, Any] | None]) -> Hook:
    """A hook running `action(connection, executemany)` at the batch's first claim insert."""
    fired: list[bool] = []

    def hook(conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> Any:
        if not fired and statement.lstrip().upper().startswith("INSERT INTO CLAIMS"):
            fired.append(True)
            replaced = action(conn, many)
            if replaced is not None:
                return replaced
        return statement, params

    return hook


def test_integrity_error_mid_batch_rolls_back_everything(store: Store) -> None:
    store.ingest_batch(first_batch())
    before = snapshot(store)

    def duplicate_documents(_conn: Any, _many: bool) -> tuple[str, Any]:
        # by now this batch has flushed documents, tools, variants and aliases; this
        # real statement violates documents' unique (url, content_hash)
        sql = (
            "INSERT INTO documents (url, kind, content_hash, body, status, fetched_at,"
            " last_seen_at, meta) SELECT url, kind, content_hash, body, status, fetched_at,"
            " last_seen_at, meta FROM documents"
        )
        # claims go through insertmanyvalues: one cursor.execute(), so one empty tuple
        return sql, ()

    with (
        on_statement(store, when_inserting_claims(duplicate_documents)),
        pytest.raises(exc.IntegrityError),
    ):
        store.ingest_batch(second_batch())
    assert snapshot(store) == before
    # the store is still usable and the batch goes through on retry
    stats = store.ingest_batch(second_batch())
    assert (stats.documents_new, stats.documents_seen, stats.tools_new) == (2, 1, 2)


def test_connection_lost_mid_batch_rolls_back_everything(store: Store) -> None:
    store.ingest_batch(first_batch())
    before = snapshot(store)

    def close_connection(conn: Any, _many: bool) -> None:
        conn.connection.dbapi_connection.close()

    with (
        on_statement(store, when_inserting_claims(close_connection)),
        pytest.raises(exc.DBAPIError),
    ):
        store.ingest_batch(second_batch())
    assert snapshot(store) == before
    stats = store.ingest_batch(second_batch())
    assert (stats.documents_new, stats.tools_new) == (2, 2)


def test_bad_item_late_in_batch_rolls_back_earlier_items(store: Store) -> None:
    store.ingest_batch(first_batch())
    before = snapshot(store)
    bad = doc("https://bad", "bad", state_key="hf:bad")
    bad.meta["unserialisable"] = object()
    with pytest.raises(PydanticSerializationError):
        store.ingest_batch([*second_batch(), item(bad, record("bad"))])
    assert snapshot(store) == before
    assert store.get_state("hf:bad") is None


def test_unknown_run_id_is_rejected(store: Store) -> None:
    with pytest.raises(exc.IntegrityError):
        store.ingest_batch(first_batch(), run_id=424242)
    assert store.stats()["documents"]["total"] == 0
