#!/usr/bin/env python
"""Build the announcements spider's replay cassettes from ../shared/corpus.

    .venv/bin/python scripts/build_announcement_cassettes.py [--corpus DIR] [--check]

Writes (ordinary vcrpy YAML cassettes; see crawler/fixtures/README.md):

- crawler/fixtures/cassettes/announcements_demo.yaml: two full-content RSS feeds
  (Mistral and xAI news, Aug 2026 snapshots) served at the URL each file names
  as its own (`atom:link rel="self"`), three posts at their raw GitHub URLs
  (repository + commit + path from MANIFEST.tsv), robots.txt.
- tests/fixtures/cassettes/<scenario>/announcements.yaml + sources.toml, and
  tests/fixtures/feeds/, tests/fixtures/announcements/ (verbatim corpus copies
  for unit tests).

The `[[feeds]]`/`[[posts]]` sections of crawler/fixtures/demo_sources.toml are
the demo watchlist for this cassette (`DEMO_SOURCES_TOML` below); they are kept
in that file by hand, next to the other spiders' sections.

Provenance, as in scripts/build_cassettes.py (whose helpers are reused):
`X-Toolwatch-Source: corpus/<path>` means the body is that corpus file byte for
byte; `X-Toolwatch-Assembled` says what an assembled response was made from.
Envelopes (status line, Content-Type, Content-Length, Date, ETag) are assembled.
Deterministic: `--check` fails if a committed file would change.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from build_cassettes import _get, write_or_check  # noqa: E402

from crawler.cassettes import Interaction, save_cassette  # noqa: E402
from crawler.feeds import parse_feed  # noqa: E402
from normalizer.feed_entry import render_html  # noqa: E402

BUILDER = "scripts/build_announcement_cassettes.py"
RAW = "https://raw.githubusercontent.com"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
FEEDS = "announcements/feeds"

MISTRAL_2025 = f"{FEEDS}/0xSMW__feed_mistral_news__2025-09.xml"
MISTRAL_2026 = f"{FEEDS}/0xSMW__feed_mistral_news__2026-08.xml"
XAI_2026 = f"{FEEDS}/0xSMW__feed_xai_news__2026-08.xml"
META_ATOM = f"{FEEDS}/mibuhand__meta_ai_news.xml"
DEMO_POSTS = (
    "announcements/hf_blog__llama31.md",
    "announcements/hf_blog__mixtral.md",
    "announcements/mistral_changelog__2024-04-17.mdx",
)
# Copied verbatim for unit tests (tests/fixtures/feeds, tests/fixtures/announcements).
TEST_FEEDS = (
    MISTRAL_2025,
    MISTRAL_2026,
    XAI_2026,
    META_ATOM,
    f"{FEEDS}/mibuhand__deepseek_news.xml",
)
TEST_POSTS = DEMO_POSTS


# -- corpus ----------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    root: Path

    def path(self, rel: str) -> Path:
        return self.root / rel

    def bytes(self, rel: str) -> bytes:
        return self.path(rel).read_bytes()

    def manifest(self) -> dict[str, dict[str, str]]:
        with (self.root / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
            return {row["local_path"]: row for row in csv.DictReader(fh, delimiter="\t")}

    def raw_url(self, rel: str) -> str:
        """Where that exact file lives: raw GitHub URL at the manifest's commit."""
        row = self.manifest()[rel]
        return f"{RAW}/{row['source_repo']}/{row['commit']}/{row['source_path']}"

    def self_url(self, rel: str) -> str:
        feed = parse_feed(self.bytes(rel), rel)
        assert feed.self_url, f"{rel} names no URL for itself"
        return feed.self_url


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def src(rel: str) -> str:
    return f"corpus/{rel}"


# -- interactions --------------------------------------------------------------------


def robots(host: str) -> Interaction:
    return _get(
        f"https://{host}/robots.txt",
        200,
        b"User-agent: *\nAllow: /\n",
        TEXT,
        assembled=(
            f"minimal allow-all robots.txt written by {BUILDER}; the real "
            f"https://{host}/robots.txt was not available offline"
        ),
    )


def feed(
    url: str, body: bytes, ctype: str, *, source: str | None = None, assembled: str | None = None
) -> Interaction:
    return _get(
        url, 200, body, ctype, source=source, assembled=assembled, extra={"ETag": _etag(body)}
    )


def not_modified(url: str, body: bytes, what: str) -> Interaction:
    return _get(
        url,
        304,
        b"",
        RSS,
        assembled=f"304 Not Modified assembled by {BUILDER}: {what}",
        extra={"ETag": _etag(body)},
    )


def not_found(url: str, what: str) -> Interaction:
    return _get(
        url,
        404,
        b"<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>\n",
        HTML,
        assembled=f"HTTP 404 assembled by {BUILDER}: {what}",
    )


