"""Benchmark the normalizer over a corpus: documents/second against merely parsing them.

Usage: python bench/normalize_corpus.py [CORPUS_DIR] [--repeat N] [--big-mb 10]
Default corpus: ../shared/corpus beside the checkout if present, else tests/fixtures/corpus.
Folders read: hf_cards and other_cards (hf-card), hf_api (hf-api, incl. subfolders),
announcements (announcement; feeds/ skipped: feeds belong to the feed component),
pricing (price-list). Every figure comes from this one run:

1. reference: each document parsed once, merely parsed, with markdown-it-py (CommonMark +
   tables) and PyYAML's pure-Python SafeLoader for front matter (JSON with `json`, TOML
   with `tomllib`, YAML price lists with SafeLoader);
2. normalize: `normalizer.normalize` on every document, `--repeat` passes, timed alone;
3. memory: one more pass under tracemalloc (separately, as tracing slows everything);
4. a post of `--big-mb` MB (real corpus posts concatenated: an assembled document) timed once.
Targets (issue 9): >= 300 docs/s, >= 2x the reference, a 10 MB post in < 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import time
import tomllib
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
    "pricing": "price-list",
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


def merely_parse(md, yaml_mod, path: Path, body: bytes) -> None:  # type: ignore[no-untyped-def]
    """The reference: what parsing alone costs with the pure-Python parsers."""
    text = body.decode("utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix == ".json":
        with contextlib.suppress(ValueError):
            json.loads(text)
        return
    if suffix == ".toml":
        with contextlib.suppress(tomllib.TOMLDecodeError):
            tomllib.loads(text)
        return
    if suffix in (".yml", ".yaml"):
        with contextlib.suppress(yaml_mod.YAMLError):
            yaml_mod.load(text, Loader=yaml_mod.SafeLoader)
        return
    body_text = text
    stripped = text.lstrip()
    if stripped.startswith("---"):
        end = stripped.find("\n---", 3)
        if end > 0:
            with contextlib.suppress(yaml_mod.YAMLError):
                yaml_mod.load(stripped[3:end], Loader=yaml_mod.SafeLoader)
            body_text = stripped[end + 4 :]
    md.parse(body_text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="normalize passes (default 3)")
    ap.add_argument("--big-mb", type=float, default=10.0, help="size of the long post (MB)")
    args = ap.parse_args()
    corpus = args.corpus or default_corpus()
    docs = [(kind, path, path.read_bytes()) for kind, path in documents(corpus)]
    if not docs:
        print(f"no documents under {corpus}", file=sys.stderr)
        return 1
    import yaml
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    repeat = max(1, args.repeat)
    total_bytes = sum(len(b) for _, _, b in docs)
    kinds: dict[str, int] = {}
    for kind, _, _ in docs:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"corpus: {corpus}: {len(docs)} documents; running…", file=sys.stderr, flush=True)
    for kind, path, body in docs[:3]:  # warm-up (imports, compiled regexes, license index)
        normalize(kind, body, filename=path.name)
        merely_parse(md, yaml, path, body)

    started = time.perf_counter()
    for _, path, body in docs:
        merely_parse(md, yaml, path, body)
    ref_rate = len(docs) / (time.perf_counter() - started)

    records = errors = 0
    started = time.perf_counter()
    for _ in range(repeat):
        for kind, path, body in docs:
            try:
                records += len(normalize(kind, body, filename=path.name).records)
            except Exception as exc:  # report and keep measuring
                errors += 1
                print(f"error: {path}: {exc!r}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    rate = len(docs) * repeat / elapsed

    tracemalloc.start()
    for kind, path, body in docs:
        with contextlib.suppress(Exception):  # already reported above
            normalize(kind, body, filename=path.name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    posts = [b for k, _, b in docs if k == "announcement" and not b.lstrip().startswith(b"<")]
    big = b""
    target = int(args.big_mb * 1e6)
    while posts and len(big) < target:
        for b in posts:
            big += b"\n\n" + b
            if len(big) >= target:
                break
    from normalizer.errors import DocumentOverBudget

    started = time.perf_counter()
    try:
        big_outcome = f"{len(normalize('announcement', big).records)} records" if big else "-"
    except DocumentOverBudget as exc:
        big_outcome = f"refused ({exc})"
    big_s = time.perf_counter() - started

    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"corpus:            {corpus}")
    print(
        f"documents:         {len(docs)} ({total_bytes / 1e6:.1f} MB): "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    )
    print(f"records:           {records // repeat} per pass; errors: {errors}")
    print(
        f"reference parse:   {ref_rate:.1f} documents/second (markdown-it-py + PyYAML SafeLoader)"
    )
    print(
        f"normalize:         {rate:.1f} documents/second over {repeat} passes "
        f"({total_bytes * repeat / elapsed / 1e6:.2f} MB/s)"
    )
    print(f"ratio:             {rate / ref_rate:.2f}x the reference (target >= 2x, >= 300 docs/s)")
    print(f"peak traced alloc: {peak / 1e6:.1f} MB (tracemalloc, one separate pass)")
    print(f"max RSS:           {rss_kb / 1024:.1f} MB (resource)")
    print(
        f"long post:         {len(big) / 1e6:.1f} MB (corpus posts concatenated) in {big_s:.2f} s, "
        f"{big_outcome} (target < 2 s)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
