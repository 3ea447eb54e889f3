"""The watchlist (`sources.toml`): what to crawl, validated before any request."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from storage.health import Thresholds

_HF_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


class SourcesError(ValueError):
    """An invalid sources file; the message names the offending key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_schedule(text: str | None) -> str | None:
    if text is None:
        return None
    from crawler.schedule import parse_schedule

    return parse_schedule(text).text


class _Scheduled(_Strict):
    schedule: str | None = None
    """When to crawl: a crontab line (`"0 */6 * * *"`, UTC) or `"every 6h"`; default
    from `[schedules]`. Without either, `toolwatch scheduler` leaves it alone."""

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, text: str | None) -> str | None:
        return _check_schedule(text)


class HuggingFaceSources(_Scheduled):
    authors: list[str] = Field(default_factory=list)
    """Hub organisations/users whose models are listed and followed."""
    models: list[str] = Field(default_factory=list)
    """Individual repo ids (`org/name`) followed even if their author is not watched."""
    page_size: int = Field(default=100, ge=1, le=1000)
    discovery_budget: int = Field(default=25, ge=0, le=10000)
    """Hub repos found as links in posts, catalogs and price lists are crawled in the same
    run: repos of watched authors always (their listing has them), any other repo up to
    this many per run."""

    @field_validator("authors")
    @classmethod
    def _valid_authors(cls, authors: list[str]) -> list[str]:
        for a in authors:
            if not _HF_NAME.match(a):
                raise ValueError(f"not a Hugging Face user or organisation name: {a!r}")
        return authors

    @field_validator("models")
    @classmethod
    def _valid_models(cls, models: list[str]) -> list[str]:
        for m in models:
            org, _, name = m.partition("/")
            if not (_HF_NAME.match(org) and _HF_NAME.match(name)):
                raise ValueError(f"not a Hugging Face repo id (org/name): {m!r}")
        return models


class FeedSource(_Scheduled):
    url: HttpUrl
    name: str | None = None
    vendor: str | None = None
    fetch_articles: bool = True
    """Fetch the article page of an entry the feed carries no body for. False stores
    such entries as they are (title, summary, date): for feeds known to carry every
    article, where a bodiless entry is not an article."""


class PostSource(_Scheduled):
    """One post or changelog page (Markdown, MDX or HTML) watched at its URL."""

    url: HttpUrl
    name: str | None = None
    vendor: str | None = None


class PriceListSource(_Scheduled):
    url: HttpUrl
    provider: str
    format: str = "openrouter"


class Schedules(_Strict):
    """Default schedule per section (each source's own `schedule` wins)."""

    huggingface: str | None = None
    feeds: str | None = None
    posts: str | None = None
    price_lists: str | None = None

    @field_validator("huggingface", "feeds", "posts", "price_lists")
    @classmethod
    def _valid(cls, text: str | None) -> str | None:
        return _check_schedule(text)


class CatalogSource(_Scheduled):
    """A vendor's or app's model catalog (one file of entries, or one entry per URL):
    Mistral's docs model registry, LM Studio, GPT4All, Azure ML specs, Docker Hub cards.
    The format is recognised from the document itself."""

    url: HttpUrl
    name: str | None = None
    vendor: str | None = None


class Sources(_Strict):
    schedules: Schedules = Field(default_factory=Schedules)
    health: Thresholds = Field(default_factory=Thresholds)
    """Where a run's health turns warning/failing (`storage.health.Thresholds`)."""
    huggingface: HuggingFaceSources = Field(default_factory=HuggingFaceSources)
    feeds: list[FeedSource] = Field(default_factory=list)
    posts: list[PostSource] = Field(default_factory=list)
    price_lists: list[PriceListSource] = Field(default_factory=list)
    catalogs: list[CatalogSource] = Field(default_factory=list)


def _describe(err: ValidationError, path: Path) -> str:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"{path}: {key}: {msg}")
    return "\n".join(lines)


def parse_sources(text: str, path: Path = Path("sources.toml")) -> Sources:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Sources.model_validate(data)
    except ValidationError as exc:
        raise SourcesError(_describe(exc, path)) from exc


def spider_sources(path: str | None, settings: Any) -> Sources:
    """The watchlist a spider crawls: its `sources` argument; else the watchlist text a
    runner passed in the `TOOLWATCH_WATCHLIST` setting (a Scrapyd node shares no files
    with the scheduler); else the `TOOLWATCH_SOURCES` file."""
    if path:
        return load_sources(path)
    if text := settings.get("TOOLWATCH_WATCHLIST"):
        return parse_sources(text, Path("TOOLWATCH_WATCHLIST"))
    return load_sources(settings.get("TOOLWATCH_SOURCES"))


def load_sources(path: str | Path) -> Sources:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such sources file") from exc
    return parse_sources(text, path)