def article_from_feed(
    corpus: Corpus, served_url: str, feed_rel: str, link: str, why: str
) -> Interaction:
    """An article page assembled around the real HTML body a full-content feed carries."""
    entry = next(e for e in parse_feed(corpus.bytes(feed_rel), feed_rel).entries if e.link == link)
    assert entry.body_html, f"{link}: no body in {feed_rel}"
    page = render_html(entry.title, entry.published, served_url, entry.body_html).encode("utf-8")
    return _get(
        served_url,
        200,
        page,
        HTML,
        assembled=(
            f"article page assembled by {BUILDER} ({why}): the HTML body is the content:encoded "
            f"of the entry {link} in {src(feed_rel)}, verbatim; title, date and the page around "
            "it (<html><head> with og:title / article:published_time, <h1>, <time>) are assembled"
        ),
    )


def drop_first_entry(body: bytes) -> bytes:
    """The feed without its first <item>: the state of the feed before that post."""
    start = body.index(b"<item>")
    end = body.index(b"</item>", start) + len(b"</item>")
    # also drop the indentation + newline the item occupied
    line_start = body.rindex(b"\n", 0, start)
    return body[:line_start] + body[end:]


# -- cassettes ---------------------------------------------------------------------------


@dataclass
class Built:
    path: Path
    interactions: list[Interaction]
    description: str
    sources: str | None = None  # sources.toml text written next to the cassette


def _metadata(description: str) -> dict:
    return {"toolwatch": {"built_by": BUILDER, "description": description}}


DEMO_SOURCES_TOML = """\
# announcements spider (crawler/fixtures/cassettes/announcements_demo.yaml, built by
# scripts/build_announcement_cassettes.py): two full-content news feeds and three posts.
[[feeds]]
url = "{mistral}"
name = "Mistral AI news (0xSMW/rss-feeds scrape of https://mistral.ai/news)"
vendor = "Mistral AI"
# every article is in the feed; its one bodiless entry ("RSS feed") is not an article
fetch_articles = false

[[feeds]]
url = "{xai}"
name = "xAI news (0xSMW/rss-feeds scrape of https://x.ai/news)"
vendor = "xAI"

[[posts]]
url = "{llama31}"
name = "Hugging Face blog: Llama 3.1 (Markdown source)"

[[posts]]
url = "{mixtral}"
name = "Hugging Face blog: Mixtral (Markdown source)"

[[posts]]
url = "{changelog}"
name = "Mistral API changelog 2024-04-17 (MDX)"
vendor = "Mistral AI"
"""


def demo_sources(corpus: Corpus) -> str:
    return DEMO_SOURCES_TOML.format(
        mistral=corpus.self_url(MISTRAL_2026),
        xai=corpus.self_url(XAI_2026),
        llama31=corpus.raw_url(DEMO_POSTS[0]),
        mixtral=corpus.raw_url(DEMO_POSTS[1]),
        changelog=corpus.raw_url(DEMO_POSTS[2]),
    )


def demo(corpus: Corpus, out: Path) -> Built:
    interactions = [robots("raw.githubusercontent.com")]
    for rel in (MISTRAL_2026, XAI_2026):
        interactions.append(feed(corpus.self_url(rel), corpus.bytes(rel), RSS, source=src(rel)))
    for rel in DEMO_POSTS:
        interactions.append(
            _get(corpus.raw_url(rel), 200, corpus.bytes(rel), TEXT, source=src(rel))
        )
    return Built(
        out / "crawler/fixtures/cassettes/announcements_demo.yaml",
        interactions,
        "demo: announcements crawl (Mistral + xAI full-content feeds, HF blog and Mistral changelog posts)",
    )


def _feed_sources(header: str, url: str, **opts: str) -> str:
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    body = f'\n\n[[feeds]]\nurl = "{url}"\n' + "".join(f"{k} = {v}\n" for k, v in opts.items())
    return "\n".join(lines) + body


