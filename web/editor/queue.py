"""The candidates queue for a daily load of hundreds: search, filters, sort and pages
all kept in the URL (a link or a reload shows the same rows), bulk accept / reject
of a selection with one reason, and the "next item" after each decision.

`select` is pure (candidates in, one page out), so the rules are testable without HTTP."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from normalizer.models import DocKind, LicenseTerms
from storage.candidates import CandidateView
from storage.errors import EditorialError
from web.editor import security
from web.editor.render import render

router = APIRouter(include_in_schema=False)
Editor = Annotated[str, Depends(security.require_editor)]
Poster = Annotated[str, Depends(security.editor_post)]

SOURCE_KINDS = [k.value for k in DocKind]
LICENSE_TERMS = [t.value for t in LicenseTerms]
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_BULK = 500


def _text_key(c: CandidateView) -> str:
    return c.name.casefold()


SORTS: dict[str, tuple[str, Callable[[CandidateView], Any], bool]] = {
    # key: (label, sort key, descending); rows without the value go last
    "newest": ("newest first", lambda c: (c.created_at, c.slug), True),
    "oldest": ("oldest first", lambda c: (c.created_at, c.slug), False),
    "name": ("name", _text_key, False),
    "vendor": ("vendor", lambda c: (c.vendor or "").casefold(), False),
    "release": ("release date, newest", lambda c: c.release_date, True),
    "price": ("entry price, cheapest", lambda c: c.entry_price, False),
    "params": ("parameters, largest", lambda c: c.params_total, True),
    "confidence": ("lowest confidence first", lambda c: c.min_confidence, False),
    "conflicts": ("most conflicts", lambda c: len(c.conflicts) + c.override_conflicts, True),
}


@dataclass(frozen=True)
class QueueQuery:
    """Everything that decides which rows the queue shows (all of it in the URL)."""

    q: str = ""
    source_kind: str = ""
    vendor: str = ""
    license_terms: str = ""
    conflicts: str = ""
    reopened: str = ""
    sort: str = "newest"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    def params(self, **changes: Any) -> dict[str, Any]:
        """The non-default parameters, with `changes` applied (for links)."""
        data = {**self.__dict__, **changes}
        defaults = QueueQuery().__dict__
        return {k: v for k, v in data.items() if v != defaults[k] and v not in ("", None)}

    def url(self, **changes: Any) -> str:
        params = self.params(**changes)
        return "/" + (f"?{urlencode(params)}" if params else "")

    @property
    def filtered(self) -> bool:
        return any(
            (
                self.q,
                self.source_kind,
                self.vendor,
                self.license_terms,
                self.conflicts,
                self.reopened,
            )
        )


def _matches(c: CandidateView, query: QueueQuery) -> bool:
    if query.q:
        words = query.q.casefold().split()
        text = " ".join([c.name, c.slug, c.vendor or "", c.license_id or "", *c.aliases])
        if not all(w in text.casefold() for w in words):
            return False
    if query.source_kind and query.source_kind not in {e.source_kind for e in c.evidence}:
        return False
    if query.vendor and (c.vendor or "").casefold() != query.vendor.casefold():
        return False
    if query.license_terms and c.license_terms != query.license_terms:
        return False
    if query.conflicts in ("yes", "no") and bool(c.conflicts) != (query.conflicts == "yes"):
        return False
    return not (query.reopened in ("yes", "no") and c.reopened != (query.reopened == "yes"))


@dataclass(frozen=True)
class QueuePage:
    rows: list[CandidateView]
    matching: int
    page: int
    pages: int


def select(candidates: Sequence[CandidateView], query: QueueQuery) -> QueuePage:
    """Filter, sort and cut one page; a page past the end shows the last page."""
    rows = [c for c in candidates if _matches(c, query)]
    _label, key, descending = SORTS.get(query.sort, SORTS["newest"])
    known = [c for c in rows if key(c) is not None]
    unknown = [c for c in rows if key(c) is None]
    known.sort(key=key, reverse=descending)
    rows = known + unknown
    pages = max(1, -(-len(rows) // query.per_page))
    page = min(max(query.page, 1), pages)
    start = (page - 1) * query.per_page
    return QueuePage(rows[start : start + query.per_page], len(rows), page, pages)


def parse_query(params: Any) -> QueueQuery:
    """A QueueQuery from request parameters; unknown values fall back to defaults."""

    def pick(name: str, allowed: Sequence[str]) -> str:
        value = str(params.get(name, "") or "")
        return value if value in allowed else ""

    def number(name: str, default: int) -> int:
        try:
            return int(params.get(name, default))
        except (TypeError, ValueError):
            return default

    per_page = number("per_page", DEFAULT_PAGE_SIZE)
    return QueueQuery(
        q=str(params.get("q", "") or "").strip()[:200],
        source_kind=pick("source_kind", SOURCE_KINDS),
        vendor=str(params.get("vendor", "") or "")[:200],
        license_terms=pick("license_terms", LICENSE_TERMS),
        conflicts=pick("conflicts", ("yes", "no")),
        reopened=pick("reopened", ("yes", "no")),
        sort=pick("sort", list(SORTS)) or "newest",
        page=max(1, number("page", 1)),
        per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
    )


def next_after(candidates: Sequence[CandidateView], query: QueueQuery, slug: str) -> str | None:
    """The candidate after `slug` in the queue as `query` orders it (or the one before
    it when it is the last): where an editor goes once `slug` is decided."""
    rows = select(candidates, QueueQuery(**{**query.__dict__, "page": 1, "per_page": 10**9})).rows
    slugs = [c.slug for c in rows]
    if slug not in slugs:
        return slugs[0] if slugs else None
    at = slugs.index(slug)
    rest = slugs[at + 1 :] or slugs[:at][-1:]
    return rest[0] if rest else None


# routes ----------------------------------------------------------------------------------


@router.get("/")
def queue(request: Request, editor: Editor) -> Response:
    store = request.app.state.store
    query = parse_query(request.query_params)
    everything = store.candidates()
    shown = select(everything, query)
    vendors = sorted({c.vendor for c in everything if c.vendor}, key=str.casefold)
    return render(
        request,
        "queue.html",
        {
            "nav": "queue",
            "page": shown,
            "candidates": shown.rows,
            "total": len(everything),
            "query": query,
            "filtered": query.filtered,
            "vendors": vendors,
            "source_kinds": SOURCE_KINDS,
            "license_terms": LICENSE_TERMS,
            "sorts": {k: v[0] for k, v in SORTS.items()},
            "page_sizes": PAGE_SIZES,
            "here": query.url(),
        },
    )


@router.post("/bulk")
def bulk(
    request: Request,
    editor: Poster,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    slug: Annotated[list[str] | None, Form()] = None,
    back: Annotated[str, Form()] = "/",
) -> Response:
    """Accept or reject every selected candidate with one reason; each is its own
    decision (one refused does not stop the others) and the flash says what happened."""
    from web.editor.routes import see_other

    store = request.app.state.store
    target = security.safe_next(back)
    chosen = list(dict.fromkeys(slug or []))[:MAX_BULK]
    if action not in ("accept", "reject") or not chosen:
        security.flash(request, "Select candidates, then accept or reject them.", "error")
        return see_other(target)
    if action == "reject" and not reason.strip():
        security.flash(
            request, "A rejection needs a reason (one for the whole selection).", "error"
        )
        return see_other(target)
    done: list[str] = []
    for one in chosen:
        try:
            if action == "accept":
                store.accept(one, editor, reason.strip())
            else:
                store.reject(one, editor, reason.strip())
            done.append(one)
        except EditorialError as exc:
            security.flash(request, f"{one}: {exc}", "error")
    verb = "Published" if action == "accept" else "Rejected"
    if done:
        security.flash(request, f"{verb} {len(done)}: {', '.join(done)}.")
    return see_other(target)
