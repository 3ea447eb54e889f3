"""Benchmark the read API at downstream scale, against a trivial app, in one run.

For each database (a SQLite file; a fresh schema of the local PostgreSQL, skipped
with a note when it does not answer):

1. builds N candidate tools with claims (bench/catalog_data.py) and publishes
   them with `Store.accept_many` in halves (timed: bulk accept), then rebuilds
   every served document (`republish` after dropping them; timed);
2. serves the real app (`uvicorn web.app:create_app --factory --workers W`) and
   records the bodies it gives for the URLs of the load below;
3. serves a trivial FastAPI app (bench/trivial_app.py) answering the same URLs
   with those bodies precomputed (and 304 for a matching ETag), same workers;
4. runs the same bounded load (bench/loadgen.py: concurrency C, T seconds or
   R requests per endpoint, 127.0.0.1 only) against both and prints req/s and
   p50/p99 per endpoint, and the ratio toolwatch / trivial.

Endpoints: `/api/v1/tools?limit=50` walking cursors (each connection follows
`next_cursor`), `/api/v1/tools/{slug}` (random published slugs), `/compare?tools=
a,b` (random pairs), `/changes?since=N` (random cursors), and the detail URL with
its current `If-None-Match` (a 304 revalidation).

Then (`--export-tools`, SQLite) exports a catalog of that many tools to JSONL and
reports the peak traced memory against one a tenth the size.

Usage: python bench/read_api.py [--tools 20000] [--workers 2] [--concurrency 32]
         [--seconds 6] [--max-requests 20000] [--export-tools 100000] [--no-pg]
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import loadgen  # noqa: E402
from catalog_data import add_candidates  # noqa: E402
from sqlalchemy import delete, insert, select, text  # noqa: E402

from storage.db import make_engine, normalize_url  # noqa: E402
from storage.export import export_dataset  # noqa: E402
from storage.schema import PublishedDoc, Tool  # noqa: E402
from storage.store import Store  # noqa: E402

API = "/api/v1"
EDITOR = "bench"
CURSOR = re.compile(rb'"next_cursor":"([^"]+)"')
PG_URL = os.environ.get("TOOLWATCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(argv: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    """A uvicorn server on 127.0.0.1:`port`, stopped (by its own pid) at the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *argv, "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
        cwd=ROOT / "bench" if "trivial_app" in argv[0] else ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server {argv[0]} did not start") from None
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def build(url: str, n: int) -> dict[str, float]:
    """N published tools; the bulk-publishing timings."""
    timings: dict[str, float] = {}
    with Store(url) as store:
        store.add_editor(EDITOR, "bench-password")
        slugs = add_candidates(store, n)
        half = n // 2
        for label, part in (("accept_1", slugs[:half]), ("accept_2", slugs[half:])):
            start = time.perf_counter()
            store.accept_many(part, EDITOR, "bench")
            timings[label] = time.perf_counter() - start
        with store.engine.begin() as conn:  # drop half the served documents: rebuild them
            conn.execute(delete(PublishedDoc).where(PublishedDoc.tool_id <= half))
        start = time.perf_counter()
        rebuilt = store.republish()
        timings["republish"] = time.perf_counter() - start
        assert rebuilt == half, rebuilt
    return timings


