"""Feed reading (`crawler.feeds`) and feed-entry documents (`normalizer.feed_entry`),
on verbatim corpus feeds copied to tests/fixtures/feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from crawler.feeds import entry_spans, parse_feed
from normalizer import normalize
from normalizer.feed_entry import is_feed, is_feed_entry, read_entry, render_html, wrap_fragment

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
MISTRAL_2025 = FEEDS / "0xSMW__feed_mistral_news__2025-09.xml"
MISTRAL_2026 = FEEDS / "0xSMW__feed_mistral_news__2026-08.xml"
XAI_2026 = FEEDS / "0xSMW__feed_xai_news__2026-08.xml"
META_ATOM = FEEDS / "mibuhand__meta_ai_news.xml"
DEEPSEEK_ATOM = FEEDS / "mibuhand__deepseek_news.xml"
ALL = sorted(FEEDS.glob("*.xml"))


def entry(path: Path, link: str):
    return next(e for e in parse_feed(path.read_bytes(), str(path)).entries if e.link == link)


# -- parsing -----------------------------------------------------------------------


def test_rss_full_content_feed() -> None:
    feed = parse_feed(MISTRAL_2026.read_bytes(), "u")
    assert feed.version == "rss20"
    assert (
        feed.self_url
        == "https://raw.githubusercontent.com/0xSMW/rss-feeds/main/feeds/feed_mistral_news.xml"
    )
    assert len(feed.entries) == 50
    small4 = entry(MISTRAL_2026, "https://mistral.ai/news/mistral-small-4")
    assert small4.entry_id == "https://mistral.ai/news/mistral-small-4"
    assert small4.title == "Mistral Small 4"
    assert small4.published == "2026-03-16T00:00:00+00:00"
    assert small4.full_content and "<p>" in (small4.body_html or "")
    # the one entry without content:encoded is not full-content
    rss = entry(MISTRAL_2026, "https://mistral.ai/news/rss")
    assert not rss.full_content
    assert sum(e.full_content for e in feed.entries) == 49


def test_rss_summary_only_feed() -> None:
    feed = parse_feed(MISTRAL_2025.read_bytes(), "u")
    assert feed.version == "rss20" and feed.self_url is None
    assert [e.full_content for e in feed.entries] == [False] * 9
    assert feed.entries[0].link == "https://mistral.ai/news/devstral-2507"


@pytest.mark.parametrize("path", [META_ATOM, DEEPSEEK_ATOM], ids=lambda p: p.stem)
def test_atom_summary_only_feed(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), "u")
    assert feed.version == "atom10"
    assert feed.entries and not any(e.full_content for e in feed.entries)
    first = feed.entries[0]
    assert first.entry_id and first.link and first.link.startswith("https://")
    assert first.updated and first.updated.startswith("20")
    assert first.namespaces == {"": "http://www.w3.org/2005/Atom"}


def test_a_short_article_in_content_encoded_still_counts_as_full_content() -> None:
    composer = entry(XAI_2026, "https://x.ai/news/composer-2-5")
    assert composer.full_content


def test_entry_sha_changes_with_content_not_with_identity() -> None:
    old = entry(MISTRAL_2025, "https://mistral.ai/news/voxtral")
    new = entry(MISTRAL_2026, "https://mistral.ai/news/voxtral")
    assert old.entry_id == new.entry_id
    assert old.sha != new.sha
    assert entry(MISTRAL_2026, "https://mistral.ai/news/voxtral").sha == new.sha


def test_not_a_feed_is_refused() -> None:
    from crawler.feeds import FeedError

    with pytest.raises(FeedError):
        parse_feed(b"<!DOCTYPE html><html><body>hello</body></html>", "u")


# -- fragments ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_entry_fragment_is_cut_verbatim_from_the_feed(path: Path) -> None:
    body = path.read_bytes()
    feed = parse_feed(body, "u")
    assert feed.entries
    for e in feed.entries:
        assert e.fragment is not None
        assert e.fragment in body  # a byte-exact piece of the real document
        assert e.fragment.startswith((b"<item", b"<entry")) and e.fragment.endswith(
            (b"</item>", b"</entry>")
        )


@pytest.mark.parametrize("path", [MISTRAL_2026, META_ATOM], ids=lambda p: p.stem)
def test_fragment_is_the_same_xml_element_as_in_the_feed(path: Path) -> None:
    """Re-declaring the namespaces around the cut bytes gives the feed's own element."""
    body = path.read_bytes()
    root = etree.fromstring(body)
    originals = [el for el in root.iter() if etree.QName(el).localname in ("item", "entry")]
    feed = parse_feed(body, "u")
    assert len(originals) == len(feed.entries)
    for el, e in zip(originals, feed.entries, strict=True):
        assert e.namespaces == {(k or ""): v for k, v in el.nsmap.items()}
        wrapped = etree.fromstring(wrap_fragment(e.fragment.decode("utf-8")).encode("utf-8"))
        cut = next(iter(wrapped.iter(el.tag)))
        c14n = {"method": "c14n", "exclusive": True}
        assert etree.tostring(cut, **c14n) == etree.tostring(el, **c14n)


