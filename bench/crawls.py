"""Running `scrapy crawl huggingface` subprocesses against a local Hub, timed."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).parent / "scrapy")
FAST = {  # politeness off in every run: this measures our work, not our manners
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "ERROR",
}


@dataclass
class Crawl:
    seconds: float
    cpu_seconds: float
    """User + system time of the crawl processes and their workers: less moved by
    other work on the machine than wall time."""
    peak_rss_mib: float


def sources_file(workdir: Path, page_size: int) -> Path:
    path = workdir / "sources.toml"
    path.write_text(f'[huggingface]\nauthors = ["bench"]\npage_size = {page_size}\n')
    return path


def command(endpoint: str, sources: Path, db: str, *, pipeline: bool, extra: dict) -> list[str]:
    settings = FAST | {"HF_ENDPOINT": endpoint, "TOOLWATCH_DB": db} | extra
    if not pipeline:  # raw Scrapy: the same spider, requests and callbacks, no item pipeline
        settings["ITEM_PIPELINES"] = "{}"
    cmd = [SCRAPY, "crawl", "huggingface", "-a", f"sources={sources}"]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    return cmd


def run(cmds: list[list[str]], env: dict[str, str] | None = None) -> Crawl:
    """Start every command at once; the time is until the last one ends."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ | (env or {}),
        )
        for cmd in cmds
    ]
    outputs = [p.communicate() for p in procs]
    elapsed = time.perf_counter() - start
    for p, (_, err) in zip(procs, outputs, strict=True):
        if p.returncode != 0:
            raise SystemExit(err[-3000:])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(usage.ru_maxrss, before)
    return Crawl(elapsed, usage.ru_utime + usage.ru_stime - cpu, peak / 1024)
