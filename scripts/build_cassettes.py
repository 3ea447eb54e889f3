#!/usr/bin/env python
"""Build the replay cassettes from the real documents in ../shared/corpus.

    .venv/bin/python scripts/build_cassettes.py [--corpus ../shared/corpus] [--check]

Writes (all ordinary vcrpy YAML cassettes, see crawler/fixtures/README.md):

- crawler/fixtures/cassettes/huggingface_demo.yaml + crawler/fixtures/demo_sources.toml
- tests/fixtures/cassettes/<scenario>/huggingface.yaml + sources.toml, one directory
  per error scenario (a replay directory loads every cassette under it, so
  scenarios that answer the same URL differently must not share a directory).

Deterministic: a fixed Date header, sorted YAML keys, no clock or randomness, so
re-running it gives byte-identical files (`--check` fails if a file would change).

Provenance: every response built from a corpus file carries
`X-Toolwatch-Source: corpus/<relative path>` and its body is that file, byte for
byte. Everything else -- robots.txt, API listing pages, error responses, and the
envelopes (status line, Content-Type, Date) -- is assembled here and says so in
`X-Toolwatch-Assembled`.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler import hub  # noqa: E402
from crawler.cassettes import (  # noqa: E402
    Interaction,
    new_request,
    response_dict,
    save_cassette,
)
from crawler.hub import HUB  # noqa: E402

LISTING_KEYS = ("_id", "id", "modelId", "author", "sha", "lastModified", "private", "gated")
# A fixed, documented placeholder: the corpus bodies were captured in cassettes
# committed between 2025-03-27 and 2025-04-24; this is not a real fetch time.
RECORDED_DATE = "Thu, 24 Apr 2025 12:00:00 GMT"
BUILDER = "scripts/build_cassettes.py"

JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

DEMO_AUTHORS = ("meta-llama", "HuggingFaceH4", "sentence-transformers")
# One page size for every author keeps the watchlist simple; with 1, meta-llama's
# two models span two listing pages (cursor pagination via the Link header).
DEMO_PAGE_SIZE = 1
SCENARIO_PAGE_SIZE = 100


# -- corpus -------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusModel:
    repo_id: str
    api_path: Path
    card_path: Path | None
    corpus: Path

    @property
    def info(self) -> dict:
        return json.loads(self.api_path.read_bytes())

    def rel(self, path: Path) -> str:
        return "corpus/" + path.relative_to(self.corpus).as_posix()


def corpus_models(corpus: Path, author: str) -> list[CorpusModel]:
    """The author's models that have a plain API body (not an ?expand= variant)."""
    out = []
    for api in sorted((corpus / "hf_api").glob(f"{author}__*.json")):
        stem = api.stem
        if "__expand-" in stem:
            continue
        org, name = stem.split("__", 1)
        card = corpus / "hf_cards" / f"{stem}.md"
        out.append(CorpusModel(f"{org}/{name}", api, card if card.is_file() else None, corpus))
    return out


def model(corpus: Path, repo_id: str) -> CorpusModel:
    for m in corpus_models(corpus, repo_id.split("/", 1)[0]):
        if m.repo_id == repo_id:
            return m
    raise SystemExit(f"{repo_id}: no API body in {corpus}/hf_api")


# -- URLs (the exact requests the Hugging Face spider makes) ------------------------


# The spider's own URL builders, so the cassettes answer exactly what it asks.
detail_url = hub.model_api_url
card_url = hub.card_url


def listing_url(author: str, limit: int, cursor: str | None = None) -> str:
    url = hub.listing_url(author, limit)
    return f"{url}&{urlencode([('cursor', cursor)])}" if cursor else url


# -- interactions --------------------------------------------------------------------


def _get(
    url: str,
    status: int,
    body: bytes,
    content_type: str,
    *,
    source: str | None = None,
    assembled: str | None = None,
    extra: dict[str, str] | None = None,
) -> Interaction:
    assert source or assembled, "every response says where it comes from"
    headers: dict[str, list[str]] = {
        "Content-Type": [content_type],
        "Content-Length": [str(len(body))],
        "Date": [RECORDED_DATE],
    }
    if source:
        headers["X-Toolwatch-Source"] = [source]
    if assembled:
        headers["X-Toolwatch-Assembled"] = [assembled]
    for k, v in (extra or {}).items():
        headers[k] = [v]
    return new_request("GET", url), response_dict(status, headers, body)


