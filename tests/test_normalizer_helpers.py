"""Unit tests of the normalizer's shared helpers (licenses, sizes, context, dates, identity)."""

from __future__ import annotations

import pytest

from normalizer import context, dates, identity, licenses, params, taxonomy, vendors
from normalizer.frontmatter import is_stub, split


@pytest.mark.parametrize(
    ("name", "total", "active"),
    [
        ("meta-llama/Llama-2-7b-hf", 7_000_000_000, None),
        ("Qwen2-57B-A14B-Instruct", 57_000_000_000, 14_000_000_000),
        ("Qwen2.5-0.5B-Instruct-GGUF", 500_000_000, None),
        ("deepseek-coder-6.7b-instruct", 6_700_000_000, None),
    ],
)
def test_params_from_unambiguous_names(name: str, total: int, active: int | None) -> None:
    hit = params.from_name(name)
    assert hit is not None
    assert (hit.total, hit.active) == (total, active)


@pytest.mark.parametrize(
    "name", ["Mixtral-8x7B-v0.1", "8x7B-MoE-test-NOT-MIXTRAL", "phi-2", "Llama-3.2"]
)
def test_params_not_guessed_from_moe_or_versions(name: str) -> None:
    assert params.from_name(name) is None


def test_params_prose_explicit_single_count() -> None:
    hit = params.from_sentence("Phi-2 is a Transformer with 2.7 billion parameters.")
    assert hit is not None and hit.total == 2_700_000_000
    assert params.from_sentence("Number of Parameters: 0.49B").total == 490_000_000


@pytest.mark.parametrize(
    "sentence",
    [
        "a collection of models ranging in scale from 7 billion to 70 billion parameters.",
        "We have three models with 3, 7 and 72 billion parameters.",
        "It performs well among models with less than 13 billion parameters.",
        "it doesn't have 56B parameters.",
        "decode at the speed of a 12B parameter-dense model",
    ],
)
def test_params_prose_ignores_ranges_lists_comparisons(sentence: str) -> None:
    assert params.from_sentence(sentence) is None


def test_params_total_and_active_stated_in_text() -> None:
    s = "DBRX is a Mixture-of-Experts (MoE) model with 132B total parameters and 36B live parameters."
    assert params.from_sentence(s).total == 132_000_000_000
    assert params.active_from_sentence(s) == 36_000_000_000
    assert (
        params.from_sentence("The total number of parameters is not 56B, but about 45B.").total
        == 45_000_000_000
    )


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("All the variants have a context length of 8K tokens", 8000),
        ("Context Length: Full 32,768 tokens and generation 8192 tokens", 32768),
        ("The current config.json is set for context length up to 32,768 tokens.", 32768),
        ("Code Llama was trained on a 16k context window.", 16000),
        ("By default, input text longer than 256 word pieces is truncated.", 256),
        ("Supports a context length of 128K tokens.", 128000),
    ],
)
def test_context_from_text(sentence: str, tokens: int) -> None:
    hit = context.from_sentence(sentence)
    assert hit is not None and hit.value == tokens


@pytest.mark.parametrize(
    "sentence",
    [
        "This model does not support long context of up to 100k tokens.",
        "The model was fine-tuned with up to 16k tokens.",
        "context window is extended to 200K.",
    ],
)
def test_context_ignores_negated_or_training_lengths(sentence: str) -> None:
    assert context.from_sentence(sentence) is None


def test_license_vocabulary_terms_and_spdx() -> None:
    apache = licenses.make_license("Apache-2.0")
    assert (apache.id, apache.spdx, apache.terms) == ("apache-2.0", "Apache-2.0", "permissive")
    assert licenses.make_license("llama3.1").terms == "restricted"
    assert licenses.make_license("cc-by-nc-4.0").terms == "non-commercial"
    assert licenses.make_license("gpl-3.0").terms == "permissive"
    other = licenses.from_card_metadata({"license": "other", "license_name": "yi-license"})
    assert other is not None and (other.id, other.terms) == ("yi-license", "restricted")
    research = licenses.from_card_metadata(
        {"license": "other", "license_name": "microsoft-research-license"}
    )
    assert research is not None and research.terms == "non-commercial"


@pytest.mark.parametrize(
    ("sentence", "lid"),
    [
        ("The model is released under the Apache 2.0 license.", "apache-2.0"),
        ("The model is licensed under the MIT license.", "mit"),
        ("Use in any way prohibited by the Licensing Agreement for Llama 2.", "llama2"),
        (
            "Code Llama has been released with the same permissive community license as Llama 2",
            "llama2",
        ),
        ("A big change in Llama 3.1’s license is that it allows using model outputs.", "llama3.1"),
    ],
)
def test_license_from_prose(sentence: str, lid: str) -> None:
    hit = licenses.find_in_sentences([sentence])
    assert hit is not None and hit.license.id == lid


def test_license_prose_skips_what_the_base_was_originally_under() -> None:
    s = "These models are derived from Qwen-2.5 series, which are originally licensed under Apache 2.0 License."
    assert licenses.find_in_sentences([s]) is None


