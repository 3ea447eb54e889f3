"""Which sentences of a post speak for which announced model: dated news lines, clauses
that set one size against its siblings, sentences naming sibling sizes only.

The inputs are small Markdown posts written for each behaviour (not real documents)."""

from __future__ import annotations

from normalizer import normalize
from normalizer.models import ToolRecord


def records(markdown: str) -> dict[str, ToolRecord]:
    return {r.name: r for r in normalize("announcement", markdown.encode()).records}


README = """\
# Zephyrus

## Introduction

Today, we're introducing Zephyrus-V2, a strong Mixture-of-Experts language model, and
its small sibling Zephyrus-V2-Lite.

## News

- 2024.05.16: We released the Zephyrus-V2-Lite.
- 2024.05.06: We released the Zephyrus-V2.
- 2024.06.01: The Zephyrus-V2 fine-tuning tutorial is now available.

## Model Downloads

| Model | #Total Params | Download |
| --- | --- | --- |
| Zephyrus-V2-Lite | 16B | [HF](https://huggingface.co/zephyr-labs/Zephyrus-V2-Lite) |
| Zephyrus-V2 | 236B | [HF](https://huggingface.co/zephyr-labs/Zephyrus-V2) |
"""


def test_a_dated_news_line_that_releases_the_model_dates_it() -> None:
    got = records(README)
    assert got, "the README announces its models"
    by_size = {r.parameters.total if r.parameters else None: r for r in got.values()}
    assert by_size[236_000_000_000].release_date == "2024-05-06"
    # the sibling's line names a longer name and does not date the big model
    assert by_size[16_000_000_000].release_date == "2024-05-16"


def test_a_news_line_releasing_something_else_does_not_date_the_model() -> None:
    page = """\
# Quillmark

Quillmark is a 0.9B OCR model, on [Hugging Face](https://huggingface.co/quill/Quillmark).

## News

- **[2026.2.12]** Fine-tuning tutorial for Quillmark is now available.
- **[2026.3.12]** Quillmark Technical Report is now available.
"""
    [rec] = records(page).values()
    assert rec.release_date is None


POST = """\
---
title: "Nimbus-VL: seeing clearly"
date: 2024-08-29
---

We are excited to announce the release of Nimbus-VL, a vision-language model family,
in three sizes: Nimbus-VL-2B, Nimbus-VL-7B and Nimbus-VL-72B.

We open-source Nimbus-VL-2B and Nimbus-VL-7B with Apache 2.0 license, and we release the API of Nimbus-VL-72B!

The 2B and 7B models of the Nimbus-VL series are open-sourced and accessible on Hugging Face.
"""


def test_a_clause_setting_one_size_against_its_siblings_speaks_for_it_alone() -> None:
    got = records(POST)
    big = got["Nimbus-VL-72B"]
    assert big.open_weights is False
    assert big.license is None or big.license.id != "apache-2.0"
    small = got["Nimbus-VL-7B"]
    assert small.open_weights is True
    assert small.license is not None and small.license.id == "apache-2.0"


def test_a_sentence_naming_only_sibling_sizes_is_not_about_the_others() -> None:
    big = records(POST)["Nimbus-VL-72B"]
    assert not (big.provenance.get("open_weights") and "2B and 7B" in (
        big.provenance["open_weights"].evidence or ""
    ))  # fmt: skip


def test_a_vision_model_named_in_camel_case_is_not_given_the_text_task() -> None:
    page = """\
---
title: "TinyVLM2: video understanding on every device"
---

We are releasing TinyVLM2-2.2B, our new model for video understanding, on
[Hugging Face](https://huggingface.co/tiny-lab/TinyVLM2-2.2B-Instruct).

You can use the llm-tool CLI on your Mac to run it.
"""
    got = records(page)
    assert got and all(r.task != "text-generation" for r in got.values())


def test_a_sentence_about_the_family_by_its_bare_name_covers_every_size() -> None:
    page = """\
# Heron-VL2

We present Heron-VL2, a mixture-of-experts vision-language model series in three variants:
Heron-VL2-Tiny, Heron-VL2-Small and Heron-VL2.

| Model | Download |
| --- | --- |
| Heron-VL2-Tiny | [HF](https://huggingface.co/heron-ai/heron-vl2-tiny) |
| Heron-VL2-Small | [HF](https://huggingface.co/heron-ai/heron-vl2-small) |
| Heron-VL2 | [HF](https://huggingface.co/heron-ai/heron-vl2) |

## License

This code repository is licensed under MIT License. The use of Heron-VL2 models is subject to the CC-BY-NC 4.0 license.
"""
    got = records(page)
    assert len(got) == 3
    assert all(r.license is not None and r.license.id == "cc-by-nc-4.0" for r in got.values()), {
        n: r.license for n, r in got.items()
    }


def test_they_after_a_sentence_naming_the_model_speaks_of_it() -> None:
    page = """\
# Kite-4.5

Kite-4.5 is our new flagship language model.

We have open-sourced the base and chat versions of Kite-4.5. They are released under the MIT open-source license.
"""
    [rec] = records(page).values()
    assert rec.license is not None and rec.license.id == "mit"


def test_a_family_name_does_not_reach_a_newer_version_of_it() -> None:
    from normalizer.post_scope import in_family

    assert in_family("deepseekvl2tiny", "deepseekvl2")
    assert not in_family("glm4.5", "glm4")
    assert not in_family("qwen25", "qwen2")