def robots() -> Interaction:
    return _get(
        f"{HUB}/robots.txt",
        200,
        b"User-agent: *\nAllow: /\n",
        TEXT,
        assembled=(
            f"minimal allow-all robots.txt written by {BUILDER}; the real "
            "https://huggingface.co/robots.txt was not available offline"
        ),
    )


def _cursor(last_id: str) -> str:
    raw = json.dumps({"_id": {"$gt": last_id}}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def listing(author: str, models: list[CorpusModel], page_size: int, note: str) -> list[Interaction]:
    """Listing pages for `author`, assembled from the per-model API bodies.

    Entries keep the keys the listing request expands, taken from each model's real
    body; sorted by `_id` like the Hub's cursor order; a Link rel="next" header on
    every page but the last; the cursor is synthetic.
    """
    infos = sorted(((m.info, m) for m in models), key=lambda im: im[0]["_id"])
    pages = [infos[i : i + page_size] for i in range(0, len(infos), page_size)] or [[]]
    out: list[Interaction] = []
    cursor: str | None = None
    for n, page in enumerate(pages):
        entries = [{k: info[k] for k in LISTING_KEYS} for info, _ in page]
        body = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()
        sources = ", ".join(m.rel(m.api_path) for _, m in page) or "no corpus model"
        extra: dict[str, str] = {}
        if n + 1 < len(pages):
            next_cursor = _cursor(page[-1][0]["_id"])
            extra["Link"] = f'<{listing_url(author, page_size, next_cursor)}>; rel="next"'
        out.append(
            _get(
                listing_url(author, page_size, cursor),
                200,
                body,
                JSON,
                assembled=(
                    f"API listing page {n + 1}/{len(pages)} assembled by {BUILDER} "
                    f"(no real /api/models?author= response offline): entries keep the keys "
                    f"{','.join(LISTING_KEYS)} of the per-model bodies {sources}; "
                    f"sorted by _id; synthetic cursor and Link header; {note}"
                ),
                extra=extra,
            )
        )
        cursor = _cursor(page[-1][0]["_id"]) if page else None
    return out


def expanded_body(m: CorpusModel) -> tuple[bytes, str]:
    """The answer to the spider's `?expand=...` model-info request, and what it was
    assembled from: the Hub answers an expand request with exactly the expanded
    properties (plus `_id`, `id`); the corpus holds the default-field body and, for
    some models, a real `?expand=inferenceProviderMapping` body. Keys are kept from
    those real bodies, never written here."""
    info = m.info
    body: dict = {k: info[k] for k in ("_id", "id") if k in info}
    body |= {k: info[k] for k in hub.MODEL_EXPAND if k in info}
    sources = [m.rel(m.api_path)]
    extra = m.api_path.with_name(f"{m.api_path.stem}__expand-inferenceProviderMapping.json")
    if extra.is_file():
        body["inferenceProviderMapping"] = json.loads(extra.read_bytes())[
            "inferenceProviderMapping"
        ]
        sources.append(m.rel(extra))
    note = (
        f"model info for the spider's ?expand= request assembled by {BUILDER}: the keys "
        f"{','.join(k for k in body if k not in ('_id', 'id'))} copied from the real bodies "
        f"{' + '.join(sources)} (the corpus has no response to this exact URL)"
    )
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), note


def detail(m: CorpusModel) -> Interaction:
    body, note = expanded_body(m)
    return _get(detail_url(m.repo_id), 200, body, JSON, assembled=note)


def config(m: CorpusModel) -> list[Interaction]:
    """config.json, requested when model info lists it. The corpus holds no config.json
    body; the demo answers 404 (assembled, and said so) rather than inventing one."""
    if not hub.lists_file(m.api_path.read_bytes(), "config.json"):
        return []
    return [
        hub_error(
            hub.config_url(m.repo_id),
            404,
            "EntryNotFound",
            "Entry not found",
            "the Hub serves this config.json, but no copy of it was available offline: "
            "answered 404 so the replay takes the missing-config path instead of an invented body",
        )
    ]


def card(m: CorpusModel) -> Interaction:
    assert m.card_path is not None
    return _get(card_url(m.repo_id), 200, m.card_path.read_bytes(), TEXT, source=m.rel(m.card_path))


