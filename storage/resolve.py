"""Resolution: turn a tool's claims into one canonical record. Pure functions.

1. Only *current* claims count: per (document URL, record key, field) the newest
   claim; older versions of the same URL are history, not a second opinion.
2. Per field the winner is the best source rank (`ranking.RankPolicy`: source class
   and field, guesses after stated values), then the highest confidence (a quantised
   re-upload's claims are weighted down), then the most recent `observed_at`, then
   the latest claim id. Among the claims that agree with that winner, the most
   exact value is taken (8192 over "8k", 8,030,261,248 over "8B").
3. List fields (`aliases`, `links`) are the union over current claims, best first;
   `pricing` takes its `model` from the winner and merges `prices` per provider.
4. A conflict is reported when current claims from different documents hold
   incompatible values for a factual field (`FACT_FIELDS`). Values are compatible
   when they agree wherever both say something (a license with and without a
   `name` but the same `id` is no conflict; strings compare case-insensitively).
5. Overrides come first (override > source rank > recency): an editor's value for
   a field (`override_claim`, source kind `ranking.OVERRIDE_KIND`, which the rank
   policy puts above every source) is taken whole, even for list fields and
   pricing; source conflicts on that field are still reported, `chosen` being the
   override.
6. Every resolved field says which rule picked it (`Resolution.rules`, carried into
   the record's provenance as `rule`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Any

from pydantic import ValidationError

from normalizer.copy import comparison_copy
from normalizer.models import FieldProvenance, ToolRecord
from storage.names import norm_alias
from storage.ranking import DEFAULT_POLICY, OVERRIDE_KIND, RankPolicy, is_guess, source_class
from storage.views import Conflict, ConflictSource, ConflictValue

RECORD_FIELDS: tuple[str, ...] = tuple(
    name for name in ToolRecord.model_fields if name not in ("provenance", "warnings")
)
"""ToolRecord fields that become claims."""

FACT_FIELDS: frozenset[str] = frozenset(
    {
        "vendor",
        "family",
        "task",
        "category",
        "license",
        "open_weights",
        "parameters",
        "context_length",
        "release_date",
        "base_model",
        "base_model_relation",
        "pricing",
    }
)
"""Fields checked for conflicts. Identity and prose fields (name, slug, source_id,
aliases, links, tagline, description) legitimately differ between variants/sources."""


@dataclass(frozen=True)
class ClaimData:
    """A claim as resolution sees it (plain data, no ORM)."""

    field: str
    value: Any
    source_kind: str
    observed_at: datetime
    document_id: int
    document_url: str
    record_key: str
    method: str = "unattributed"
    source_url: str | None = None
    evidence: str | None = None
    confidence: float = 1.0
    id: int = 0


@dataclass
class Resolution:
    values: dict[str, Any] = field(default_factory=dict)
    """Resolved JSON value per field."""
    winners: dict[str, ClaimData] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)
    """Per field, the rule that picked the winner, in words."""


def current_claims(claims: Iterable[ClaimData]) -> list[ClaimData]:
    """The newest claim per (document URL, record key, field)."""
    latest: dict[tuple[str, str, str], ClaimData] = {}
    for claim in claims:
        key = (claim.document_url, claim.record_key, claim.field)
        seen = latest.get(key)
        if seen is None or (claim.observed_at, claim.id) > (seen.observed_at, seen.id):
            latest[key] = claim
    return list(latest.values())


def ranked(claims: Iterable[ClaimData], policy: RankPolicy = DEFAULT_POLICY) -> list[ClaimData]:
    """Best first: source rank, then confidence, then recency, then insertion order
    (later wins)."""
    return sorted(
        claims,
        key=lambda c: (
            policy.rank(c.field, c.source_kind, c.method),
            -c.confidence,
            -c.observed_at.timestamp(),
            -c.id,
        ),
    )


def override_claim(
    field_name: str, value: Any, *, actor: str, reason: str, at: datetime
) -> ClaimData:
    """An editor's override as resolution sees it: a claim that always wins."""
    return ClaimData(
        field=field_name,
        value=value,
        source_kind=OVERRIDE_KIND,
        observed_at=at,
        document_id=0,
        document_url=f"{OVERRIDE_KIND}:{field_name}",
        record_key="",
        method=f"override by {actor}",
        evidence=reason,
    )


