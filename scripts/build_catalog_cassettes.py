#!/usr/bin/env python
"""Build the catalog replay cassette and watchlist from ../shared/corpus.

    .venv/bin/python scripts/build_catalog_cassettes.py [--corpus ../shared/corpus] [--check]

Writes crawler/fixtures/cassettes/catalogs_demo.yaml: `GET` of each catalog file in
`DEMO_FILES` at its raw GitHub URL (repository, commit and path from the corpus's
MANIFEST.tsv), answered with the corpus file byte for byte (`X-Toolwatch-Source`),
plus the robots.txt of raw.githubusercontent.com (assembled allow-all). Envelopes are
assembled (status, Content-Type, the fixed Date of scripts/build_cassettes.py, and an
`ETag` made of the first 20 hex digits of the body's SHA-256, so a re-crawl sends
If-None-Match). The `[[catalogs]]` of crawler/fixtures/demo_sources.toml must list
exactly these URLs (checked). Deterministic; `--check` fails if a file would change.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from build_cassettes import JSON, TEXT, _get, write_or_check  # noqa: E402

from crawler.cassettes import Interaction, save_cassette  # noqa: E402

BUILDER = "scripts/build_catalog_cassettes.py"
RAW = "https://raw.githubusercontent.com"
DEMO_FILES = (
    "catalogs/mistral_platform_docs/mixtral-8x22b-0-1-0-3.ts",
    "catalogs/mistral_platform_docs/mistral-small-3-0-25-01.ts",
    "catalogs/mistral_platform_docs/mixtral-8x7b-0-1.ts",
    "catalogs/mistral_platform_docs/codestral-24-05.ts",
    "catalogs/mistral_platform_docs/voxtral-small-25-07.ts",
    "catalogs/mistral_platform_docs/mistral-embed-23-12.ts",
    "catalogs/lmstudio-model-catalog__catalog.json",
    "other_cards/azureml/mistralai-Mixtral-8x22B-Instruct-v0-1/spec.yaml",
    "other_cards/docker_hub__ai__mistral.md",
)


def manifest(corpus: Path) -> dict[str, tuple[str, str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter="\t")
        return {r[0]: (r[2], r[4], r[3]) for r in rows if len(r) >= 5}


def raw_url(corpus: Path, rel: str) -> str:
    repo, commit, path = manifest(corpus)[rel]
    return f"{RAW}/{repo}/{commit}/{path}"


def robots() -> Interaction:
    return _get(
        f"{RAW}/robots.txt",
        200,
        b"User-agent: *\nAllow: /\n",
        TEXT,
        assembled=f"minimal allow-all robots.txt written by {BUILDER}; the real one was "
        "not available offline",
    )


def catalog(corpus: Path, rel: str) -> Interaction:
    body = (corpus / rel).read_bytes()
    ctype = JSON if rel.endswith(".json") else TEXT
    etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    return _get(
        raw_url(corpus, rel), 200, body, ctype, source=f"corpus/{rel}", extra={"ETag": etag}
    )


def check_sources(corpus: Path, root: Path) -> None:
    data = tomllib.loads((root / "crawler/fixtures/demo_sources.toml").read_text("utf-8"))
    listed = [c["url"] for c in data.get("catalogs", [])]
    want = [raw_url(corpus, rel) for rel in DEMO_FILES]
    if listed != want:
        raise SystemExit(f"demo_sources.toml [[catalogs]] must be, in order: {want}")


def build(corpus: Path, out: Path) -> list[Path]:
    interactions = [robots(), *(catalog(corpus, rel) for rel in DEMO_FILES)]
    meta = {
        "toolwatch": {
            "built_by": BUILDER,
            "description": "demo: vendor and app catalogs (Mistral docs registry, LM Studio, "
            "Azure ML, Docker Hub), real corpus bodies at their raw GitHub URLs",
        }
    }
    check_sources(corpus, REPO)
    return [
        save_cassette(out / "crawler/fixtures/cassettes/catalogs_demo.yaml", interactions, meta)
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=REPO)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if not (args.corpus / "catalogs").is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    return write_or_check(lambda out: build(args.corpus, out), args.out, args.check)


if __name__ == "__main__":
    sys.exit(main())
