"""Resolution is a pure function over claims: no database needed."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from builders import T0

from storage.ranking import DEFAULT_POLICY, RankPolicy
from storage.resolve import (
    ClaimData,
    build_record,
    compatible,
    current_claims,
    ranked,
    resolve_claims,
)

_ids = count(1)
_DOC_IDS: dict[str, int] = {}


def claim(
    field: str,
    value: Any,
    kind: str = "hf-card",
    url: str = "https://a",
    days: int = 0,
    key: str = "org/model",
    confidence: float = 1.0,
) -> ClaimData:
    return ClaimData(
        id=next(_ids),
        field=field,
        value=value,
        source_kind=kind,
        observed_at=T0 + timedelta(days=days),
        document_id=_DOC_IDS.setdefault(url, len(_DOC_IDS) + 1),
        document_url=url,
        record_key=key,
        method=f"m:{field}:{kind}",
        source_url=url,
        confidence=confidence,
    )


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("context_length", ["hf-api", "hf-card", "announcement", "price-list", "blog"]),
        ("pricing", ["price-list", "hf-api", "hf-card", "announcement", "blog"]),
        ("release_date", ["announcement", "hf-card", "hf-api", "price-list", "blog"]),
        ("license", ["hf-api", "hf-card", "announcement", "price-list", "blog"]),
    ],
)
def test_source_rank(field: str, expected: list[str]) -> None:
    kinds = ["blog", "announcement", "price-list", "hf-card", "hf-api"]
    claims = [claim(field, 1, kind=k, url=f"https://{k}") for k in kinds]
    assert [c.source_kind for c in ranked(claims)] == expected


def test_rank_beats_recency_and_recency_breaks_ties() -> None:
    old_api = claim("context_length", 8192, kind="hf-api", url="https://api", days=0)
    new_card = claim("context_length", 4096, kind="hf-card", url="https://card", days=9)
    newer_api = claim("context_length", 131072, kind="hf-api", url="https://api2", days=1)
    res = resolve_claims([old_api, new_card, newer_api])
    assert res.values["context_length"] == 131072
    assert res.winners["context_length"] is newer_api


def test_order_is_rank_then_confidence_then_recency_then_id() -> None:
    api_weak = claim("vendor", "w", kind="hf-api", url="https://api", confidence=0.5)
    card_old = claim("vendor", "a", url="https://card1", days=0)
    card_new = claim("vendor", "b", url="https://card2", days=3)
    card_new_weak = claim("vendor", "c", url="https://gguf", days=9, confidence=0.5)
    card_new_later_id = claim("vendor", "d", url="https://card3", days=3)
    claims = [card_old, card_new_weak, api_weak, card_new, card_new_later_id]
    assert [c.value for c in ranked(claims)] == ["w", "d", "b", "a", "c"]
    # a weighted-down claim (a quantised re-upload) loses to an older full-weight one
    # of the same source kind, but still wins over a lower-ranked source kind
    post = claim("vendor", "p", kind="announcement", url="https://post", days=20)
    res = resolve_claims([card_old, card_new_weak, post])
    assert res.winners["vendor"] is card_old
    assert resolve_claims([card_new_weak, post]).values["vendor"] == "c"


def test_same_time_later_claim_wins() -> None:
    first = claim("vendor", "Meta", url="https://a")
    second = claim("vendor", "Meta AI", url="https://b")
    assert resolve_claims([first, second]).values["vendor"] == "Meta AI"


def test_newer_version_of_a_url_supersedes_the_older() -> None:
    v1 = claim("license", {"id": "mit"}, url="https://card", days=0)
    v2 = claim("license", {"id": "apache-2.0"}, url="https://card", days=3)
    other = claim("license", {"id": "apache-2.0"}, url="https://other", days=1)
    assert current_claims([v1, v2, other]) == [v2, other]
    res = resolve_claims([v1, v2, other])
    assert res.values["license"] == {"id": "apache-2.0"}
    assert res.conflicts == []


def test_conflict_lists_every_value_and_source() -> None:
    api = claim(
        "parameters", {"total": 8_030_261_248, "active": None}, kind="hf-api", url="https://api"
    )
    card = claim("parameters", {"total": 7_000_000_000}, url="https://card")
    post = claim("parameters", {"total": 7_000_000_000}, kind="announcement", url="https://post")
    [conflict] = resolve_claims([post, card, api]).conflicts
    assert conflict.field == "parameters" and conflict.facet is None
    assert conflict.chosen == api.value
    assert [v.value for v in conflict.values] == [api.value, card.value]
    assert [[s.source_url for s in v.sources] for v in conflict.values] == [
        ["https://api"],
        ["https://card", "https://post"],
    ]


def test_no_conflict_within_one_document_or_for_prose() -> None:
    a = claim("parameters", {"total": 7}, url="https://post", key="a")
    b = claim("parameters", {"total": 72}, url="https://post", key="b")
    d1 = claim("description", "One text", url="https://x")
    d2 = claim("description", "Another", url="https://y")
    assert resolve_claims([a, b, d1, d2]).conflicts == []


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ({"id": "llama3.1", "name": None}, {"id": "llama3.1", "name": "Llama 3.1"}, True),
        ({"id": "llama3.1"}, {"id": "llama3"}, False),
        ("Meta", " meta", True),
        (True, 1, False),
        (8192, 8192, True),
        (8192, 8000, True),
        (8192, 4096, False),
        ([{"url": "u"}], [{"url": "U"}], True),
        ([1], [1, 2], False),
        (None, "x", True),
    ],
)
def test_compatible(a: Any, b: Any, ok: bool) -> None:
    assert compatible(a, b) is ok
    assert compatible(b, a) is ok


def test_union_fields() -> None:
    links_api = claim(
        "links", [{"type": "weights", "url": "https://w"}], kind="hf-api", url="https://api"
    )
    links_post = claim(
        "links",
        [{"type": "announcement", "url": "https://p"}, {"type": "weights", "url": "https://w"}],
        kind="announcement",
        url="https://post",
    )
    aliases_card = claim("aliases", ["Llama 3.1 8B", "llama-3.1-8b"], url="https://card")
    res = resolve_claims([links_post, links_api, aliases_card])
    assert [link["url"] for link in res.values["links"]] == ["https://w", "https://p"]
    assert res.values["aliases"] == ["Llama 3.1 8B"]


def test_pricing_merges_providers_and_flags_price_disputes() -> None:
    def price(provider: str, inp: float) -> dict[str, Any]:
        return {
            "provider": provider,
            "input_per_mtok": inp,
            "output_per_mtok": 1.0,
            "currency": "USD",
        }

    together = claim(
        "pricing",
        {"model": "paid", "prices": [price("Together", 0.2)]},
        kind="price-list",
        url="https://t",
    )
    openrouter = claim(
        "pricing",
        {"model": "paid", "prices": [price("OpenRouter", 0.1), price("together", 0.3)]},
        kind="price-list",
        url="https://o",
        days=1,
    )
    card = claim("pricing", {"model": "open-weights", "prices": []}, url="https://card", days=5)
    res = resolve_claims([together, openrouter, card])
    assert res.values["pricing"]["model"] == "paid"
    assert [(p["provider"], p["input_per_mtok"]) for p in res.values["pricing"]["prices"]] == [
        ("OpenRouter", 0.1),
        ("together", 0.3),  # the newer price list's Together price
    ]
    facets = {c.facet: c for c in res.conflicts}
    assert set(facets) == {"model", "price:together"}
    assert facets["price:together"].chosen["input_per_mtok"] == 0.3


def test_policy_is_replaceable_per_field() -> None:
    policy = RankPolicy(per_field={**DEFAULT_POLICY.per_field, "release_date": ("hf-api",)})
    api = claim("release_date", "2024-07-18", kind="hf-api", url="https://api")
    post = claim("release_date", "2024-07-23", kind="announcement", url="https://post")
    assert resolve_claims([api, post]).values["release_date"] == "2024-07-23"
    assert resolve_claims([api, post], policy).values["release_date"] == "2024-07-18"


def test_build_record_carries_winning_provenance() -> None:
    res = resolve_claims(
        [
            claim("name", "Llama 3.1 8B", kind="hf-api", url="https://api"),
            claim("context_length", 131072, url="https://card", days=2),
            claim("task", "text-generation", kind="hf-api", url="https://api"),
        ]
    )
    rec = build_record(res, slug="llama-3-1-8b", name="fallback", aliases=["L3.1 8B"])
    assert (rec.slug, rec.name, rec.aliases, rec.context_length) == (
        "llama-3-1-8b",
        "Llama 3.1 8B",
        ["L3.1 8B"],
        131072,
    )
    prov = rec.provenance["context_length"]
    assert (prov.source_url, prov.method, prov.observed_at) == (
        "https://card",
        "m:context_length:hf-card",
        T0 + timedelta(days=2),
    )
    # plus the comparison copy derived from them, each with its own provenance
    assert set(rec.provenance) == {"name", "context_length", "task", "category", "tagline"}
    assert rec.provenance["category"].source_kind == "derived"


def test_build_record_drops_values_the_model_no_longer_accepts() -> None:
    res = resolve_claims([claim("context_length", "lots"), claim("vendor", "Meta")])
    rec = build_record(res, slug="x", name="X")
    assert (rec.name, rec.vendor, rec.context_length) == ("X", "Meta", None)
    assert "context_length" not in rec.provenance
    assert rec.warnings == ["stored claim for 'context_length' no longer validates; dropped"]


def test_rounded_prose_numbers_do_not_conflict_with_exact_counts() -> None:
    exact = claim("parameters", {"total": 8030261248}, kind="hf-api", url="https://api")
    prose = claim("parameters", {"total": 8000000000}, kind="hf-card", url="https://card")
    assert resolve_claims([exact, prose]).conflicts == []
    other = claim("parameters", {"total": 70000000000}, kind="hf-card", url="https://post")
    assert [c.field for c in resolve_claims([exact, other]).conflicts] == ["parameters"]
    k = claim("context_length", 128000, url="https://x")
    binary = claim("context_length", 131072, kind="hf-api", url="https://y")
    assert resolve_claims([k, binary]).conflicts == []
    assert resolve_claims([k, claim("context_length", 32768, url="https://z")]).conflicts


def test_open_weights_tool_is_priced_as_open_weights_with_its_host_prices() -> None:
    hosted = {
        "model": "paid",
        "prices": [{"provider": "openrouter", "input_per_mtok": 0.02, "output_per_mtok": 0.03}],
    }
    api_only = resolve_claims([claim("pricing", hosted, kind="price-list", url="https://p")])
    assert api_only.values["pricing"]["model"] == "paid"
    both = resolve_claims(
        [
            claim("pricing", hosted, kind="price-list", url="https://p"),
            claim("open_weights", True, kind="hf-api", url="https://api"),
        ]
    )
    assert both.values["pricing"]["model"] == "open-weights"
    assert both.values["pricing"]["prices"] == hosted["prices"]


def _api_claim(field: str, value: Any, method: str, url: str = "https://api") -> ClaimData:
    base = claim(field, value, kind="hf-api", url=url)
    return ClaimData(**{**base.__dict__, "method": method})


def test_structured_sources_outrank_prose_for_the_fields_they_state() -> None:
    config = claim("context_length", 65536, kind="hf-config", url="https://cfg")
    card = claim("context_length", 64000, kind="hf-card", url="https://card", days=5)
    res = resolve_claims([card, config])
    assert res.values["context_length"] == 65536
    assert "hf-config (structured) over hf-card (vendor prose)" in res.rules["context_length"]
    catalog = claim("parameters", {"total": 141000000000, "active": 39000000000}, kind="catalog")
    post = claim("parameters", {"total": 45000000000}, kind="announcement", url="https://post")
    res = resolve_claims([post, catalog])
    assert res.values["parameters"]["active"] == 39000000000
    assert [c.field for c in res.conflicts] == ["parameters"]


def test_exact_value_beats_a_rounded_one_that_agrees_with_it() -> None:
    card = claim("context_length", 8000, kind="hf-card", url="https://card")
    post = claim("context_length", 8192, kind="announcement", url="https://post")
    res = resolve_claims([card, post])
    assert res.values["context_length"] == 8192
    assert res.rules["context_length"].startswith("exact over rounded")
    assert res.conflicts == []
    # a more exact count that leaves out the active parameters does not replace them
    moe = claim("parameters", {"total": 141000000000, "active": 39000000000}, kind="catalog")
    safetensors = claim("parameters", {"total": 140630071296}, url="https://st")
    assert resolve_claims([moe, safetensors]).values["parameters"]["active"] == 39000000000


def test_announced_date_beats_repo_creation_date_and_says_so() -> None:
    created = _api_claim("release_date", "2024-07-18", "api:createdAt")
    post = claim("release_date", "2024-07-23", kind="announcement", url="https://post")
    res = resolve_claims([created, post])
    assert res.values["release_date"] == "2024-07-23"
    assert "over repo creation date" in res.rules["release_date"]
    assert res.conflicts == []  # five days apart: one release, no dispute
    late = claim("release_date", "2024-11-02", kind="catalog", url="https://cat")
    assert [c.field for c in resolve_claims([created, post, late]).conflicts] == ["release_date"]


def test_a_guess_from_the_name_loses_to_any_stated_value() -> None:
    from_name = _api_claim("parameters", {"total": 8000000000}, "name")
    post = claim("parameters", {"total": 8030000000}, kind="announcement", url="https://post")
    res = resolve_claims([from_name, post])
    assert res.winners["parameters"] is post
    assert "guessed" in res.rules["parameters"]


def test_numbers_apart_beyond_the_tolerance_are_a_conflict() -> None:
    a = claim("parameters", {"total": 7241732096}, kind="hf-api", url="https://api")
    near = claim("parameters", {"total": 7300000000}, url="https://card")
    far = claim("parameters", {"total": 7800000000}, url="https://post")
    assert resolve_claims([a, near]).conflicts == []
    assert [c.field for c in resolve_claims([a, far]).conflicts] == ["parameters"]


def test_every_resolved_field_carries_its_rule_into_the_record() -> None:
    res = resolve_claims(
        [
            claim("vendor", "Meta", kind="hf-api", url="https://api"),
            claim("license", {"id": "llama3.1"}, url="https://card"),
        ]
    )
    rec = build_record(res, slug="x", name="X")
    assert rec.provenance["vendor"].rule == "only source: hf-api (structured)"
    assert rec.provenance["license"].source_kind == "hf-card"
