"""Schedules in the watchlist, run locks and dead runs (on both databases)."""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest
import tomli_w

from crawler.schedule import ScheduleError, jobs_from, parse_schedule
from crawler.sources import SourcesError, parse_sources
from storage import runs
from storage.schema import CrawlRun, RunLock
from storage.store import Store

WATCHLIST = """
[schedules]
feeds = "every 1h"
price_lists = "0 6 * * *"

[huggingface]
authors = ["Qwen", "mistralai"]
schedule = "every 6h"

[[feeds]]
url = "https://example.org/a.xml"

[[feeds]]
url = "https://example.org/b.xml"

[[feeds]]
url = "https://example.org/c.xml"
schedule = "*/30 * * * *"

[[posts]]
url = "https://example.org/post.md"

[[price_lists]]
url = "https://example.org/prices.json"
provider = "example"
"""


def test_interval_and_crontab_schedules_have_a_period() -> None:
    assert parse_schedule("every 6h").period == timedelta(hours=6)
    assert parse_schedule("every  90 s").period == timedelta(seconds=90)
    assert parse_schedule("0 6 * * *").period == timedelta(days=1)
    assert parse_schedule("*/30 * * * *").period == timedelta(minutes=30)


@pytest.mark.parametrize("bad", ["every day", "daily", "61 * * * *", "every 0h"])
def test_a_bad_schedule_is_refused(bad: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(bad)


def test_a_bad_schedule_in_the_watchlist_names_its_key() -> None:
    with pytest.raises(SourcesError, match=r"feeds\.0\.schedule"):
        parse_sources('[[feeds]]\nurl = "https://example.org/a.xml"\nschedule = "hourly"\n')
    with pytest.raises(SourcesError, match=r"schedules\.posts"):
        parse_sources('[schedules]\nposts = "sometimes"\n')


def test_sources_sharing_a_schedule_are_one_job_and_unscheduled_ones_none() -> None:
    jobs = {j.key: j for j in jobs_from(parse_sources(WATCHLIST))}
    assert set(jobs) == {
        "huggingface@every 6h",
        "feeds@every 1h",
        "feeds@*/30 * * * *",
        "price_lists@0 6 * * *",
    }  # the post has no schedule and no [schedules] default: not scheduled
    hourly = jobs["feeds@every 1h"]
    assert hourly.spider == "announcements"
    assert hourly.locks == ("feeds:https://example.org/a.xml", "feeds:https://example.org/b.xml")
    assert jobs["price_lists@0 6 * * *"].spider == "prices"


def test_a_jobs_watchlist_is_valid_and_holds_only_its_sources() -> None:
    for job in jobs_from(parse_sources(WATCHLIST)):
        text = tomli_w.dumps(job.sources)
        alone = parse_sources(text)
        urls = [f.url for f in alone.feeds] + [p.url for p in alone.price_lists]
        assert len(urls) + (1 if alone.huggingface.authors else 0) == len(job.locks)
        assert "schedule" not in str(tomllib.loads(text))


def test_a_scheduled_crawl_keeps_the_watchlists_health_thresholds() -> None:
    tuned = WATCHLIST + "\n[health]\nerror_rate_failing = 0.2\nmin_documents = 10\n"
    for job in jobs_from(parse_sources(tuned)):
        alone = parse_sources(tomli_w.dumps(job.sources))
        assert alone.health.error_rate_failing == 0.2 and alone.health.min_documents == 10


def test_a_lock_held_by_one_scheduler_refuses_another(store: Store) -> None:
    keys = ["feeds:https://example.org/a.xml", "feeds:https://example.org/b.xml"]
    with store.transaction(write=True) as session:
        assert runs.acquire_locks(session, keys, "host-a:1")
    with store.transaction(write=True) as session:
        # one shared source is enough to refuse the whole job, and nothing is left taken
        assert not runs.acquire_locks(session, [keys[1], "feeds:other"], "host-b:2")
    with store.transaction() as session:
        assert runs.held_locks(session) == {k: "host-a:1" for k in keys}
    with store.transaction(write=True) as session:
        runs.release_locks(session, keys, "host-a:1")
    with store.transaction(write=True) as session:
        assert runs.acquire_locks(session, keys, "host-b:2")


def test_a_lock_whose_holder_stopped_its_heartbeat_is_taken_over(store: Store) -> None:
    with store.transaction(write=True) as session:
        assert runs.acquire_locks(session, ["huggingface"], "dead-host:1")
    with store.transaction(write=True) as session:
        lock = session.get(RunLock, "huggingface")
        assert lock is not None
        lock.heartbeat_at = lock.heartbeat_at - runs.LOCK_STALE_AFTER - timedelta(seconds=1)
    with store.transaction(write=True) as session:
        assert runs.acquire_locks(session, ["huggingface"], "live-host:2")
    with store.transaction() as session:
        assert runs.held_locks(session) == {"huggingface": "live-host:2"}


def _dead_pid() -> int:
    pid = 2**22 - 7
    while runs.process_alive(pid):
        pid -= 1
    return pid


def test_a_run_whose_process_died_is_failed_with_the_reason_when_the_next_starts(
    store: Store,
) -> None:
    killed = store.start_run("huggingface")
    other_spider = store.start_run("prices")
    with store.transaction(write=True) as session:
        for run_id in (killed, other_spider):
            run = session.get(CrawlRun, run_id)
            assert run is not None
            run.pid = _dead_pid()
    current = store.start_run("huggingface")
    with store.transaction() as session:
        by_id = {v.id: v for v in runs.list_runs(session)}
    assert by_id[killed].status == "failed"
    assert "ended without closing the run" in (by_id[killed].reason or "")
    assert by_id[killed].finished_at is not None
    assert by_id[current].status == "running"  # this process is alive
    assert by_id[other_spider].status == "running"  # another spider's next run decides


def test_a_live_runs_process_is_left_running(store: Store) -> None:
    first = store.start_run("huggingface")
    store.start_run("huggingface")
    with store.transaction() as session:
        assert {v.id: v.status for v in runs.list_runs(session)}[first] == "running"
