"""Where the crawler may go: a URL policy for every request the watchlist did not name.

The watchlist (sources.toml, spider arguments, `HF_ENDPOINT`) is the operator's
choice: a spider's start requests and their origins (scheme + host + port) are
trusted as they are, a local mirror included. Everything else a response leads to
-- feed entry links, article links, `Link: rel=next` cursors, redirects (each hop is
a new request and is checked again), links found in pages -- must be:

- http or https (no `file:`, `ftp:`, `data:`...);
- on a host whose addresses are all global: no private, loopback, link-local
  (169.254.169.254, the cloud metadata address), multicast, reserved or unspecified
  address, literal or resolved.

The address check runs twice: in `UrlPolicyMiddleware` (before robots.txt or
anything else is requested, with a clear error), and again when the connection is
made, in `GuardedResolver` -- the resolver Scrapy connects with -- so a name that
resolves to a public address for the first look and to an internal one for the
connection (DNS rebinding) is still refused.

`TOOLWATCH_ALLOWED_HOSTS` (`host` or `host:port`, comma-separated) lets a test server
on loopback through explicitly; it is empty by default. A refusal is an
`IgnoreRequest` (`UrlRefused`): it reaches the request's errback and is recorded as a
`url-policy` crawl error; nothing is fetched.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
STAT = "url_policy"

Origin = tuple[str, str, int]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(IgnoreRequest):
    """The URL policy refused a request before anything was fetched."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"refused by URL policy: {url}: {reason}")


class AddressRefused(DNSLookupError):
    """Connect time: the host resolved to an address the policy refuses."""

    def __init__(self, host: str, reason: str) -> None:
        self.host, self.reason = host, reason
        super().__init__(f"refused by URL policy: {reason}")


# -- pure checks ------------------------------------------------------------------------


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL; None for other schemes or no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def address_problem(address: Address) -> str | None:
    """Why an address may not be crawled (None: it is a global address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for check, what in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_private", "private"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, check):
            return f"is a {what} address ({address})"
    if not address.is_global:
        return f"is not a global address ({address})"
    return None


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def parse_allowed(entries: Iterable[str]) -> tuple[frozenset[str], frozenset[tuple[str, int]]]:
    """`TOOLWATCH_ALLOWED_HOSTS` entries as (hosts, (host, port) pairs)."""
    hosts: set[str] = set()
    pairs: set[tuple[str, int]] = set()
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        parsed = urlsplit(f"//{entry}")
        host = parsed.hostname or entry
        if parsed.port:
            pairs.add((host, parsed.port))
        else:
            hosts.add(host)
    return frozenset(hosts), frozenset(pairs)


class TrustedHosts:
    """Host names the connect-time check lets through (named or allowed by the operator).

    One set per process: Twisted has one resolver per reactor, shared by every crawler
    the process runs, so every crawler adds the hosts its own watchlist names.
    """

    def __init__(self) -> None:
        self._hosts: set[str] = set()
        self._lock = threading.Lock()

    def add(self, host: str) -> None:
        with self._lock:
            self._hosts.add(host.lower())

    def __contains__(self, host: object) -> bool:
        return isinstance(host, str) and host.lower() in self._hosts


TRUSTED_HOSTS = TrustedHosts()

# Host -> why the connect-time check refused it. Twisted turns the resolver's error into
# a bare "no results for hostname lookup"; this is how the errback learns the reason.
_REFUSED_AT_CONNECT: dict[str, str] = {}


def connect_refusal(url: str) -> str | None:
    """The connect-time refusal for the host of `url`, if there was one."""
    origin = origin_of(url)
    reason = _REFUSED_AT_CONNECT.get(origin[1]) if origin else None
    return f"refused by URL policy: {url}: {reason}" if reason else None


class UrlPolicy:
    """The decision, with no Scrapy in it: trusted origins, allowed hosts, checks."""

    def __init__(self, allowed: Iterable[str] = (), trusted_urls: Iterable[str] = ()) -> None:
        self.allowed_hosts, self.allowed_pairs = parse_allowed(allowed)
        self.trusted: set[Origin] = set()
        for host in self.allowed_hosts | {h for h, _ in self.allowed_pairs}:
            TRUSTED_HOSTS.add(host)
        for url in trusted_urls:
            self.trust(url)

    def trust(self, url: str) -> None:
        """A URL the operator named: its origin is crawled as it is."""
        origin = origin_of(url)
        if origin is not None:
            self.trusted.add(origin)
            TRUSTED_HOSTS.add(origin[1])

    def exempt(self, origin: Origin) -> bool:
        _scheme, host, port = origin
        return (
            origin in self.trusted
            or host in self.allowed_hosts
            or (host, port) in self.allowed_pairs
        )

    def static_problem(self, url: str) -> str | None:
        """What is wrong with a URL before any name is resolved (scheme, literal address)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            return f"scheme {scheme or '(none)'!r} is not http or https"
        origin = origin_of(url)
        if origin is None:
            return "no host"
        if self.exempt(origin):
            return None
        address = literal_address(origin[1])
        return address_problem(address) if address is not None else None

    def needs_resolving(self, url: str) -> str | None:
        """The host name to resolve before the request goes out (None: nothing to check)."""
        origin = origin_of(url)
        if origin is None or self.exempt(origin) or literal_address(origin[1]) is not None:
            return None
        return origin[1]


