"""The editors' web UI through HTTP (FastAPI TestClient), on SQLite and PostgreSQL:
login, sessions, CSRF, every decision changing the store, escaping of hostile
scraped values, and an editor acting in the UI while a crawl writes."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from builders import T0, doc, item, record
from fastapi.testclient import TestClient

from normalizer.models import DocKind, License, Link, LinkType
from storage import Store
from web.app import create_app
from web.editor import SESSION_COOKIE

ED, PASSWORD = "ann", "correct horse"
SECRET = "test-secret-key-of-sufficient-length"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_urls = count()


def crawl(store: Store, *records: Any, kind: DocKind = DocKind.HF_CARD) -> None:
    n = next(_urls)
    at = T0 + timedelta(minutes=n)
    store.ingest_batch(
        [
            item(doc(f"https://src.example/{n}/{i}", f"body-{n}-{i}", kind=kind, fetched_at=at), r)
            for i, r in enumerate(records)
        ]
    )


def alpha(**fields: Any) -> Any:
    fields.setdefault("source_id", "org/Alpha-7B")
    fields.setdefault("vendor", "Org")
    return record("alpha-7b", name="Alpha 7B", **fields)


def beta(**fields: Any) -> Any:
    fields.setdefault("source_id", "other/Beta-7B")
    fields.setdefault("vendor", "Other")
    return record("beta-7b", name="Beta 7B", **fields)


MIT, APACHE = License(id="mit"), License(id="apache-2.0")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """The test's own Store on the app's database (think: another process)."""
    with Store(db_url) as opened:
        opened.add_editor(ED, PASSWORD)
        crawl(opened, alpha(license=MIT), kind=DocKind.HF_API)
        crawl(opened, beta(license=MIT))
        yield opened


@pytest.fixture
def client(store: Store, db_url: str) -> Iterator[TestClient]:
    """An anonymous browser on the app (HTTP: the session cookie is not Secure)."""
    with TestClient(create_app(db_url, secret_key=SECRET), base_url="http://testserver") as c:
        yield c


def slug(store: Store, ref: str) -> str:
    found = store.tool_slug_for(ref)
    assert found is not None
    return found


def token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = CSRF_RE.search(page.text)
    assert match, "no CSRF field on the page"
    return match.group(1)


def log_in(client: TestClient, name: str = ED, password: str = PASSWORD, **extra: str) -> Any:
    data = {"name": name, "password": password, "csrf_token": token(client), **extra}
    return client.post("/login", data=data, follow_redirects=False)


@pytest.fixture
def editor(client: TestClient) -> TestClient:
    """A logged-in editor's browser."""
    assert log_in(client).status_code == 303
    return client


def post(client: TestClient, path: str, page: str = "/", **data: str) -> Any:
    """Submit a form the way a browser does: with the token from a page."""
    return client.post(
        path, data={"csrf_token": token(client, page), **data}, follow_redirects=False
    )


def flash_of(client: TestClient, response: Any) -> str:
    """The page the POST redirected to (its flash messages)."""
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


# login and sessions --------------------------------------------------------------------


