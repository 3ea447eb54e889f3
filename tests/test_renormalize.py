"""`toolwatch renormalize`: stored documents re-read by the current normalizer.

The "older normalizer" is played by writing the real documents' records with one
field altered under another version, as a normalizer with that mistake would have."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hub_documents import demo, duplicate_claims, many
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from normalizer.models import License, NormalizeResult
from normalizer.version import normalizer_version
from storage.schema import Claim, Document
from storage.store import Store
from workers.normalize import normalize_document

TOOLWATCH = str(Path(sys.executable).parent / "toolwatch")
OLD = "n-older"
SLUG = "llama-3.1-8b"


def with_wrong_license(result: NormalizeResult) -> NormalizeResult:
    records = [
        r.model_copy(update={"license": License(id="mit", terms="permissive")}) if r.license else r
        for r in result.records
    ]
    return result.model_copy(update={"records": records})


def stored_by_older_normalizer(store: Store, docs: list) -> None:
    ids = store.capture(docs).new_ids
    results = [
        (d.id, with_wrong_license(normalize_document(d.document)))
        for d in store.load_documents(ids)
    ]
    for start in range(0, len(results), 10):
        store.ingest_normalized(results[start : start + 10], OLD)


def claims_by_version(store: Store) -> dict[tuple[str | None, bool], int]:
    with Session(store.engine) as s:
        rows = s.execute(
            select(
                Claim.normalizer_version, Claim.superseded_at.is_not(None), func.count()
            ).group_by(Claim.normalizer_version, Claim.superseded_at.is_not(None))
        )
        return {(v, bool(superseded)): n for v, superseded, n in rows}


def renormalize(db_url: str, *args: str) -> dict:
    proc = subprocess.run(
        [TOOLWATCH, "renormalize", "--json", "--db", db_url, *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_renormalize_supersedes_old_claims_keeps_decisions_and_opens_a_review(
    store: Store, db_url: str
) -> None:
    docs = demo()
    stored_by_older_normalizer(store, docs)
    store.add_editor("ann", "a long password")
    store.accept(SLUG, "ann", "checked")
    store.override(SLUG, "context_length", 4096, "ann", "vendor docs")
    published = store.published(SLUG)
    assert published is not None and published.record.license.id == "mit"
    old_claims = claims_by_version(store)[(OLD, False)]
    decisions = [d.action for d in store.decisions(SLUG)]
    assert decisions == ["accept", "override"]

    summary = renormalize(db_url, "--workers", "1")

    assert summary["documents"] == len(docs) and summary["version"] == normalizer_version()
    by_version = claims_by_version(store)
    assert by_version[(OLD, True)] == old_claims  # superseded, every one kept
    assert (OLD, False) not in by_version
    assert by_version[(normalizer_version(), False)] > 0
    # the published snapshot stays; the license change waits for an editor
    published = store.published(SLUG)
    assert published is not None and published.record.license.id == "mit"
    [change] = [i for i in store.review_queue(slug=SLUG) if i.field == "license"]
    assert change.kind == "change" and change.new["id"] == "llama3.1"
    resolved = store.resolve(SLUG)
    assert resolved is not None and resolved.record.context_length == 4096  # override stays
    assert [d.action for d in store.decisions(SLUG)] == decisions  # the log stays as it was
    # nothing left to re-read
    assert renormalize(db_url)["documents"] == 0
    assert claims_by_version(store) == by_version


def test_renormalize_killed_midway_resumes_and_writes_nothing_twice(
    store: Store, db_url: str
) -> None:
    stored_by_older_normalizer(store, many(30))
    old_claims = claims_by_version(store)[(OLD, False)]
    proc = subprocess.Popen(
        [TOOLWATCH, "renormalize", "--workers", "1", "--db", db_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def done() -> int:
        with Session(store.engine) as s:
            return (
                s.scalar(
                    select(func.count(Document.id)).where(
                        Document.normalized_version == normalizer_version()
                    )
                )
                or 0
            )

    deadline = time.monotonic() + 300
    while done() < 10:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    for pid in [proc.pid, *map(int, children.stdout.split())]:
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert done() < 60, "the kill came after the last batch"

    summary = renormalize(db_url, "--workers", "1")
    assert 0 < summary["documents"] < 60
    assert done() == 60
    by_version = claims_by_version(store)
    assert by_version[(OLD, True)] == old_claims and (OLD, False) not in by_version
    assert duplicate_claims(store.engine) == 0
