#!/usr/bin/env python
"""Score identity (which names join one tool) against eval/identity_pairs.jsonl.

    .venv/bin/python eval/score_identity.py [--pairs eval/identity_pairs.jsonl] [--errors]

Each labeled pair is two names as real corpus documents write them, with what those
documents state beside the name (the Hub repo a provider entry names, the API names a
registry lists), labeled same/different by reading the documents. Both sides become
records; the scorer runs the ingest's own matching decisions (`storage.ingest`:
repo id, exact alias, tool key, slug, alias) with one side already a tool, in both
orders, and the merge suggestions (`storage.matching.suggest_matches`) when they do
not join. Automatic joins: a join in either order counts for precision (a wrong join
in any order is a wrong join), a join in both orders for recall. Suggestions are
scored on the pairs that were not joined.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from normalizer.identity import aliases_for, family_of, slugify  # noqa: E402
from normalizer.models import ToolRecord  # noqa: E402
from storage.ingest import _other_release, tool_keys  # noqa: E402
from storage.matching import suggest_matches  # noqa: E402
from storage.names import norm_alias, norm_source_id  # noqa: E402


@dataclass
class FakeTool:
    """What matching reads of a stored tool."""

    slug: str
    name: str
    family: str | None
    vendor: str | None = None
    aliases: set[str] = field(default_factory=set)
    variants: set[str] = field(default_factory=set)


def record(side: dict) -> ToolRecord:
    name, source_id = side["name"], side.get("source_id")
    slug = slugify(source_id.replace("/", "-") if source_id else name)
    return ToolRecord(
        name=name,
        slug=slug,
        source_id=source_id,
        aliases=aliases_for(source_id, name, side.get("aliases", [])),
        family=family_of(source_id or name),
    )


def as_tool(rec: ToolRecord) -> FakeTool:
    keys = tool_keys(rec)
    return FakeTool(
        slug=keys[0] if keys else rec.slug,
        name=rec.name,
        family=rec.family,
        aliases={norm_alias(a) for a in (rec.name, rec.slug, *rec.aliases) if a},
        variants={norm_source_id(rec.source_id)} if rec.source_id else set(),
    )


def joins(rec: ToolRecord, tool: FakeTool) -> bool:
    """The decisions of `storage.ingest.BatchWriter._match`, against one tool."""
    if rec.source_id and norm_source_id(rec.source_id) in tool.variants:
        return True
    if not rec.source_id and norm_alias(rec.name) in tool.aliases:
        return True
    if (tool.slug in tool_keys(rec) or rec.slug == tool.slug) and not _other_release(
        rec,
        tool,  # type: ignore[arg-type]
    ):
        return True
    return any(norm_alias(t) in tool.aliases for t in (rec.slug, rec.name, *rec.aliases) if t)


def suggested(rec: ToolRecord, tool: FakeTool) -> bool:
    new = as_tool(rec)
    return bool(suggest_matches(new, rec, [tool]))  # type: ignore[arg-type]


def ratio(n: int, d: int) -> float:
    return n / d if d else 1.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=Path, default=Path(__file__).parent / "identity_pairs.jsonl")
    ap.add_argument("--errors", action="store_true", help="print every wrong decision")
    args = ap.parse_args(argv)
    pairs = [json.loads(line) for line in args.pairs.read_text("utf-8").splitlines() if line]
    tp_any = fp_any = tp_both = same = sug_tp = sug_fp = 0
    errors: list[str] = []
    for p in pairs:
        a, b = record(p["a"]), record(p["b"])
        ab, ba = joins(a, as_tool(b)), joins(b, as_tool(a))
        label = p["same"]
        same += label
        if ab or ba:
            tp_any += label
            fp_any += not label
            if not label:
                errors.append(f"WRONG JOIN   {a.name!r} ~ {b.name!r} ({p['why']})")
        if ab and ba and label:
            tp_both += 1
        elif label:
            errors.append(f"MISSED       {a.name!r} ~ {b.name!r} (joined one way: {ab or ba})")
        if not (ab or ba) and (suggested(a, as_tool(b)) or suggested(b, as_tool(a))):
            sug_tp += label
            sug_fp += not label
            if not label:
                errors.append(f"WRONG SUGGEST {a.name!r} ~ {b.name!r} ({p['why']})")
    report = {
        "pairs": len(pairs),
        "same": same,
        "different": len(pairs) - same,
        "join_precision": round(ratio(tp_any, tp_any + fp_any), 3),
        "join_recall": round(ratio(tp_both, same), 3),
        "joins": tp_any + fp_any,
        "wrong_joins": fp_any,
        "suggestions": sug_tp + sug_fp,
        "suggestion_precision": round(ratio(sug_tp, sug_tp + sug_fp), 3),
    }
    if args.errors:
        print("\n".join(errors))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