def test_pages_need_a_logged_in_editor(client: TestClient, store: Store) -> None:
    a = slug(store, "org/Alpha-7B")
    for path in ("/", "/tools", f"/tools/{a}", f"/tools/{a}/history", "/review", "/logout"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    page = client.get("/review?kind=change")  # followed: the login form, `next` kept
    assert page.url.path == "/login" and 'value="/review?kind=change"' in page.text
    csrf = token(client)  # a valid token of this (anonymous) session does not help
    for path in (
        f"/tools/{a}/accept",
        f"/tools/{a}/reject",
        f"/tools/{a}/merge",
        f"/tools/{a}/unmerge",
        f"/tools/{a}/override",
        f"/tools/{a}/clear-override",
        "/review/1/accept",
        "/review/1/reject",
        "/logout",
    ):
        response = client.post(
            path,
            data={"csrf_token": csrf, "reason": "r", "field": "vendor", "value": "X"},
            follow_redirects=False,
        )
        assert response.status_code == 401, path
    resolved = store.resolve(a)
    assert resolved is not None and resolved.status == "candidate" and resolved.overrides == []
    assert client.get("/static/editor.css").status_code == 200
    assert client.get("/login").status_code == 200


def test_bad_password_and_unknown_editor(client: TestClient) -> None:
    for name, password in ((ED, "wrong horse"), ("mallory", PASSWORD), (ED, "")):
        response = log_in(client, name, password)
        assert response.status_code == 401
        assert "Wrong name or password." in response.text
        assert "wrong horse" not in response.text  # the password is never echoed
        assert client.get("/", follow_redirects=False).status_code == 303
    assert log_in(client).status_code == 303
    assert client.get("/").status_code == 200


def test_too_many_failed_logins_are_throttled(client: TestClient) -> None:
    from web.editor import routes

    routes.throttle.succeeded("testclient")
    try:
        for _ in range(routes.throttle.max_failures):
            assert log_in(client, ED, "wrong horse").status_code == 401
        response = log_in(client)  # even the right password waits now
        assert response.status_code == 429
        assert client.get("/", follow_redirects=False).status_code == 303
    finally:
        routes.throttle.succeeded("testclient")
    assert log_in(client).status_code == 303


def test_login_form_is_csrf_protected_and_renews_the_session(client: TestClient) -> None:
    response = client.post(
        "/login", data={"name": ED, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    before = token(client)
    assert log_in(client).status_code == 303
    after = token(client, "/")
    assert after != before  # a new session at login: no fixation
    assert client.cookies.get("toolwatch_session")


def test_login_redirects_only_to_local_paths(client: TestClient) -> None:
    for target, expected in (
        ("/review", "/review"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ):
        client.cookies.clear()
        response = log_in(client, next=target)
        assert response.headers["location"] == expected, target


def test_logout(editor: TestClient) -> None:
    response = editor.post("/logout", data={"csrf_token": "nope"}, follow_redirects=False)
    assert response.status_code == 403
    assert editor.get("/", follow_redirects=False).status_code == 200
    response = post(editor, "/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert editor.get("/", follow_redirects=False).status_code == 303


def _saved_cookie(client: TestClient) -> tuple[str, str]:
    """The session cookie as it is now, and its CSRF token (an attacker's copy)."""
    return client.cookies[SESSION_COOKIE], token(client, "/")


def _replay(db_url: str, cookie: str) -> TestClient:
    c = TestClient(create_app(db_url, secret_key=SECRET), base_url="http://testserver")
    c.cookies.set(SESSION_COOKIE, cookie)
    return c


def test_a_cookie_saved_before_logout_opens_nothing_and_accepts_nothing(
    editor: TestClient, store: Store, db_url: str
) -> None:
    a = slug(store, "org/Alpha-7B")
    cookie, csrf = _saved_cookie(editor)
    with _replay(db_url, cookie) as copy:  # the copy works while the editor is logged in
        assert copy.get("/", follow_redirects=False).status_code == 200
    assert post(editor, "/logout").headers["location"] == "/login"
    with _replay(db_url, cookie) as copy:
        assert copy.get("/", follow_redirects=False).status_code == 303
        response = copy.post(f"/tools/{a}/accept", data={"csrf_token": csrf, "reason": "x"})
        assert response.status_code in (401, 403)
    assert store.published(a) is None
    assert [d.action for d in store.decisions(a)] == []


def test_a_password_change_logs_out_every_session(
    editor: TestClient, store: Store, db_url: str
) -> None:
    cookie, _ = _saved_cookie(editor)
    store.set_editor_password(ED, "a brand new password")
    assert editor.get("/", follow_redirects=False).status_code == 303
    with _replay(db_url, cookie) as copy:
        assert copy.get("/", follow_redirects=False).status_code == 303
    assert log_in(editor).status_code == 401  # the old password is gone too
    assert log_in(editor, password="a brand new password").status_code == 303


def test_logging_in_rotates_the_session(client: TestClient, store: Store, db_url: str) -> None:
    token(client)
    before = client.cookies[SESSION_COOKIE]
    assert log_in(client).status_code == 303
    first = client.cookies[SESSION_COOKIE]
    assert first != before
    with _replay(db_url, before) as copy:  # the pre-login cookie stays anonymous
        assert copy.get("/", follow_redirects=False).status_code == 303
    post(client, "/logout")
    assert log_in(client).status_code == 303
    assert client.cookies[SESSION_COOKIE] != first


def test_session_cookie_flags(db_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(db_url, secret_key=SECRET)) as c:
        cookie = log_in(c).headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    monkeypatch.setenv("TOOLWATCH_HTTPS_ONLY", "1")
    with TestClient(create_app(db_url, secret_key=SECRET), base_url="https://testserver") as c:
        cookie = log_in(c).headers["set-cookie"].lower()
        assert "secure" in cookie
    # a session signed with another key is no session
    with TestClient(create_app(db_url, secret_key="another key entirely")) as c:
        with TestClient(create_app(db_url, secret_key=SECRET)) as other:
            log_in(other)
            c.cookies.update(other.cookies)
        assert c.get("/", follow_redirects=False).status_code == 303


# CSRF ----------------------------------------------------------------------------------


def test_csrf_missing_or_wrong_changes_nothing(
    editor: TestClient, store: Store, db_url: str
) -> None:
    a = slug(store, "org/Alpha-7B")
    with TestClient(create_app(db_url, secret_key=SECRET)) as other:
        log_in(other)
        foreign = token(other, "/")  # a valid token, of another editor's session
    for csrf in (None, "", "wrong", foreign, token(editor, "/") + "x"):
        data = {"reason": "why", "field": "license", "value": '{"id": "gpl-3.0"}', "into": "x"}
        if csrf is not None:
            data["csrf_token"] = csrf
        for path in (f"/tools/{a}/accept", f"/tools/{a}/reject", f"/tools/{a}/override"):
            response = editor.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, csrf)
            assert "Nothing was changed" in response.text
    resolved = store.resolve(a)
    assert resolved is not None
    assert resolved.status == "candidate" and resolved.overrides == []
    assert resolved.record.license == MIT
    assert store.decisions(a) == []


# decisions -----------------------------------------------------------------------------


def test_accept_and_reject(editor: TestClient, store: Store) -> None:
    a, b = slug(store, "org/Alpha-7B"), slug(store, "other/Beta-7B")
    page = editor.get("/")
    assert "Alpha 7B" in page.text and "Beta 7B" in page.text
    response = post(editor, f"/tools/{a}/accept", f"/tools/{a}", reason="looks right")
    assert response.headers["location"] == f"/tools/{a}"
    assert f"Published {a}." in flash_of(editor, response)
    published = store.published(a)
    assert published is not None and published.record.license == MIT
    assert [(d.action, d.actor, d.reason) for d in store.decisions(a)] == [
        ("accept", ED, "looks right")
    ]
    # a second accept is refused by the store: an error message, nothing else
    page = flash_of(editor, post(editor, f"/tools/{a}/accept", f"/tools/{a}"))
    assert 'class="flash error"' in page and "cannot accept" in page
    # a rejection needs a reason
    page = flash_of(editor, post(editor, f"/tools/{b}/reject", f"/tools/{b}", reason=" "))
    assert "a rejection needs a reason" in page
    assert store.resolve(b).status == "candidate"  # type: ignore[union-attr]
    post(editor, f"/tools/{b}/reject", f"/tools/{b}", reason="a test upload")
    assert store.resolve(b).status == "rejected"  # type: ignore[union-attr]
    assert "Beta 7B" not in editor.get("/").text
    assert "No candidates" in editor.get("/").text
    assert editor.get("/tools/no-such-tool").status_code == 404


def test_merge_and_unmerge(editor: TestClient, store: Store) -> None:
    a, b = slug(store, "org/Alpha-7B"), slug(store, "other/Beta-7B")
    page = editor.get(f"/tools/{b}?q=alpha")  # the fuzzy search box offers targets
    assert f'<option value="{a}">' in page.text
    assert f'<option value="{b}">' not in page.text  # never itself
    response = post(editor, f"/tools/{b}/merge", f"/tools/{b}", into=a, reason="same model")
    assert response.headers["location"] == f"/tools/{a}"
    assert f"Merged {b} into {a}." in flash_of(editor, response)
    merged = store.resolve(b)
    assert merged is not None and (merged.status, merged.merged_into) == ("merged", a)
    assert "other/Beta-7B" in store.resolve(a).variants  # type: ignore[union-attr]
    page = editor.get(f"/tools/{b}").text
    assert f"/tools/{b}/unmerge" in page and f"/tools/{b}/accept" not in page
    post(editor, f"/tools/{b}/unmerge", f"/tools/{b}", reason="not the same after all")
    assert store.resolve(b).status == "candidate"  # type: ignore[union-attr]
    page = flash_of(editor, post(editor, f"/tools/{b}/merge", f"/tools/{b}", into=b))
    assert "cannot merge a tool into itself" in page
    page = flash_of(editor, post(editor, f"/tools/{b}/merge", f"/tools/{b}", into=""))
    assert "Choose the tool to merge into." in page


def test_override_shows_in_history(editor: TestClient, store: Store) -> None:
    a = slug(store, "org/Alpha-7B")
    post(editor, f"/tools/{a}/accept", f"/tools/{a}")
    value = '{"id": "apache-2.0", "terms": "permissive"}'
    response = post(
        editor,
        f"/tools/{a}/override",
        f"/tools/{a}",
        field="license",
        value=value,
        mode="json",
        reason="LICENSE file says Apache-2.0",
    )
    assert "Override set: license" in flash_of(editor, response)
    published = store.published(a)
    assert published is not None and published.record.license == License(
        id="apache-2.0", terms="permissive"
    )
    change = [c for c in store.history(a) if c.field == "license"][-1]
    assert (change.old["id"], change.new["id"], change.actor) == ("mit", "apache-2.0", ED)
    assert "LICENSE file says Apache-2.0" in change.reason
    history = editor.get(f"/tools/{a}/history").text
    assert "LICENSE file says Apache-2.0" in history and "apache-2.0" in history
    # text values, and refusals the store explains
    post(
        editor,
        f"/tools/{a}/override",
        f"/tools/{a}",
        field="vendor",
        value="Org Inc.",
        mode="text",
        reason="house style",
    )
    assert store.resolve(a).record.vendor == "Org Inc."  # type: ignore[union-attr]
    for data, message in (
        ({"field": "licence", "value": "mit", "reason": "typo"}, "unknown field"),
        ({"field": "license", "value": "mit", "reason": " "}, "an override needs a reason"),
        ({"field": "license", "value": "{oops", "mode": "json", "reason": "x"}, "not valid JSON"),
        ({"field": "parameters", "value": '{"total": "lots"}', "reason": "x"}, "invalid value"),
    ):
        page = flash_of(editor, post(editor, f"/tools/{a}/override", f"/tools/{a}", **data))
        assert message in page, data
    response = post(editor, f"/tools/{a}/clear-override", f"/tools/{a}", field="license")
    assert "Override of license cleared." in flash_of(editor, response)
    assert store.published(a).record.license == MIT  # type: ignore[union-attr]
    assert [o.field for o in store.resolve(a).overrides] == ["vendor"]  # type: ignore[union-attr]


def test_review_queue_decisions(editor: TestClient, store: Store) -> None:
    a, b = slug(store, "org/Alpha-7B"), slug(store, "other/Beta-7B")
    post(editor, f"/tools/{a}/accept", f"/tools/{a}")
    post(editor, f"/tools/{b}/accept", f"/tools/{b}")
    post(
        editor,
        f"/tools/{b}/override",
        f"/tools/{b}",
        field="license",
        value='{"id": "mit"}',
        reason="checked",
    )
    crawl(store, alpha(license=APACHE), kind=DocKind.HF_API)
    crawl(store, beta(license=License(id="gpl-3.0")))
    items = {i.slug: i for i in store.review_queue()}
    assert (items[a].kind, items[b].kind) == ("change", "conflict")
    page = editor.get("/review").text
    assert f"item-{items[a].id}" in page and f"item-{items[b].id}" in page
    assert "apache-2.0" in page and "gpl-3.0" in page and "https://src.example/" in page
    assert store.published(a).record.license == MIT  # type: ignore[union-attr]
    response = post(editor, f"/review/{items[a].id}/accept", "/review", note="relicensed")
    assert f"Review #{items[a].id} accepted." in flash_of(editor, response)
    assert store.published(a).record.license == APACHE  # type: ignore[union-attr]
    post(editor, f"/review/{items[b].id}/reject", "/review", note="the override stands")
    assert store.review_queue() == []
    assert store.published(b).record.license == MIT  # type: ignore[union-attr]
    page = flash_of(editor, post(editor, f"/review/{items[b].id}/accept", "/review"))
    assert "already rejected" in page
    page = flash_of(editor, post(editor, "/review/99999/accept", "/review"))
    assert "no review item 99999" in page
    assert "Nothing to review." in editor.get("/review").text


def test_queue_filters(editor: TestClient, store: Store) -> None:
    crawl(store, alpha(release_date="2024-01-01"), kind=DocKind.HF_CARD)
    crawl(store, alpha(release_date="2024-02-02"), kind=DocKind.HF_API)

    def names(query: str) -> set[str]:
        page = editor.get("/" + query).text
        return set(re.findall(r'class="name" href="/tools/[^"]+">([^<]+)</a>', page))

    assert names("") == {"Alpha 7B", "Beta 7B"}
    assert names("?source_kind=hf-api") == {"Alpha 7B"}
    assert names("?vendor=Other") == {"Beta 7B"}
    assert names("?conflicts=yes") == {"Alpha 7B"}
    assert names("?conflicts=no") == {"Beta 7B"}
    assert names("?reopened=yes") == set()
    assert (
        'id="field-release_date" class="conflict'
        in editor.get(f"/tools/{slug(store, 'org/Alpha-7B')}").text
    )


# untrusted scraped text ----------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_scraped_values_are_escaped(editor: TestClient, store: Store) -> None:
    crawl(
        store,
        record(
            "evil-1b",
            name=f"Evil {HOSTILE}",
            vendor=HOSTILE,
            tagline=HOSTILE,
            description=f"</textarea>{HOSTILE}",
            source_id="evil/Evil-1B",
            links=[
                Link(type=LinkType.DOCS, url="javascript:alert(1)"),
                Link(type=LinkType.PAPER, url="https://arxiv.org/abs/1"),
            ],
        ),
    )
    e = slug(store, "evil/Evil-1B")
    post(
        editor,
        f"/tools/{e}/override",
        f"/tools/{e}",
        field="family",
        value=HOSTILE,
        mode="text",
        reason=HOSTILE,
    )
    post(editor, f"/tools/{e}/accept", f"/tools/{e}", reason=HOSTILE)
    for path in ("/", "/tools", f"/tools/{e}", f"/tools/{e}/history", "/review"):
        page = editor.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "<img src=x" not in page.text, path
        assert "</textarea><" not in page.text, path
        assert 'href="javascript:' not in page.text, path
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
    tool_page = editor.get(f"/tools/{e}").text
    assert "&lt;script&gt;alert(" in tool_page
    assert 'href="https://arxiv.org/abs/1"' in tool_page
    assert "javascript:alert(1)" in tool_page  # shown, as text, not as a link
    # the JSON data block for the override editor cannot end its <script> early
    data = tool_page.split('id="current-values">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data


# concurrency ---------------------------------------------------------------------------


def test_editor_acts_in_the_ui_while_a_crawl_writes(
    editor: TestClient, store: Store, db_url: str
) -> None:
    a, b = slug(store, "org/Alpha-7B"), slug(store, "other/Beta-7B")
    post(editor, f"/tools/{a}/accept", f"/tools/{a}")
    errors: list[BaseException] = []
    start = threading.Barrier(2)
    rounds = 8

    def crawling() -> None:
        with Store(db_url) as crawler:  # a crawl process of its own
            try:
                start.wait()
                for n in range(rounds * 2):
                    crawl(
                        crawler,
                        alpha(license=APACHE if n % 2 else MIT, tagline=f"t{n}"),
                        beta(context_length=1000 + n),
                        record(f"new-{n}", source_id=f"org/New-{n}"),
                    )
            except BaseException as exc:  # reported below
                errors.append(exc)

    thread = threading.Thread(target=crawling)
    thread.start()
    try:
        start.wait()
        for n in range(rounds):
            post(
                editor,
                f"/tools/{a}/override",
                f"/tools/{a}",
                field="vendor",
                value=f"V{n}",
                mode="text",
                reason="house style",
            )
            post(editor, f"/tools/{b}/merge", f"/tools/{b}", into=a)
            assert store.resolve(b).status == "merged"  # type: ignore[union-attr]
            post(editor, f"/tools/{b}/unmerge", f"/tools/{b}")
            assert store.resolve(b).status == "candidate"  # type: ignore[union-attr]
            for pending in store.review_queue():
                response = post(editor, f"/review/{pending.id}/reject", "/review")
                assert response.status_code == 303  # decided, or superseded by the crawl
            assert editor.get("/").status_code == 200
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive() and errors == []
    assert store.resolve(a).record.vendor == f"V{rounds - 1}"  # type: ignore[union-attr]
    assert store.published(a).record.vendor == f"V{rounds - 1}"  # type: ignore[union-attr]
    assert {f"new-{n}" for n in range(rounds * 2)} <= {c.slug for c in store.candidates()}


def test_a_logged_in_editors_read_api_answers_carry_no_session_cookie(
    editor: TestClient,
) -> None:
    # a public answer a CDN may cache must never carry (or renew) an editor's session
    assert editor.cookies.get(SESSION_COOKIE)
    for path in ("/api/v1/tools", "/api/v1/changes", "/healthz"):
        response = editor.get(path)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers, path
