"""The published form (documents built at publish time), on SQLite and PostgreSQL:
bulk accept publishes exactly what one-by-one accepts do, all or nothing; the
documents follow every change in the same transaction; Last-Modified and the
catalog version move with every version; republish; CORS and serve settings."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from api_support import ED, live_server
from builders import doc, item, record
from sqlalchemy import delete, select

from normalizer.models import License, Link, Parameters
from storage import Store
from storage.catalog import reading
from storage.errors import InvalidTransition, ToolNotFound
from storage.history import replay
from storage.published import published_values
from storage.schema import PublishedDoc

API = "/api/v1"


def word(i: int) -> str:
    """`i` in letters (names with numbers in them read as sizes of one model)."""
    return "".join(chr(97 + (i // 26**k) % 26) for k in (2, 1, 0))


def candidates(store: Store, n: int, prefix: str = "tool") -> list[str]:
    slugs = [f"{prefix}-{word(i)}" for i in range(n)]
    store.ingest_batch(
        [
            item(
                doc(f"https://src.example/{prefix}/{i}", f"body {prefix} {i}"),
                record(
                    slug,
                    name=f"{prefix.title()} {word(i).title()}",
                    source_id=f"org/{prefix}-{word(i)}",
                    vendor="Org" if i % 2 else "Other",
                    license=License(id="mit", terms="permissive"),
                    parameters=Parameters(total=1_000_000 * (i + 1)),
                    context_length=4096 + i,
                    links=[Link(type="docs", url=f"https://docs.example/{i}")],
                ),
            )
            for i, slug in enumerate(slugs)
        ]
    )
    found = [store.tool_slug_for(f"org/{prefix}-{word(i)}") for i in range(n)]
    assert len(set(found)) == n
    return [s for s in found if s]


def published_state(store: Store, prefix: str) -> dict[str, Any]:
    """What downstream sees of the tools named `prefix-...`, with the prefix blanked."""

    def mine(slug: str) -> bool:
        return slug.startswith(prefix + "-")

    with reading(store) as reader:
        docs = {
            t.slug: t.model_dump(mode="json", exclude={"updated_at"})
            for t in reader.iter_tools()
            if mine(t.slug)
        }
    changes, _ = store.changes(0, 100_000)
    state = {
        "docs": docs,
        "snapshot": {p.slug: published_values(p) for p in store.published_tools() if mine(p.slug)},
        "feed": [(c.slug, c.field, c.old, c.new) for c in changes if mine(c.slug)],
    }
    text = json.dumps(state, sort_keys=True)
    return json.loads(text.replace(prefix, "X").replace(prefix.title(), "X"))


def test_bulk_accept_publishes_what_one_by_one_accepts_do(store: Store) -> None:
    store.add_editor(ED, "correct horse")
    bulk, solo = candidates(store, 12, "bulk"), candidates(store, 12, "solo")
    assert store.accept_many(bulk, ED, "batch") == 12
    for slug in solo:
        store.accept(slug, ED, "batch")
    assert published_state(store, "bulk") == published_state(store, "solo")
    assert published_state(store, "bulk")["feed"]  # the comparison compares something


def test_bulk_accept_is_all_or_nothing(store: Store) -> None:
    store.add_editor(ED, "correct horse")
    slugs = candidates(store, 5)
    store.accept(slugs[2], ED, "first")
    with pytest.raises(InvalidTransition):
        store.accept_many(slugs, ED, "again")  # one of them is published already
    with pytest.raises(ToolNotFound):
        store.accept_many([slugs[0], "no-such-tool"], ED)
    assert {p.slug for p in store.published_tools()} == {slugs[2]}
    with reading(store) as reader:
        assert [t.slug for t in reader.iter_tools()] == [slugs[2]]


def test_documents_follow_the_snapshot_in_the_same_transaction(store: Store) -> None:
    store.add_editor(ED, "correct horse")
    slugs = candidates(store, 3)
    store.accept_many(slugs, ED)
    with reading(store) as reader:
        first = reader.state()
        (before,) = reader.docs([slugs[0]])
    store.override(slugs[0], "context_length", 65536, ED, "vendor docs")
    with reading(store) as reader:
        after = reader.state()
        (now,) = reader.docs([slugs[0]])
        (other,) = reader.docs([slugs[1]])
        assert reader.tool(slugs[0]).context_length == 65536  # type: ignore[union-attr]
    assert after.version == first.version + 1
    assert after.change_id > first.change_id
    assert now.etag != before.etag
    # Last-Modified (whole seconds) tells the two versions apart, however fast
    assert now.updated_at.replace(microsecond=0) > before.updated_at.replace(microsecond=0)
    assert other.updated_at <= after.updated_at
    store.merge(slugs[1], slugs[2], ED, "duplicate")  # leaves the published set
    with reading(store) as reader:
        assert reader.docs([slugs[1]]) == []
        assert reader.named(f"{slugs[1]}") == [slugs[2]]  # its name is now an alias
        assert slugs[1] not in replay(store.changes(0, 10_000)[0])


def test_republish_rebuilds_missing_documents_and_is_idle_when_current(store: Store) -> None:
    store.add_editor(ED, "correct horse")
    slugs = candidates(store, 4)
    store.accept_many(slugs, ED)
    assert store.republish() == 0
    with store.engine.begin() as conn:
        conn.execute(delete(PublishedDoc).where(PublishedDoc.slug == slugs[1]))
    assert store.republish() == 1
    with store.engine.connect() as conn:
        assert sorted(conn.scalars(select(PublishedDoc.slug))) == slugs


def test_cli_accepts_many_and_republishes(db_url: str) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    with Store(db_url) as store:
        store.add_editor(ED, "correct horse")
        slugs = candidates(store, 3)
    runner = CliRunner()
    result = runner.invoke(app, ["accept", *slugs, "--as", ED, "--json", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert '"count": 3' in result.output
    result = runner.invoke(app, ["republish", "--db", db_url])
    assert result.exit_code == 0 and "0 published documents rebuilt" in result.output


def test_cors_is_off_by_default_and_only_for_the_api(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(db_url) as store:
        store.add_editor(ED, "correct horse")
        store.accept_many(candidates(store, 2), ED)
    origin = {"Origin": "https://site.example"}
    monkeypatch.delenv("TOOLWATCH_CORS_ORIGINS", raising=False)
    with live_server(db_url) as base, httpx.Client(base_url=base) as http:
        response = http.get(f"{API}/tools", headers=origin)
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
    monkeypatch.setenv("TOOLWATCH_CORS_ORIGINS", "https://site.example")
    with live_server(db_url) as base, httpx.Client(base_url=base) as http:
        response = http.get(f"{API}/tools", headers=origin)
        assert response.headers["access-control-allow-origin"] == "https://site.example"
        assert "etag" in response.headers["access-control-expose-headers"].lower()
        other = http.get(f"{API}/tools", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        ui = http.get("/login", headers=origin)
        assert "access-control-allow-origin" not in ui.headers  # never the editors' UI


def test_if_modified_since_without_etag(db_url: str) -> None:
    with Store(db_url) as store:
        store.add_editor(ED, "correct horse")
        slugs = candidates(store, 2)
        store.accept_many(slugs, ED)
        with live_server(db_url) as base, httpx.Client(base_url=base) as http:
            path = f"{API}/tools/{slugs[0]}"
            first = http.get(path)
            since = {"If-Modified-Since": first.headers["last-modified"]}
            assert http.get(path, headers=since).status_code == 304
            store.override(slugs[0], "context_length", 1, ED, "test")
            assert http.get(path, headers=since).status_code == 200


def test_change_feed_text_is_the_public_change_model(store: Store) -> None:
    store.add_editor(ED, "correct horse")
    slugs = candidates(store, 3)
    store.accept_many(slugs, ED)
    store.merge(slugs[0], slugs[1], ED, "duplicate")
    with reading(store) as reader:
        texts, cursor, more = reader.changes_json(0, 1000)
        models, cursor2, more2 = reader.changes(0, 1000)
    assert (cursor, more) == (cursor2, more2)
    assert [json.loads(t) for t in texts] == [m.model_dump(mode="json") for m in models]
    assert {m.new for m in models if m.field == "_status"} == {"published", "unpublished"}
