"""Scrapy settings shared by `scrapy crawl` and `toolwatch crawl`.

Polite by default: robots.txt obeyed, a real User-Agent, few concurrent requests
per host, bounded response size, retries that honour Retry-After.
"""

import os

from crawler.alerts import AlertSettings
from storage.db import default_db_url

BOT_NAME = "toolwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

_CONTACT = os.environ.get("TOOLWATCH_CONTACT", "set TOOLWATCH_CONTACT to an email or URL")
USER_AGENT = f"toolwatch/0.1 (AI model catalog crawler; {_CONTACT})"

ROBOTSTXT_OBEY = True
# robots.txt answering 5xx or not at all disallows its host (RFC 9309) until asked again.
TOOLWATCH_ROBOTS_RETRY_AFTER = 600
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

RETRY_TIMES = 3
# Longest Retry-After we wait for; longer ones give up and are recorded as errors.
TOOLWATCH_MAX_RETRY_AFTER = 120

DOWNLOADER_MIDDLEWARES = {
    # First of all: a request the URL policy refuses never reaches robots.txt or the network.
    "crawler.url_policy.UrlPolicyMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.HubTokenMiddleware": 560,
    "crawler.middlewares.DownloadLimitsMiddleware": 580,
    # Closest to the network: replay answers instead of the downloader, record sees the wire.
    "crawler.replay.ReplayMiddleware": 950,
}

# Many crawler processes on one frontier (crawler/frontier.py): set TOOLWATCH_FRONTIER
# to a Redis URL and TOOLWATCH_FRONTIER_KEY to the crawl's name in every process.
ADDONS = {"crawler.frontier.SharedFrontier": 0}
TOOLWATCH_FRONTIER = os.environ.get("TOOLWATCH_FRONTIER", "")
TOOLWATCH_FRONTIER_KEY = os.environ.get("TOOLWATCH_FRONTIER_KEY", "crawl")

SPIDER_MIDDLEWARES = {
    # The origins of start requests (the watchlist) are the operator's choice.
    "crawler.url_policy.WatchlistOriginsMiddleware": 10,
}
# Connect-time address check (DNS rebinding): see crawler/url_policy.py.
TWISTED_DNS_RESOLVER = "crawler.url_policy.GuardedResolver"
# Hosts (`host` or `host:port`) let through the URL policy's address check although
# they are not global, e.g. a test server on loopback. Empty unless set on purpose
# (comma-separated in $TOOLWATCH_ALLOWED_HOSTS, or `-s TOOLWATCH_ALLOWED_HOSTS=...`).
TOOLWATCH_ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TOOLWATCH_ALLOWED_HOSTS", "").split(",") if h.strip()
]

ITEM_PIPELINES = {
    "crawler.pipelines.StoragePipeline": 300,
}

# Hugging Face Hub endpoint (a mirror, or a local server in tests); as huggingface_hub reads it.
HF_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co")

# Database URL; `toolwatch crawl --db` and TOOLWATCH_DB override it.
TOOLWATCH_DB = default_db_url()
TOOLWATCH_SOURCES = os.environ.get("TOOLWATCH_SOURCES", "sources.toml")
# A watchlist as TOML text, used instead of TOOLWATCH_SOURCES when set (the Scrapyd
# runner passes each job's sources this way: `crawler/scrapyd.py`).
TOOLWATCH_WATCHLIST = ""
# The site taxonomy (a TOML file of `[[rule]]`s) the normalizer files tools under; unset:
# the bundled normalizer/data/taxonomy.toml. The storage pipeline hands it over.
TOOLWATCH_TAXONOMY = os.environ.get("TOOLWATCH_TAXONOMY") or None
TOOLWATCH_BATCH_SIZE = 25
# Where captured documents are normalised: "pool" (processes here, one per core),
# "rq" (RQ workers on TOOLWATCH_REDIS_URL), "inline" (the pipeline's thread).
TOOLWATCH_NORMALIZE = os.environ.get("TOOLWATCH_NORMALIZE", "pool")
TOOLWATCH_NORMALIZE_WORKERS = int(os.environ.get("TOOLWATCH_NORMALIZE_WORKERS", "0"))  # 0: cores
TOOLWATCH_REDIS_URL = os.environ.get("TOOLWATCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TOOLWATCH_SPOOL_DIR = os.environ.get("TOOLWATCH_SPOOL_DIR", ".toolwatch-spool")

# Run health: spidermon runs `storage.health` checks when a spider closes, stores the
# report with the crawl run and alerts (webhook / email, configured from the environment).
EXTENSIONS = {
    # incremental state (shas, ETags) for spiders, read off the reactor thread
    "crawler.state.IncrementalState": 100,
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
}
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitors.RunHealthSuite",)
TOOLWATCH_HEALTH: dict[str, object] = {}  # `[health]` of sources.toml, set by `toolwatch crawl`
TOOLWATCH_ALERTS = AlertSettings.from_env().model_dump()

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl X -O items.jsonl`: raw bodies exported as text (base64 when not UTF-8).
FEED_EXPORTERS = {
    "json": "crawler.exporters.JsonExporter",
    "jsonlines": "crawler.exporters.JsonLinesExporter",
    "jsonl": "crawler.exporters.JsonLinesExporter",
    "csv": "crawler.exporters.CsvExporter",
    "xml": "crawler.exporters.XmlExporter",
}

# `scrapy check` contracts; offline: TOOLWATCH_REPLAY_DIR=crawler/fixtures/cassettes scrapy check
SPIDER_CONTRACTS = {"crawler.contracts.ModelKwargContract": 10}
# Replay vcrpy cassettes (crawler/replay.py), as `toolwatch crawl --replay DIR` sets it.
TOOLWATCH_REPLAY_DIR = os.environ.get("TOOLWATCH_REPLAY_DIR", "")
