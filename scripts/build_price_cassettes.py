#!/usr/bin/env python
"""Build the price-list replay cassettes and test fixtures from ../shared/corpus/pricing.

    .venv/bin/python scripts/build_price_cassettes.py [--corpus ../shared/corpus] [--check]

Writes:

- crawler/fixtures/cassettes/prices_demo.yaml: `GET https://openrouter.ai/robots.txt`
  (assembled allow-all) and `GET https://openrouter.ai/api/v1/models` answering a
  SUBSET of the real OpenRouter capture
  `corpus/pricing/openrouter_api_v1_models__madviking__2025.json` (the entries in
  `DEMO_IDS`, verbatim and in file order, re-serialised as `{"data": [...]}`; the
  full capture is 534 KB). As the body is not that file byte for byte, the response
  carries no `X-Toolwatch-Source` (which promises exactly that, see
  crawler/fixtures/README.md) but `X-Toolwatch-Assembled: subset of corpus/<file> …`,
  naming the file and the ids kept.
- tests/fixtures/price_lists/not_modified/prices.yaml + sources.toml: the same URL
  answering `304 Not Modified` (assembled), for the conditional-request test.
- tests/fixtures/price_lists/*: the corpus files the normalizer tests read, verbatim
  where small, trimmed subsets (named `…__subset.json`) where large; README.md there
  says which is which.

The 200 carries an assembled `ETag` (the first 20 hex digits of the body's
SHA-256) and `Last-Modified` so that a re-crawl sends If-None-Match /
If-Modified-Since. Deterministic: the helpers of scripts/build_cassettes.py (fixed
Date header, sorted YAML keys), no clock, no randomness; `--check` fails if a
committed file would change.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from build_cassettes import JSON, RECORDED_DATE, TEXT, _get, write_or_check  # noqa: E402

from crawler.cassettes import Interaction, save_cassette  # noqa: E402

BUILDER = "scripts/build_price_cassettes.py"
OPENROUTER = "https://openrouter.ai"
MODELS_URL = f"{OPENROUTER}/api/v1/models"
CAPTURE = "pricing/openrouter_api_v1_models__madviking__2025.json"

# Entries of the OpenRouter capture served by the demo cassette (kept in file order):
# the models the demo compares (Llama 3 / 3.1 8B Instruct, also crawled from the Hub),
# Mixtral, Mistral Small and Qwen, with their `:free` variants where OpenRouter has one.
DEMO_IDS = (
    "meta-llama/llama-3.1-8b-instruct:free",
    "meta-llama/llama-3.1-8b-instruct",
    "meta-llama/llama-3-8b-instruct",
    "mistralai/mixtral-8x22b-instruct",
    "mistralai/mixtral-8x7b-instruct",
    "mistralai/mistral-small-3.1-24b-instruct:free",
    "mistralai/mistral-small-3.1-24b-instruct",
    "mistralai/mistral-small-24b-instruct-2501:free",
    "mistralai/mistral-small-24b-instruct-2501",
    "mistralai/mistral-small",
    "qwen/qwen3-235b-a22b",
    "qwen/qwen-2.5-72b-instruct:free",
    "qwen/qwen-2.5-72b-instruct",
    "qwen/qwen-2.5-7b-instruct:free",
    "qwen/qwen-2.5-7b-instruct",
)
# The normalizer test subset adds the router whose prices are "-1" (variable).
TEST_IDS = (*DEMO_IDS, "openrouter/auto")

SOURCES_TOML = """\
[[price_lists]]
url = "https://openrouter.ai/api/v1/models"
provider = "openrouter"
format = "openrouter"
"""

# tests/fixtures/price_lists/<name>: corpus file copied byte for byte.
VERBATIM = {
    "openrouter_scraped_table__tluyben__2025-03.json": (
        "pricing/openrouter_scraped_table__tluyben__2025-03.json"
    ),
    "tokencost__model_prices__2024-02.json": "pricing/tokencost__model_prices__2024-02.json",
    "simonw-llm-prices__mistral.json": "pricing/simonw-llm-prices__mistral.json",
    "simonw-llm-prices__openai.json": "pricing/simonw-llm-prices__openai.json",
    "models.dev/mistral/models/open-mixtral-8x22b.toml": (
        "pricing/models.dev/mistral/models/open-mixtral-8x22b.toml"
    ),
    "models.dev/mistral/provider.toml": "pricing/models.dev/mistral/provider.toml",
    "models.dev/openrouter/models/meta-llama/llama-3.3-70b-instruct__free.toml": (
        "pricing/models.dev/openrouter/models/meta-llama/llama-3.3-70b-instruct__free.toml"
    ),
}


# -- subsets ---------------------------------------------------------------------------


def _dump(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def openrouter_subset(corpus: Path, ids: tuple[str, ...]) -> bytes:
    rows = json.loads((corpus / CAPTURE).read_bytes())["data"]
    kept = [r for r in rows if r["id"] in ids]
    missing = set(ids) - {r["id"] for r in kept}
    if missing:
        raise SystemExit(f"{CAPTURE}: no entries {sorted(missing)}")
    return _dump({"data": kept})


def scraped_subset(corpus: Path) -> bytes:
    """Brazilian-format table: its first 40 rows, every '$0100% off' row, the first 5
    '--' (no price) rows, the rows without a context column, and openai/o1-pro."""
    rel = "pricing/openrouter_scraped_table__rafaeljuniorvip__2025-10.json"
    rows = json.loads((corpus / rel).read_bytes())
    keep, dashes = [], 0
    for n, r in enumerate(rows):
        price = str(r.get("Input ($/1M tokens)"))
        dash = price == "--" and dashes < 5
        dashes += dash
        if (
            n < 40
            or "off" in price
            or dash
            or "Context (tokens)" not in r
            or r.get("model_id") == "openai/o1-pro"
        ):
            keep.append(r)
    return _dump(keep)


def litellm_subset(corpus: Path) -> bytes:
    """litellm map (2025-09): a few providers' copies of one model, an embedding, an image
    model without token prices, and azure_ai/jais-30b-chat ($3200/Mtok input: an outlier)."""
    data = json.loads((corpus / "pricing/tokencost__model_prices__2025-09.json").read_bytes())
    wanted = [
        "gpt-4o",
        "azure/gpt-4o",
        "openrouter/mistralai/mixtral-8x22b-instruct",
        "mistral/open-mixtral-8x22b",
        "text-embedding-3-small",
        "hd/1024-x-1792/dall-e-3",
        "azure_ai/jais-30b-chat",
        "claude-3-5-sonnet-20240620",
    ]
    kept = {k: data[k] for k in wanted if k in data}
    if "sample_spec" in data:
        kept = {"sample_spec": data["sample_spec"], **kept}
    return _dump(kept)


def genai_subset(corpus: Path) -> bytes:
    """genai-prices data.json: the providers anthropic, mistral and groq, whole."""
    data = json.loads((corpus / "pricing/genai-prices__data.json").read_bytes())
    return _dump([p for p in data if p.get("id") in ("anthropic", "mistral", "groq")])


SUBSETS: dict[str, tuple[str, Callable[[Path], bytes]]] = {
    "openrouter_api_v1_models__madviking__2025__subset.json": (
        CAPTURE,
        lambda c: openrouter_subset(c, TEST_IDS),
    ),
    "openrouter_scraped_table__rafaeljuniorvip__2025-10__subset.json": (
        "pricing/openrouter_scraped_table__rafaeljuniorvip__2025-10.json",
        scraped_subset,
    ),
    "tokencost__model_prices__2025-09__subset.json": (
        "pricing/tokencost__model_prices__2025-09.json",
        litellm_subset,
    ),
    "genai-prices__data__subset.json": ("pricing/genai-prices__data.json", genai_subset),
}


# -- interactions ------------------------------------------------------------------------


def robots() -> Interaction:
    return _get(
        f"{OPENROUTER}/robots.txt",
        200,
        b"User-agent: *\nAllow: /\n",
        TEXT,
        assembled=(
            f"minimal allow-all robots.txt written by {BUILDER}; the real "
            "https://openrouter.ai/robots.txt was not available offline"
        ),
    )


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def models(corpus: Path) -> Interaction:
    body = openrouter_subset(corpus, DEMO_IDS)
    return _get(
        MODELS_URL,
        200,
        body,
        JSON,
        assembled=(
            f"subset of corpus/{CAPTURE} by {BUILDER}: {len(DEMO_IDS)} of its 319 entries, "
            f'verbatim and in file order, re-serialised as {{"data": [...]}}: '
            + ", ".join(DEMO_IDS)
            + "; ETag (SHA-256 of this body) and Last-Modified are assembled"
        ),
        extra={"ETag": etag(body), "Last-Modified": RECORDED_DATE},
    )


def not_modified(corpus: Path) -> Interaction:
    body = openrouter_subset(corpus, DEMO_IDS)
    return _get(
        MODELS_URL,
        304,
        b"",
        JSON,
        assembled=(
            f"304 Not Modified assembled by {BUILDER}: what the server answers a request "
            "carrying the ETag of crawler/fixtures/cassettes/prices_demo.yaml"
        ),
        extra={"ETag": etag(body)},
    )


def _metadata(description: str) -> dict:
    return {
        "toolwatch": {
            "built_by": BUILDER,
            "description": description,
            "date_header": f"fixed placeholder {RECORDED_DATE!r}, not a fetch time",
        }
    }


# -- build -------------------------------------------------------------------------------


def build(corpus: Path, out: Path) -> list[Path]:
    written = [
        save_cassette(
            out / "crawler/fixtures/cassettes/prices_demo.yaml",
            [robots(), models(corpus)],
            _metadata("demo: OpenRouter price list (subset of a real /api/v1/models capture)"),
        )
    ]
    scenario = out / "tests/fixtures/price_lists/not_modified"
    scenario.mkdir(parents=True, exist_ok=True)
    written.append(
        save_cassette(
            scenario / "prices.yaml",
            [robots(), not_modified(corpus)],
            _metadata("scenario not_modified: the OpenRouter price list answers 304"),
        )
    )
    toml = scenario / "sources.toml"
    toml.write_text(
        f"# scenario 'not_modified' (built by {BUILDER}): the price list answers 304\n\n"
        + SOURCES_TOML,
        encoding="utf-8",
    )
    written.append(toml)
    fixtures = out / "tests/fixtures/price_lists"
    for name, rel in VERBATIM.items():
        dest = fixtures / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / rel, dest)
        written.append(dest)
    for name, (_rel, make) in SUBSETS.items():
        dest = fixtures / name
        dest.write_bytes(make(corpus))
        written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=REPO, help="repository root to write into")
    ap.add_argument("--check", action="store_true", help="fail if committed files are stale")
    args = ap.parse_args(argv)
    if not (args.corpus / CAPTURE).is_file():
        print(f"no OpenRouter capture at {args.corpus / CAPTURE}", file=sys.stderr)
        return 2
    return write_or_check(lambda out: build(args.corpus, out), args.out, args.check)


if __name__ == "__main__":
    sys.exit(main())