def scenarios(corpus: Corpus, out: Path) -> list[Built]:
    base = out / "tests/fixtures/cassettes"
    built: list[Built] = []

    # 1. Summary-only Atom feed: one article page, the other entries' pages are 404.
    meta_url = corpus.self_url(META_ATOM)
    meta_feed = parse_feed(corpus.bytes(META_ATOM), META_ATOM)
    first, *rest = meta_feed.entries
    assert first.link
    d = "summary-only Atom feed (mibuhand meta_ai_news, real); the first entry's article page is assembled, the other 4 answer 404"
    built.append(
        Built(
            base / "feed_atom_summary_only/announcements.yaml",
            [
                robots("raw.githubusercontent.com"),
                feed(meta_url, corpus.bytes(META_ATOM), ATOM, source=src(META_ATOM)),
                robots("ai.meta.com"),
                article_from_feed(
                    corpus,
                    first.link,
                    MISTRAL_2026,
                    "https://mistral.ai/news/mistral-small-4",
                    "the corpus holds no page of ai.meta.com; this is a real article body from "
                    "another vendor's full-content feed, NOT the Meta post the URL names",
                ),
            ]
            + [
                not_found(e.link or "", "the corpus holds no copy of this article page")
                for e in rest
            ],
            d,
            _feed_sources(f"scenario feed_atom_summary_only (built by {BUILDER}): {d}", meta_url),
        )
    )

    # 2. The same feed at three moments: v0 (one post fewer), v1 (2025-09), v2 (2026-08).
    mistral_url = corpus.self_url(MISTRAL_2026)  # the 2025-09 file names no URL for itself
    v1 = corpus.bytes(MISTRAL_2025)
    v0 = drop_first_entry(v1)
    old_links = [e.link for e in parse_feed(v1, MISTRAL_2025).entries]
    why = "the corpus holds no mistral.ai page; the 2026-08 snapshot of the same feed carries this article's body"
    articles = [
        article_from_feed(corpus, link, MISTRAL_2026, link, why) for link in old_links if link
    ]
    header = (
        f"scenario feed_new_entry/{{v}} (built by {BUILDER}): the Mistral news feed of "
        "0xSMW/rss-feeds (feeds/feed_mistral_news.xml), served at the raw GitHub URL of that "
        "path on main, where each snapshot lived in its time. {what}"
    )
    v0_what = "v0: the 2025-09 snapshot without its newest item (assembled), 8 summary-only entries; article pages assembled"
    v1_what = "v1: the real 2025-09 snapshot (9 summary-only entries: one more than v0); article pages assembled"
    v2_what = (
        "v2: the real 2026-08 snapshot (50 entries, 49 with content:encoded; the bodiless "
        "'RSS feed' entry's page answers 404)"
    )
    for name, interactions, what in (
        (
            "v0",
            [
                robots("raw.githubusercontent.com"),
                feed(
                    mistral_url,
                    v0,
                    RSS,
                    assembled=(
                        f"{src(MISTRAL_2025)} with its first <item> (devstral-2507) cut out by "
                        f"{BUILDER}: the feed as it was before that post, otherwise byte for byte"
                    ),
                ),
                robots("mistral.ai"),
                *articles[1:],
            ],
            v0_what,
        ),
        (
            "v1",
            [
                robots("raw.githubusercontent.com"),
                feed(mistral_url, v1, RSS, source=src(MISTRAL_2025)),
                robots("mistral.ai"),
                *articles,
            ],
            v1_what,
        ),
        (
            "v2",
            [
                robots("raw.githubusercontent.com"),
                feed(mistral_url, corpus.bytes(MISTRAL_2026), RSS, source=src(MISTRAL_2026)),
                robots("mistral.ai"),
                not_found("https://mistral.ai/news/rss", "the corpus holds no copy of this page"),
            ],
            v2_what,
        ),
    ):
        built.append(
            Built(
                base / f"feed_new_entry/{name}/announcements.yaml",
                interactions,
                header.format(v=name, what=what),
                _feed_sources(header.format(v=name, what=what), mistral_url),
            )
        )

    # 3. The feed has not changed since v1: 304 Not Modified.
    d = "the Mistral feed answers 304 Not Modified (assembled; ETag of the 2025-09 snapshot)"
    built.append(
        Built(
            base / "feed_not_modified/announcements.yaml",
            [
                robots("raw.githubusercontent.com"),
                not_modified(mistral_url, v1, "the feed is unchanged since the 2025-09 snapshot"),
            ],
            d,
            _feed_sources(f"scenario feed_not_modified (built by {BUILDER}): {d}", mistral_url),
        )
    )
    return built


def copies(corpus: Corpus, out: Path) -> list[tuple[Path, bytes]]:
    files = [
        (out / "tests/fixtures/feeds" / Path(rel).name, corpus.bytes(rel)) for rel in TEST_FEEDS
    ]
    files += [
        (out / "tests/fixtures/announcements" / Path(rel).name, corpus.bytes(rel))
        for rel in TEST_POSTS
    ]
    return files


def build(corpus: Corpus, out: Path) -> list[Path]:
    written = []
    for b in [demo(corpus, out), *scenarios(corpus, out)]:
        written.append(save_cassette(b.path, b.interactions, _metadata(b.description)))
        if b.sources is not None:
            p = b.path.parent / "sources.toml"
            p.write_text(b.sources, encoding="utf-8")
            written.append(p)
    for path, data in copies(corpus, out):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=REPO, help="repository root to write into")
    ap.add_argument("--check", action="store_true", help="fail if committed files are stale")
    ap.add_argument(
        "--print-demo-sources", action="store_true", help="print the demo [[feeds]]/[[posts]] TOML"
    )
    args = ap.parse_args(argv)
    corpus = Corpus(args.corpus)
    if not (args.corpus / FEEDS).is_dir():
        print(f"no corpus at {args.corpus} (expected {FEEDS}/)", file=sys.stderr)
        return 2
    if args.print_demo_sources:
        print(demo_sources(corpus), end="")
        return 0
    return write_or_check(lambda out: build(corpus, out), args.out, args.check)


if __name__ == "__main__":
    sys.exit(main())
