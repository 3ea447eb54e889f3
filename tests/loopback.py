"""Loopback HTTP servers for hostile-server tests (127.0.0.1 only, stopped by the test).

`serve(routes)` answers each path from a table of `(status, headers, body)` (or a
callable returning one) and counts every request with its headers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, dict[str, str], bytes]
Route = Answer | Callable[["Seen"], Answer]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    port: int
    requests: list[Seen] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path.split("?")[0] == path)


@contextmanager
def serve(routes: dict[str, Route], *, content_length: bool = True) -> Iterator[Server]:
    """A server on 127.0.0.1 (a free port); unknown paths answer 404."""
    state = Server(port=0)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
            state.requests.append(seen)
            route = routes.get(self.path.split("?")[0], (404, {}, b"not found"))
            status, headers, body = route(seen) if callable(route) else route
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if content_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
