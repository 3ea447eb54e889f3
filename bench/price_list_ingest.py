"""Benchmark: a large provider price list through normalise + ingest (match suggestions
included), to show both grow about linearly with the list.

The list is assembled for the benchmark, in the shape of OpenRouter's `/api/v1/models`
(keys of a real entry of tests/fixtures/price_lists/openrouter_api_v1_models__madviking__
2025__subset.json, kept to id, name, context_length and prompt/completion prices, about
150 bytes an entry as in the issue's 2.6 MB for 20,000); ids, names and prices are
synthetic -- N models in
N/10 made-up families (each with versions, sizes -- a fifth unstated -- and variants,
so blocks are realistic: about ten alike names per family) from 50 vendors.

Usage: python bench/price_list_ingest.py [--entries 5000 20000 100000] [--db URL]
       python bench/price_list_ingest.py --entries 100000 --memory
Timing runs first; `--memory` is a separate pass (tracemalloc slows everything down)
reporting peak traced allocation and max RSS for one size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from normalizer.models import DocKind, RawDocument  # noqa: E402
from normalizer.price_list import normalize_price_list  # noqa: E402
from storage.schema import MatchSuggestion  # noqa: E402
from storage.store import Store  # noqa: E402

TEMPLATE = (
    ROOT / "tests/fixtures/price_lists/openrouter_api_v1_models__madviking__2025__subset.json"
)
SYLLABLES = ["ka", "lo", "mi", "ne", "qua", "ri", "sto", "ta", "vel", "xo", "zen", "bri", "dra"]
VARIANTS = ["instruct", "chat", "base", "coder", "vision"]


def price_list(n: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    template = json.loads(TEMPLATE.read_text())["data"][0]
    families = [
        "".join(rng.choice(SYLLABLES) for _ in range(3)) + str(i) for i in range(max(1, n // 10))
    ]
    entries, seen = [], set()
    while len(entries) < n:
        family = rng.choice(families)
        vendor = f"vendor{hash(family) % 50:02d}"
        version = f"{rng.randint(1, 4)}.{rng.randint(0, 2)}"
        size = rng.choice([1, 3, 7, 8, 13, 34, 70, 405, 0, 0])  # 0: size unstated
        variant = rng.choice(VARIANTS)
        sized = f"-{size}b" if size else ""
        model_id = f"{vendor}/{family}-{version}{sized}-{variant}"
        if model_id in seen:
            continue
        seen.add(model_id)
        price = rng.randint(1, 400) / 1e8
        entries.append(
            {
                "id": model_id,
                "name": f"{vendor.title()}: {family.title()} {version}{sized.upper().replace('-', ' ')} {variant}",
                "context_length": template["context_length"],
                "pricing": {k: template["pricing"][k] for k in ("prompt", "completion")}
                | {"prompt": f"{price:.10f}", "completion": f"{price * 3:.10f}"},
            }
        )
    return json.dumps({"data": entries}).encode()


def run(n: int, db: str | None) -> dict[str, float]:
    body = price_list(n)
    doc = RawDocument(
        url=f"https://openrouter.ai/api/v1/models?bench={n}",
        kind=DocKind.PRICE_LIST,
        body=body,
        fetched_at=datetime(2025, 6, 1, tzinfo=UTC),
        content_type="application/json",
        meta={"provider": "openrouter", "format": "openrouter"},
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(db or f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        # the extractor itself: the dispatcher's per-document time budget (20 s) would
        # refuse the largest lists on this machine before ingest is ever reached
        result = normalize_price_list(body.decode(), doc.url, doc.fetched_at)
        t1 = time.perf_counter()
        stats = store.ingest_batch([(doc, result)])
        t2 = time.perf_counter()
        with store.engine.connect() as conn:
            suggestions = conn.scalar(select(func.count()).select_from(MatchSuggestion))
        store.close()
    return {
        "entries": n,
        "bytes": len(body),
        "records": len(result.records),
        "tools_new": stats.tools_new,
        "suggestions": suggestions,
        "normalize_s": round(t1 - t0, 1),
        "ingest_s": round(t2 - t1, 1),
        "total_s": round(t2 - t0, 1),
        "ms_per_entry": round((t2 - t0) * 1000 / n, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, nargs="+", default=[5000, 20000, 100000])
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    ap.add_argument("--memory", action="store_true", help="peak memory pass (one size)")
    args = ap.parse_args()
    if args.memory:
        tracemalloc.start()
        out = run(args.entries[0], args.db)
        _, peak = tracemalloc.get_traced_memory()
        out["peak_traced_mb"] = round(peak / 2**20, 1)
        out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(out))
        return
    for n in args.entries:
        print(json.dumps(run(n, args.db)), flush=True)


if __name__ == "__main__":
    main()
