"""How a crawl run ended, in one place: the run's stored status and the exit status of
`toolwatch crawl` both come from `verdict` (thresholds and alerts belong here too).

- `interrupted`: Scrapy stopped early (finish reason other than `finished`);
- `failed`: writes were spooled (database down), or requests were made and none got a
  usable answer (every one refused, failed or an HTTP error): the run fetched nothing;
- `finished` otherwise -- including a run whose every source was unchanged (304s and
  unchanged bodies are usable answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    status: str
    """`finished`, `failed` or `interrupted` (crawl_runs.status)."""
    reason: str | None = None
    """One line saying why, when the run did not simply finish."""

    @property
    def ok(self) -> bool:
        return self.status == "finished"


def _n(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)


def verdict(stats: Mapping[str, Any]) -> Verdict:
    """The outcome of one spider's run from its Scrapy stats."""
    reason = stats.get("finish_reason") or "finished"
    if reason != "finished":
        return Verdict("interrupted", f"stopped early: {reason}")
    if spooled := _n(stats, "toolwatch/spooled"):
        return Verdict("failed", f"database unavailable: {spooled} items spooled to disk")
    requests = _n(stats, "toolwatch/requests")
    if requests and not _n(stats, "toolwatch/responses_ok"):
        refused = _n(stats, "url_policy/refused")
        robots = _n(stats, "robotstxt/refused_unreachable")
        errors = _n(stats, "toolwatch/errors")
        parts = [f"{errors} errors recorded"]
        if refused:
            parts.append(f"{refused} refused by the URL policy")
        if robots:
            parts.append(f"{robots} refused because robots.txt was unreachable")
        return Verdict(
            "failed",
            f"fetched nothing: no request of {requests} got a usable answer ({', '.join(parts)})",
        )
    return Verdict("finished")
