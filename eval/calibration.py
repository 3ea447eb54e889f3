"""Calibration of claim confidences: how often a claim at a given confidence is right.

Usage: python eval/calibration.py [LABELS.jsonl ...] [--docs DIR ...] [--out eval/calibration.md]

Records are matched to labels exactly as eval/score.py matches them (its functions are
reused). Every value the normalizer gives for a labeled field ("?" excepted) is one
claim: right when it equals the label, wrong otherwise (a value where the label is null
is wrong). Its confidence is the provenance confidence of the field that carries it
(`license` for license id and terms, `parameters` for total and active).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from normalizer import normalize  # noqa: E402

_spec = importlib.util.spec_from_file_location("score", ROOT / "eval" / "score.py")
score = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(score)  # type: ignore[union-attr]

PROVENANCE_KEY = {
    "vendor": "vendor",
    "license_id": "license",
    "license_terms": "license",
    "open_weights": "open_weights",
    "params_total": "parameters",
    "params_active": "parameters",
    "context_length": "context_length",
    "release_date": "release_date",
    "task": "task",
    "base_model": "base_model",
}
BINS = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)]
DEFAULT_SETS = [
    "eval/dev.jsonl",
    "eval/heldout.jsonl",
    "eval/heldout2.jsonl",
    "eval/heldout3.jsonl",
]


def claims(labels: Path, docs: list[str]) -> list[tuple[float, bool, str]]:
    """(confidence, right, field) for every scored value the normalizer gives."""
    out: list[tuple[float, bool, str]] = []
    for line in labels.read_text().splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        path = score.find(docs, doc["doc"])
        result = normalize(doc["kind"], Path(path).read_bytes(), doc.get("source_url") or None,
                           filename=Path(path).name)  # fmt: skip
        recs = [r.model_dump(mode="json", exclude_none=True) for r in result.records]
        used: set[int] = set()
        for lab in doc.get("records", []):
            want = {score.norm(m) for m in lab.get("match", [])}
            hit = next(
                (i for i, r in enumerate(recs) if i not in used and score.names(r) & want), None
            )
            if (
                hit is None
                and doc["kind"] != "announcement"
                and len(recs) == 1 == len(doc["records"])
            ):
                hit = 0
            if hit is None:
                continue
            used.add(hit)
            rec = recs[hit]
            for field in score.FIELDS:
                want_v, got = lab.get(field), score.get(rec, field)
                if want_v == "?" or got in (None, "", [], {}):
                    continue
                conf = (
                    rec.get("provenance", {}).get(PROVENANCE_KEY[field], {}).get("confidence", 1.0)
                )
                right = want_v is not None and score.same(field, want_v, got)
                out.append((float(conf), right, field))
    return out


def table(rows: list[tuple[float, bool, str]]) -> str:
    lines = ["| confidence | claims | right | share right |", "|---|---:|---:|---:|"]
    for lo, hi in BINS:
        sel = [r for c, r, _ in rows if lo <= c < hi]
        share = f"{sum(sel) / len(sel):.3f}" if sel else "-"
        label = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
        lines.append(f"| {label} | {len(sel)} | {sum(sel)} | {share} |")
    hi = [r for c, r, _ in rows if c >= 0.9]
    if hi:
        lines.append(f"| **>= 0.90** | {len(hi)} | {sum(hi)} | **{sum(hi) / len(hi):.3f}** |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labels", nargs="*", default=DEFAULT_SETS)
    ap.add_argument("--docs", action="append", default=None)
    ap.add_argument("--out", default=None, help="write the tables as Markdown here")
    args = ap.parse_args()
    docs = args.docs or [str(ROOT / "eval" / "docs"), str(ROOT / "tests" / "fixtures" / "corpus")]
    parts = ["# Confidence calibration", "", "Written by `python eval/calibration.py --out "
             "eval/calibration.md` (also `make calibration`). A claim is one value given for a "
             "labeled field; see the docstring of `eval/calibration.py`. The sets below are not "
             "blind (they were used while the rules were written).", ""]  # fmt: skip
    everything: list[tuple[float, bool, str]] = []
    for name in args.labels:
        rows = claims(ROOT / name if not Path(name).is_absolute() else Path(name), docs)
        everything += rows
        parts += [f"## {name}", "", table(rows), ""]
    parts += ["## all sets together", "", table(everything), ""]
    text = "\n".join(parts)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
