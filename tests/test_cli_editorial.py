"""The editorial CLI end to end on a SQLite file: editor, accept, override, review,
merge, reject, history, db upgrade (storage behaviour itself is tested on both
backends in test_storage_editorial*)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from builders import T0, doc, item, record
from typer.testing import CliRunner

from cli.main import app
from normalizer.models import License
from storage import Store

runner = CliRunner()


@pytest.fixture
def db(sqlite_url: str) -> str:
    with Store(sqlite_url) as store:
        store.ingest_batch(
            [
                item(
                    doc("https://hf/mixtral", "m"),
                    record(
                        "mixtral-8x7b",
                        name="Mixtral 8x7B",
                        source_id="mistralai/Mixtral-8x7B-v0.1",
                        license=License(id="apache-2.0"),
                    ),
                ),
                item(doc("https://hf/dup", "d"), record("mixtral-dup", name="Mixtral Dupe")),
                item(doc("https://hf/noise", "n"), record("noise-1b", name="Noise 1B")),
            ]
        )
    return sqlite_url


def run(*args: str, input: str | None = None, editor: str | None = "ann") -> object:
    env = {"TOOLWATCH_EDITOR": editor} if editor else {}
    return runner.invoke(app, list(args), input=input, env=env)


def ok(*args: str, **kw: object) -> str:
    result = run(*args, **kw)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return str(result.output)  # type: ignore[attr-defined]


def test_editorial_workflow(db: str) -> None:
    assert "schema already at" in ok("db", "upgrade", "--db", db)
    ok("editor", "add", "ann", "--password-stdin", "--db", db, input="correct horse\n")
    assert json.loads(ok("editor", "list", "--json", "--db", db)) == ["ann"]
    bad = run("accept", "mixtral-8x7b", "--db", db, "--as", "bob")
    assert bad.exit_code == 1 and "not an editor" in bad.output
    nobody = run("accept", "mixtral-8x7b", "--db", db, editor=None)
    assert nobody.exit_code == 2
    # the queue, then decisions
    queue = json.loads(ok("candidates", "--json", "--db", db))
    assert {c["slug"] for c in queue} >= {"mixtral-8x7b", "noise-1b"}
    assert json.loads(ok("accept", "mistralai/Mixtral-8x7B-v0.1", "--json", "--db", db)) == {
        "slug": "mixtral-8x7b",
        "status": "published",
    }
    out = ok(
        "override",
        "mixtral-8x7b",
        "license",
        '{"id":"apache-2.0","terms":"permissive"}',
        "--reason",
        "checked the LICENSE file",
        "--json",
        "--db",
        db,
    )
    assert json.loads(out)["value"]["terms"] == "permissive"
    assert (
        "unknown field"
        in run("override", "mixtral-8x7b", "licence", "mit", "--reason", "x", "--db", db).output
    )
    ok("override", "mixtral-8x7b", "tagline", "Sparse MoE", "--reason", "house style", "--db", db)
    assert (
        "--reason is required" in run("override", "mixtral-8x7b", "tagline", "x", "--db", db).output
    )
    ok("reject", "noise-1b", "--reason", "not a model", "--db", db)
    with Store(db) as store:
        dup = store.tool_slug_for("mixtral-dup")
    assert dup is not None
    merged = json.loads(ok("merge", "mixtral-dup", "--into", "mixtral-8x7b", "--json", "--db", db))
    assert merged == {"slug": dup, "status": "merged", "into": "mixtral-8x7b"}
    history = json.loads(ok("history", "mixtral-8x7b", "--json", "--db", db))
    fields = [c["field"] for c in history["changes"]]
    assert fields[0] == "_status" and "license" in fields and "tagline" in fields
    last_license = [c for c in history["changes"] if c["field"] == "license"][-1]
    assert last_license["actor"] == "ann" and "checked the LICENSE" in last_license["reason"]
    assert "changes to published data" in ok("history", "mixtral-8x7b", "--db", db)
    assert "unmerged" in ok("unmerge", dup, "--db", db)
    # a crawl disagreeing with the override: a conflict to review
    with Store(db) as store:
        store.ingest_batch(
            [
                item(
                    doc("https://hf/mixtral", "m2", fetched_at=T0 + timedelta(days=1)),
                    record(
                        "mixtral-8x7b",
                        source_id="mistralai/Mixtral-8x7B-v0.1",
                        license=License(id="mit"),
                    ),
                )
            ]
        )
    items = json.loads(ok("review", "--json", "--db", db))
    assert [(i["kind"], i["field"]) for i in items] == [("conflict", "license")]
    assert "review items" in ok("review", "--db", db)
    decided = json.loads(ok("review", "reject", str(items[0]["id"]), "--json", "--db", db))
    assert decided["status"] == "rejected"
    assert run("review", "accept", str(items[0]["id"]), "--db", db).exit_code == 1
    assert json.loads(ok("review", "--json", "--db", db)) == []
    shown = json.loads(ok("show", "mixtral-8x7b", "--json", "--db", db))
    assert shown["record"]["license"]["id"] == "apache-2.0"
    assert [o["field"] for o in shown["overrides"]] == ["license", "tagline"]


def test_reopened_candidates_say_so(db: str) -> None:
    ok("editor", "add", "ann", "--password-stdin", "--db", db, input="correct horse\n")
    ok("reject", "noise-1b", "--reason", "not a model", "--db", db)
    with Store(db) as store:
        store.ingest_batch([item(doc("https://blog/noise", "x"), record("noise-1b"))])
    [cand] = json.loads(ok("candidates", "--reopened", "--json", "--db", db))
    assert cand["slug"] == "noise-1b" and cand["reopened"]
    assert "https://blog/noise" in cand["reopened_reason"]
    assert "reopened" in ok("candidates", "--db", db)
