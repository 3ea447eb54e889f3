"""A bounded HTTP/1.1 load generator for loopback servers (asyncio, keep-alive).

`run(port, next_request, concurrency=32, seconds=6, max_requests=20_000)` opens
`concurrency` connections to 127.0.0.1:`port`, each sending one request after the
other (no pipelining) until the time or the request budget is spent, and returns
the number of requests, the elapsed time and every latency (request written to
body read). `next_request(state, last_body)` gives (path, extra headers) and may
keep per-connection state (e.g. the cursor of a list walk).

Only 127.0.0.1 is ever contacted; every loop is bounded in time and count.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NextRequest = Callable[[dict[str, Any], bytes | None], tuple[str, dict[str, str]]]


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if status in (204, 304) or (length is None and not chunked):
        return status, b""
    if not chunked:
        return status, await reader.readexactly(length or 0)
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return status, bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _connection(
    port: int, next_request: NextRequest, deadline: float, budget: list[int], out: Result
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    state: dict[str, Any] = {}
    body: bytes | None = None
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            path, headers = next_request(state, body)
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n"
            start = time.perf_counter()
            writer.write(request.encode("latin-1"))
            status, body = await _read_response(reader)
            out.latencies.append(time.perf_counter() - start)
            out.statuses[status] = out.statuses.get(status, 0) + 1
            out.requests += 1
    finally:
        writer.close()


async def _run(
    port: int, next_request: NextRequest, concurrency: int, seconds: float, max_requests: int
) -> Result:
    out = Result()
    budget = [max_requests]
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.wait_for(
        asyncio.gather(
            *(_connection(port, next_request, deadline, budget, out) for _ in range(concurrency))
        ),
        timeout=seconds + 60,
    )
    out.seconds = time.perf_counter() - start
    return out


def run(
    port: int,
    next_request: NextRequest,
    *,
    concurrency: int = 32,
    seconds: float = 6.0,
    max_requests: int = 20_000,
) -> Result:
    return asyncio.run(_run(port, next_request, concurrency, seconds, max_requests))
