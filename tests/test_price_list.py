"""Price-list normalizer on real price lists (tests/fixtures/price_lists, see README there)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from normalizer import normalize
from normalizer.models import DocKind, NormalizeResult, ToolRecord
from normalizer.price_list import normalize_price_list

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "price_lists"
OBSERVED = datetime(2025, 10, 26, 12, 0, tzinfo=UTC)


def run(name: str, source_url: str | None = None) -> NormalizeResult:
    path = FIXTURES / name
    return normalize(DocKind.PRICE_LIST, path.read_bytes(), source_url, OBSERVED, filename=name)


def by_id(result: NormalizeResult) -> dict[str, ToolRecord]:
    out = {}
    for rec in result.records:
        for price in rec.pricing.prices if rec.pricing else []:
            out[price.model_id] = rec
        out.setdefault(rec.aliases[0] if rec.aliases else rec.name, rec)
    return out


def price(rec: ToolRecord) -> tuple[float | None, float | None]:
    assert rec.pricing is not None and len(rec.pricing.prices) == 1
    p = rec.pricing.prices[0]
    return p.input_per_mtok, p.output_per_mtok


def unit_warning(result: NormalizeResult) -> str:
    [w] = [w for w in result.warnings if w.startswith("price unit:")]
    return w


def assert_well_formed(result: NormalizeResult) -> None:
    """Every set field has provenance; record keys are unique within the document."""
    keys = [r.source_id or r.slug for r in result.records]
    assert len({k.casefold() for k in keys}) == len(keys)
    for rec in result.records:
        data = rec.model_dump(exclude_none=True, exclude={"provenance", "warnings", "links"})
        for field, value in data.items():
            if value not in ([], {}, None):
                assert field in rec.provenance, (rec.slug, field)
        for p in rec.pricing.prices if rec.pricing else []:
            assert p.checked_at == OBSERVED
            for v in (p.input_per_mtok, p.output_per_mtok):
                assert v is None or 0 <= v <= 1000


# -- OpenRouter /api/v1/models: USD per token, as strings --------------------------------


def test_openrouter_api_prices_per_token_become_per_million() -> None:
    result = run(
        "openrouter_api_v1_models__madviking__2025__subset.json",
        "https://openrouter.ai/api/v1/models",
    )
    assert "price list format: openrouter-api, 16 entries" in result.warnings
    assert unit_warning(result).startswith("price unit: USD per token (×1e6")
    assert_well_formed(result)
    recs = by_id(result)
    llama = recs["meta-llama/llama-3.1-8b-instruct"]
    assert price(llama) == (0.02, 0.03)  # "0.00000002" / "0.00000003" per token
    assert llama.name == "Llama 3.1 8B Instruct"  # "Meta: " prefix -> vendor
    assert llama.vendor == "Meta"
    assert llama.source_id == "meta-llama/Meta-Llama-3.1-8B-Instruct"
    assert llama.context_length is None  # a host's 16K limit for open weights is not the model's
    assert llama.pricing is not None and llama.pricing.model == "paid"
    p = llama.pricing.prices[0]
    assert (p.provider, p.currency, p.model_id) == (
        "openrouter",
        "USD",
        "meta-llama/llama-3.1-8b-instruct",
    )
    assert llama.provenance["pricing"].method == (
        "openrouter:pricing.prompt*1e6; openrouter:pricing.completion*1e6"
    )
    assert llama.provenance["source_id"].method == "openrouter:hugging_face_id"
    assert "llama-3.1-8b-instruct" in llama.aliases
    assert price(recs["mistralai/mixtral-8x22b-instruct"]) == (0.4, 1.2)


def test_openrouter_free_variant_costs_zero_and_keeps_its_own_record_key() -> None:
    result = run("openrouter_api_v1_models__madviking__2025__subset.json")
    recs = by_id(result)
    free = recs["meta-llama/llama-3.1-8b-instruct:free"]
    paid = recs["meta-llama/llama-3.1-8b-instruct"]
    assert free is not paid
    assert free.pricing is not None and free.pricing.model == "free"
    assert price(free) == (0.0, 0.0)
    assert free.name == paid.name == "Llama 3.1 8B Instruct"
    # the plain entry owns the Hugging Face id; the variant keeps it as an alias only
    assert paid.source_id == "meta-llama/Meta-Llama-3.1-8B-Instruct"
    assert free.source_id is None and "meta-llama/Meta-Llama-3.1-8B-Instruct" in free.aliases


def test_openrouter_entry_without_hf_id_has_no_source_id_and_variable_prices_are_not_stored() -> (
    None
):
    result = run("openrouter_api_v1_models__madviking__2025__subset.json")
    recs = by_id(result)
    small = recs["mistralai/mistral-small"]
    assert small.source_id is None and small.vendor == "Mistral AI"
    auto = recs["openrouter/auto"]  # pricing "-1": variable, not a price
    assert auto.pricing is None
    assert any("openrouter/auto: input price -1" in w for w in result.warnings)


# -- scraped openrouter.ai tables -------------------------------------------------------


def test_scraped_table_stored_times_100_is_detected_from_the_values() -> None:
    result = run("openrouter_scraped_table__tluyben__2025-03.json")
    assert "price list format: openrouter-table, 364 entries" in result.warnings
    note = unit_warning(result)
    assert note.startswith("price unit: USD per million tokens ×100 (÷100)")
    assert "does not state a unit" in note
    assert_well_formed(result)
    recs = by_id(result)
    assert price(recs["deepseek/deepseek-chat-v3-0324"]) == (0.27, 1.1)  # [27, 110.00000000000001]
    assert price(recs["openai/o1-pro"]) == (150.0, 600.0)  # [15000, 60000]
    assert price(recs["mistralai/mistral-small-3.1-24b-instruct"]) == (0.1, 0.3)
    assert recs["mistralai/mistral-small-3.1-24b-instruct"].vendor == "Mistral AI"
    free = recs["qwen/qwen2.5-vl-32b-instruct:free"]
    assert free.pricing is not None and free.pricing.model == "free" and price(free) == (0, 0)
    grok = recs["x-ai/grok-2"]  # prices ["--", "--"]: missing, never invented
    assert grok.pricing is None and grok.vendor == "xAI"


def test_brazilian_number_format_is_read_per_file() -> None:
    result = run("openrouter_scraped_table__rafaeljuniorvip__2025-10__subset.json")
    assert any(w.startswith("number format: decimal comma") for w in result.warnings)
    assert unit_warning(result).startswith("price unit: USD per million tokens,")
    assert_well_formed(result)
    recs = by_id(result)
    lfm = recs["liquid/lfm2-8b-a1b"]  # "$0,05" / "$0,10", context "32.768"
    assert price(lfm) == (0.05, 0.1)
    assert lfm.context_length == 32768
    assert recs["minimax/minimax-m2:free"].context_length == 204800  # "204.800"
    assert price(recs["openai/o1-pro"]) == (150.0, 600.0)
    off = recs["mistralai/mistral-7b-instruct:free"]  # "$0100% off": $0 and a badge
    assert price(off) == (0.0, 0.0) and off.pricing is not None and off.pricing.model == "free"
    dashes = [r for r in result.records if "--" in json.dumps(r.provenance["name"].evidence or "")]
    assert not dashes
    unpriced = recs["qwen/qwen3-vl-32b-instruct"]  # "--"
    assert unpriced.pricing is None and unpriced.context_length == 262144


# -- litellm-format maps (litellm, tokencost) ---------------------------------------------


def test_litellm_map_per_token_with_provider_and_an_outlier_flagged() -> None:
    result = run("tokencost__model_prices__2025-09__subset.json")
    assert result.warnings[0].startswith("price list format: litellm")
    assert unit_warning(result).startswith("price unit: USD per token")
    assert_well_formed(result)
    recs = by_id(result)
    gpt4o = recs["gpt-4o"]
    assert price(gpt4o) == (2.5, 10.0)
    assert gpt4o.pricing is not None and gpt4o.pricing.prices[0].provider == "openai"
    assert gpt4o.context_length == 128000
    assert gpt4o.source_id is None and gpt4o.vendor is None  # litellm states neither
    azure = recs["azure/gpt-4o"]
    assert azure.pricing is not None and azure.pricing.prices[0].provider == "azure"
    assert azure.name == "gpt-4o" and azure.slug != gpt4o.slug
    jais = recs["azure_ai/jais-30b-chat"]  # 0.0032 per token = $3200 per Mtok
    assert jais.pricing is None
    assert any(
        "jais-30b-chat: input price 0.0032" in w and "sanity bound" in w for w in result.warnings
    )
    assert any("sanity bound" in w for w in jais.warnings)
    dalle = recs["hd/1024-x-1792/dall-e-3"]  # per-image prices only: no token price invented
    assert dalle.pricing is None


def test_old_litellm_map_without_provider_stores_no_price() -> None:
    result = run("tokencost__model_prices__2024-02.json")
    assert any("entries name no provider" in w for w in result.warnings)
    recs = by_id(result)
    assert recs["gpt-4"].pricing is None and recs["gpt-4"].context_length == 8192
    mistral = recs["mistral/mistral-small"]
    assert mistral.pricing is not None and mistral.pricing.prices[0].provider == "mistral"
    assert mistral.provenance["pricing"].method.startswith("litellm:input_cost_per_token*1e6")


def test_litellm_sample_spec_is_skipped_and_per_million_values_overrule_the_format() -> None:
    doc = {
        "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "one of ..."},
        "a-model": {
            "input_cost_per_token": 3.0,
            "output_cost_per_token": 15.0,
            "litellm_provider": "x",
        },
        "b-model": {
            "input_cost_per_token": 0.5,
            "output_cost_per_token": 1.5,
            "litellm_provider": "x",
        },
    }
    result = normalize_price_list(json.dumps(doc), None, OBSERVED)
    assert [r.name for r in result.records] == ["a-model", "b-model"]
    note = unit_warning(result)
    assert note.startswith("price unit: USD per million tokens,") and "overruled" in note
    assert price(result.records[0]) == (3.0, 15.0)


# -- per-million formats ---------------------------------------------------------------------


def test_genai_prices_current_conditional_and_tiered_prices() -> None:
    result = run("genai-prices__data__subset.json")
    assert unit_warning(result).startswith("price unit: USD per million tokens,")
    assert_well_formed(result)
    recs = by_id(result)
    opus = recs["claude-opus-4-6"]  # a list of price sets; the one in force is chosen
    assert price(opus) == (5.0, 25.0)
    sonnet = recs["claude-sonnet-4-5"]  # {"base": 3, "tiers": [...]}
    assert price(sonnet) == (3.0, 15.0)
    assert any("tiered" in w for w in sonnet.warnings)
    assert sonnet.context_length == 1000000


def test_llm_prices_vendor_file() -> None:
    result = run("simonw-llm-prices__mistral.json")
    assert_well_formed(result)
    recs = by_id(result)
    mixtral = recs["open-mixtral-8x22b"]
    assert mixtral.name == "Mixtral 8x22B" and mixtral.vendor == "Mistral AI"
    assert price(mixtral) == (2.0, 6.0)
    assert mixtral.pricing is not None and mixtral.pricing.prices[0].provider == "mistral"
    openai = run("simonw-llm-prices__openai.json")
    assert unit_warning(openai).startswith("price unit: USD per million tokens,")
    assert by_id(openai)["gpt-4o-mini"].vendor == "OpenAI"


def test_models_dev_toml_takes_provider_and_id_from_the_path() -> None:
    name = "models.dev/mistral/models/open-mixtral-8x22b.toml"
    result = run(name)
    [rec] = result.records
    assert rec.name == "Mixtral 8x22B" and rec.family == "mixtral"
    assert price(rec) == (2.0, 6.0)
    assert rec.pricing is not None and rec.pricing.prices[0].provider == "mistral"
    assert rec.pricing.prices[0].model_id == "open-mixtral-8x22b"
    assert (rec.context_length, rec.release_date, rec.open_weights) == (64000, "2024-04-17", True)
    assert rec.provenance["release_date"].method == "models.dev:release_date"
    free = run("models.dev/openrouter/models/meta-llama/llama-3.3-70b-instruct__free.toml")
    [frec] = free.records
    assert frec.pricing is not None and frec.pricing.model == "free"
    assert frec.pricing.prices[0].model_id == "meta-llama/llama-3.3-70b-instruct:free"
    provider = run("models.dev/mistral/provider.toml")
    assert provider.records == []
    assert any("provider.toml" in w for w in provider.warnings)


# -- garbage never escapes normalize -----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a price list",
        b'{"data": [{"id": "x", "pricing": ',
        b"[1, 2, 3]",
        b'{"data": 5}',
        b"\xff\xfe\x00garbage\x00",
        b"[" * 100_000,
        b'{"models": [{"name": "x", "code": "a/b", "prices": "cheap"}]}',
    ],
)
def test_garbage_gives_a_clear_warning_not_an_exception(body: bytes) -> None:
    result = normalize(DocKind.PRICE_LIST, body, "https://example.test/prices.json", OBSERVED)
    assert result.kind == "price-list"
    assert result.warnings
    if not result.records:
        assert any("price list" in w or "no model entry" in w for w in result.warnings)
    for rec in result.records:
        assert rec.pricing is None  # nothing to read, nothing invented


def test_malformed_json_names_the_position() -> None:
    result = normalize(DocKind.PRICE_LIST, b'{"data": [}', None, OBSERVED)
    assert result.records == []
    assert result.warnings == [
        "price list not read: malformed JSON: Expecting value at line 1 column 11"
    ]


def test_missing_pricing_is_none_not_zero() -> None:
    doc = {"data": [{"id": "acme/model", "name": "Acme: Model", "context_length": 4096}]}
    result = normalize_price_list(json.dumps(doc), None, OBSERVED)
    [rec] = result.records
    assert rec.pricing is None and rec.vendor == "Acme" and rec.context_length == 4096
