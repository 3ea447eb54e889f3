"""An announcement post as read once: main text, title, date and front matter, and the
views of it several stages ask for (Hub links, body sentences), computed once per post."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from normalizer import dates
from normalizer.frontmatter import split
from normalizer.identity import family_of, repo_id_from_url
from normalizer.name_sizes import ckey, size_of
from normalizer.text import Doc, inline_to_text, strip_code


@dataclass
class Post:
    markup: str
    title: str | None
    date: str | None
    date_evidence: str | None
    url: str | None
    doc: Doc
    warnings: list[str] = field(default_factory=list)
    topics: str = ""
    """What the post says of itself in front matter: tags, description, category."""
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    """Views of the post computed once (`per_post`), not once per caller or record."""


_TOPIC_KEYS = ("tags", "categories", "category", "description", "meta_description",
               "summary", "excerpt", "keywords")  # fmt: skip


def _topics(data: dict[str, object]) -> str:
    parts: list[str] = []
    for key in _TOPIC_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(str(v) for v in value if isinstance(v, str | int | float))
    return " / ".join(parts)[:2000]


_T = TypeVar("_T")


def per_post(fn: Callable[[Post], _T]) -> Callable[[Post], _T]:
    """Compute `fn(post)` once per post: its callers (one per record, several per step)
    share the result and must not change it."""
    key = fn.__qualname__

    @wraps(fn)
    def once(post: Post) -> _T:
        if key not in post.memo:
            post.memo[key] = fn(post)
        return post.memo[key]

    return once


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return (
        head.startswith("<!doctype html")
        or head.startswith("<html")
        or ("<body" in text[:5000].lower() and "<head" in text[:5000].lower())
    )


def read_post(text: str, source_url: str | None) -> Post:
    warnings: list[str] = []
    title: str | None = None
    date: str | None = None
    date_ev: str | None = None
    topics = ""
    url = source_url
    if _looks_html(text):
        meta = _html_metadata(text, source_url)
        title = meta.get("title")
        date = dates.parse_loose(meta.get("date")) if meta.get("date") else None
        date_ev = f"published: {meta.get('date')}" if date else None
        url = url or meta.get("url")
        markup = _html_main_text(text) or ""
        if not markup:
            warnings.append("could not extract the main text of the HTML page")
    else:
        fm = split(text)
        data = fm.data
        markup = fm.body if fm.had_block else text
        if isinstance(data.get("title"), str):
            title = data["title"].strip()
        topics = _topics(data)
        for key in (
            "date", "published", "pubDate", "release_date", "datePublished", "publishDate",
            "publish_date", "published_at", "publishedAt", "published_on", "pub_date", "created",
            "createdAt", "created_at",
        ):  # fmt: skip
            if data.get(key):
                date = dates.parse_loose(data[key])
                if date:
                    date_ev = f"{key}: {data[key]}"
                    break
        if not url:
            for key in ("url", "canonical", "permalink"):
                if isinstance(data.get(key), str) and data[key].startswith("http"):
                    url = data[key]
                    break
    if title is None:
        m = re.search(r"^\s*#\s+(.+)$", strip_code(markup), re.M)
        if m:
            title = inline_to_text(m.group(1))
    return Post(
        markup=markup,
        title=title,
        date=date,
        date_evidence=date_ev,
        url=url,
        doc=Doc(markup),
        warnings=warnings,
        topics=topics,
    )


def _html_main_text(html_text: str) -> str | None:
    import trafilatura

    try:
        return trafilatura.extract(
            html_text,
            output_format="markdown",
            include_links=True,
            include_tables=True,
            include_comments=False,
            favor_recall=True,
        )
    except Exception:  # trafilatura on broken markup
        return None


def _html_metadata(html_text: str, url: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        import extruct

        data = extruct.extract(
            html_text, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True
        )
    except Exception:  # extruct raises on odd documents
        data = {}
    for item in data.get("json-ld", []) if isinstance(data, dict) else []:
        for obj in item.get("@graph", [item]) if isinstance(item, dict) else []:
            if not isinstance(obj, dict):
                continue
            out.setdefault("title", obj.get("headline") or obj.get("name") or "")
            if obj.get("datePublished"):
                out.setdefault("date", str(obj["datePublished"]))
            if isinstance(obj.get("url"), str):
                out.setdefault("url", obj["url"])
    for og in data.get("opengraph", []) if isinstance(data, dict) else []:
        if not isinstance(og, dict):
            continue
        if og.get("og:title"):
            out.setdefault("title", str(og["og:title"]))
        if og.get("article:published_time"):
            out.setdefault("date", str(og["article:published_time"]))
        if og.get("og:url"):
            out.setdefault("url", str(og["og:url"]))
    if not out.get("title"):
        m = re.search(r"<title[^>]*>(.*?)</title>", html_text, re.S | re.I)
        if m:
            out["title"] = inline_to_text(m.group(1))
    return {k: v for k, v in out.items() if isinstance(v, str) and v}


_HF_LINK_RE = re.compile(r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/", re.I)


@per_post
def hf_links(post: Post) -> list[tuple[str, str]]:
    """(repo id, anchor text); the anchor is kept only when it names the model."""
    out: list[tuple[str, str]] = []
    for anchor, url in post.doc.links:
        rid = repo_id_from_url(url) if _HF_LINK_RE.match(url) else None  # not GitHub `/blob/` paths
        if rid and "/" in rid and not re.search(r"/(?:spaces|datasets|blog|collections)/", url):
            short = rid.split("/")[-1]
            fam = ckey(family_of(short))
            a_fam = ckey(family_of(anchor)) if anchor else ""
            if not anchor or not (
                a_fam and (a_fam.startswith(fam[:4]) or fam.startswith(a_fam[:4]))
            ):
                anchor = ""
            elif size_of(anchor) and size_of(short) and size_of(anchor) != size_of(short):
                anchor = ""  # `[Llama-3-70B](…/Meta-Llama-3-8B)`: a wrong link names neither
            out.append((rid, anchor))
    return out


_HF_ORG_PAGE_RE = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([A-Za-z0-9][\w.-]*)/?(?:[?#].*)?$"
)
_HF_COLLECTION_RE = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/collections/([A-Za-z0-9][\w.-]*)/([\w.-]+)"
)
"""A collection the maker keeps (`huggingface.co/collections/stepfun-ai/step3-…`): its
owner and slug."""
_HF_SITE_PATHS = {
    "models", "datasets", "spaces", "docs", "blog", "papers", "collections", "organizations",
    "join", "pricing", "settings", "login", "chat", "learn", "tasks", "posts", "enterprise",
}  # fmt: skip


@per_post
def hf_org_pages(post: Post) -> list[str]:
    """Organisations whose Hub page or collection the post links (`huggingface.co/meituan-
    longcat`, a README's badge): where the maker publishes, when no model repo is linked."""
    orgs = [
        m.group(1)
        for _, url in post.doc.links
        if (m := _HF_ORG_PAGE_RE.match(url) or _HF_COLLECTION_RE.match(url))
        and m.group(1).lower() not in _HF_SITE_PATHS
    ]
    return list(dict.fromkeys(orgs))


def hf_collections(post: Post) -> list[tuple[str, str]]:
    """(owner, slug) of the Hub collections the post links (`collections/sail/sailor-65e1…`)."""
    out = []
    for _, url in post.doc.links:
        m = _HF_COLLECTION_RE.match(url)
        if m and (m.group(1), m.group(2)) not in out:
            out.append((m.group(1), m.group(2)))
    return out


@per_post
def body_sentences(post: Post) -> list[str]:
    """Sentences of the body: not the title, not a bare date."""
    title = (post.title or "").strip()
    out = []
    for s in post.doc.sentences:
        t = s.strip()
        if not t or (title and title in t and len(t) <= len(title) + 40):
            continue
        if re.fullmatch(r"[\d\s/.:TZ+-]+", t):
            continue
        out.append(t)
    return out
