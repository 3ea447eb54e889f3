"""Benchmark `Store.ingest_batch` alone: milliseconds per document, new and seen.

Builds the documents a Hugging Face crawl of N models yields (model info, config.json
and card per model, the demo cassette's real bodies under synthetic repo ids, as
bench/local_hub.py serves them), normalises them once (not timed), then
ingests them in pipeline-sized batches into a fresh database and times:

- `new`:  the first ingest (new documents, tools, variants, aliases, claims);
- `seen`: the same batches again (every document already stored: a re-crawl).

Usage: python bench/ingest_batch.py [--models 100] [--batch 25] [--db URL]
                                    [--profile FILE.prof]
`--db` defaults to a temporary SQLite file; a PostgreSQL URL must name an empty
database/schema. `--profile` writes cProfile stats of the `new` pass.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from local_hub import real_bodies  # noqa: E402

from crawler.pipelines import normalize_document  # noqa: E402
from normalizer.models import DocKind, NormalizeResult, RawDocument  # noqa: E402
from storage.store import Store  # noqa: E402

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def documents(n_models: int) -> list[RawDocument]:
    info, config, card = real_bodies()
    docs: list[RawDocument] = []
    for i in range(n_models):
        repo = f"bench/model-{i:05d}"
        at = T0 + timedelta(seconds=i)
        body = json.dumps(info | {"id": repo, "modelId": repo}).encode()
        docs.append(
            RawDocument(
                url=f"https://huggingface.co/api/models/{repo}",
                kind=DocKind.HF_API,
                body=body,
                fetched_at=at,
                content_type="application/json",
                meta={"source_id": repo},
            )
        )
        docs.append(
            RawDocument(
                url=f"https://huggingface.co/{repo}/raw/main/config.json",
                kind=DocKind.HF_CONFIG,
                body=config,
                fetched_at=at,
                content_type="application/json",
                meta={"source_id": repo},
            )
        )
        docs.append(
            RawDocument(
                url=f"https://huggingface.co/{repo}/raw/main/README.md",
                kind=DocKind.HF_CARD,
                body=card,
                fetched_at=at,
                content_type="text/plain",
                meta={"source_id": repo, "state_key": f"hf:{repo}", "sha": f"{i:040d}"},
            )
        )
    return docs


def ingest(
    store: Store, pairs: list[tuple[RawDocument, NormalizeResult]], batch: int
) -> tuple[float, dict[str, int]]:
    totals: dict[str, int] = {}
    start = time.perf_counter()
    for at in range(0, len(pairs), batch):
        stats = store.ingest_batch(pairs[at : at + batch])
        for key, value in stats.model_dump().items():
            totals[key] = totals.get(key, 0) + int(value)
    return time.perf_counter() - start, totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--db", default=None)
    ap.add_argument("--profile", default=None)
    args = ap.parse_args()
    docs = documents(args.models)
    pairs = [(doc, normalize_document(doc)) for doc in docs]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/ingest-bench.db"
        with Store(url) as store:
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            new_s, new_stats = ingest(store, pairs, args.batch)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            seen_s, seen_stats = ingest(store, pairs, args.batch)
            backend = store.engine.dialect.name
    n = len(pairs)
    print(f"{n} documents ({args.models} models), batches of {args.batch}, {backend}")
    print(f"  new : {new_s * 1000 / n:7.2f} ms/doc  {new_stats}")
    print(f"  seen: {seen_s * 1000 / n:7.2f} ms/doc  {seen_stats}")


if __name__ == "__main__":
    main()
