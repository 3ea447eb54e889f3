"""Benchmark the normalizer over a corpus directory: documents/second and peak memory.

Usage: python bench/normalize_corpus.py [CORPUS_DIR] [--repeat N]
Default corpus: ../shared/corpus beside the checkout if present, else tests/fixtures/corpus.
Folders read: hf_cards (hf-card), hf_api (hf-api, incl. subfolders), other_cards (hf-card),
announcements (announcement; feeds/ skipped: feeds belong to the feed component).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from normalizer import normalize  # noqa: E402

KINDS = {
    "hf_cards": "hf-card",
    "hf_api": "hf-api",
    "other_cards": "hf-card",
    "announcements": "announcement",
}


def default_corpus() -> Path:
    shared = ROOT.parent / "shared" / "corpus"
    return shared if shared.is_dir() else ROOT / "tests" / "fixtures" / "corpus"


def documents(corpus: Path) -> list[tuple[str, Path]]:
    docs: list[tuple[str, Path]] = []
    for folder, kind in KINDS.items():
        base = corpus / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if (
                path.is_file()
                and "feeds" not in path.relative_to(corpus).parts
                and path.name != "MANIFEST.tsv"
            ):
                docs.append((kind, path))
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus (default 3)")
    args = ap.parse_args()
    corpus = args.corpus or default_corpus()
    docs = [(kind, path, path.read_bytes()) for kind, path in documents(corpus)]
    if not docs:
        print(f"no documents under {corpus}", file=sys.stderr)
        return 1
    total_bytes = sum(len(b) for _, _, b in docs)
    # warm-up (imports, compiled regexes, license-expression index)
    for kind, path, body in docs[:3]:
        normalize(kind, body, filename=path.name)
    tracemalloc.start()
    records = errors = 0
    started = time.perf_counter()
    for _ in range(max(1, args.repeat)):
        for kind, path, body in docs:
            try:
                records += len(normalize(kind, body, filename=path.name).records)
            except Exception as exc:  # report and keep measuring
                errors += 1
                print(f"error: {path}: {exc!r}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(docs) * max(1, args.repeat)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"corpus:            {corpus}")
    print(
        f"documents:         {len(docs)} ({total_bytes / 1e6:.1f} MB) x {max(1, args.repeat)} passes"
    )
    print(f"records:           {records // max(1, args.repeat)} per pass; errors: {errors}")
    print(
        f"throughput:        {n / elapsed:.1f} documents/second ({total_bytes * max(1, args.repeat) / elapsed / 1e6:.2f} MB/s)"
    )
    print(f"peak traced alloc: {peak / 1e6:.1f} MB (tracemalloc)")
    print(f"max RSS:           {rss_kb / 1024:.1f} MB (resource)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
