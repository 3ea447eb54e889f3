"""A per-document time budget that long loops check cooperatively.

`dispatch.normalize` opens a budget for each document; the loops whose work grows with
a document's length call `check()`, which raises `DocumentOverBudget` once the deadline
has passed. Cooperative, so it works in the crawler's worker threads (no signals).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from normalizer.errors import DocumentOverBudget

_DEADLINE: ContextVar[float | None] = ContextVar("normalizer_deadline", default=None)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise DocumentOverBudget("time budget per document spent")