def resolved_problem(host: str, port: int) -> str | None:
    """Resolve `host` (blocking: call it in a thread) and check every address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None  # unresolvable: the download fails on its own, as a DNS error
    for info in infos:
        address = literal_address(str(info[4][0]).split("%")[0])
        if address is not None and (problem := address_problem(address)):
            return f"resolves to an address that {problem.removeprefix('is ')}"
    return None


# -- Scrapy components ------------------------------------------------------------------


class WatchlistOriginsMiddleware:
    """Spider middleware: the origins of a spider's start requests are the operator's."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WatchlistOriginsMiddleware:
        return cls(crawler)

    def _trust(self, request: Any) -> None:
        policy: UrlPolicy | None = getattr(self.crawler, "url_policy", None)
        if policy is not None and isinstance(request, Request):
            policy.trust(request.url)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            self._trust(item)
            yield item


class UrlPolicyMiddleware:
    """Downloader middleware: every request (redirect hops and robots.txt included)
    is checked before it goes anywhere; refused ones fail with `UrlRefused`."""

    def __init__(self, crawler: Crawler, policy: UrlPolicy, resolve: bool) -> None:
        self.crawler = crawler
        self.policy = policy
        self.resolve = resolve

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlPolicyMiddleware:
        s = crawler.settings
        policy = UrlPolicy(
            allowed=s.getlist("TOOLWATCH_ALLOWED_HOSTS", []),
            trusted_urls=[u for u in (s.get("HF_ENDPOINT"),) if u],
        )
        crawler.url_policy = policy  # type: ignore[attr-defined]
        # Replaying cassettes reaches no network: there is nothing to resolve.
        mw = cls(crawler, policy, resolve=not s.get("TOOLWATCH_REPLAY_DIR"))
        crawler.signals.connect(mw.response_received, signal=signals.response_received)
        return mw

    def _refuse(self, request: Request, reason: str) -> UrlRefused:
        self.crawler.stats.inc_value(f"{STAT}/refused")
        return UrlRefused(request.url, reason)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        self.crawler.stats.inc_value(f"{STAT}/checked")
        if not _is_robots(request):
            self.crawler.stats.inc_value("toolwatch/requests")
        if problem := self.policy.static_problem(request.url):
            raise self._refuse(request, problem)
        host = self.policy.needs_resolving(request.url) if self.resolve else None
        if host is not None:
            origin = origin_of(request.url)
            assert origin is not None
            d: Deferred[str | None] = deferToThread(resolved_problem, host, origin[2])
            if problem := await maybe_deferred_to_future(d):
                raise self._refuse(request, f"{host} {problem}")

    def response_received(self, response: Any, request: Request, spider: Spider) -> None:
        """Counts responses the spider could use (robots.txt and errors excluded): a
        run with none fetched nothing (see `crawler.outcome`)."""
        if _is_robots(request):
            return
        if 200 <= response.status < 300 or response.status == 304:
            self.crawler.stats.inc_value("toolwatch/responses_ok")


def _is_robots(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and request.url.endswith("/robots.txt")


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing non-global addresses for hosts the operator did not
    name or allow. It answers the connection itself, so what was checked is what is
    connected to."""

    def getHostByName(self, name: str, timeout: Any = ()) -> Deferred[str]:  # noqa: N802
        d = super().getHostByName(name, timeout)
        d.addCallback(self._checked, name)
        return d

    @staticmethod
    def _checked(address: str, name: str) -> str:
        if name in TRUSTED_HOSTS:
            return address
        parsed = literal_address(address)
        if parsed is not None and (problem := address_problem(parsed)):
            reason = f"{name} resolves to an address that {problem.removeprefix('is ')}"
            _REFUSED_AT_CONNECT[name.lower()] = reason + " (at connect time)"
            raise AddressRefused(name, reason)
        _REFUSED_AT_CONNECT.pop(name.lower(), None)
        return address
