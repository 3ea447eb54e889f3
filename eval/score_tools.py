#!/usr/bin/env python
"""Score resolved tool records against the tool-level truth table eval/tool_truth.jsonl.

    .venv/bin/python eval/score_tools.py [--db sqlite:///demo.db] [--errors]

Without --db a fresh replayed crawl (`toolwatch crawl --demo`, the recorded real
documents) is made into a temporary database first. Each truth row names a tool (a
Hub repo id or a name, looked up like every command does) and what a careful editor
records from every recorded source it has (eval/RUBRIC.md; "?" is not scored, null
means no source states it, so a filled value is wrong). Numbers agree within rounding
(128K = 131072 = 128000, 7.24B ~ 7.3B: `storage.resolve.numbers_agree`).

Also checked, for every scored field: the value was not taken from a worse source
(source rank, `storage.ranking`) when a better one stated a value the winner
disagrees with.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from storage.ranking import DEFAULT_POLICY, is_guess  # noqa: E402
from storage.resolve import compatible, numbers_agree  # noqa: E402
from storage.store import Store  # noqa: E402

FIELD_OF = {
    "license_id": "license",
    "params_total": "parameters",
    "params_active": "parameters",
}


def actual(rec: Any, key: str) -> Any:
    if key == "license_id":
        return rec.license.id if rec.license else None
    if key == "params_total":
        return rec.parameters.total if rec.parameters else None
    if key == "params_active":
        return rec.parameters.active if rec.parameters else None
    return getattr(rec, key)


def agrees(key: str, want: Any, got: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if key == "vendor":
        return str(got).casefold() in {v.casefold() for v in want}
    if isinstance(want, int) and not isinstance(want, bool) and isinstance(got, int):
        return numbers_agree(want, got)
    return want == got


def worse_source(resolved: Any, key: str) -> str | None:
    """The better-ranked stated claim the winner disagrees with, if any."""
    field = FIELD_OF.get(key, key)
    prov = resolved.record.provenance.get(field)
    if prov is None or prov.source_kind in (None, "override", "derived"):
        return None
    won = DEFAULT_POLICY.rank(field, prov.source_kind, prov.method)
    value = getattr(resolved.record, field)
    value = value.model_dump(mode="json") if hasattr(value, "model_dump") else value
    for claim in resolved.claims:
        if claim.field != field or is_guess(claim.method):
            continue
        if DEFAULT_POLICY.rank(field, claim.source_kind, claim.method) < won and not compatible(
            value, claim.value
        ):
            return f"{claim.source_kind} ({claim.method}) said {claim.value!r}"
    return None


def crawl_demo(db: str) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "toolwatch"), "crawl", "--demo", "--db", db],
        check=True,
        capture_output=True,
        cwd=REPO,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="score this database instead of a fresh replayed crawl")
    ap.add_argument("--truth", type=Path, default=Path(__file__).parent / "tool_truth.jsonl")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.truth.read_text("utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/replayed.db"
        if not args.db:
            crawl_demo(db)
        right = wrong = 0
        errors: list[str] = []
        worse: list[str] = []
        per_field: dict[str, list[int]] = {}
        with Store(db) as store:
            for row in rows:
                slug = store.tool_slug_for(row["ref"])
                resolved = store.resolve(slug) if slug else None
                for key, want in row["fields"].items():
                    if want == "?":
                        continue
                    got = actual(resolved.record, key) if resolved else "<no tool>"
                    ok = resolved is not None and agrees(key, want, got)
                    right, wrong = right + ok, wrong + (not ok)
                    per_field.setdefault(key, [0, 0])[0 if ok else 1] += 1
                    if not ok:
                        errors.append(f"{row['ref']}: {key} = {got!r}, truth {want!r}")
                    if resolved is not None and (why := worse_source(resolved, key)):
                        worse.append(f"{row['ref']}: {key} from a worse source; {why}")
    report = {
        "tools": len(rows),
        "fields_scored": right + wrong,
        "accuracy": round(right / (right + wrong), 3) if right + wrong else None,
        "wrong": wrong,
        "filled_from_a_worse_source": len(worse),
        "per_field_right_wrong": per_field,
    }
    if args.errors:
        print("\n".join(errors + worse))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
