"""Licenses named in prose, tables and custom names: the model's own, not its software's.

Built on verbatim corpus documents (tests/fixtures/corpus, MANIFEST.tsv)."""

from __future__ import annotations

from corpus_support import post

from normalizer import licenses
from normalizer.models import LicenseTerms


def test_sentence_naming_several_licenses_defers_to_the_table_row() -> None:
    # `The majority ... Apache 2.0, while Qwen2.5-3B and Qwen2.5-72B are governed by the
    # Qwen Research License and Qwen License, respectively.`
    recs = {r.parameters.total: r for r in post("qwen_blog__qwen2.5-llm.md") if r.parameters}
    assert recs[3_090_000_000].license is not None
    assert recs[3_090_000_000].license.id == "qwen-research"
    assert recs[72_700_000_000].license is not None and recs[72_700_000_000].license.id == "qwen"
    assert recs[7_610_000_000].license is not None
    assert recs[7_610_000_000].license.id == "apache-2.0"


def test_license_clause_following_the_model_name() -> None:
    # `While Qwen2-72B ... still uses the original Qianwen License, all other models,
    # including Qwen2-0.5B, ... turn to adopt Apache 2.0!`
    recs = {r.parameters.total: r for r in post("qwen_blog__qwen2.md") if r.parameters}
    assert recs[72_710_000_000].license is not None
    assert recs[72_710_000_000].license.id == "qwen"
    assert recs[72_710_000_000].license.terms == "restricted"
    assert recs[490_000_000].license is not None and recs[490_000_000].license.id == "apache-2.0"


def test_license_of_software_mentioned_in_the_post_is_not_the_models() -> None:
    # `It has features such as continuous batching ... and is distributed under the
    # Apache 2 license.` (Text Generation Inference, not CodeGemma)
    recs = post("hf_blog__codegemma.md")
    assert recs and all(r.license is None for r in recs)
    assert all(r.context_length == 8000 for r in recs)


def test_license_mentions_in_text_order() -> None:
    s = "Most are under Apache 2.0, while X is governed by the Qwen Research License."
    assert [lid for _, lid in licenses.mentions(s)] == ["apache-2.0", "qwen-research"]
    assert licenses.mentions("no licence words here") == ()
    assert licenses.from_prose("the original Qianwen License") == "qwen"


def test_license_derived_from_apache_is_not_apache() -> None:
    s = "a permissive Apache 2.0-based software license which includes an acceptable use policy"
    assert licenses.from_prose(s) is None
    assert licenses.from_prose("a license based on Apache 2.0") is None
    assert licenses.from_prose("released under the Apache 2.0 license") == "apache-2.0"


def test_custom_license_with_conditions_is_restricted_without_an_id() -> None:
    falcon2 = post("hf_blog__falcon2-11b.md")[0]  # TII Falcon 2 License + acceptable use policy
    assert falcon2.license is not None
    assert falcon2.license.id is None and falcon2.license.terms == LicenseTerms.RESTRICTED
    bloom = post("hf_blog__bloom.md")[0]  # "the model's Responsible AI License"
    assert bloom.license is not None and bloom.license.terms == LicenseTerms.RESTRICTED
    f180 = post("hf_blog__falcon-180b.md")[
        0
    ]  # "commercially used but under very restrictive conditions"
    assert f180.license is not None and f180.license.terms == LicenseTerms.RESTRICTED


def test_license_of_code_in_the_same_sentence_is_not_the_model_license() -> None:
    # "the model weights ... with OpenRAIL license all code for data preprocessing and
    # training with Apache 2.0 license" (list items merged into one sentence)
    base = next(r for r in post("hf_blog__starcoder.md") if r.name.lower() == "starcoderbase")
    assert base.license is not None
    assert base.license.id != "apache-2.0"
    assert base.license.terms == LicenseTerms.RESTRICTED
