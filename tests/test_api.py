"""The read API over HTTP (uvicorn on a free local port), on SQLite and PostgreSQL:
filters, cursor pagination while data changes, ETags / 304, the change feed
replaying to the full export, compare's "better" markers, and no unpublished data
in any response."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import ED, LEAK, PUBLISHED, crawl, live_server, publish_more, seed
from builders import record

from storage import Store
from storage.catalog import PublicChange
from storage.export import export_dataset
from storage.history import replay

API = "/api/v1"


@pytest.fixture
def seeded(store: Store) -> dict[str, Any]:
    return seed(store)


@pytest.fixture
def client(db_url: str, seeded: dict[str, Any]) -> Iterator[httpx.Client]:
    with live_server(db_url) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http


def get_json(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def walk(client: httpx.Client, between: Any = None, **params: Any) -> list[dict[str, Any]]:
    """Every item of /tools, page after page; `between(i)` runs between pages."""
    items: list[dict[str, Any]] = []
    cursor = None
    for page_no in itertools.count():
        page = get_json(client, f"{API}/tools", **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        if between is not None:
            between(page_no)
        assert page_no < 100


def feed(client: httpx.Client, since: int = 0, limit: int = 3) -> tuple[list[PublicChange], int]:
    changes: list[PublicChange] = []
    while True:
        page = get_json(client, f"{API}/changes", since=since, limit=limit)
        changes += [PublicChange.model_validate(c) for c in page["changes"]]
        assert page["next_cursor"] >= since
        since = page["next_cursor"]
        if not page["has_more"]:
            return changes, since


def slugs(items: list[dict[str, Any]]) -> list[str]:
    return [i["slug"] for i in items]


# listing and filters ------------------------------------------------------------------


def test_lists_only_published_tools_in_slug_order(client: httpx.Client) -> None:
    items = walk(client, limit=2)
    assert slugs(items) == sorted(PUBLISHED)
    alpha = next(i for i in items if i["slug"] == "alpha-7b")
    assert alpha["license"] == {
        "id": "apache-2.0",
        "name": None,
        "spdx": None,
        "url": None,
        "terms": "permissive",
    }
    assert "provenance" not in alpha  # list pages leave it out unless asked


def test_list_fields_select_what_each_item_carries(client: httpx.Client) -> None:
    detail = get_json(client, f"{API}/tools/alpha-7b")
    full = walk(client, limit=2, fields=",".join(detail))  # every field, provenance too
    assert next(i for i in full if i["slug"] == "alpha-7b") == detail
    asked = walk(client, limit=2, fields="license,provenance")
    alpha = next(i for i in asked if i["slug"] == "alpha-7b")
    assert set(alpha) == {"slug", "license", "provenance"}
    assert alpha["provenance"]["license"]["method"] == "test:license"
    assert slugs(asked) == sorted(PUBLISHED)
    assert client.get(f"{API}/tools", params={"fields": "name,secret"}).status_code == 422


FILTER_CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"vendor": "org"}, ["alpha-7b", "gamma-embed"]),
    ({"vendor": "Closed AI"}, ["delta-pro"]),
    ({"task": "feature-extraction"}, ["gamma-embed"]),
    ({"license_terms": "permissive"}, ["alpha-7b"]),
    ({"license_terms": "non-commercial"}, ["gamma-embed"]),
    ({"open_weights": "true"}, ["alpha-7b", "beta-70b", "gamma-embed"]),
    ({"open_weights": "false"}, ["delta-pro"]),
    # epsilon states no category: its task files it under the site taxonomy (comparison copy)
    ({"category": "chat & text"}, ["alpha-7b", "beta-70b", "delta-pro", "epsilon-xss"]),
    ({"category": "Chat & Text", "open_weights": "true", "vendor": "Other"}, ["beta-70b"]),
    ({"vendor": "nobody"}, []),
    ({"vendor": "org\x00"}, []),
]


def test_filters(client: httpx.Client) -> None:
    for params, expected in FILTER_CASES:
        assert slugs(walk(client, limit=1, **params)) == expected, params


def test_candidate_values_do_not_match_filters(client: httpx.Client) -> None:
    # the candidate has license terms `permissive` and vendor Org: never listed
    assert "secret-candidate" not in slugs(walk(client, license_terms="permissive"))
    # alpha's pending license change says `proprietary`: the published value still rules
    assert slugs(walk(client, license_terms="proprietary")) == ["delta-pro"]


def test_malformed_cursor_is_refused_and_a_cursor_is_a_position(client: httpx.Client) -> None:
    page = get_json(client, f"{API}/tools", limit=1, vendor="Org")
    assert page["items"][0]["slug"] == "alpha-7b"
    assert client.get(f"{API}/tools", params={"cursor": "garbage!"}).status_code == 422
    # a cursor is a position in slug order: with other filters it goes on from there
    other = get_json(client, f"{API}/tools", cursor=page["next_cursor"], vendor="Other")
    assert slugs(other["items"]) == ["beta-70b"]
    same = get_json(client, f"{API}/tools", cursor=page["next_cursor"], vendor="org")
    assert slugs(same["items"]) == ["gamma-embed"]  # strings compare case-insensitively


def test_pagination_without_duplicates_or_gaps_while_data_changes(
    client: httpx.Client, store: Store
) -> None:
    before = set(slugs(walk(client)))

    def change(page_no: int) -> None:
        n = page_no
        # publish tools before and after the cursor, re-crawl, withdraw, add candidates
        publish_more(store, f"aaa-new-{n}")  # sorts before every cursor: not seen, no shift
        publish_more(store, f"zzz-new-{n}")  # ahead of the cursor: seen
        crawl(store, record(f"cand-{n}", name=f"{LEAK} cand {n}", vendor="Org"))
        crawl(store, record("beta-70b", name="Beta 70B", context_length=100_000 + n))
        if n == 1:
            store.merge("gamma-embed", "alpha-7b", ED, "withdrawn while paging")

    seen = slugs(walk(client, between=change, limit=1))
    assert len(seen) == len(set(seen)), "duplicates"
    after = set(slugs(walk(client)))
    assert (before & after) <= set(seen), "gaps: tools published throughout were skipped"
    assert {s for s in seen if s.startswith("zzz-new-")}, "tools published ahead of the cursor"
    assert not any(s.startswith("cand-") for s in seen)
    assert seen == sorted(seen)


# detail ---------------------------------------------------------------------------------


def test_tool_detail_has_published_fields_variants_prices_provenance(
    client: httpx.Client,
) -> None:
    alpha = get_json(client, f"{API}/tools/alpha-7b")
    assert alpha["slug"] == "alpha-7b"
    assert alpha["variants"] == ["mirror/Dup-Alpha", "org/Alpha-7B"]  # merged in by an editor
    assert "Dup Alpha" in alpha["aliases"]
    assert {p["provider"]: p["input_per_mtok"] for p in alpha["pricing"]["prices"]} == {
        "p0": 0.5,
        "p1": 0.2,
    }  # the crawled 0.0001 awaits review
    assert alpha["license"]["id"] == "apache-2.0"
    assert set(alpha["provenance"]) >= {"license", "pricing", "context_length", "vendor"}
    assert alpha["links"] == [{"type": "model_card", "url": "https://huggingface.co/org/Alpha-7B"}]
    assert alpha["updated_at"]


def test_unpublished_and_unknown_tools_are_404(client: httpx.Client) -> None:
    for slug in [
        "secret-candidate",
        "LEAK Secret Candidate",  # an unpublished tool's name is no published name
        "rejected-noise",
        "nope",
        "org%2FAlpha-7B",
    ]:
        response = client.get(f"{API}/tools/{slug}")
        assert response.status_code == 404, slug
        assert LEAK not in response.text.replace(slug, "")  # the name asked is echoed


def test_other_casings_names_and_aliases_redirect_to_the_slug(client: httpx.Client) -> None:
    for asked in ["ALPHA-7B", "Alpha 7B", "alpha_7b", "Dup Alpha", "dup-alpha"]:
        # dup-alpha was merged into alpha-7b: its name is one of alpha's published aliases
        response = client.get(f"{API}/tools/{asked}")
        assert response.status_code == 307, asked
        assert response.headers["location"] == f"{API}/tools/alpha-7b"
    followed = client.get(f"{API}/tools/BETA-70B", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["slug"] == "beta-70b"
    response = client.get(f"{API}/compare", params={"tools": "Alpha 7B,BETA-70B"})
    assert response.status_code == 307
    assert response.headers["location"] == f"{API}/compare?tools=alpha-7b%2Cbeta-70b"


def test_head_answers_with_the_get_headers_and_no_body(client: httpx.Client) -> None:
    for path in [*ETAG_PATHS, "/healthz"]:
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        for name in ("etag", "content-type", "cache-control", "last-modified"):
            assert head.headers.get(name) == get.headers.get(name), (path, name)


def test_large_bodies_are_gzipped_for_clients_that_accept_it(client: httpx.Client) -> None:
    path = f"{API}/tools?limit=5&fields=slug,provenance,license,pricing,links"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert zipped.json() == plain.json()  # httpx decodes it
    assert "Accept-Encoding" in zipped.headers["vary"]
    again = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert again.status_code == 304 and again.headers["etag"] == zipped.headers["etag"]
    small = client.get(f"{API}/changes?since=1000000", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # not worth it under 1 KiB


def test_healthz_says_the_database_answers(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["cache-control"] == "no-store"


# ETags ------------------------------------------------------------------------------------


ETAG_PATHS = [
    f"{API}/tools?limit=2",
    f"{API}/tools/alpha-7b",
    f"{API}/compare?tools=alpha-7b,beta-70b",
    f"{API}/changes?since=0",
]


def test_etag_and_304(client: httpx.Client, store: Store) -> None:
    tags = {}
    for path in ETAG_PATHS:
        first = client.get(path)
        assert first.status_code == 200
        tag = tags[path] = first.headers["etag"]
        assert tag.startswith('"') and tag.endswith('"')
        for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
            again = client.get(path, headers={"If-None-Match": header})
            assert again.status_code == 304, (path, header)
            assert again.content == b""
            assert again.headers["etag"] == tag
        assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
    # a published change gives a new ETag (for the list, the detail, compare, the feed)
    store.override("alpha-7b", "context_length", 65536, ED, "vendor docs")
    for path, tag in tags.items():
        changed = client.get(path, headers={"If-None-Match": tag})
        assert changed.status_code == 200, path
        assert changed.headers["etag"] != tag


def test_unreviewed_changes_do_not_change_etags(client: httpx.Client, store: Store) -> None:
    path = f"{API}/tools/alpha-7b"
    tag = client.get(path).headers["etag"]
    crawl(
        store,
        record("alpha-7b", name="Alpha 7B", parameters={"total": 8_000_000_000}),  # reviewed
        record("new-candidate", name=f"{LEAK} new"),
    )
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304


# change feed --------------------------------------------------------------------------------


def test_change_feed_replays_to_the_full_export(
    client: httpx.Client, store: Store, tmp_path: Path
) -> None:
    changes, cursor = feed(client)
    # more happens; an incremental sync from the cursor catches up
    publish_more(store, "omega", context_length=4096, tagline="late")
    store.merge("delta-pro", "beta-70b", ED, "withdrawn")
    store.override("beta-70b", "tagline", "Edited", ED, "copy edit")
    crawl(store, record("beta-70b", name="Beta 70B", release_date="2024-07-23"))
    more, cursor = feed(client, since=cursor, limit=2)
    assert more and all(c.id > changes[-1].id for c in more)
    state = replay(changes + more)

    manifest = export_dataset(store, tmp_path, "jsonl")
    assert manifest.version == cursor
    exported = {}
    for line in (tmp_path / "tools.jsonl").read_text().splitlines():
        data = json.loads(line)
        exported[data["slug"]] = {
            k: v
            for k, v in data.items()
            if k not in ("slug", "provenance", "variants", "updated_at") and v not in (None, [], {})
        }
    assert state == exported
    assert "delta-pro" not in state and "omega" in state
    assert state["beta-70b"]["tagline"] == "Edited"

    statuses = {c.new for c in changes + more if c.field == "_status"}
    assert statuses <= {"published", "unpublished"}  # no internal workflow states


def test_change_feed_cursor_beyond_the_end_is_empty(client: httpx.Client) -> None:
    _, cursor = feed(client)
    page = get_json(client, f"{API}/changes", since=cursor + 1000)
    assert page == {"changes": [], "next_cursor": cursor + 1000, "has_more": False}


# compare ------------------------------------------------------------------------------------


def row(table: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in table["rows"] if r["key"] == key)


def test_compare_marks_the_objectively_better_values(client: httpx.Client) -> None:
    table = get_json(client, f"{API}/compare", tools="alpha-7b,beta-70b,delta-pro")
    assert [t["slug"] for t in table["tools"]] == ["alpha-7b", "beta-70b", "delta-pro"]
    assert {t["status"] for t in table["tools"]} == {"published"}
    entry = row(table, "entry_price")
    assert entry["criterion"] == "cheaper" and entry["better"] == ["alpha-7b"]
    assert entry["cells"][0]["value"]["input_per_mtok"] == 0.2  # not the unreviewed 0.0001
    assert entry["cells"][0]["better"] is True and entry["cells"][1]["better"] is False
    assert row(table, "license")["better"] == ["alpha-7b"]
    assert row(table, "context_length")["better"] == ["beta-70b", "delta-pro"]  # a tie at the top
    assert row(table, "release_date")["better"] == ["delta-pro"]
    for key in ("vendor", "pricing", "best_for", "category", "parameters_total", "links"):
        assert row(table, key)["criterion"] is None
        assert row(table, key)["better"] == []
        assert not any(c["better"] for c in row(table, key)["cells"])
    assert "A small chat model." in row(table, "best_for")["cells"][0]["text"]


def test_compare_ties_and_unknowns_mark_nothing(client: httpx.Client) -> None:
    table = get_json(client, f"{API}/compare", tools="beta-70b,delta-pro")
    assert row(table, "context_length")["better"] == []  # 128000 both
    # gamma has no price, epsilon no license: one known value is no comparison
    table = get_json(client, f"{API}/compare", tools="gamma-embed,epsilon-xss")
    assert row(table, "entry_price")["better"] == []
    assert row(table, "license")["better"] == []


def test_compare_refuses_unpublished_and_bad_lists(client: httpx.Client) -> None:
    for tools, status in [
        ("alpha-7b,secret-candidate", 404),
        ("alpha-7b,rejected-noise", 404),
        ("alpha-7b,dup-alpha", 400),  # dup-alpha is an alias of alpha-7b: one tool
        ("alpha-7b", 422),  # the schema asks for 2 to 5 names
        ("alpha-7b,alpha-7b", 400),
        ("a,b,c,d,e,f", 422),
    ]:
        response = client.get(f"{API}/compare", params={"tools": tools})
        assert response.status_code == status, tools
        assert LEAK not in response.text


def test_compare_text_is_sanitised(client: httpx.Client) -> None:
    table = get_json(client, f"{API}/compare", tools="epsilon-xss,alpha-7b")
    text = json.dumps(table)
    for bad in ("<script", "<img", "onerror", "<b>", "<iframe", "<a "):
        assert bad not in text
    assert table["tools"][0]["name"] == "Epsilon"
    assert "Bold claims & more click" in row(table, "best_for")["cells"][0]["text"]


# nothing unpublished, anywhere ---------------------------------------------------------------


def test_no_response_contains_unpublished_data(
    client: httpx.Client, store: Store, seeded: dict[str, Any]
) -> None:
    bodies: list[str] = []

    def fetch(path: str, **params: Any) -> Any:
        response = client.get(path, params=params)
        bodies.append(response.text)
        return response

    filters = [
        {},
        {"vendor": "Org"},
        {"license_terms": "permissive"},
        {"license_terms": "proprietary"},
        {"open_weights": "true"},
        {"task": "text-generation"},
        {"category": "LEAK override"},
    ]
    listed: set[str] = set()
    for params in filters:
        cursor = None
        while True:
            page = fetch(
                f"{API}/tools", limit=1, **params, **({"cursor": cursor} if cursor else {})
            )
            listed |= set(slugs(page.json()["items"]))
            cursor = page.json()["next_cursor"]
            if not cursor:
                break
    assert listed == set(PUBLISHED)
    for slug in [*PUBLISHED, "secret-candidate", "rejected-noise", "dup-alpha"]:
        fetch(f"{API}/tools/{slug}")
    for a, b in itertools.permutations([*PUBLISHED, "secret-candidate"], 2):
        fetch(f"{API}/compare", tools=f"{a},{b}")
    changes, _ = feed(client)
    bodies.append(json.dumps([c.model_dump(mode="json") for c in changes]))
    for text in bodies:
        assert LEAK not in text
        assert "0.0001" not in text and "1e-04" not in text  # alpha's unreviewed price
    assert {c.slug for c in changes} <= set(PUBLISHED)
    assert seeded["pending"], "the seed has unreviewed changes"


# OpenAPI and fuzzing --------------------------------------------------------------------------


def test_openapi_documents_the_api_with_examples(client: httpx.Client) -> None:
    schema = get_json(client, "/openapi.json")
    paths = schema["paths"]
    for path in ("/tools", "/tools/{slug}", "/compare", "/changes"):
        assert f"{API}{path}" in paths
        assert "304" in paths[f"{API}{path}"]["get"]["responses"]
    components = schema["components"]["schemas"]
    for name in ("PublicTool", "ToolPage", "DecisionTable", "ChangePage", "PublicChange"):
        assert components[name].get("examples"), name


def test_schemathesis_passes_every_check(db_url: str, seeded: dict[str, Any]) -> None:
    with live_server(db_url) as base:
        proc = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{base}/openapi.json",
                "--include-path-regex",
                "^/(api/v1/|healthz)",
                "--checks",
                "all",
                "--max-examples",
                "25",
                "--phases",
                "examples,coverage,fuzzing",
                "--seed",
                "1",
                "--workers",
                "1",
                "--no-color",
                "--request-timeout",
                "20",
            ],
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
