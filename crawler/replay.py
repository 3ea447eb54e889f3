"""Record and replay HTTP interactions as vcrpy cassettes, inside Scrapy.

vcrpy patches http.client/requests/aiohttp/..., never Twisted, so it cannot
intercept Scrapy's downloader. This downloader middleware uses vcrpy's cassette
model, matchers, YAML serializer and persister directly (see `crawler.cassettes`);
the files it reads and writes are ordinary vcrpy cassettes.

Where it sits
-------------
Enable it next to the network, after every built-in downloader middleware::

    DOWNLOADER_MIDDLEWARES = {"crawler.replay.ReplayMiddleware": 950}

At 950 its `process_request` runs last (after auth, user agent, cookies, retry,
compression headers were applied) and its `process_response` runs first, on the
raw single-hop wire response: a 301 with its Location, a 429 with Retry-After,
a 500, `Link`, `ETag`, `X-Error-Code` -- before Redirect/Retry/HttpCompression
act on it. Each hop and each retry attempt is one interaction, and robots.txt
fetches (which go through downloader middlewares too) are interactions like any
other. On replay the recorded response re-enters the same chain at the same
point, so redirects, retries, robots.txt and HTTP error handling behave as they
did live. (An enabled HTTPCACHE, at 900, answers before this middleware: while
recording, its cache hits still pass through `process_response` and are recorded;
while replaying, a cache hit answers before the cassettes are asked. Keep the
cache off for recording and replay.)

Record (``TOOLWATCH_RECORD_DIR``)
---------------------------------
Requests go to the network as usual. Every response is appended to
``<dir>/<spider name>.yaml`` (one cassette per spider, overwritten by each
recording run), saved when the spider closes. Bodies compressed with gzip /
deflate / br are stored decoded (vcrpy's ``decode_compressed_response`` filter:
Content-Encoding removed, Content-Length fixed) so cassettes stay readable;
other encodings are stored as-is and decoded on replay by HttpCompression.
Credentials are never written: Authorization, Proxy-Authorization, Cookie,
Set-Cookie, X-Api-Key and any ``X-*-Token`` header are dropped from requests AND
responses (plus ``TOOLWATCH_RECORD_FILTER_HEADERS``). Failures without an HTTP
response (DNS, timeouts) are not recorded.

Replay (``TOOLWATCH_REPLAY_DIR``)
---------------------------------
Every ``*.yaml``/``*.yml`` under the directory is loaded. A request matches on
method + scheme + host + port + path + query (query order-insensitive).
Interactions recorded several times for one URL are played in recorded order
(a 429 then a 200); once they are used up, the last one keeps being answered
(``TOOLWATCH_REPLAY_REPEAT_LAST``, default on), so a request repeated within a
crawl still gets the final state. (vcrpy's own ``allow_playback_repeats`` would
answer the *first* match forever: a recorded 429 -> 200 would never reach the
200.) Each crawl builds its own middleware, so a second crawl replays from the
start again.

A request with no recorded interaction never reaches the network: it fails with
`ReplayUnmatchedRequest` (an `IgnoreRequest`, so it reaches the request's
errback), naming method and URL, logged at ERROR and counted in the stat
``replay/unmatched``. With ``TOOLWATCH_REPLAY_STRICT`` the spider is also
closed with finish reason ``replay_unmatched``. A replay directory that does
not exist or holds no cassette is a configuration error (the crawl does not
start), never a silent fall-back to the network.

Setting both directories is an error; setting neither disables the middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.filters import decode_response
from vcr.request import Request as VcrRequest

from crawler.cassettes import (
    Interaction,
    ResponseDict,
    cassette_files,
    load_cassette,
    response_dict,
    save_cassette,
    strip_request_headers,
    strip_response_headers,
)

logger = logging.getLogger(__name__)

UNMATCHED_REASON = "replay_unmatched"


class ReplayConfigError(ValueError):
    """The record/replay settings cannot be honoured; the crawl must not start."""


class ReplayUnmatchedRequest(IgnoreRequest):
    """Replay mode: no recorded interaction answers this request."""

    def __init__(self, method: str, url: str, detail: str = "") -> None:
        self.method = method
        self.url = url
        msg = f"replay: no recorded interaction for {method} {url}"
        super().__init__(msg + (f" ({detail})" if detail else ""))


def _header_text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _scrapy_headers_to_lists(headers: Headers) -> dict[str, list[str]]:
    return {_header_text(k): [_header_text(v) for v in vs] for k, vs in headers.items()}


def to_vcr_request(request: Request) -> VcrRequest:
    headers = {k: ", ".join(vs) for k, vs in _scrapy_headers_to_lists(request.headers).items()}
    return VcrRequest(
        method=request.method, uri=request.url, body=request.body or None, headers=headers
    )


def to_scrapy_response(recorded: ResponseDict, request: Request) -> Response:
    headers = Headers(
        {k: (v if isinstance(v, list) else [v]) for k, v in recorded.get("headers", {}).items()}
    )
    body = recorded.get("body", {}).get("string") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    status = int(recorded["status"]["code"])
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=status,
        headers=headers,
        body=body,
        request=request,
        flags=["replayed"],
    )


class ReplayMiddleware:
    """Scrapy downloader middleware: record to / replay from vcrpy cassettes."""

    def __init__(
        self,
        crawler: Crawler,
        *,
        replay_dir: Path | None = None,
        record_dir: Path | None = None,
        strict: bool = False,
        repeat_last: bool = True,
        filter_headers: Iterable[str] = (),
        decode_compressed: bool = True,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.replay_dir = replay_dir
        self.record_dir = record_dir
        self.strict = strict
        self.repeat_last = repeat_last
        self.filter_headers = tuple(filter_headers)
        self.decode_compressed = decode_compressed
        self.cassettes: list[Cassette] = []
        self.record_path: Path | None = None
        self.recorded: list[Interaction] = []
        self._close_requested = False
        self._pending: list[Any] = []
        if replay_dir is not None:
            self._load_replay(replay_dir)

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        s = crawler.settings
        replay = s.get("TOOLWATCH_REPLAY_DIR") or None
        record = s.get("TOOLWATCH_RECORD_DIR") or None
        if replay and record:
            raise ReplayConfigError(
                "TOOLWATCH_REPLAY_DIR and TOOLWATCH_RECORD_DIR are both set; choose one"
            )
        if not replay and not record:
            # Off is the normal live crawl: no message (Scrapy logs a WARNING for one).
            raise NotConfigured
        mw = cls(
            crawler,
            replay_dir=Path(replay) if replay else None,
            record_dir=Path(record) if record else None,
            strict=s.getbool("TOOLWATCH_REPLAY_STRICT", False),
            repeat_last=s.getbool("TOOLWATCH_REPLAY_REPEAT_LAST", True),
            filter_headers=s.getlist("TOOLWATCH_RECORD_FILTER_HEADERS", []),
            decode_compressed=s.getbool("TOOLWATCH_RECORD_DECODE_COMPRESSED", True),
        )
        if record:
            crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _load_replay(self, directory: Path) -> None:
        if not directory.is_dir():
            raise ReplayConfigError(f"TOOLWATCH_REPLAY_DIR {str(directory)!r} is not a directory")
        files = cassette_files(directory)
        if not files:
            raise ReplayConfigError(
                f"TOOLWATCH_REPLAY_DIR {str(directory)!r} holds no *.yaml cassette"
            )
        self.cassettes = [load_cassette(p) for p in files]
        total = sum(len(c) for c in self.cassettes)
        logger.info(
            "Replaying %d interaction(s) from %d cassette(s) under %s; the network is not used",
            total,
            len(files),
            directory,
        )
        self.stats.set_value("replay/cassettes", len(files))

    # -- record -----------------------------------------------------------------

    def _filtered(self, request: Request, response: Response) -> Interaction:
        """The interaction as it will be stored: credentials gone, body decoded."""
        vreq = strip_request_headers(to_vcr_request(request), self.filter_headers)
        recorded = strip_response_headers(
            response_dict(
                response.status, _scrapy_headers_to_lists(response.headers), response.body
            ),
            self.filter_headers,
        )
        if self.decode_compressed:
            names = {k.lower(): k for k in recorded["headers"]}
            recorded = decode_response(recorded)
            # decode_response re-keys Content-Length in lower case; keep the wire spelling
            recorded["headers"] = {
                names.get(k.lower(), k): v for k, v in recorded["headers"].items()
            }
        return vreq, recorded

    def spider_opened(self, spider: Spider) -> None:
        assert self.record_dir is not None
        # A recording run starts an empty cassette and replaces the file when it closes.
        self.record_path = self.record_dir / f"{spider.name}.yaml"
        self.recorded = []
        logger.info("Recording HTTP interactions to %s", self.record_path)

    def spider_closed(self, spider: Spider) -> None:
        if self.record_path is None:
            return
        if not self.recorded:
            logger.warning("Recording: no interaction to save for spider %s", spider.name)
            return
        save_cassette(self.record_path, self.recorded)
        logger.info("Recorded %d interaction(s) to %s", len(self.recorded), self.record_path)

    def _record(self, request: Request, response: Response) -> None:
        # Filtered before it is kept anywhere (vcrpy's Cassette.append would log the
        # unfiltered response at INFO level, Set-Cookie included).
        self.recorded.append(self._filtered(request, response))
        self.stats.inc_value("record/interactions")

    # -- replay -------------------------------------------------------------------

    def _play(self, vreq: VcrRequest) -> tuple[ResponseDict | None, bool]:
        """(response, repeated) for the request, or (None, False) when nothing matches."""
        last: ResponseDict | None = None
        for cassette in self.cassettes:
            if cassette.can_play_response_for(vreq):
                return cassette.play_response(vreq), False
            try:
                last = cassette.responses_of(vreq)[-1]
            except UnhandledHTTPRequestError:
                continue
        if last is not None and self.repeat_last:
            return last, True
        return None, False

    def _closest(self, vreq: VcrRequest) -> str:
        """A hint for the error message: the recorded request that differs least."""
        best: tuple[VcrRequest, list[str], list[tuple[str, Any]]] | None = None
        for cassette in self.cassettes:
            for stored, ok, fails in cassette.find_requests_with_most_matches(vreq)[:1]:
                if best is None or len(ok) > len(best[1]):
                    best = (stored, ok, fails)
        if best is not None and len(best[2]) <= 1:
            stored, _ok, fails = best
            why = "; ".join(f"{name} differs" for name, _msg in fails)
            return f"closest recorded: {stored.method} {stored.uri} [{why}]"
        return f"nothing similar in the cassettes under {self.replay_dir}"

    def _unmatched(self, request: Request, vreq: VcrRequest) -> ReplayUnmatchedRequest:
        self.stats.inc_value("replay/unmatched")
        exc = ReplayUnmatchedRequest(request.method, request.url, self._closest(vreq))
        logger.error("%s", exc)
        if self.strict and not self._close_requested:
            self._close_requested = True
            self.stats.set_value("replay/strict_failure", f"{request.method} {request.url}")
            engine = self.crawler.engine
            if engine is not None:
                d = deferred_from_coro(engine.close_spider_async(reason=UNMATCHED_REASON))
                d.addErrback(self._log_close_error)
                self._pending.append(d)
        return exc

    @staticmethod
    def _log_close_error(failure: Failure) -> None:
        logger.error("replay: could not close the spider: %s", failure.getErrorMessage())

    # -- middleware hooks -------------------------------------------------------

    def process_request(self, request: Request) -> Response | None:
        if self.replay_dir is None:  # recording: the request goes to the network
            return None
        vreq = to_vcr_request(request)
        recorded, repeated = self._play(vreq)
        if recorded is None:
            raise self._unmatched(request, vreq)
        self.stats.inc_value("replay/responses")
        if repeated:
            self.stats.inc_value("replay/repeated")
        return to_scrapy_response(recorded, request)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.record_dir is not None and "replayed" not in response.flags:
            self._record(request, response)
        return response
