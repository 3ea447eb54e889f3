"""Helpers for the read-API and export tests: a live uvicorn server and a seeded
catalog with candidates, rejected, merged tools and unreviewed changes that must
never reach downstream (every such value carries the marker `LEAK`)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import count
from typing import Any

import uvicorn
from builders import T0, doc, item, record

from normalizer.models import DocKind, License, Link, Parameters, Price, Pricing
from storage import Store

ED = "ann"
LEAK = "LEAK"
_docs = count()


@contextmanager
def live_server(db_url: str) -> Iterator[str]:
    """The real app (`web.app.create_app`) served by uvicorn on a free local port."""
    from web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(db_url, secret_key="test-secret"),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def crawl(store: Store, *records: Any, kind: DocKind = DocKind.HF_CARD) -> None:
    """One ingest batch, each record in a new document."""
    n = next(_docs)
    at = T0 + timedelta(minutes=n)
    store.ingest_batch(
        [
            item(doc(f"https://src.example/{n}/{i}", f"body-{n}-{i}", kind=kind, fetched_at=at), r)
            for i, r in enumerate(records)
        ]
    )


def prices(*inputs: float, currency: str = "USD") -> Pricing:
    return Pricing(
        model="paid",
        prices=[
            Price(provider=f"p{i}", input_per_mtok=x, output_per_mtok=x * 2, currency=currency)
            for i, x in enumerate(inputs)
        ],
    )


PUBLISHED = {
    "alpha-7b": dict(
        name="Alpha 7B",
        source_id="org/Alpha-7B",
        vendor="Org",
        task="text-generation",
        category="Chat & Text",
        tagline="A small chat model.",
        license=License(id="apache-2.0", terms="permissive"),
        open_weights=True,
        parameters=Parameters(total=7_000_000_000),
        context_length=32768,
        release_date="2024-05-01",
        pricing=prices(0.5, 0.2),
        links=[Link(type="model_card", url="https://huggingface.co/org/Alpha-7B")],
    ),
    "beta-70b": dict(
        name="Beta 70B",
        source_id="other/Beta-70B",
        vendor="Other",
        task="text-generation",
        category="Chat & Text",
        license=License(id="llama3.1", terms="restricted"),
        open_weights=True,
        parameters=Parameters(total=70_000_000_000, active=70_000_000_000),
        context_length=128000,
        release_date="2024-07-18",
        pricing=prices(0.9),
    ),
    "gamma-embed": dict(
        name="Gamma Embed",
        source_id="org/Gamma-Embed",
        vendor="Org",
        task="feature-extraction",
        category="Embeddings",
        license=License(id="cc-by-nc-4.0", terms="non-commercial"),
        open_weights=True,
        context_length=512,
        release_date="2023-01",
    ),
    "delta-pro": dict(
        name="Delta Pro",
        vendor="Closed AI",
        task="text-generation",
        category="Chat & Text",
        license=License(id="proprietary", terms="proprietary"),
        open_weights=False,
        context_length=128000,
        release_date="2025-02-01",
        pricing=prices(3.0),
    ),
    "epsilon-xss": dict(
        name="Epsilon <img src=x onerror=alert(1)>",
        source_id="xss/Epsilon-XSS",
        vendor="Xss",
        task="text-generation",
        tagline="<script>alert('x')</script><b>Bold</b> claims &amp; more <a href='javascript:alert(1)'>click</a>",
        description="<iframe src='https://evil.example'></iframe>Plain words.",
        links=[
            Link(type="docs", url="javascript:alert(1)"),
            Link(type="paper", url="https://arxiv.org/abs/1234.5678"),
        ],
    ),
}


def seed(store: Store) -> dict[str, Any]:
    """Publish five tools, and around them everything downstream must not see."""
    store.add_editor(ED, "correct horse")
    crawl(store, *(record(slug, **fields) for slug, fields in PUBLISHED.items()))
    crawl(
        store,
        record(
            "secret-candidate",
            name="LEAK Secret Candidate",
            source_id="leak/Secret-Candidate",
            vendor="Org",
            task="text-generation",
            tagline="LEAK candidate tagline",
            license=License(id="mit", terms="permissive"),
            open_weights=True,
        ),
        record(
            "rejected-noise",
            name="LEAK Rejected Noise",
            source_id="noise/Rejected-Noise",
            tagline="LEAK rejected",
        ),
        record("dup-alpha", name="Dup Alpha", source_id="mirror/Dup-Alpha", vendor="Org"),
    )
    for slug in PUBLISHED:
        store.accept(slug, ED, "reviewed")
    store.reject("rejected-noise", ED, "not a model")
    store.merge("dup-alpha", "alpha-7b", ED, "same model")
    # unreviewed: a crawl changes alpha's license (a reviewed field) -> pending review
    crawl(
        store,
        record(
            "alpha-7b",
            name="Alpha 7B",
            source_id="org/Alpha-7B",
            license=License(id="LEAK-pending-license", terms="proprietary"),
            pricing=prices(0.0001),
        ),
    )
    # an override on a candidate is not published either
    store.override("secret-candidate", "category", "LEAK override", ED, "editor note")
    pending = store.review_queue()
    assert {(p.slug, p.field) for p in pending} >= {("alpha-7b", "license")}
    return {"published": sorted(PUBLISHED), "pending": pending}


def publish_more(store: Store, slug: str, **fields: Any) -> None:
    fields.setdefault("name", slug)
    fields.setdefault("vendor", "Org")
    crawl(store, record(slug, **fields))
    store.accept(slug, ED, "later")