def test_dates() -> None:
    hit = dates.from_release_statement("Model Release Date: July 23, 2024.")
    assert hit is not None and hit.value == "2024-07-23"
    news = dates.from_news_line(
        "🎯 2023-11-02: The base models, Yi-6B and Yi-34B, are open-sourced."
    )
    assert news is not None and news.value == "2023-11-02"
    assert dates.from_api({"createdAt": "2023-10-26T11:25:49.000Z"}).value == "2023-10-26"
    assert dates.parse_date("Sept 25, 2024") == "2024-09-25"
    assert dates.parse_date("Trained between January 2023 and July 2023") == "2023-01"
    assert dates.from_news_line("2024-01-04: benchmark scores updated") is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
            "meta-llama/Llama-3.1-8B-Instruct",
        ),
        ("https://huggingface.co/api/models/google/gemma-2b", "google/gemma-2b"),
        ("https://huggingface.co/Qwen/Qwen2.5-7B/raw/main/README.md", "Qwen/Qwen2.5-7B"),
        ("https://huggingface.co/datasets/foo/bar", None),
        ("https://example.com/meta-llama/x", None),
        # other hosts are never read as Hub repos, however Hub-like the path
        ("https://github.com/facebookresearch/codellama/blob/main/MODEL_CARD.md", None),
        ("http://127.0.0.1:8080/org/name/raw/main/README.md", None),
    ],
)
def test_repo_id_from_url(source: str, expected: str | None) -> None:
    assert identity.repo_id_from_url(source) == expected


def test_repo_id_from_filename() -> None:
    assert identity.repo_id_from_filename("google__gemma-2b.md") == "google/gemma-2b"
    assert (
        identity.repo_id_from_filename(
            "black-forest-labs__FLUX.1-dev__expand-inferenceProviderMapping.json"
        )
        == "black-forest-labs/FLUX.1-dev"
    )
    assert (
        identity.repo_id_from_filename("EleutherAI__gpt-j-6B.infos.json") == "EleutherAI/gpt-j-6B"
    )
    assert identity.repo_id_from_filename("gpt2.json") == "gpt2"
    # no guessing from other file names: provenance must not point at a repo never seen
    assert identity.repo_id_from_filename("README.md") is None
    assert identity.repo_id_from_filename("docker_hub__ai__gemma3.md") is None


def test_family_groups_variants_sizes_and_quantisations() -> None:
    assert (
        identity.family_of("Mixtral 8x22B")
        == identity.family_of("mixtral-8x22b-instruct")
        == "mixtral"
    )
    assert identity.family_of("meta-llama/Llama-2-7b-chat-hf") == identity.family_of(
        "TheBloke/Llama-2-70B-GPTQ"
    )
    assert (
        identity.family_of("Meta-Llama-3.1-8B-Instruct")
        == identity.family_of("Llama 3.1 405B")
        == "llama-3.1"
    )
    assert identity.family_of("Qwen2.5-Coder-7B") != identity.family_of("Qwen2.5-7B")
    assert identity.slugify("Qwen2.5-VL 72B Instruct") == "qwen2.5-vl-72b-instruct"


def test_vendors_data_file() -> None:
    assert vendors.vendor_for_org("meta-llama") == "Meta"
    assert vendors.vendor_for_org("mistralai") == "Mistral AI"
    assert vendors.vendor_for_org("Mungert") == "Mungert"  # unknown org: the uploader itself
    assert vendors.vendor_for_family("Qwen2.5-Max") == ("Qwen", "qwen")
    assert vendors.vendor_for_domain("https://mistral.ai/news/mixtral-8x22b/") == "Mistral AI"


def test_taxonomy() -> None:
    assert (
        taxonomy.category_for("text-generation", ["code"], "CodeLlama-7b-hf") == "Developer Tools"
    )
    assert taxonomy.category_for("text-generation", [], "Llama-2-7b-hf") == "Chat & Text"
    assert (
        taxonomy.category_for("sentence-similarity", [], "all-MiniLM-L6-v2")
        == "Embeddings & Search"
    )
    assert taxonomy.category_for(None, [], "opus-mt-en-de") is None


def test_frontmatter_variants() -> None:
    fm = split("\n---\nlicense: mit\n---\n# Title\n")
    assert fm.data == {"license": "mit"} and fm.body.startswith("# Title")
    assert any("blank line" in w for w in fm.warnings)
    fm = split("# No metadata here\n")
    assert fm.data == {} and "no front matter" in fm.warnings
    fm = split("---\nlicense: [unclosed\n---\nbody")
    assert fm.data == {} and any("not valid YAML" in w for w in fm.warnings)
    assert is_stub("Entry not found") and is_stub("  ") and not is_stub("# A real card\n")


def test_site_taxonomy_is_configurable(tmp_path) -> None:
    from normalizer import taxonomy

    assert taxonomy.category_for("text-to-image") == "Image Generation"
    custom = tmp_path / "taxonomy.toml"
    custom.write_text('[[rule]]\ncategory = "Creative"\ntasks = ["text-to-image"]\n')
    taxonomy.configure(custom)
    try:
        assert taxonomy.category_for("text-to-image") == "Creative"
        assert taxonomy.category_for("text-generation") is None
    finally:
        taxonomy.configure(None)
