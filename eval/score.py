#!/usr/bin/env python3
"""Score a normalizer against labeled documents.

Usage:
  score.py --labels LABELS.jsonl --docs DIR [--docs DIR2 ...] [--cmd TEMPLATE] [--show-misses] [--json]

Copied from the project's shared eval folder so that `make eval` runs from a clone;
the only change is that --docs may be given several times (eval/docs and
tests/fixtures/corpus together hold every labeled document).

A label given as a list accepts any of its values. A label value of "?" marks a field the document leaves ambiguous: it is not
scored. For every labeled document the command TEMPLATE is run (default:
"toolwatch normalize {path} --kind {kind}" plus " --source-url {url}" when the
label has one). It must print a JSON array of records (see RUBRIC.md for the
fields). Output records are matched to labeled records by name, then every
labeled field is compared.

Figures:
  accuracy      correct values / labeled non-null values
  false_claims  values given where the label is null / labeled null values
  recall        labeled records found / labeled records
  precision     output records that match a label / output records
                (announcements only: a post may mention models it does not announce)
"""
import argparse, json, os, re, shlex, subprocess, sys
from collections import Counter, defaultdict

FIELDS = ["vendor", "license_id", "license_terms", "open_weights", "params_total",
          "params_active", "context_length", "release_date", "task", "base_model"]


def norm(s):
    s = str(s).lower()
    s = s.split("/")[-1] if "/" in s else s
    return re.sub(r"[^a-z0-9]", "", s)


def get(rec, field):
    lic = rec.get("license") or {}
    par = rec.get("parameters") or {}
    return {
        "vendor": rec.get("vendor"),
        "license_id": lic.get("id") if isinstance(lic, dict) else None,
        "license_terms": lic.get("terms") if isinstance(lic, dict) else None,
        "open_weights": rec.get("open_weights"),
        "params_total": par.get("total") if isinstance(par, dict) else None,
        "params_active": par.get("active") if isinstance(par, dict) else None,
        "context_length": rec.get("context_length"),
        "release_date": rec.get("release_date"),
        "task": rec.get("task"),
        "base_model": rec.get("base_model"),
    }[field]


def close(a, b, tol):
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= tol * max(abs(a), abs(b))


def same(field, want, got):
    if isinstance(want, list) and field != "vendor":
        return any(same(field, w, got) for w in want)
    if field == "vendor":
        return norm(got) in {norm(v) for v in (want if isinstance(want, list) else [want])}
    if field in ("params_total", "params_active"):
        return close(want, got, 0.10)
    if field == "context_length":
        return close(want, got, 0.03)
    if field == "release_date":
        w, g = str(want), str(got)
        return w == g or (len(min(w, g, key=len)) >= 7 and (w.startswith(g) or g.startswith(w)))
    if field in ("license_id", "base_model"):
        return norm(want) == norm(got)
    if field in ("license_terms", "task"):
        return str(want).strip().lower() == str(got).strip().lower()
    return want == got


def names(rec):
    out = set()
    for k in ("source_id", "name", "slug"):
        if rec.get(k):
            out.add(norm(rec[k]))
    for a in rec.get("aliases") or []:
        out.add(norm(a))
    return out


def find(docs_dirs, name):
    for docs_dir in docs_dirs:
        path = os.path.join(docs_dir, name)
        if os.path.exists(path):
            return path
        found = [os.path.join(r, name) for r, _, fs in os.walk(docs_dir) if name in fs]
        if found:
            return found[0]
    return os.path.join(docs_dirs[0], name)


def run(template, doc, docs_dirs):
    path = find(docs_dirs, doc["doc"])
    cmd = template.format(path=shlex.quote(path), kind=doc["kind"], url=shlex.quote(doc.get("source_url") or ""))
    if doc.get("source_url") and "{url}" not in template:
        cmd += " --source-url " + shlex.quote(doc["source_url"])
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return None, f"not JSON: {e}"
    if isinstance(out, dict):
        out = [out]
    return out, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", required=True)
    ap.add_argument("--docs", required=True, action="append", help="repeatable")
    ap.add_argument("--cmd", default="toolwatch normalize {path} --kind {kind}")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    labels = [json.loads(l) for l in open(a.labels) if l.strip()]
    tot = Counter()
    per_field = defaultdict(Counter)
    misses = []
    for doc in labels:
        out, err = run(a.cmd, doc, a.docs)
        if err:
            tot["doc_errors"] += 1
            misses.append(f"{doc['doc']}: {err}")
            out = []
        used = set()
        for lab in doc.get("records", []):
            tot["labeled_records"] += 1
            want_names = {norm(m) for m in lab.get("match", [])}
            hit = None
            for i, rec in enumerate(out):
                if i not in used and names(rec) & want_names:
                    hit = i
                    break
            if hit is None and doc["kind"] != "announcement" and len(out) == 1 and len(doc["records"]) == 1:
                hit = 0  # a card describes one model: take its one record
            if hit is None:
                misses.append(f"{doc['doc']}: no record for {lab.get('match', ['?'])[0]}")
                for f in FIELDS:
                    if lab.get(f) not in (None, "?"):
                        tot["labeled"] += 1
                        per_field[f]["labeled"] += 1
                continue
            used.add(hit)
            tot["found_records"] += 1
            rec = out[hit]
            for f in FIELDS:
                want, got = lab.get(f), get(rec, f)
                if want == "?":
                    continue  # the document is ambiguous here: not scored
                if want is None:
                    tot["null_labeled"] += 1
                    if got not in (None, "", [], {}):
                        tot["false_claims"] += 1
                        per_field[f]["false_claims"] += 1
                        misses.append(f"{doc['doc']}: {f} claimed {got!r}, label null")
                    continue
                tot["labeled"] += 1
                per_field[f]["labeled"] += 1
                if got is not None and same(f, want, got):
                    tot["correct"] += 1
                    per_field[f]["correct"] += 1
                else:
                    misses.append(f"{doc['doc']}: {f} want {want!r} got {got!r}")
        if doc["kind"] == "announcement":
            tot["ann_out"] += len(out)
            tot["ann_matched"] += len(used)

    def ratio(x, y):
        return round(x / y, 4) if y else None

    summary = {
        "docs": len(labels),
        "doc_errors": tot["doc_errors"],
        "accuracy": ratio(tot["correct"], tot["labeled"]),
        "false_claims": ratio(tot["false_claims"], tot["null_labeled"]),
        "recall": ratio(tot["found_records"], tot["labeled_records"]),
        "announcement_precision": ratio(tot["ann_matched"], tot["ann_out"]),
        "per_field": {f: ratio(c["correct"], c["labeled"]) for f, c in per_field.items()},
    }
    if a.show_misses:
        print("\n".join(misses), file=sys.stderr)
    if a.json:
        print(json.dumps(summary))
    else:
        for k, v in summary.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