def resolve_claims(
    claims: Iterable[ClaimData],
    policy: RankPolicy = DEFAULT_POLICY,
    overrides: Iterable[ClaimData] = (),
) -> Resolution:
    """Resolve claims field by field; `overrides` (see `override_claim`) win whole."""
    by_field: dict[str, list[ClaimData]] = {}
    for claim in current_claims([*claims, *overrides]):
        by_field.setdefault(claim.field, []).append(claim)
    result = Resolution()
    for name in sorted(by_field, key=_field_order):
        first = ranked(by_field[name], policy)
        ordered = _prefer_exact(first)
        result.winners[name] = ordered[0]
        result.rules[name] = explain(name, ordered, policy, exact_over=first[0])
        if ordered[0].source_kind == OVERRIDE_KIND:
            result.values[name] = ordered[0].value
            sources = [c for c in ordered if c.source_kind != OVERRIDE_KIND]
            if name in FACT_FIELDS and sources:
                result.conflicts.extend(_conflicts(name, sources, ordered[0].value))
            continue
        if name == "aliases":
            result.values[name] = _union(ordered, norm_alias)
        elif name == "links":
            result.values[name] = _union(ordered, lambda link: link.get("url"))
        elif name == "pricing":
            result.values[name] = _merge_pricing(ordered)
        else:
            result.values[name] = ordered[0].value
        if name in FACT_FIELDS:
            result.conflicts.extend(_conflicts(name, ordered, result.values[name]))
    _open_weights_pricing(result)
    return result