def hub_error(url: str, status: int, code: str | None, message: str, what: str) -> Interaction:
    extra = {"X-Error-Message": message}
    if code:
        extra["X-Error-Code"] = code
    if status in (429, 503):
        extra["Retry-After"] = "1"
    return _get(
        url,
        status,
        json.dumps({"error": message}, separators=(",", ":")).encode(),
        JSON,
        assembled=f"HTTP {status} error response assembled by {BUILDER}: {what}",
        extra=extra,
    )


# -- cassettes -------------------------------------------------------------------------


@dataclass
class Built:
    cassette: Path
    interactions: list[Interaction]
    metadata: dict
    sources_toml: Path | None
    """Scenario watchlists are written; the demo watchlist is shared with the other
    demo spiders, so it is only checked (`check_demo_sources`), never rewritten."""
    sources_text: str


def _sources_toml(header: str, authors: list[str], page_size: int) -> str:
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    quoted = ", ".join(json.dumps(a) for a in authors)
    return "\n".join(lines) + f"\n\n[huggingface]\nauthors = [{quoted}]\npage_size = {page_size}\n"


def demo(corpus: Path, out: Path) -> Built:
    interactions = [robots()]
    note = "only corpus models with both an API body and a card are listed"
    for author in DEMO_AUTHORS:
        models = [m for m in corpus_models(corpus, author) if m.card_path is not None]
        interactions += listing(author, models, DEMO_PAGE_SIZE, note)
        for m in sorted(models, key=lambda m: m.info["_id"]):
            interactions += [detail(m), *config(m), card(m)]
    header = f"""
Watchlist the demo cassette crawler/fixtures/cassettes/huggingface_demo.yaml was built for
(by {BUILDER}; regenerate both together). Replay it with
  scrapy crawl huggingface -a sources=crawler/fixtures/demo_sources.toml \\
      -s TOOLWATCH_REPLAY_DIR=crawler/fixtures/cassettes
page_size = {DEMO_PAGE_SIZE} for every author, so meta-llama's two models span two listing pages.
"""
    return Built(
        out / "crawler/fixtures/cassettes/huggingface_demo.yaml",
        interactions,
        _metadata("demo: Hugging Face Hub crawl of the demo watchlist", list(DEMO_AUTHORS)),
        None,
        _sources_toml(header, list(DEMO_AUTHORS), DEMO_PAGE_SIZE),
    )


def check_demo_sources(root: Path) -> None:
    """The demo watchlist's [huggingface] table must be what the demo cassette answers."""
    path = root / "crawler/fixtures/demo_sources.toml"
    hf = tomllib.loads(path.read_text(encoding="utf-8")).get("huggingface", {})
    want = {"authors": list(DEMO_AUTHORS), "page_size": DEMO_PAGE_SIZE}
    if {k: hf.get(k) for k in want} != want:
        raise SystemExit(f"{path}: [huggingface] must be {want} to match the demo cassette")


def _metadata(description: str, authors: list[str]) -> dict:
    return {
        "toolwatch": {
            "built_by": BUILDER,
            "description": description,
            "authors": authors,
            "date_header": f"fixed placeholder {RECORDED_DATE!r}, not a fetch time",
        }
    }