def targets(base: str, n_detail: int = 2000) -> dict[str, Any]:
    """The URLs of each endpoint, and the bodies the real app gives for them."""
    bodies: dict[str, tuple[bytes, str]] = {}
    rng = random.Random(15)
    with httpx.Client(base_url=base, timeout=60) as http:

        def fetch(path: str) -> bytes:
            response = http.get(path, headers={"Accept-Encoding": "identity"})
            assert response.status_code == 200, (path, response.status_code)
            bodies[path] = (response.content, response.headers["etag"])
            return response.content

        first = f"{API}/tools?limit=50"
        path: str | None = first
        pages = 0
        while path is not None:
            body = fetch(path)
            pages += 1
            found = CURSOR.search(body)
            path = f"{first}&cursor={found.group(1).decode()}" if found else None
        slugs: list[str] = []
        cursor = None
        while True:  # every slug, from the compact list
            page = http.get(
                f"{API}/tools",
                params={"limit": 200, "fields": "slug", **({"cursor": cursor} if cursor else {})},
            ).json()
            slugs += [i["slug"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        detail = [f"{API}/tools/{s}" for s in rng.sample(slugs, min(n_detail, len(slugs)))]
        for p in detail:
            fetch(p)
        compare = []
        for _ in range(1000):
            a, b = rng.sample(slugs, 2)
            compare.append(f"{API}/compare?tools={a},{b}")
            fetch(compare[-1])
        top = http.get(f"{API}/tools?limit=1").json()["dataset_version"]
        changes = [f"{API}/changes?since={rng.randrange(0, top)}" for _ in range(1000)]
        for p in changes:
            fetch(p)
    return {
        "bodies": bodies,
        "first": first,
        "pages": pages,
        "detail": detail,
        "compare": compare,
        "changes": changes,
    }


def workloads(t: dict[str, Any]) -> dict[str, loadgen.NextRequest]:
    def walk(state: dict[str, Any], body: bytes | None) -> tuple[str, dict[str, str]]:
        found = CURSOR.search(body) if body else None
        if found:
            return f"{t['first']}&cursor={found.group(1).decode()}", {}
        return t["first"], {}  # start (again) at the first page

    def cycle(paths: list[str], revalidate: bool = False) -> loadgen.NextRequest:
        def next_request(state: dict[str, Any], _body: bytes | None) -> tuple[str, dict[str, str]]:
            i = state["i"] = (state.get("i", random.randrange(len(paths))) + 1) % len(paths)
            path = paths[i]
            return path, ({"If-None-Match": t["bodies"][path][1]} if revalidate else {})

        return next_request

    return {
        "tools?limit=50 (walk)": walk,
        "tools/{slug}": cycle(t["detail"]),
        "compare?tools=a,b": cycle(t["compare"]),
        "changes?since=": cycle(t["changes"]),
        "tools/{slug} 304": cycle(t["detail"], revalidate=True),
    }


def load(port: int, t: dict[str, Any], args: argparse.Namespace) -> dict[str, loadgen.Result]:
    out = {}
    for name, next_request in workloads(t).items():
        out[name] = loadgen.run(
            port,
            next_request,
            concurrency=args.concurrency,
            seconds=args.seconds,
            max_requests=args.max_requests,
        )
    return out


def bench_database(label: str, url: str, args: argparse.Namespace) -> list[str]:
    lines = [f"\n## {label}: {args.tools} published tools"]
    timings = build(url, args.tools)
    half = args.tools // 2
    lines.append(
        f"bulk accept: {half} tools in {timings['accept_1']:.1f} s, the next {half} in "
        f"{timings['accept_2']:.1f} s; republish (rebuild {half} documents) "
        f"{timings['republish']:.1f} s"
    )
    port = free_port()
    workers = ["--workers", str(args.workers), "--log-level", "warning"]
    env = {"TOOLWATCH_DB": url, "TOOLWATCH_SECRET_KEY": "bench"}
    with server(["web.app:create_app", "--factory", *workers], env, port):
        t = targets(f"http://127.0.0.1:{port}")
        real = load(port, t, args)
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
        pickle.dump(t["bodies"] | {"/healthz": (b"{}", '"h"')}, handle)
    try:
        port = free_port()
        env = {"TRIVIAL_BODIES": handle.name}
        with server(["trivial_app:create_app", "--factory", *workers], env, port):
            trivial = load(port, t, args)
    finally:
        os.unlink(handle.name)
    page = len(t["bodies"][t["first"]][0])
    lines.append(f"list page of 50: {page / 1000:.1f} kB; {t['pages']} pages per walk")
    lines.append(
        "| endpoint | toolwatch req/s | p50 / p99 ms | trivial req/s | p50 / p99 ms | ratio |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name, r in real.items():
        b = trivial[name]
        bad = {s: c for s, c in r.statuses.items() if s not in (200, 304)}
        lines.append(
            f"| {name} | {r.rate:,.0f} | {r.percentile(50) * 1000:.1f} / "
            f"{r.percentile(99) * 1000:.1f} | {b.rate:,.0f} | {b.percentile(50) * 1000:.1f} / "
            f"{b.percentile(99) * 1000:.1f} | {r.rate / b.rate:.2f} |"
            + (f" errors {bad}" if bad else "")
        )
    return lines


@contextmanager
def pg_schema() -> Iterator[str | None]:
    try:
        admin = make_engine(PG_URL, connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # no PostgreSQL here: say so, bench SQLite only
        print(f"PostgreSQL not reachable ({type(exc).__name__}): skipped")
        yield None
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = normalize_url(PG_URL)
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def clone_documents(store: Store, n: int) -> None:
    """Grow the published set to `n` tools by copying the served documents of the
    ones there under new slugs (tools and documents written straight into the
    tables: what is measured is the export, not publishing)."""
    with store.engine.begin() as conn:
        docs = [dict(r._mapping) for r in conn.execute(select(PublishedDoc))]
        tools = {r.id: r for r in conn.execute(select(Tool))}
        top = max(tools)
        now = datetime.now(UTC)
        for lo in range(len(docs), n, 5000):
            new_tools, new_docs = [], []
            for i in range(lo, min(lo + 5000, n)):
                src = docs[i % len(docs)]
                tool_id, slug = top + i + 1, f"zz-copy-{i:07d}"
                new_tools.append(
                    dict(
                        id=tool_id,
                        slug=slug,
                        name=tools[src["tool_id"]].name,
                        status="published",
                        created_at=now,
                        updated_at=now,
                    )
                )
                body = src["doc"].replace(f'"slug":"{src["slug"]}"', f'"slug":"{slug}"', 1)
                new_docs.append(src | {"tool_id": tool_id, "slug": slug, "doc": body})
            conn.execute(insert(Tool), new_tools)
            conn.execute(insert(PublishedDoc), new_docs)


def export_memory(n: int, tmp: Path) -> list[str]:
    lines = [f"\n## export (SQLite, JSONL): {n} tools against {n // 10}"]
    peaks = {}
    url = f"sqlite:///{tmp / 'export.db'}"
    with Store(url) as store:
        store.add_editor(EDITOR, "bench-password")
        store.accept_many(add_candidates(store, 2000), EDITOR, "bench")
        for size in (n // 10, n):
            clone_documents(store, size)
            tracemalloc.start()
            start = time.perf_counter()
            manifest = export_dataset(store, tmp / f"out-{size}", "jsonl")
            seconds = time.perf_counter() - start
            peaks[size] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert manifest.counts["tools"] == size
            mb = manifest.files[0].bytes / 1e6
            lines.append(
                f"{size} tools: {mb:.0f} MB in {seconds:.1f} s, peak traced memory "
                f"{peaks[size] / 1e6:.1f} MB"
            )
    lines.append(f"peak ratio {n} / {n // 10} tools: {peaks[n] / peaks[n // 10]:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--export-tools", type=int, default=0)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        out += bench_database("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args)
        print("\n".join(out), flush=True)
        if not args.no_pg:
            with pg_schema() as url:
                if url is not None:
                    lines = bench_database("PostgreSQL", url, args)
                    print("\n".join(lines), flush=True)
                    out += lines
        if args.export_tools:
            lines = export_memory(args.export_tools, Path(tmp))
            print("\n".join(lines), flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
