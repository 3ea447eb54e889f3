"""Benchmark scale-out: crawl pages/s at 1, 2 and 4 crawler processes on one frontier,
and normalise documents/s at 1 and 2 worker processes.

All crawls hit one synthetic Hub on 127.0.0.1 (`bench/local_hub.py`, default 2,000
models). The reference, measured in the same run, is raw Scrapy: the same spider,
one process, no item pipeline. toolwatch runs store raw documents and normalise them
in a process pool (cores shared between the crawler processes), into one fresh
database each (PostgreSQL when reachable, as many processes write at once); with 2
and 4 processes they share one scrapy-redis frontier (Redis, a unique key prefix,
removed afterwards). Each run's database is checked: every model's three documents (model
info, config.json, card) stored once, no duplicate current claims.

Normalise: the documents of the 1-process run, captured again into fresh databases,
then normalised by a pool of 1 and of 2 workers (documents/s until all are written).

Usage: python bench/crawl_scale.py [--models 2000] [--processes 1 2 4] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawls import command, run, sources_file  # noqa: E402
from local_hub import LocalHub  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from storage.schema import Claim, Document  # noqa: E402
from storage.store import Store  # noqa: E402
from workers.pool import PoolNormalizers  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


@contextmanager
def database(pg: str | None, workdir: Path, name: str) -> Iterator[str]:
    """A fresh PostgreSQL schema (dropped afterwards), else a SQLite file."""
    if pg:
        admin = create_engine(pg)
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    else:
        yield f"sqlite:///{workdir}/{name}.db"


def check(db: str) -> dict[str, int]:
    with Store(db) as store, Session(store.engine) as s:
        current = select(Claim).where(Claim.superseded_at.is_(None)).subquery()
        key = (current.c.document_id, current.c.record_key, current.c.field)
        return {
            "documents": s.scalar(select(func.count(Document.id))) or 0,
            "distinct": s.scalar(
                select(func.count()).select_from(
                    select(Document.url, Document.content_hash).distinct().subquery()
                )
            )
            or 0,
            "claims": s.scalar(select(func.count()).select_from(current)) or 0,
            "duplicate_claims": s.scalar(
                select(func.count()).select_from(
                    select(*key).group_by(*key).having(func.count() > 1).subquery()
                )
            )
            or 0,
            "pending": len(store.pending_documents()),
        }


def pg_reachable(url: str) -> bool:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - no PostgreSQL: SQLite
        return False


def normalise_rate(source_db: str, db: str, workers: int) -> tuple[int, float]:
    with Store(source_db) as src:
        docs = [d.document for d in src.load_documents(src.pending_documents("-", limit=10**9))]
    with Store(db) as store:
        store.capture(docs)
        pool = PoolNormalizers(store, db, None, workers)
        start = time.perf_counter()
        try:
            pool.drain()
        finally:
            pool.close()
        return len(docs), time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=2000)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--pg", default=os.environ.get("TOOLWATCH_PG_URL", PG))
    ap.add_argument("--redis", default=REDIS)
    args = ap.parse_args()
    pg = args.pg if args.pg and pg_reachable(args.pg) else None
    cores = len(os.sched_getaffinity(0))
    print(
        f"{args.models} models, local Hub; database: {'PostgreSQL' if pg else 'SQLite'};"
        f" {cores} cores; load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp, LocalHub(args.models) as hub:
        work = Path(tmp)
        sources = sources_file(work, args.page_size)
        hub.reset()
        raw = run(
            [command(hub.endpoint, sources, f"sqlite:///{work}/raw.db", pipeline=False, extra={})]
        )
        pages = sum(hub.reset().values())
        raw_rate = pages / raw.seconds
        print(
            f"  raw Scrapy, 1 process      {raw.seconds:7.2f} s  {raw_rate:7.1f} pages/s"
            f"  {pages} pages  cpu {raw.cpu_seconds:.1f} s"
        )
        first_db = None
        for n in args.processes:
            with database(pg, work, f"p{n}") as db:
                extra = {
                    "TOOLWATCH_NORMALIZE": "pool",
                    "TOOLWATCH_NORMALIZE_WORKERS": str(max(1, cores // n)),
                }
                if n > 1:
                    extra |= {
                        "TOOLWATCH_FRONTIER": args.redis,
                        "TOOLWATCH_FRONTIER_KEY": f"bench-{uuid.uuid4().hex[:10]}",
                    }
                Store(db).close()  # migrate once, before the processes race to
                cmds = [command(hub.endpoint, sources, db, pipeline=True, extra=extra)] * n
                r = run(cmds)
                got = sum(hub.reset().values())
                c = check(db)
                ok = (
                    c["documents"] == c["distinct"] == 3 * args.models
                    and c["duplicate_claims"] == 0
                    and c["pending"] == 0
                )
                print(
                    f"  toolwatch, {n} process{'es' if n > 1 else '  '}    {r.seconds:7.2f} s"
                    f"  {got / r.seconds:7.1f} pages/s  {got} pages  cpu {r.cpu_seconds:.1f} s"
                    f"  ratio to raw {got / r.seconds / raw_rate:.2f}"
                    f"  documents {c['documents']} claims {c['claims']}"
                    f"  duplicates {c['documents'] - c['distinct']}/{c['duplicate_claims']}"
                    f"  {'ok' if ok else 'CHECK FAILED'}"
                )
                if first_db is None:
                    with database(None, work, "normalise-source") as keep:
                        with Store(db) as src, Store(keep) as dst:
                            ids = src.pending_documents("-", limit=10**9)
                            dst.capture([d.document for d in src.load_documents(ids)])
                        first_db = keep
        for workers in (1, 2):
            with database(pg, work, f"n{workers}") as db:
                n_docs, seconds = normalise_rate(first_db, db, workers)
                print(
                    f"  normalise, {workers} worker{'s' if workers > 1 else ' '}       "
                    f"{seconds:7.2f} s  {n_docs / seconds:7.1f} documents/s  {n_docs} documents"
                )


if __name__ == "__main__":
    main()