def _numbers_of(value: Any) -> dict[str, int] | None:
    """The counts a numeric claim states (`context_length`, `parameters` total/active)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"": value}
    if isinstance(value, dict):
        nums = {k: v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}
        if nums and len(nums) == sum(v is not None for v in value.values()):
            return nums
    return None


def _precision(nums: dict[str, int]) -> int:
    return sum(_significant_digits(v) for v in nums.values())


def _prefer_exact(ordered: list[ClaimData]) -> list[ClaimData]:
    """Exact beats rounded: among claims agreeing with the best-ranked one and stating
    at least what it states, the most precise comes first (8192 over "8k")."""
    top = ordered[0]
    top_nums = _numbers_of(top.value)
    if top.source_kind == OVERRIDE_KIND or top_nums is None:
        return ordered
    best, best_precision = top, _precision(top_nums)
    for claim in ordered[1:]:
        nums = _numbers_of(claim.value)
        if claim.source_kind == OVERRIDE_KIND or nums is None or not top_nums.keys() <= nums.keys():
            continue
        if compatible(top.value, claim.value) and _precision(nums) > best_precision:
            best, best_precision = claim, _precision(nums)
    if best is top:
        return ordered
    return [best, *(c for c in ordered if c is not best)]


def _describe(claim: ClaimData) -> str:
    guess = ", guessed" if is_guess(claim.method) else ""
    return f"{claim.source_kind} ({source_class(claim.source_kind)}{guess})"


def explain(
    field_name: str,
    ordered: Sequence[ClaimData],
    policy: RankPolicy = DEFAULT_POLICY,
    exact_over: ClaimData | None = None,
) -> str:
    """Which rule picked `ordered[0]`, in words an editor can check."""
    top = ordered[0]
    if top.source_kind == OVERRIDE_KIND:
        return "editor override"
    if exact_over is not None and exact_over is not top:
        return (
            f"exact over rounded: {_canonical(top.value)} from {_describe(top)} agrees with "
            f"{_canonical(exact_over.value)} from {_describe(exact_over)} and is more exact"
        )
    others = [c for c in ordered[1:] if c.document_url != top.document_url]
    if not others:
        return f"only source: {_describe(top)}"
    agree = all(compatible(top.value, c.value) for c in others)
    lead = "sources agree; " if agree else ""
    rival = others[0]
    top_rank = policy.rank(field_name, top.source_kind, top.method)
    rival_rank = policy.rank(field_name, rival.source_kind, rival.method)
    if top_rank < rival_rank:
        if field_name == "release_date" and rival.method == "api:createdAt":
            why = f"announced or catalog date ({top.source_kind}) over repo creation date"
        elif is_guess(rival.method) and not is_guess(top.method):
            why = f"stated value ({_describe(top)}) over guessed ({_describe(rival)})"
        else:
            why = f"source rank for {field_name}: {_describe(top)} over {_describe(rival)}"
    elif top.confidence > rival.confidence:
        why = f"higher confidence ({top.confidence:.2f} over {rival.confidence:.2f}), same rank"
    else:
        why = f"most recent of equally ranked {top.source_kind} sources"
    return lead + why


def _open_weights_pricing(result: Resolution) -> None:
    """Weights anyone may download are free to self-host, whatever hosts charge:
    the pricing model of an open-weights tool is `open-weights`, its prices stay."""
    pricing = result.values.get("pricing")
    winner = result.winners.get("pricing")
    if (
        pricing
        and winner is not None
        and winner.source_kind != OVERRIDE_KIND
        and result.values.get("open_weights") is True
        and pricing.get("model") in (None, "paid")
    ):
        result.values["pricing"] = {**pricing, "model": "open-weights"}


def build_record(
    resolution: Resolution,
    *,
    slug: str,
    name: str,
    aliases: Sequence[str] | None = None,
) -> ToolRecord:
    """The canonical ToolRecord. `slug` is the tool's; `aliases` (if given) replace
    the claimed ones; `name` is used when no claim names the tool."""
    data: dict[str, Any] = dict(resolution.values)
    data["slug"] = slug
    data["name"] = data.get("name") or name
    if aliases is not None:
        data["aliases"] = list(aliases)
    data["provenance"] = {
        field_name: FieldProvenance(
            source_url=claim.source_url,
            method=claim.method,
            observed_at=claim.observed_at,
            evidence=claim.evidence,
            confidence=claim.confidence,
            source_kind=claim.source_kind,
            rule=resolution.rules.get(field_name),
        )
        for field_name, claim in resolution.winners.items()
        if field_name in data
    }
    _add_copy(data, resolution)
    warnings: list[str] = []
    while True:
        try:
            return ToolRecord.model_validate({**data, "warnings": warnings})
        except ValidationError as exc:  # a stored value the current model rejects
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            bad -= {"slug", "name", "warnings"}
            if not bad:
                raise
            for field_name in sorted(bad):
                data.pop(field_name, None)
                data["provenance"].pop(field_name, None)
                warnings.append(f"stored claim for {field_name!r} no longer validates; dropped")


COPY_RULE = "comparison copy derived from the resolved record (normalizer.copy)"


def _add_copy(data: dict[str, Any], resolution: Resolution) -> None:
    """Category, description, best-for and the pricing summary, derived from the
    resolved values; an editor's override of a field is kept as it is."""
    keep = {f for f, c in resolution.winners.items() if c.source_kind == OVERRIDE_KIND}

    def prov(field_name: str, method: str, evidence: str) -> None:
        data["provenance"][field_name] = FieldProvenance(
            method=method, evidence=evidence, source_kind="derived", rule=COPY_RULE
        )

    try:
        values = comparison_copy(data, keep, prov)
    except (TypeError, ValueError, KeyError, AttributeError):  # a stored value of an odd shape
        return
    for name, value in values.items():
        if value is None:
            data.pop(name, None)
            data["provenance"].pop(name, None)
        else:
            data[name] = value


def _field_order(name: str) -> int:
    return RECORD_FIELDS.index(name) if name in RECORD_FIELDS else len(RECORD_FIELDS)


