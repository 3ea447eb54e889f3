"""Benchmark: match suggestions alone, blocking index against all pairs, same run.

Every tool of a synthetic price list (`price_list_ingest.price_list`: N models in N/10
made-up families) is suggested against the tools before it, then filed -- what ingest
does for each new candidate. `blocked` is `storage.matching.MatchIndex`; `all pairs`
runs the same comparison against every earlier tool (the cost before the index),
only up to `--pairs-max` tools because it grows with the square.

Usage: python bench/match_index.py [--entries 5000 100000] [--pairs-max 5000]
       python bench/match_index.py --entries 100000 --memory   (separate pass)
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from price_list_ingest import price_list  # noqa: E402

from normalizer.identity import canonical_slug, family_of  # noqa: E402
from storage.matching import MatchIndex, _Entry, _entry, suggest_matches  # noqa: E402


class AllPairs(MatchIndex):
    """No blocking: every earlier tool is a candidate."""

    def __init__(self) -> None:
        super().__init__()
        self._all: list[_Entry] = []

    def append(self, tool: Any) -> None:
        self._all.append(_entry(tool))

    def candidates(self, keys: Any) -> list[_Entry]:
        return self._all


def tools(n: int) -> list[SimpleNamespace]:
    entries = json.loads(price_list(n))["data"]
    out = []
    for e in entries:
        name = e["name"].split(": ", 1)[-1]
        out.append(
            SimpleNamespace(
                slug=canonical_slug(name),
                name=name,
                family=family_of(name),
                vendor=e["id"].split("/")[0],
                source_id=None,
            )
        )
    return out


def run(items: list[SimpleNamespace], index: MatchIndex) -> tuple[float, int]:
    found = 0
    start = time.perf_counter()
    for tool in items:
        found += len(suggest_matches(tool, tool, index))  # type: ignore[arg-type]
        index.append(tool)
    return time.perf_counter() - start, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, nargs="+", default=[5000, 100000])
    ap.add_argument("--pairs-max", type=int, default=5000)
    ap.add_argument("--memory", action="store_true")
    args = ap.parse_args()
    if args.memory:
        items = tools(args.entries[0])
        tracemalloc.start()
        seconds, found = run(items, MatchIndex())
        _, peak = tracemalloc.get_traced_memory()
        print(json.dumps({
            "entries": len(items), "suggestions": found, "seconds_traced": round(seconds, 1),
            "index_peak_traced_mb": round(peak / 2**20, 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }))  # fmt: skip
        return
    for n in args.entries:
        items = tools(n)
        blocked, found = run(items, MatchIndex())
        row: dict[str, Any] = {
            "entries": n,
            "suggestions": found,
            "blocked_s": round(blocked, 2),
            "blocked_ms_per_tool": round(blocked * 1000 / n, 3),
        }
        if n <= args.pairs_max:
            pairs, pairs_found = run(items, AllPairs())
            row |= {
                "all_pairs_s": round(pairs, 2),
                "all_pairs_suggestions": pairs_found,
                "speedup": round(pairs / blocked, 1),
            }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
