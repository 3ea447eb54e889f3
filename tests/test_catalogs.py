"""Model catalogs: the vendor's registry states exact facts; app catalogs are third party."""

from __future__ import annotations

from pathlib import Path

from normalizer import normalize

FIX = Path(__file__).parent / "fixtures" / "catalogs"
RAW = "https://raw.githubusercontent.com/x/y/c/"


def read(name: str) -> list:
    result = normalize("catalog", (FIX / name).read_bytes(), RAW + name)
    return result


def test_vendor_registry_states_moe_sizes_license_dates_and_api_names() -> None:
    result = read("mixtral-8x22b-0-1-0-3.ts")
    assert result.kind == "catalog"
    [rec] = result.records
    assert (rec.name, rec.source_id) == ("Mixtral 8x22B", "mistralai/Mixtral-8x22B-Instruct-v0.1")
    assert (rec.parameters.total, rec.parameters.active) == (141_000_000_000, 39_000_000_000)
    assert (rec.license.id, rec.license.terms, rec.open_weights) == (
        "apache-2.0",
        "permissive",
        True,
    )
    assert (rec.release_date, rec.context_length) == ("2024-04-17", 64000)
    assert "open-mixtral-8x22b" in rec.aliases
    assert rec.provenance["release_date"].evidence == "releaseDate: '2024-04-17'"
    assert {str(link.url) for link in rec.links} >= {"https://mistral.ai/news/mixtral-8x22b"}


def test_api_only_registry_entry_is_priced_per_million_tokens_and_not_open() -> None:
    [rec] = read("codestral-25-01.ts").records
    assert rec.name == "Codestral 25.01"  # a name without a number keeps its version
    assert rec.open_weights is False and rec.parameters is None
    [price] = rec.pricing.prices
    assert (price.input_per_mtok, price.output_per_mtok, price.model_id) == (
        0.3,
        0.9,
        "codestral-2501",
    )


def test_a_license_abbreviation_keeps_its_name_but_claims_no_terms() -> None:
    [rec] = read("ministral-8b-24-1.ts").records
    assert rec.license.id == "mrl" and rec.license.terms is None


def test_app_catalogs_are_third_party_claims() -> None:
    lm = read("lmstudio-model-catalog__Llama-3.1-8B-Instruct.json")
    assert lm.kind == "app-catalog"
    [rec] = lm.records
    assert rec.source_id == "meta-llama/Meta-Llama-3.1-8B-Instruct"
    assert rec.release_date is None  # datePublished is the catalog entry's date, not a release
    gpt4all = read("gpt4all__models3.json")
    assert gpt4all.kind == "app-catalog" and len(gpt4all.records) > 20
    reasoner = next(r for r in gpt4all.records if r.name == "Reasoner v1")
    assert reasoner.base_model == "Qwen/Qwen2.5-Coder-7B-Instruct"
    assert reasoner.base_model_relation == "quantized"


def test_azure_spec_names_the_hub_repo_and_license() -> None:
    [rec] = read("azureml__mistralai-Mixtral-8x22B-Instruct-v0-1__spec.yaml").records
    assert rec.source_id == "mistralai/Mixtral-8x22B-Instruct-v0.1"
    assert (rec.license.id, rec.vendor, rec.task) == ("apache-2.0", "Mistral AI", "text-generation")


def test_docker_card_gives_one_record_per_size_with_moe_sizes() -> None:
    records = read("docker_hub__ai__qwen3.md").records
    by_name = {r.name: r for r in records}
    assert "Qwen3 0.6B" in by_name and "Qwen3 14B" in by_name
    moe = by_name["Qwen3 30B-A3B"]
    assert (moe.parameters.total, moe.parameters.active) == (30_000_000_000, 3_000_000_000)


def test_what_is_not_a_catalog_is_a_warning() -> None:
    result = normalize("catalog", b"# just a README\n", RAW + "README.md")
    assert result.records == [] and result.warnings
