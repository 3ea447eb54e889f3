"""The Scrapy side of run health: a spidermon suite run when a spider closes.

The checks themselves are `storage.health.check_run` (framework-neutral, also used
by `toolwatch health`); each becomes a spidermon monitor test here, and the suite's
actions store the report with the crawl run and send alerts. Settings:
`SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitors.RunHealthSuite",)`.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from spidermon import Monitor, MonitorSuite
from spidermon.core.actions import Action

from crawler.alerts import Alert, AlertSettings, send
from storage.health import HealthReport, Thresholds, check_run, record_health

log = logging.getLogger(__name__)
# spidermon's runner still logs through `Spider.log`; the deprecation is its, not ours.
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", module="spidermon")
REPORT_KEY = "toolwatch_health"


def _report(data: Any) -> HealthReport | None:
    """The run's report, computed once per suite run and shared by monitors and actions."""
    run_id = data.stats.get("toolwatch/run_id")
    key = f"{REPORT_KEY}:{run_id}"  # spidermon's meta outlives one suite run: key by run
    if key in data.meta:
        return data.meta[key]
    report = None
    crawler = data.crawler
    if run_id is not None:
        from storage.schema import CrawlRun
        from storage.store import Store

        limits = Thresholds.model_validate(crawler.settings.getdict("TOOLWATCH_HEALTH") or {})
        try:
            with (
                Store(crawler.settings.get("TOOLWATCH_DB"), create=False) as store,
                store.transaction(write=True) as session,
            ):
                run = session.get(CrawlRun, run_id)
                if run is not None:
                    reason = data.stats.get("finish_reason")
                    if reason and reason != (run.stats or {}).get("finish_reason"):
                        run.stats = {**(run.stats or {}), "finish_reason": reason}
                    report = check_run(session, run, limits)
                    record_health(session, run_id, report)
        except Exception as exc:  # noqa: BLE001 - the database may be the very problem
            log.error("run health could not be read or stored: %s", exc)
    data.meta[key] = report
    if report is not None:
        crawler.stats.set_value("toolwatch/health", report.status)
        crawler.stats.set_value("toolwatch/health_summary", report.summary())
    return report


class RunHealthMonitor(Monitor):
    """One test per health check of `storage.health`; a failing check fails its test."""

    def _check(self, name: str) -> None:
        report = _report(self.data)
        if report is None:
            self.skipTest("no crawl run recorded (database unavailable?)")
        check = next((c for c in report.checks if c.name == name), None)
        if check is None:
            self.skipTest(f"no {name} check")
        self.assertNotEqual(check.status, "failing", f"{name}: {check.message}")

    def test_finish_reason(self) -> None:
        self._check("finish")

    def test_fetched_something(self) -> None:
        self._check("fetched")

    def test_error_rate(self) -> None:
        self._check("error_rate")

    def test_volume_against_previous_runs(self) -> None:
        self._check("volume")

    def test_documents_yield_records(self) -> None:
        self._check("records")

    def test_field_coverage_of_new_records(self) -> None:
        self._check("coverage")


class AlertOnHealth(Action):
    """Tell people when a run is not ok (webhook and email, `crawler.alerts`)."""

    def run_action(self) -> None:
        report = _report(self.data)
        settings = AlertSettings.model_validate(
            self.data.crawler.settings.getdict("TOOLWATCH_ALERTS") or {}
        )
        if report is None or report.status == "ok" or not settings.enabled:
            return
        spider = self.data.spider.name
        run_id = self.data.stats.get("toolwatch/run_id")
        alert = Alert(
            status=report.status,
            title=f"crawl {spider} (run {run_id}) is {report.status}",
            lines=[f"{c.name}: {c.message}" for c in report.problems()],
        )
        send(alert, settings)


class RunHealthSuite(MonitorSuite):
    monitors = [RunHealthMonitor]
    monitors_finished_actions = [AlertOnHealth]
