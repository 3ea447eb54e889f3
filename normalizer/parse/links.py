"""What a link points at: a Hub model repo, a dataset, a Space, GitHub, arXiv, a license."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlparse

from normalizer.identity import repo_id_from_url

_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
_LICENSE_PATH_RE = re.compile(r"/(?:LICEN[CS]E|COPYING|licenses?)(?:[./_-][\w.-]*)?$", re.I)


@lru_cache(maxsize=8192)
def classify(url: str) -> tuple[str, str | None]:
    """(target, repo id) for one href; the repo id only for Hub model repos. Remembered:
    posts and cards link the same pages again and again."""
    try:
        parsed = urlparse(url)
    except ValueError:
        return "other", None
    host = (parsed.hostname or "").lower()
    path = parsed.path
    if _LICENSE_PATH_RE.search(path) or host in (
        "opensource.org",
        "spdx.org",
        "choosealicense.com",
    ):
        return "license", None
    if host in _HUB_HOSTS:
        first = path.strip("/").split("/", 1)[0]
        if first in ("datasets", "spaces", "collections", "blog", "papers", "docs"):
            return {"datasets": "hub-dataset", "spaces": "hub-space"}.get(
                first, "hub-collection" if first == "collections" else "other"
            ), None
        repo = repo_id_from_url(url)
        return ("hub-model", repo) if repo and "/" in repo else ("other", None)
    if host.endswith("github.com"):
        return "github", None
    if host.endswith("arxiv.org"):
        return "arxiv", None
    if host.endswith("modelscope.cn") or host.endswith("modelscope.ai"):
        return "modelscope", None
    return "other", None
