"""Crawls handed to a Scrapyd server: the scheduler's runner where a team runs Scrapyd.

Scrapyd then owns the crawl processes (its slots, log files and web console, on one
node or several); the scheduler keeps what it owns anyway: when a job is due, the
locks on its sources, and the run's verdict. A due job is posted to `schedule.json`
with the job's watchlist as TOML in a setting (a node shares no files with the
scheduler), the database URL and the job key; the scheduler polls `status.json`
until the job has finished, refreshing its locks, then reads the run the crawl wrote
to the database, since Scrapyd keeps no exit code.

Credentials: `http://user:password@host:6800` is sent as Basic auth to that origin
only (redirects are refused, so it never follows one elsewhere) and is never logged.
A database URL that carries a password is not sent either: the nodes then read
`TOOLWATCH_DB` from their own environment.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

log = logging.getLogger(__name__)

PROJECT = "toolwatch"
POLL_S = 5.0
LOST_AFTER = 3
"""Consecutive polls in which Scrapyd does not know the job (it restarted) before the
run counts as lost."""
UNREACHABLE_AFTER = 120
"""Consecutive polls Scrapyd does not answer (10 minutes at POLL_S) before the run
counts as lost; the locks are held until then."""
MAX_ANSWER = 1_000_000


class ScrapydError(RuntimeError):
    """Scrapyd refused a call or could not be reached; the message names which."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an HTTPError: credentials stay with their origin


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Scrapyd:
    url: str
    """The server's base URL, without credentials (safe to print)."""
    project: str = PROJECT
    auth: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, project: str = PROJECT) -> Scrapyd:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScrapydError("the Scrapyd URL must be http(s)://[user:password@]host[:port]")
        auth = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode()).decode()
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = host + (f":{parts.port}" if parts.port else "")
        return cls(
            urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", "")), project, auth
        )

    def call(self, endpoint: str, params: list[tuple[str, str]], *, post: bool = False) -> Any:
        query = urlencode(params)
        url = f"{self.url}/{endpoint}" + ("" if post else f"?{query}")
        request = urllib.request.Request(
            url, data=query.encode() if post else None, method="POST" if post else "GET"
        )
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                body = answer.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"Scrapyd {self.url}: {endpoint} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ScrapydError(f"Scrapyd {self.url} unreachable ({endpoint}): {reason}") from exc
        if len(body) > MAX_ANSWER:
            raise ScrapydError(f"Scrapyd {self.url}: {endpoint} answered over {MAX_ANSWER} bytes")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise ScrapydError(f"Scrapyd {self.url}: {endpoint} answered no JSON") from exc
        if not isinstance(payload, dict) or payload.get("status") != "ok":
            message = payload.get("message") if isinstance(payload, dict) else payload
            raise ScrapydError(f"Scrapyd {self.url}: {endpoint} refused: {message}")
        return payload

    def schedule(
        self, spider: str, settings: Mapping[str, str], args: Mapping[str, str] | None = None
    ) -> str:
        job_id = uuid.uuid4().hex
        params = [("project", self.project), ("spider", spider), ("jobid", job_id)]
        params += [("setting", f"{k}={v}") for k, v in settings.items()]
        params += list((args or {}).items())
        answer = self.call("schedule.json", params, post=True)
        return str(answer.get("jobid") or job_id)

    def state(self, job_id: str) -> str | None:
        """`pending`, `running`, `finished`, or None when Scrapyd does not know the job."""
        answer = self.call("status.json", [("job", job_id), ("project", self.project)])
        state = answer.get("currstate")
        return str(state) if state else None

    def cancel(self, job_id: str) -> None:
        self.call("cancel.json", [("project", self.project), ("job", job_id)], post=True)


def has_password(db_url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(db_url).password is not None


def job_settings(
    job_key: str, watchlist_toml: str, health: Mapping[str, Any], db_url: str,
    replay: str | None = None,
) -> dict[str, str]:  # fmt: skip
    """The Scrapy settings of one scheduled crawl on a Scrapyd node."""
    settings = {
        "TOOLWATCH_JOB": job_key,
        "TOOLWATCH_WATCHLIST": watchlist_toml,
        "TOOLWATCH_HEALTH": json.dumps(dict(health)),
        "LOG_LEVEL": "INFO",
    }
    if not has_password(db_url):
        settings["TOOLWATCH_DB"] = db_url
    if replay:
        settings |= {"TOOLWATCH_REPLAY_DIR": replay, "TOOLWATCH_REPLAY_STRICT": "True"}
    return settings


def wait(
    server: Scrapyd,
    job_id: str,
    *,
    heartbeat: Callable[[], None],
    stopping: Callable[[], bool],
    poll_s: float = POLL_S,
) -> str:
    """Poll until the job has finished; 'finished', 'lost' (Scrapyd forgot it) or
    'cancelled' (the scheduler is stopping: the job was cancelled, which Scrapy
    takes as a graceful shutdown)."""
    unknown = unreachable = 0
    while True:
        time.sleep(poll_s)
        heartbeat()
        if stopping():
            try:
                server.cancel(job_id)
            except ScrapydError as exc:
                log.warning("%s", exc)
            return "cancelled"
        try:
            state = server.state(job_id)
        except ScrapydError as exc:  # a restart or a blip: the locks are kept meanwhile
            log.warning("%s", exc)
            unreachable += 1
            if unreachable >= UNREACHABLE_AFTER:
                return "lost"
            continue
        unreachable = 0
        if state == "finished":
            return "finished"
        unknown = unknown + 1 if state is None else 0
        if unknown >= LOST_AFTER:
            return "lost"
