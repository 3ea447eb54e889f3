"""Vendor API names join their model; a family's sizes and look-alike families stay apart."""

from __future__ import annotations

from normalizer.identity import api_name_key, canonical_keys
from storage.matching import families_agree


def test_deployment_words_around_an_api_id_name_the_model() -> None:
    assert canonical_keys("open-mixtral-8x22b")[0] == "mixtral-8x22b"
    assert canonical_keys("mistral-large-latest")[0] == "mistral-large"
    assert canonical_keys("Mistral Small 3.0") == canonical_keys("Mistral Small 3")


def test_names_that_merely_contain_the_word_are_left_alone() -> None:
    assert api_name_key("open_llama_7b") is None  # OpenLLaMA is not LLaMA
    assert api_name_key("open-llama") is None
    assert api_name_key("OpenChat 3.5") is None
    assert api_name_key("mixtral-8x22b") is None


def test_suggestions_need_the_family_to_agree() -> None:
    assert not families_agree("llama-guard-3", "llama-3")
    assert families_agree("mistral-small", "mistral-small-3")
    assert families_agree("mixtral", "mixtral") and families_agree(None, "llama-3")