def scenarios(corpus: Path, out: Path) -> list[Built]:
    base = out / "tests/fixtures/cassettes"
    built: list[Built] = []

    def add(name: str, description: str, authors: list[str], interactions: list[Interaction]):
        header = f"scenario {name!r} (built by {BUILDER}): {description}"
        built.append(
            Built(
                base / name / "huggingface.yaml",
                interactions,
                _metadata(f"scenario {name}: {description}", authors),
                base / name / "sources.toml",
                _sources_toml(header, authors, SCENARIO_PAGE_SIZE),
            )
        )

    # 1. A listing whose second model's detail is refused: 401 GatedRepo.
    llama3 = model(corpus, "meta-llama/Meta-Llama-3-8B-Instruct")
    llama31 = model(corpus, "meta-llama/Llama-3.1-8B-Instruct")
    gated_msg = (
        "Access to model meta-llama/Llama-3.1-8B-Instruct is restricted. You must have "
        "access to it and be authenticated to access it. Please log in."
    )
    add(
        "gated_detail",
        "meta-llama listing of 2 models; Meta-Llama-3-8B-Instruct answers 200 (real body "
        "and card), Llama-3.1-8B-Instruct's model info answers 401 X-Error-Code: GatedRepo",
        ["meta-llama"],
        [robots()]
        + listing("meta-llama", [llama3, llama31], SCENARIO_PAGE_SIZE, "scenario gated_detail")
        + [
            detail(llama3),
            *config(llama3),
            card(llama3),
            hub_error(
                detail_url(llama31.repo_id),
                401,
                "GatedRepo",
                gated_msg,
                "simulated gated-repo refusal for a listed model",
            ),
        ],
    )

    # 2. A listed model that has gone away: 404 RepoNotFound.
    minilm = model(corpus, "sentence-transformers/all-MiniLM-L6-v2")
    albert = model(corpus, "sentence-transformers/paraphrase-albert-small-v2")
    add(
        "not_found",
        "sentence-transformers listing of 2 models (both real API bodies); all-MiniLM-L6-v2 "
        "answers 200 (real body and card), paraphrase-albert-small-v2's model info answers "
        "404 X-Error-Code: RepoNotFound",
        ["sentence-transformers"],
        [robots()]
        + listing(
            "sentence-transformers", [minilm, albert], SCENARIO_PAGE_SIZE, "scenario not_found"
        )
        + [
            detail(minilm),
            *config(minilm),
            card(minilm),
            hub_error(
                detail_url(albert.repo_id),
                404,
                "RepoNotFound",
                "Repository not found",
                "simulated repository deleted between listing and model info",
            ),
        ],
    )

    # 3. Rate limited: the listing answers 429 Retry-After: 1, then the real 200.
    zephyr = model(corpus, "HuggingFaceH4/zephyr-7b-beta")
    zephyr_listing = listing("HuggingFaceH4", [zephyr], SCENARIO_PAGE_SIZE, "scenario rate_limited")
    add(
        "rate_limited",
        "HuggingFaceH4 listing answers 429 (Retry-After: 1) and then 200 for the same URL; "
        "zephyr-7b-beta model info and card answer 200 (real)",
        ["HuggingFaceH4"],
        [
            robots(),
            hub_error(
                listing_url("HuggingFaceH4", SCENARIO_PAGE_SIZE),
                429,
                None,
                "Rate limit reached. Retry after 1 second.",
                "simulated rate limit, answered before the real 200 for the same URL",
            ),
        ]
        + zephyr_listing
        + [detail(zephyr), *config(zephyr), card(zephyr)],
    )

    # 4. A transient server error: the model info answers 503, then the real 200.
    add(
        "server_error",
        "HuggingFaceH4 listing answers 200; zephyr-7b-beta model info answers 503 "
        "(Retry-After: 1) and then 200 (real body) for the same URL; card 200 (real)",
        ["HuggingFaceH4"],
        [robots()]
        + listing("HuggingFaceH4", [zephyr], SCENARIO_PAGE_SIZE, "scenario server_error")
        + [
            hub_error(
                detail_url(zephyr.repo_id),
                503,
                None,
                "Service Unavailable",
                "simulated transient outage, answered before the real 200 for the same URL",
            ),
            detail(zephyr),
            *config(zephyr),
            card(zephyr),
        ],
    )
    return built


def build(corpus: Path, out: Path) -> list[Path]:
    written = []
    for b in [demo(corpus, out), *scenarios(corpus, out)]:
        written.append(save_cassette(b.cassette, b.interactions, b.metadata))
        if b.sources_toml is not None:
            b.sources_toml.write_text(b.sources_text, encoding="utf-8")
            written.append(b.sources_toml)
    check_demo_sources(REPO)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=REPO, help="repository root to write into")
    ap.add_argument(
        "--check", action="store_true", help="fail if the committed files are not up to date"
    )
    args = ap.parse_args(argv)
    if not (args.corpus / "hf_api").is_dir():
        print(f"no corpus at {args.corpus} (expected hf_api/ and hf_cards/)", file=sys.stderr)
        return 2
    return write_or_check(lambda out: build(args.corpus, out), args.out, args.check)


def write_or_check(build_into: Callable[[Path], list[Path]], out: Path, check: bool) -> int:
    """Write the built files into `out`; or, with `check`, build them aside and report
    (exit 1) every committed file that differs. Shared by every cassette builder."""
    if not check:
        for path in build_into(out):
            print(path.relative_to(out))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = [
            p.relative_to(tmp)
            for p in build_into(Path(tmp))
            if not (out / p.relative_to(tmp)).is_file()
            or (out / p.relative_to(tmp)).read_bytes() != p.read_bytes()
        ]
    for p in stale:
        print(f"out of date: {p}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