def _union(ordered: Sequence[ClaimData], key: Callable[[Any], Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[Any] = set()
    for claim in ordered:
        for item in claim.value or []:
            k = key(item)
            if k not in seen:
                seen.add(k)
                out.append(item)
    return out


def _price_key(price: dict[str, Any]) -> str:
    provider = str(price.get("provider") or "").casefold()
    model_id = price.get("model_id")
    return f"{provider}/{model_id}" if model_id else provider


def _merge_pricing(ordered: Sequence[ClaimData]) -> dict[str, Any]:
    """`model` from the best claim stating one; `prices` merged per provider, best first."""
    model = next((c.value.get("model") for c in ordered if c.value.get("model")), None)
    prices: list[dict[str, Any]] = []
    seen: set[str] = set()
    for claim in ordered:
        for price in claim.value.get("prices") or []:
            key = _price_key(price)
            if key not in seen:
                seen.add(key)
                prices.append(price)
    return {"model": model, "prices": prices}


def _facets(field_name: str, value: Any) -> list[tuple[str | None, Any]]:
    """What a claim asserts, split into independently comparable parts."""
    if field_name != "pricing":
        return [(None, value)]
    out: list[tuple[str | None, Any]] = []
    if value.get("model"):
        out.append(("model", value["model"]))
    for price in value.get("prices") or []:
        amounts = {k: price.get(k) for k in ("input_per_mtok", "output_per_mtok", "currency")}
        out.append((f"price:{_price_key(price)}", amounts))
    return out


def _chosen(field_name: str, facet: str | None, resolved: Any) -> Any:
    for name, value in _facets(field_name, resolved):
        if name == facet:
            return value
    return None


def _conflicts(field_name: str, ordered: Sequence[ClaimData], resolved: Any) -> list[Conflict]:
    by_facet: dict[str | None, list[tuple[Any, ClaimData]]] = {}
    for claim in ordered:
        for facet, value in _facets(field_name, claim.value):
            by_facet.setdefault(facet, []).append((value, claim))
    out: list[Conflict] = []
    for facet, pairs in by_facet.items():
        groups: dict[str, tuple[Any, list[ClaimData]]] = {}
        for value, claim in pairs:  # best-ranked first, so groups keep that order
            groups.setdefault(_canonical(value), (value, []))[1].append(claim)
        disputed = any(
            not compatible(v1, v2) and any(a.document_url != b.document_url for a in c1 for b in c2)
            for (v1, c1), (v2, c2) in combinations(groups.values(), 2)
        )
        if disputed:
            out.append(
                Conflict(
                    field=field_name,
                    facet=facet,
                    chosen=_chosen(field_name, facet, resolved),
                    values=[
                        ConflictValue(value=value, sources=[_source(c) for c in claims])
                        for value, claims in groups.values()
                    ],
                )
            )
    return out


def _source(claim: ClaimData) -> ConflictSource:
    return ConflictSource(
        source_kind=claim.source_kind,
        source_url=claim.source_url or claim.document_url,
        document_id=claim.document_id,
        method=claim.method,
        observed_at=claim.observed_at,
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


NUMBER_TOLERANCE = 0.02
"""Counts within 2% of each other agree (7.24B counted, "7.3B" written)."""
DATE_TOLERANCE_DAYS = 14
"""Dates this close agree: a repo made days before its announcement is one release."""
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def dates_agree(a: str, b: str) -> bool:
    """Same day, one a month the other falls in, or within `DATE_TOLERANCE_DAYS`."""
    ma, mb = _DATE_RE.match(a.strip()), _DATE_RE.match(b.strip())
    if not (ma and mb):
        return a.strip().casefold() == b.strip().casefold()
    if not (ma.group(3) and mb.group(3)):
        return ma.group(1, 2) == mb.group(1, 2)
    try:
        da, db = (date(*(int(x) for x in m.group(1, 2, 3))) for m in (ma, mb))
    except ValueError:
        return a == b
    return abs((da - db).days) <= DATE_TOLERANCE_DAYS


def compatible(a: Any, b: Any) -> bool:
    """True when `a` and `b` agree wherever both state something (numbers within
    rounding or `NUMBER_TOLERANCE`, dates within `DATE_TOLERANCE_DAYS`)."""
    if a is None or b is None:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(compatible(a[k], b[k]) for k in a.keys() & b.keys())
    if isinstance(a, str) and isinstance(b, str):
        if _DATE_RE.match(a.strip()) and _DATE_RE.match(b.strip()):
            return dates_agree(a, b)
        return a.strip().casefold() == b.strip().casefold()
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(compatible(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int) and isinstance(b, int):
        return numbers_agree(a, b)
    return bool(a == b)


def _significant_digits(n: int) -> int:
    digits = str(abs(n)).rstrip("0")
    return max(1, len(digits))


def numbers_agree(a: int, b: int) -> bool:
    """Equal, or one is the other as a document would round it ("8B" for 8,030,261,248,
    "128K" for 131,072): prose rounding is not a disagreement between sources."""
    if a == b:
        return True
    if a <= 0 or b <= 0:
        return False
    if abs(a - b) <= NUMBER_TOLERANCE * max(a, b):
        return True
    coarse, exact = (a, b) if _significant_digits(a) <= _significant_digits(b) else (b, a)
    digits = _significant_digits(coarse)
    if round(exact, digits - len(str(exact))) == coarse:
        return True
    # binary thousands: 128K written as 128000 by one source and 131072 by another
    return coarse % 1000 == 0 and coarse // 1000 * 1024 == exact