def test_entry_spans_handle_cdata_holding_markup() -> None:
    body = (
        b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        b"<item><title>a</title><content:encoded><![CDATA[<p>not </item> an end</p>]]>"
        b"</content:encoded></item><item/></channel></rss>"
    )
    spans = entry_spans(body)
    assert [body[a:b] for a, b in spans] == [
        b"<item><title>a</title><content:encoded><![CDATA[<p>not </item> an end</p>]]>"
        b"</content:encoded></item>",
        b"<item/>",
    ]


def test_fragment_and_feed_are_recognised() -> None:
    e = entry(MISTRAL_2026, "https://mistral.ai/news/mistral-small-4")
    assert is_feed_entry(e.fragment) and not is_feed(e.fragment)
    assert is_feed(MISTRAL_2026.read_bytes()) and not is_feed_entry(MISTRAL_2026.read_bytes())
    assert not is_feed_entry("---\ntitle: x\n---\n# Hello") and not is_feed_entry(
        "<!DOCTYPE html><html>"
    )


# -- reading entries and articles through the announcement normalizer -------------------


def names(result) -> list[str]:
    return [r.name for r in result.records]


def test_full_content_entry_yields_announcement_records() -> None:
    e = entry(MISTRAL_2026, "https://mistral.ai/news/mistral-small-4")
    result = normalize("announcement", e.fragment, e.link)
    assert result.kind == "announcement"
    assert any(n.startswith("Mistral Small 4") for n in names(result))
    rec = result.records[0]
    assert rec.release_date == "2026-03-16"  # the entry's pubDate
    assert rec.vendor == "Mistral AI"
    assert rec.license and rec.license.id == "apache-2.0"
    assert rec.provenance["release_date"].source_url == e.link


@pytest.mark.parametrize(
    ("path", "link", "expected", "date"),
    [
        (MISTRAL_2026, "https://mistral.ai/news/mistral-3", "Mistral 3", "2025-12-02"),
        (XAI_2026, "https://x.ai/news/grok-4-6", "Grok 4.6", "2026-08-13"),
        (XAI_2026, "https://x.ai/news/grok-code-fast-1", "Grok Code Fast 1", "2026-08-12"),
    ],
)
def test_article_html_built_from_real_feed_bodies(
    path: Path, link: str, expected: str, date: str
) -> None:
    """An article page (as the spider would fetch it) around a real HTML body:
    title, date and model names are found by the announcement normalizer."""
    e = entry(path, link)
    page = render_html(e.title, e.published, link, e.body_html)
    result = normalize("announcement", page.encode("utf-8"), link)
    assert any(n.startswith(expected) for n in names(result)), names(result)
    assert {r.release_date for r in result.records} == {date}
    # the same entry stored as a fragment reads the same
    from_fragment = normalize("announcement", e.fragment, link)
    assert names(from_fragment) == names(result)


def test_summary_only_fragment_reads_title_and_warns() -> None:
    e = parse_feed(DEEPSEEK_ATOM.read_bytes(), "u").entries[0]
    result = normalize("announcement", e.fragment, e.link)
    assert any("without an article body" in w for w in result.warnings)


def test_whole_feed_document_yields_no_records() -> None:
    result = normalize("announcement", MISTRAL_2026.read_bytes(), "https://example.org/feed.xml")
    assert result.records == []
    assert any("feed document" in w for w in result.warnings)


def test_read_entry_of_atom_fragment() -> None:
    e = parse_feed(META_ATOM.read_bytes(), "u").entries[0]
    data = read_entry(e.fragment.decode("utf-8"))
    assert data["title"] == e.title and data["link"] == e.link
    assert data["published"] == "2026-04-08T00:00:00+00:00"
