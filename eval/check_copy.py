#!/usr/bin/env python
"""Check the comparison copy of every tool in a database (the demo's, by default):
each has a category, and no description or best-for is about benchmarks, code or
installation (`normalizer.copy.off_topic`).

    .venv/bin/python eval/check_copy.py [--db sqlite:///demo.db]

Prints one line per problem and a summary; exit 1 when there is a problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from normalizer.copy import off_topic, sentences  # noqa: E402
from storage.store import Store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="sqlite:///demo.db")
    args = ap.parse_args(argv)
    problems, n = [], 0
    with Store(args.db) as store:
        for summary in store.list_tools():
            resolved = store.resolve(summary.slug)
            if resolved is None:
                continue
            rec, n = resolved.record, n + 1
            if not rec.category:
                problems.append(f"{rec.slug}: no category")
            for field in ("description", "tagline"):
                text = getattr(rec, field)
                bad = [s for s in sentences(text or "") if off_topic(s)]
                if bad:
                    problems.append(f"{rec.slug}: {field} off topic: {bad[0][:80]!r}")
    for p in problems:
        print(p)
    print(f"{n} tools, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
