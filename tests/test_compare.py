"""The decision table (pure) and `toolwatch compare --format table|json|markdown|html`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from api_support import seed
from typer.testing import CliRunner

from cli.main import app
from normalizer.models import License, Link, Price, Pricing, ToolRecord
from storage import Store
from storage.compare import clean_text, decision_table, render_html, render_markdown

runner = CliRunner()


def rec(slug: str, **fields: Any) -> ToolRecord:
    fields.setdefault("name", slug.title())
    return ToolRecord(slug=slug, **fields)


def better(tools: list[ToolRecord], key: str) -> list[str]:
    return decision_table([(t, "published") for t in tools]).row(key).better


def test_better_rules() -> None:
    a = rec(
        "a",
        license=License(id="mit", terms="permissive"),
        context_length=8192,
        release_date="2024-07-18",
        pricing=Pricing(prices=[Price(provider="x", input_per_mtok=1.0)]),
    )
    b = rec(
        "b",
        license=License(id="cc-by-nc-4.0", terms="non-commercial"),
        context_length=32768,
        release_date="2024-06",
        pricing=Pricing(
            prices=[
                Price(provider="y", input_per_mtok=2.0),
                Price(provider="z", input_per_mtok=0.5),
            ]
        ),
    )
    assert better([a, b], "license") == ["a"]
    assert better([a, b], "context_length") == ["b"]
    assert better([a, b], "entry_price") == ["b"]  # cheapest provider counts
    assert better([a, b], "release_date") == ["a"]  # July is after June, whatever the day
    table = decision_table([(a, "published"), (b, "published")])
    assert table.row("entry_price").cells[1].value["provider"] == "z"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2024-07", "2024-07-18"), []),  # could be the same day
        (("2024", "2024-03-01"), []),
        (("2024-07-18", "2024-07-18"), []),
        (("2023-12-31", "2024-01"), ["b"]),
        (("not a date", "2024-01-01"), []),
    ],
)
def test_release_date_precision(dates: tuple[str, str], expected: list[str]) -> None:
    a, b = rec("a", release_date=dates[0]), rec("b", release_date=dates[1])
    assert better([a, b], "release_date") == expected


def test_prices_in_other_currencies_are_not_ranked() -> None:
    a = rec("a", pricing=Pricing(prices=[Price(provider="x", input_per_mtok=1.0)]))
    b = rec("b", pricing=Pricing(prices=[Price(provider="y", input_per_mtok=0.5, currency="EUR")]))
    assert better([a, b], "entry_price") == []


def test_subjective_rows_never_say_better() -> None:
    a = rec("a", parameters={"total": 70_000_000_000}, open_weights=True, category="Chat")
    b = rec("b", parameters={"total": 7_000_000_000}, open_weights=False, category="Code")
    table = decision_table([(a, "published"), (b, "published")])
    for key in ("parameters_total", "parameters_active", "open_weights", "category", "vendor"):
        assert table.row(key).criterion is None and table.row(key).better == []


def test_unknown_values_and_statuses() -> None:
    table = decision_table([(rec("a"), "published"), (rec("b"), "candidate")])
    assert [t.status for t in table.tools] == ["published", "candidate (unreviewed)"]
    assert all(c.text == "—" and c.value is None for r in table.rows for c in r.cells)
    assert all(r.better == [] for r in table.rows)


NASTY = rec(
    "nasty",
    name="Nasty <img src=x onerror=alert(1)>",
    vendor="<b>Evil</b> Corp",
    tagline="&lt;script&gt;alert(1)&lt;/script&gt; Does *things* | [x](javascript:alert(1))",
    category="<style>body{}</style>Chat",
    links=[
        Link(type="docs", url="javascript:alert(1)"),
        Link(type="paper", url='https://example.org/"><script>x</script>'),
    ],
)


def test_clean_text_strips_markup_even_when_escaped() -> None:
    assert clean_text("<b>x</b> &amp; y") == "x & y"
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;ok") == "ok"
    assert clean_text("a < b") == "a < b"


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]
        assert not any(k.startswith("on") for k, _ in attrs)


def test_html_has_no_scraped_markup() -> None:
    page = render_html(decision_table([(NASTY, "published"), (rec("b"), "candidate")]))
    parser = Tags()
    parser.feed(page)
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "table", "thead"}
    allowed |= {"tbody", "tr", "th", "td", "small", "br", "strong", "a", "p"}
    assert parser.tags <= allowed
    assert all(h.startswith("https://") for h in parser.hrefs)
    assert "alert" not in page.replace("javascript:alert(1)", "")  # only as inert text
    assert "candidate (unreviewed)" in page


def test_markdown_is_escaped() -> None:
    page = render_markdown(decision_table([(NASTY, "published"), (rec("b"), "published")]))
    assert "<img" not in page and "<script" not in page and "<b>" not in page
    assert r"\*things\*" in page and r"\|" in page and r"\[x\]" in page


# CLI -------------------------------------------------------------------------------------------


@pytest.fixture
def seeded_db(store: Store, db_url: str) -> str:
    seed(store)
    return db_url


def cli(*args: str) -> Any:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result


def test_cli_compare_formats_share_the_decision_table(seeded_db: str) -> None:
    base = ["compare", "alpha-7b", "beta-70b", "--db", seeded_db]
    data = json.loads(cli(*base, "--format", "json").stdout)
    assert data == json.loads(cli(*base, "--json").stdout)
    entry = next(r for r in data["rows"] if r["key"] == "entry_price")
    assert entry["better"] == ["alpha-7b"]
    assert entry["cells"][0]["value"]["input_per_mtok"] == 0.2  # published, not the pending one
    table = cli(*base).stdout
    assert "status: published" in table and "✓" in table
    assert "✓ better" in cli(*base, "--format", "markdown").stdout
    assert cli(*base, "--format", "html").stdout.startswith("<!doctype html>")


def test_cli_compare_labels_candidates(seeded_db: str) -> None:
    args = ["compare", "alpha-7b", "secret-candidate", "--db", seeded_db]
    result = cli(*args, "--format", "json")
    data = json.loads(result.stdout)
    assert [t["status"] for t in data["tools"]] == ["published", "candidate (unreviewed)"]
    assert "candidate (unreviewed)" in result.stderr
    assert "status: candidate (unreviewed)" in cli(*args).stdout
    assert "candidate (unreviewed)" in cli(*args, "--format", "markdown").stdout
    html_page = cli("compare", "epsilon-xss", "alpha-7b", "--format", "html", "--db", seeded_db)
    assert "<script" not in html_page.stdout and "onerror" not in html_page.stdout


def test_demo_steps_end_with_a_comparison_of_two_published_tools(tmp_path: Path) -> None:
    """What `make demo` runs after its crawl (see the Makefile `demo` target)."""
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    exe = str(Path(sys.executable).parent / "toolwatch")

    def run(*args: str, stdin: str | None = None) -> str:
        proc = subprocess.run(
            [exe, *args, "--db", db],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=240,
            cwd=tmp_path,
            env=os.environ | {"COLUMNS": "200", "TOOLWATCH_SPOOL_DIR": str(tmp_path / "spool")},
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    run("crawl", "--demo")
    run("editor", "add", "demo", "--password-stdin", stdin="demo-password\n")
    for slug in ("llama-3.1-8b", "llama-3-8b"):
        run("accept", slug, "--as", "demo", "--reason", "demo")
    table = run("compare", "llama-3.1-8b", "llama-3-8b", "--format", "table")
    assert table.count("status: published") == 2
    assert "✓" in table and "Entry price" in table
