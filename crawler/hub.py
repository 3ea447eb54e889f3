"""Hugging Face Hub URL building and response reading (pure, no Scrapy)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

HUB = "https://huggingface.co"
"""Default endpoint; HF_ENDPOINT (as huggingface_hub reads it) points at a mirror."""
LISTING_EXPAND = ("sha", "lastModified", "private", "gated")
MODEL_EXPAND = (
    "author",
    "sha",
    "lastModified",
    "private",
    "gated",
    "tags",
    "siblings",
    "cardData",
    "config",
    "createdAt",
    "safetensors",
    "baseModels",
    "pipeline_tag",
    "library_name",
    "inferenceProviderMapping",
)
"""The model-info properties the normalizer reads, as `huggingface_hub` names them
(`ExpandModelProperty_T`). With `expand` the Hub answers exactly these, computed
ones included (safetensors parameter counts, base models, inference providers)."""

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


def listing_url(author: str, limit: int, endpoint: str = HUB) -> str:
    """First page of an author's models, with just the fields incremental crawling needs."""
    query = [("author", author), ("limit", str(limit))] + [("expand", e) for e in LISTING_EXPAND]
    return f"{endpoint}/api/models?{urlencode(query)}"


def model_api_url(repo_id: str, endpoint: str = HUB) -> str:
    """Model info with every property the normalizer reads (`MODEL_EXPAND`)."""
    query = urlencode([("expand", e) for e in MODEL_EXPAND])
    return f"{endpoint}/api/models/{quote(repo_id, safe='/')}?{query}"


def config_url(repo_id: str, endpoint: str = HUB) -> str:
    return f"{endpoint}/{quote(repo_id, safe='/')}/raw/main/config.json"


def lists_file(body: bytes, filename: str) -> bool:
    """Whether model info's `siblings` name `filename` (so fetching it is not a 404)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    siblings = data.get("siblings") if isinstance(data, dict) else None
    return isinstance(siblings, list) and any(
        isinstance(s, dict) and s.get("rfilename") == filename for s in siblings
    )


def card_url(repo_id: str, endpoint: str = HUB) -> str:
    return f"{endpoint}/{quote(repo_id, safe='/')}/raw/main/README.md"


def state_key(repo_id: str) -> str:
    return f"hf:{repo_id}"


def next_page(link_header: str | None) -> str | None:
    """The `rel="next"` target of a Link header (the Hub's cursor pagination)."""
    if not link_header:
        return None
    m = _LINK_NEXT.search(link_header)
    return m.group(1) if m else None


@dataclass(frozen=True)
class ListedModel:
    repo_id: str
    sha: str | None
    last_modified: str | None
    private: bool
    gated: str | bool | None


class HubFormatError(ValueError):
    """The Hub answered with something that is not the documented shape."""


def parse_listing(body: bytes) -> list[ListedModel]:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HubFormatError(f"listing is not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise HubFormatError(f"listing is a {type(data).__name__}, expected a JSON array")
    out = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        repo_id = entry.get("id") or entry.get("modelId")
        if not isinstance(repo_id, str) or "/" not in repo_id:
            continue
        out.append(
            ListedModel(
                repo_id=repo_id,
                sha=entry.get("sha"),
                last_modified=entry.get("lastModified"),
                private=bool(entry.get("private", False)),
                gated=entry.get("gated"),
            )
        )
    return out


def parse_model_sha(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HubFormatError(f"model info is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise HubFormatError("model info is not a JSON object")
    sha = data.get("sha")
    return sha if isinstance(sha, str) else None


def choose_discovered(
    repos: Iterable[str], watched_orgs: Iterable[str], budget: int, already: Iterable[str] = ()
) -> list[str]:
    """Linked repos to crawl this run: of a watched organisation none (its listing, made
    in the same run, already covers every repo it has), others up to `budget`, none twice."""
    watched = {o.casefold() for o in watched_orgs}
    seen = {r.casefold() for r in already}
    out: list[str] = []
    for repo in repos:
        key = repo.casefold()
        if key in seen or key.split("/", 1)[0] in watched:
            continue
        seen.add(key)
        if len(out) >= budget:
            break
        out.append(repo)
    return out
