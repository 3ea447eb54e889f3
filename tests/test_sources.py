"""The watchlist: a valid file loads; a bad one names the bad key."""

from pathlib import Path

import pytest

from crawler.sources import SourcesError, load_sources, parse_sources

REPO = Path(__file__).resolve().parents[1]


def test_repo_watchlist_loads() -> None:
    sources = load_sources(REPO / "sources.toml")
    assert "meta-llama" in sources.huggingface.authors


@pytest.mark.parametrize(
    ("text", "bad_key"),
    [
        ('[huggingface]\nauthor = ["x"]\n', "huggingface.author"),
        ('[huggingface]\nauthors = ["not valid!"]\n', "huggingface.authors"),
        ('[huggingface]\nmodels = ["no-slash"]\n', "huggingface.models"),
        ("[huggingface]\npage_size = 0\n", "huggingface.page_size"),
        ('[[feeds]]\nurl = "not a url"\n', "feeds.0.url"),
        ("[hugginface]\n", "hugginface"),
    ],
)
def test_invalid_watchlist_names_the_key(text: str, bad_key: str) -> None:
    with pytest.raises(SourcesError) as exc:
        parse_sources(text)
    assert bad_key in str(exc.value)


def test_broken_toml_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="not valid TOML"):
        parse_sources("[huggingface\n")
    with pytest.raises(SourcesError, match="no such sources file"):
        load_sources(tmp_path / "nope.toml")
