"""Tool keys: `canonical_slug` / `canonical_keys` name one model at one size.

Every spelling of one model (base/instruct/chat/it repos, quantised re-uploads,
maker prefixes, revision and date suffixes, display prefixes) gives one key; a
different size, version or product (Turbo) gives another.
"""

from __future__ import annotations

import pytest

from normalizer.identity import canonical_keys, canonical_slug


@pytest.mark.parametrize(
    ("key", "names"),
    [
        pytest.param(
            "llama-3.1-8b",
            [
                "meta-llama/Llama-3.1-8B",
                "meta-llama/Llama-3.1-8B-Instruct",
                "meta-llama/Meta-Llama-3.1-8B-Instruct",
                "Llama 3.1 8B",
                "Llama 3.1 8B Instruct",
                "Meta Llama 3.1 8B",
                "bartowski/Meta-Llama-3.1-8B-Instruct-Q4_K_M",
                "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
                "Meta-Llama-3.1-8B-Instruct-IQ3_XS",
                "Llama-3.1-8B-Instruct-Q5_K_S",
                "Llama-3.1-8B-Instruct.Q8_0.gguf",
                "Llama-3.1-8B-Instruct-f16",
                "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4",
                "unsloth/Llama-3.1-8B-Instruct-bnb-4bit",
            ],
            id="llama-base-instruct-quants",
        ),
        pytest.param(
            "gemma-2-9b",
            ["google/gemma-2-9b", "google/gemma-2-9b-it", "Google-Gemma-2-9B-IT", "Gemma 2 9B"],
            id="gemma-it-and-maker-prefix",
        ),
        pytest.param(
            "llama-2-7b",
            [
                "meta-llama/Llama-2-7b-hf",
                "meta-llama/Llama-2-7b-chat-hf",
                "TheBloke/Llama-2-7B-Chat-GGUF",
                "TheBloke/Llama-2-7B-Chat-AWQ",
                "TheBloke/Llama-2-7B-Chat-GPTQ",
            ],
            id="llama2-chat-hf-quants",
        ),
        pytest.param(
            "mistral-7b",
            [
                "mistralai/Mistral-7B-v0.1",
                "mistralai/Mistral-7B-Instruct-v0.3",
                "TheBloke/Mistral-7B-Instruct-v0.1-AWQ",
                "mistral-7b-instruct-v0.2.Q4_K_M.gguf",
            ],
            id="trailing-revision",
        ),
        pytest.param(
            "mixtral-8x22b",
            ["mistralai/Mixtral-8x22B-Instruct-v0.1", "Mixtral 8x22B", "mixtral-8x22b"],
            id="moe-size",
        ),
        pytest.param(
            "qwen2-57b-a14b",
            ["Qwen/Qwen2-57B-A14B-Instruct", "Qwen2 57B A14B", "qwen2-57b-a14b-instruct-gguf"],
            id="moe-active-size-kept",
        ),
        pytest.param(
            "qwen2.5-7b",
            ["Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct-GGUF", "Qwen2.5 7B"],
            id="qwen",
        ),
        pytest.param("gpt-4o", ["gpt-4o", "gpt-4o-2024-08-06"], id="date-stamp-iso"),
        pytest.param(
            "mistral-large", ["mistral-large-2407", "Mistral-Large-Instruct-2411"], id="yymm-stamp"
        ),
        pytest.param(
            "claude-3-5-sonnet",
            ["claude-3-5-sonnet-20241022", "claude-3-5-sonnet"],
            id="yyyymmdd-stamp",
        ),
        pytest.param(
            "devstral-small",
            ["Mistral: Devstral Small", "Devstral Small", "mistralai/Devstral-Small-2505"],
            id="display-prefix",
        ),
        pytest.param(
            "mistral-small-3.1-24b",
            [
                "Mistral: Mistral Small 3.1 24B",
                "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
            ],
            id="display-prefix-and-stamp",
        ),
    ],
)
def test_spellings_of_one_model_share_a_key(key: str, names: list[str]) -> None:
    assert {name: canonical_slug(name) for name in names} == dict.fromkeys(names, key)


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(["Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"], id="sizes"),
        pytest.param(["Meta-Llama-3-8B-Instruct", "Llama-3.1-8B-Instruct"], id="versions"),
        pytest.param(["Qwen2.5", "Qwen2.5-Turbo", "Qwen2.5-7B"], id="turbo-is-a-product"),
        pytest.param(["Mixtral 8x7B", "Mixtral 8x22B"], id="moe-sizes"),
        pytest.param(["Qwen3-30B-A3B", "Qwen3-235B-A22B", "Qwen3-32B"], id="moe-active"),
        pytest.param(["Mistral Small 3", "Mistral Small 3.1", "Devstral Small"], id="products"),
        pytest.param(["gpt-4o", "gpt-4o-mini"], id="mini"),
        pytest.param(["Phi-3.5-mini-instruct", "Phi-3-mini-4k-instruct"], id="phi"),
        pytest.param(
            ["meta-llama/Llama-3.1-8B", "NousResearch/Hermes-3-Llama-3.1-8B"], id="finetune"
        ),
    ],
)
def test_different_models_get_different_keys(names: list[str]) -> None:
    keys = [canonical_slug(name) for name in names]
    assert len(set(keys)) == len(names), dict(zip(names, keys, strict=True))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Qwen/Qwen2.5-Turbo", "qwen2.5-turbo"),
        ("Qwen2.5 Turbo", "qwen2.5-turbo"),
        ("Qwen/Qwen2.5", "qwen2.5"),
        ("Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b"),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout-17b-16e"),
        ("microsoft/phi-4", "phi-4"),
        ("deepseek-ai/DeepSeek-R1", "deepseek-r1"),
        ("moonshotai/Kimi-K2-Instruct", "kimi-k2"),
    ],
)
def test_key_keeps_what_names_the_model(name: str, key: str) -> None:
    assert canonical_slug(name) == key


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Mistral 8x24B (Mixtral 8x22B)", ["mistral-8x24b", "mixtral-8x22b"]),
        ("Llama 3.1 8B Instruct (Meta)", ["llama-3.1-8b"]),  # no model in the parentheses
        ("meta-llama/Llama-3.1-8B-Instruct", ["llama-3.1-8b"]),
        ("Mistral: Devstral Small", ["devstral-small"]),
    ],
)
def test_canonical_keys_add_parenthesised_alternates(name: str, keys: list[str]) -> None:
    assert canonical_keys(name) == keys
    assert canonical_keys(name)[0] == canonical_slug(name)


def test_model_version_v_number_is_kept() -> None:
    assert canonical_slug("deepseek-ai/DeepSeek-V3") != canonical_slug("DeepSeek-V2.5")
    assert canonical_slug("deepseek-ai/DeepSeek-V3-Base") == canonical_slug("DeepSeek V3")


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Codestral (2501)", ["codestral"]),
        ("Mistral Large 2 (2407)", ["mistral-large-2"]),
        ("OpenAI: GPT-4o (2024-08-06)", ["gpt-4o"]),
    ],
)
def test_parenthesised_date_is_not_an_alternate(name: str, keys: list[str]) -> None:
    assert canonical_keys(name) == keys
