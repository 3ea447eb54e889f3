"""The CLI tells an editor what the web UI does: `show` fills every column (the
source of each resolved value), claims read as values, not Python reprs; `stats`
in words; clear refusals of unreadable JSON, negative sizes and bad option values;
`--value=-5` reaches the store; withdraw."""

from __future__ import annotations

import json

import pytest
from builders import doc, item, record
from test_cli_editorial import ok, run

from normalizer.models import License, Parameters, Price, Pricing
from storage import Store


@pytest.fixture
def db(sqlite_url: str) -> str:
    with Store(sqlite_url) as store:
        store.add_editor("ann", "correct horse")
        store.ingest_batch(
            [
                item(
                    doc("https://hf.example/alpha", "a"),
                    record(
                        "alpha-7b",
                        name="Alpha 7B",
                        source_id="org/Alpha-7B",
                        license=License(id="apache-2.0", terms="permissive"),
                        parameters=Parameters(total=7_240_000_000),
                        pricing=Pricing(
                            model="paid",
                            prices=[
                                Price(
                                    provider="openrouter", input_per_mtok=0.03, output_per_mtok=0.05
                                )
                            ],
                        ),
                        source_url="https://hf.example/alpha",
                    ),
                )
            ]
        )
    return sqlite_url


def test_show_fills_every_column_and_prints_claims_readably(db: str) -> None:
    out = ok("show", "alpha-7b", "--db", db)
    [license_line] = [line for line in out.splitlines() if line.strip().startswith("license")]
    assert "apache-2.0 (permissive)" in license_line and "hf-card" in license_line  # its source
    claims = out.split("claims (", 1)[1]
    assert "$0.03," in claims and "$0.05" in claims  # the pricing claim, in words
    assert "{'" not in out and "Parameters(" not in out  # no Python reprs
    assert "7.24B total" in out


def test_stats_in_words(db: str) -> None:
    out = ok("stats", "--db", db)
    assert "{" not in out
    tools = next(line for line in out.splitlines() if line.strip().startswith("tools"))
    assert "1 candidate" in tools and "0 published" in tools


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tools", "--status", "bogus"), "'bogus' is not one of"),
        (("candidates", "--limit", "0"), "greater than or equal to 1"),
        (("candidates", "--limit", "-1"), "greater than or equal to 1"),
        (("candidates", "--source-kind", "blog"), "'blog' is not one of"),
    ],
)
def test_bad_option_values_are_refused(db: str, args: tuple[str, ...], message: str) -> None:
    result = run(*args, "--db", db)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert message in " ".join(result.output.split())  # type: ignore[attr-defined]


def test_override_values_are_read_or_refused_clearly(db: str) -> None:
    bad = run("override", "alpha-7b", "license", "{id: mit}", "--reason", "r", "--db", db)
    text = " ".join(bad.output.split())  # type: ignore[attr-defined]
    assert bad.exit_code == 2 and "not valid JSON" in text and '{"id": "apache-2.0"' in text  # type: ignore[attr-defined]
    negative = run(
        "override", "alpha-7b", "context_length", "--value=-5", "--reason", "r", "--db", db
    )
    assert negative.exit_code == 1  # type: ignore[attr-defined]
    assert "cannot be negative (-5)" in " ".join(negative.output.split())  # type: ignore[attr-defined]
    done = ok(
        "override",
        "alpha-7b",
        "context_length",
        "--value=8192",
        "--reason",
        "card",
        "--json",
        "--db",
        db,
    )
    assert json.loads(done)["value"] == 8192
    with Store(db) as store:
        assert store.resolve("alpha-7b").record.context_length == 8192  # type: ignore[union-attr]


def test_withdraw_from_the_cli(db: str) -> None:
    ok("accept", "alpha-7b", "--db", db)
    refused = run("withdraw", "alpha-7b", "--reason", " ", "--db", db)
    assert refused.exit_code == 1 and "needs a reason" in refused.output  # type: ignore[attr-defined]
    out = ok("withdraw", "alpha-7b", "--reason", "pulled", "--json", "--db", db)
    assert json.loads(out) == {"slug": "alpha-7b", "status": "rejected", "withdrawn": True}
    with Store(db) as store:
        assert store.published("alpha-7b") is None
    history = json.loads(ok("history", "alpha-7b", "--json", "--db", db))
    assert history["decisions"][-1]["action"] == "withdraw"
