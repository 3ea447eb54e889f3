"""Benchmark a Hugging Face crawl and its re-crawl: toolwatch vs raw Scrapy, same local Hub.

Runs, one after the other, against one synthetic Hub (`bench/local_hub.py`: N models,
the listing's sha is the model's sha, as on the real Hub):

1. raw Scrapy: the same spider with no item pipeline (the reference);
2. toolwatch, first crawl into a fresh SQLite file: documents stored raw, normalised
   by the process pool, claims written; timed until the run has written everything;
3. toolwatch, the same crawl again: every model is unchanged;
4. raw Scrapy again, with the incremental state of (2): what fetching only the
   listing pages costs (the reference for the re-crawl).

It prints pages/s and the ratio of (2) to (1), and for (3) its requests and seconds
against (2), and the time it spends beyond (4) as a share of (2). Peak RSS is the
kernel's figure for the crawl processes (no tracer in the timed runs).

Usage: python bench/crawl_pipeline.py [--models 300] [--page-size 100] [--workers 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawls import Crawl, command, run, sources_file  # noqa: E402
from local_hub import LocalHub  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=300)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--workers", type=int, default=0, help="normalise processes (0: cores)")
    args = ap.parse_args()
    extra = {"TOOLWATCH_NORMALIZE": "pool", "TOOLWATCH_NORMALIZE_WORKERS": str(args.workers)}
    with tempfile.TemporaryDirectory() as tmp, LocalHub(args.models) as hub:
        work = Path(tmp)
        sources = sources_file(work, args.page_size)
        db = f"sqlite:///{work}/bench.db"
        scratch = f"sqlite:///{work}/raw.db"

        def crawl(db_url: str, pipeline: bool) -> tuple[Crawl, int]:
            hub.reset()
            r = run([command(hub.endpoint, sources, db_url, pipeline=pipeline, extra=extra)])
            return r, sum(hub.reset().values())

        raw, raw_n = crawl(scratch, pipeline=False)
        first, pages = crawl(db, pipeline=True)
        again, again_n = crawl(db, pipeline=True)
        listing, listing_n = crawl(db, pipeline=False)
    print(f"{args.models} models, {pages} pages in a first crawl, same local Hub, one run each")
    rows = (
        ("raw Scrapy (no pipeline)", raw, raw_n),
        ("toolwatch first crawl", first, pages),
        ("toolwatch re-crawl", again, again_n),
        ("raw Scrapy, listings only", listing, listing_n),
    )
    for label, r, n in rows:
        print(
            f"  {label:26s} {r.seconds:6.2f} s  {n / r.seconds:7.1f} pages/s  {n:5d} requests"
            f"  cpu {r.cpu_seconds:6.2f} s  peak RSS {r.peak_rss_mib:.0f} MiB"
        )
    print(f"  first crawl ratio (toolwatch / raw), wall: {raw.seconds / first.seconds:.2f}")
    print(f"  re-crawl / first crawl: {again.seconds / first.seconds:.3f} of the time,")
    print(f"    {again_n / pages:.3f} of the requests")
    beyond = max(again.seconds - listing.seconds, 0.0)
    print(
        f"  re-crawl beyond the listing pages: {beyond:.2f} s"
        f" = {beyond / first.seconds:.3f} of the first crawl"
    )


if __name__ == "__main__":
    main()
