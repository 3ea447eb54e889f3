"""Release forms of changelogs, platform notes, feed reshares and family posts: which
models a post puts forward, with which sizes, and what its date means.

The inputs are small Markdown posts written for each behaviour (not real documents)."""

from __future__ import annotations

from normalizer import normalize
from normalizer.models import ToolRecord


def records(markdown: str) -> dict[str, ToolRecord]:
    return {r.name: r for r in normalize("announcement", markdown.encode()).records}


def test_a_changelog_item_naming_a_new_model_is_a_record_named_by_its_dated_id() -> None:
    entry = """\
---
date: 2025-03-04
---

- API endpoints: we renamed one endpoint and added two models.

  - `open-quill-7b` (aka `quill-tiny-2412`): renamed from `quill-tiny`.
  - `quill-small-latest` (aka `quill-small-2503`): new model.
  - `quill-large-latest` (aka `quill-large-2503`): our new flagship model with leading performance.
"""
    got = records(entry)
    assert set(got) == {"quill-small-2503", "quill-large-2503"}  # the renamed one is no release
    assert "quill-large-latest" in got["quill-large-2503"].aliases  # the moving id joins it
    assert got["quill-small-2503"].release_date == "2025-03-04"


GATEWAY = """\
---
date: "2025-10-02"
title: "Zorp 3 Models Now Available"
---

We're excited to announce support for the latest Zorp 3 models through our [Zorp Labs provider](/providers/zorp).

## New Model: Zorp 3 Swift

**Model Identifiers**:

- [`zorp-3-swift`](/models/zorp-3-swift)

**Context Window**: 256K tokens

## New Model: Zorp 3 Deep

**Model Identifiers**:

- [`zorp-3-deep`](/models/zorp-3-deep)

**Context Window**: 128K tokens
"""


def test_each_new_model_heading_is_a_record_with_the_facts_of_its_own_section() -> None:
    got = records(GATEWAY)
    assert set(got) == {"Zorp 3 Swift", "Zorp 3 Deep"}
    assert got["Zorp 3 Swift"].context_length == 256_000
    assert got["Zorp 3 Deep"].context_length == 128_000  # not its sibling's window


def test_a_platform_adding_support_for_others_models_does_not_date_their_release() -> None:
    got = records(GATEWAY)
    assert got and all(r.release_date is None for r in got.values())
    own = GATEWAY.replace(
        "We're excited to announce support for the latest Zorp 3 models through our "
        "[Zorp Labs provider](/providers/zorp).",
        "Today we release Zorp 3 Swift and Zorp 3 Deep.",
    )
    assert all(r.release_date == "2025-10-02" for r in records(own).values())


def test_a_one_word_name_the_post_calls_a_new_model_family_is_announced_with_its_sizes() -> None:
    reshare = """\
---
title: "Introducing Vellum: Rethinking byte-level language models"
---

> Today, we're introducing Vellum, a new family of byte-level language models. The result
> is the first fully open byte-level language models – Vellum 7B and Vellum 1B – that are
> on par with, and in some cases surpass, subword models of the same size.
"""
    got = records(reshare)
    sizes = {r.parameters.total for r in got.values() if r.parameters}
    assert sizes == {7_000_000_000, 1_000_000_000}
    # a name that is only mentioned, not called a new model, is not announced
    assert records("We have open-sourced Vellum, a model that scores answers.") == {}


def test_a_slash_list_of_sizes_after_the_family_name_gives_each_size() -> None:
    post = """\
---
title: "Introducing Orca2-Math"
date: 2024-08-08
---

Today, we introduce a series of math-specific language models, Orca2-Math and
Orca2-Math-Instruct-1.5B/7B/72B. Orca2-Math outperforms closed-source models.
"""
    sizes = sorted(r.parameters.total for r in records(post).values() if r.parameters)
    assert sizes == [1_500_000_000, 7_000_000_000, 72_000_000_000]


def test_a_range_of_activated_parameters_is_neither_a_size_list_nor_the_total() -> None:
    readme = """\
# Lynx-Flash

We introduce Lynx-Flash, a language model with 560 billion total parameters. The model
activates 18.6B∼31.3B parameters (averaging∼27B) based on contextual demands. It keeps an
average of∼27 billion activated parameters per token.
"""
    [rec] = records(readme).values()
    assert rec.parameters is not None
    assert (rec.parameters.total, rec.parameters.active) == (560_000_000_000, 27_000_000_000)


def test_a_hosting_platform_mentioned_in_passing_is_not_the_maker() -> None:
    readme = """\
# Korin-2

Korin-2 is a 1T-parameter language model. Weights are on [Hugging Face](https://example.org/korin).
"""
    [rec] = records(readme).values()
    assert rec.vendor != "Hugging Face"
    made = readme.replace("Korin-2 is a", "Korin-2, developed by Hugging Face, is a")
    assert next(iter(records(made).values())).vendor == "Hugging Face"


def test_a_news_line_releasing_the_family_dates_each_size_and_sub_family() -> None:
    readme = """\
# Quill-Coder: code models

We are thrilled to introduce **Quill-Coder**, a family of open code LLMs of 8B size.

## News

[2025/05/08]🔥 We release [Quill-Coder](https://example.org/quill)!

[2025/05/14] We updated the evaluation results.

## Models

| Model Name            | Length | Download |
|-----------------------|--------|----------|
| Quill-Coder-8B-Base   | 32K    | [Model](https://huggingface.co/quill/Quill-Coder-8B-Base) |
| Quill-Coder-8B-Instruct | 32K  | [Model](https://huggingface.co/quill/Quill-Coder-8B-Instruct) |
| Quill-Coder-8B-Reasoning | 64K | [Model](https://huggingface.co/quill/Quill-Coder-8B-Reasoning) |
"""
    got = records(readme)
    assert len(got) == 2  # base+instruct are one record; the reasoning model another
    assert {r.release_date for r in got.values()} == {"2025-05-08"}
    assert sorted(r.context_length for r in got.values()) == [32_000, 64_000]  # `Length`


VENDOR_README = """\
# Heron

## Introduction

Heron2.5 series are released with the following features:

- **1M Context window**: nearly perfect at finding needles in 1M-long context.

## News

\\[2024.08.01\\] We release Heron2.5-1.8B, Heron2.5-1.8B-Chat, Heron2.5-20B and Heron2.5-20B-Chat.

\\[2024.07.03\\] We release Heron2.5-7B, Heron2.5-7B-Chat and Heron2.5-7B-Chat-1M.

\\[2024.01.23\\] We release Heron2-Math-7B and Heron2-Math-20B with SFT checkpoints.

\\[2023.09.20\\] Heron-20B is released with base and chat versions.

## Model Zoo

| Model | Transformers(HF) |
| --- | --- |
| **Heron2.5-1.8B** | [🤗heron2_5-1_8b](https://huggingface.co/heron/heron2_5-1_8b) |
| **Heron2.5-7B** | [🤗heron2_5-7b](https://huggingface.co/heron/heron2_5-7b) |
| **Heron2.5-20B** | [🤗heron2_5-20b](https://huggingface.co/heron/heron2_5-20b) |

Heron2.5-7B-Chat-1M supports 1M long-context.

## License

The code is licensed under Apache-2.0, while model weights are open for academic research.
"""


def test_a_readme_titled_with_its_makers_name_announces_its_newest_release() -> None:
    got = records(VENDOR_README)
    sizes = sorted(r.parameters.total for r in got.values() if r.parameters)
    assert sizes == [1_800_000_000, 7_000_000_000, 20_000_000_000]  # `heron2_5-1_8b` is 1.8B
    # the news list's earlier generations (months older) are history, not announcements
    assert not any("Math" in n or n.startswith("Heron-") for n in got)
    by_size = {r.parameters.total: r for r in got.values() if r.parameters}
    assert by_size[20_000_000_000].release_date == "2024-08-01"  # third in the list
    assert all(r.vendor == "heron" for r in got.values())  # the repos' org


def test_the_code_license_and_a_variants_window_are_not_the_models() -> None:
    for rec in records(VENDOR_README).values():
        assert rec.license is None or rec.license.id != "apache-2.0"  # the code's license
        assert rec.context_length is None  # 1M is the -Chat-1M variant's, not every size's


def test_a_title_spelling_the_repository_means_the_one_model_it_links() -> None:
    readme = """\
# Wren-V2.5

### Wren-2.5-1T, instant intelligence

- Wren-2.5-1T features 1T total parameters (with 63B active parameters).

## Model Downloads

| Model | Context Length | Download |
| :-: | :-: | :-: |
| Wren-2.5-1T | 256K -> 1M (YaRN) | [HuggingFace](https://huggingface.co/wrenlab/Wren-2.5-1T) |
"""
    [rec] = records(readme).values()
    assert rec.name == "Wren-2.5-1T" and rec.vendor == "wrenlab"
    assert rec.context_length == 256_000  # the native window, not what YaRN reaches


def test_a_released_series_in_several_sizes_is_a_record_per_size_with_its_repos() -> None:
    got = records(
        VENDOR_README.replace(
            "\\[2024.07.03\\]",
            "\\[2024.07.19\\] We release the Heron2-Reward series of reward models in 1.8B, 7B and"
            " 20B sizes.\n\n\\[2024.07.03\\]",
        )
        + """
### Heron2-Reward

| Model | Transformers(HF) |
| --- | --- |
| **Heron2-1.8B-Reward** | [🤗heron2-1_8b-reward](https://huggingface.co/heron/heron2-1_8b-reward) |
| **Heron2-7B-Reward** | [🤗heron2-7b-reward](https://huggingface.co/heron/heron2-7b-reward) |
"""
    )
    reward = {r.parameters.total: r for r in got.values() if "Reward" in r.name and r.parameters}
    assert set(reward) == {1_800_000_000, 7_000_000_000, 20_000_000_000}
    assert reward[7_000_000_000].source_id == "heron/heron2-7b-reward"
    assert not any(r.name == "Heron2-Reward" for r in got.values())  # the sizes replace it


def test_a_window_in_the_models_own_name_beats_a_checkpoints_past_length() -> None:
    post = """\
---
title: "Towards 1M context: Heron2.5-7B-Instruct-1M"
date: 2025-01-27
---

Today we release Heron2.5-7B-Instruct-1M. We begin with an intermediate checkpoint,
which had a 4K token context length.
"""
    [rec] = records(post).values()
    assert rec.context_length == 1_000_000


def test_the_one_hub_organisation_a_readme_links_is_the_maker_when_no_repo_is_linked() -> None:
    readme = """\
# Lynx-Flash

<p align="center"><a href="https://huggingface.co/lynx-labs">Hugging Face</a></p>

We introduce Lynx-Flash-Chat, a language model with 560 billion total parameters.
"""
    [rec] = records(readme).values()
    assert rec.vendor == "lynx-labs"
    two = readme.replace("</a></p>", '</a> <a href="https://huggingface.co/other-org">x</a></p>')
    assert next(iter(records(two).values())).vendor is None  # which one would be a guess


def test_a_release_line_introducing_a_list_gives_each_item_with_an_api_id() -> None:
    entry = """\
---
date: 2025-07-15
---

- We released our first audio models for chat and a transcription API:
  - Sparrow Small (`sparrow-small-2507`) available for chat use cases
  - Sparrow Mini (`sparrow-mini-2507`) available for chat use cases
  - Sparrow Mini Transcribe (`sparrow-mini-2507` via `audio/transcriptions`) for transcription
"""
    got = records(entry)
    assert set(got) == {"Sparrow Small", "Sparrow Mini"}  # the third is the second again
    assert "sparrow-mini-2507" in got["Sparrow Mini"].aliases


def test_new_additions_to_a_family_are_announced_and_a_sibling_familys_sizes_are_not() -> None:
    post = """\
---
title: "Tinyvis Grows Smaller – Introducing the 256M & 500M Models!"
---

We're excited to announce two new additions to the Tinyvis family: Tinyvis-256M and
Tinyvis-500M. TinyLM2 came in three sizes: 135M, 360M, and 1.7B.
"""
    sizes = sorted(r.parameters.total for r in records(post).values() if r.parameters)
    assert sizes == [256_000_000, 500_000_000]


def test_a_released_familys_sub_family_in_the_download_table_is_announced_too() -> None:
    readme = """\
# Vole-5

Today we release Vole-5, our newest model.

## Vole-4.5

We have also open-sourced Vole-4.5. Vole-4.5-Air adopts a more compact design.

| Model | Download | Total Parameters |
|---|---|---|
| Vole-5 | [🤗 Hugging Face](https://huggingface.co/vole-ai/Vole-5) | 355B-A32B |
| Vole-4.5 | [🤗 Hugging Face](https://huggingface.co/vole-ai/Vole-4.5) | 355B-A32B |
| Vole-4.5-Air | [🤗 Hugging Face](https://huggingface.co/vole-ai/Vole-4.5-Air) | 106B-A12B |
| Vole-4.5-Air-FP8 | [🤗 Hugging Face](https://huggingface.co/vole-ai/Vole-4.5-Air-FP8) | 106B-A12B |
"""
    got = records(readme)
    assert "Vole-4.5-Air" in got
    air = got["Vole-4.5-Air"]
    assert air.parameters is not None and air.parameters.total == 106_000_000_000
    assert not any("FP8" in name for name in got)  # a quantised copy is the same model


def test_a_release_listing_its_own_base_checkpoint_does_not_make_it_the_base() -> None:
    post = """\
---
title: "Marten 7B: a diffusion language model"
date: 2025-04-02
---

We release Marten 7B.

- Base model: [marten-org/Marten-Base-7B](https://huggingface.co/marten-org/Marten-Base-7B)
- SFT model: [marten-org/Marten-Instruct-7B](https://huggingface.co/marten-org/Marten-Instruct-7B)

Marten 7B is finally initialized with weights from [Heron 7B](https://huggingface.co/heron/Heron-7B).
"""
    [rec] = records(post).values()
    assert rec.base_model == "heron/Heron-7B"  # not its own base checkpoint


def test_the_launch_of_named_versions_announces_each_of_them() -> None:
    post = """\
---
title: "Introducing Kite2-VL"
date: 2024-01-25
---

Recently, the Kite2-VL series has undergone a significant upgrade with the launch of two
enhanced versions, Kite2-VL-Plus and Kite2-VL-Max.
"""
    assert {"Kite2-VL-Plus", "Kite2-VL-Max"} <= set(records(post))


def test_a_later_report_line_does_not_turn_the_models_release_line_into_history() -> None:
    readme = """\
# Grebe

## News

- 2024.09.10: We release the Grebe technical report.
- 2024.01.17: We release Grebe-7B and Grebe-20B.
"""
    sizes = sorted(r.parameters.total for r in records(readme).values() if r.parameters)
    assert sizes == [7_000_000_000, 20_000_000_000]


def test_a_title_is_not_respelled_as_a_linked_model_of_another_version() -> None:
    post = """\
---
title: "Introducing Egret 3.1"
---

Today we release Egret 3.1. Its safety model is [Egret-Guard-3-8B](https://huggingface.co/egret/Egret-Guard-3-8B).
"""
    assert "Egret-Guard-3-8B" not in records(post)


def test_a_readme_news_list_gives_the_newest_release_not_the_sizes_of_older_lines() -> None:
    readme = """\
<div align="center"><a href="https://huggingface.co/collections/acme-lab/k-rocket">HF</a></div>

We introduce **K-Rocket**, a large language model developed by Acme Lab. K-Rocket
features **236 billion total** parameters, with **23 billion active**.

## News

- 2025.12.31 : 🚩 We release 🇰🇷 K-Rocket, a 236B MoE model. Check out the model!
- 2025.07.15 : We released Rocket 4.0, a hybrid reasoning model including 32B and 1.2B.
- 2025.03.18: We released the Rocket Deep, reasoning models, including 2.4B, 7.8B, and 32B.

```python
model_name = "acme-lab/K-Rocket-236B-A23B"
```
"""
    got = records(readme)
    assert set(got) == {"K-Rocket"}  # the older lines' models and sizes are history
    rocket = got["K-Rocket"]
    assert rocket.parameters is not None and rocket.parameters.total == 236_000_000_000
    assert rocket.release_date == "2025-12-31"  # the line the flag and emoji opened
    assert rocket.vendor == "acme-lab"  # the Hub collection's owner
    assert rocket.open_weights is True  # its code loads the sized repo of this one model


def test_a_license_named_with_its_version_in_parentheses_is_read() -> None:
    readme = """\
# Orbit3

We introduce Orbit3, a 321B open model. Weights: [Orbit3](https://huggingface.co/orbit-ai/orbit3).

## License
Both the code repository and the model weights are released under the [Apache License (Version 2.0)](./LICENSE).
"""
    (orbit,) = records(readme).values()
    assert orbit.license is not None and orbit.license.id == "apache-2.0"


def test_a_makers_blog_post_with_a_hub_collection_button_gives_maker_and_open_weights() -> None:
    post = """\
---
title: "Zephyrine2: Open Language Models"
date: 2024-12-02
---
{{< button href="https://huggingface.co/collections/zlab/zephyrine2-language-models-674d7c9e6b4dbbd9a869906b" label="HUGGING FACE" >}}
{{< button href="https://huggingface.co/zephyrine-community" label="COMMUNITY" >}}

We release Zephyrine2, a family of open language models.

The Zephyrine2 model comes in three sizes, 1B, 8B, and 20B, which are expanded from the
Basis2.5 base models of 0.5B, 7B, and 14B, respectively.

Zephyrine2 models are free for research and commercial use, but you should also obey the
[Basis 2.5 license](https://example.org/LICENSE).
"""
    got = records(post)
    # the base models' sizes after `expanded from` are not Zephyrine2's
    assert set(got) == {"Zephyrine2-1B", "Zephyrine2-8B", "Zephyrine2-20B"}
    for rec in got.values():
        assert rec.vendor == "zlab"  # the collection's owner, not the community page's
        assert rec.open_weights is True
        assert rec.provenance["open_weights"].method == "text:hf-collection"


def test_an_older_generations_collection_says_nothing_of_a_new_one() -> None:
    post = """\
---
title: "Zephyrine3: Open Language Models"
date: 2025-12-02
---
Our earlier models: [collection](https://huggingface.co/collections/zlab/zephyrine-65e19a749f978976f1959825).

We release Zephyrine3-9B, an open language model.
"""
    (rec,) = records(post).values()
    assert rec.provenance.get("open_weights") is None or (
        rec.provenance["open_weights"].method != "text:hf-collection"
    )


def test_a_changelog_page_dated_by_created_at_and_weights_accessible_on_hugging_face() -> None:
    entry = """\
---
title: "Announcing Quill R7"
createdAt: "Fri Dec 13 2024 00:00:00 (MST)"
---

We're thrilled to announce the release of Quill R7, the smallest model in our R family of
large language models (LLMs). With a context window of 128K, Quill R7 is fast.

Quill R7 is available today on our platform as well as accessible on HuggingFace.
"""
    (rec,) = records(entry).values()
    assert rec.release_date == "2024-12-13"
    assert rec.open_weights is True


def test_a_records_own_api_only_clause_outweighs_the_familys_collection() -> None:
    # (the release sentence is soft-wrapped, as Markdown sources are: one sentence)
    post = """\
---
title: "Zephyrine2-VL: To See the World More Clearly"
date: 2024-08-29
---
{{< button href="https://huggingface.co/collections/zlab/zephyrine2-vl-66cee7455501d7126940800d" label="HUGGING FACE" >}}

We are excited to announce the release of Zephyrine2-VL, our latest vision language models.

We open-source Zephyrine2-VL-2B and Zephyrine2-VL-7B with Apache 2.0 license, and we
release the API of Zephyrine2-VL-72B!
"""
    got = records(post)
    assert got["Zephyrine2-VL-7B"].open_weights is True
    assert got["Zephyrine2-VL-72B"].open_weights is False


def test_a_platforms_new_models_section_lists_one_model_per_sub_heading() -> None:
    entry = """\
---
date: "2025-08-07"
title: "Quill-5 Model Family Now Available"
---

Acme's **Quill-5 model family** is now available on Relay API! Access all three models.

## 🤖 New Quill-5 Models Available

### **Quill-5** - The Flagship Model

```bash
acme/quill-5
```

- **Context Window**: 400,000 tokens

### **Quill-5 Mini** - Optimized Performance

```bash
acme/quill-5-mini
```

- **Context Window**: 400,000 tokens

## 🚀 Getting Started

Use the model IDs above.
"""
    got = records(entry)
    assert set(got) == {"Quill-5", "Quill-5 Mini"}
    assert "acme/quill-5-mini" in got["Quill-5 Mini"].aliases
    # the platform's date is when it added another maker's models, not their release
    assert all(r.release_date is None for r in got.values())


def test_an_excited_to_release_sentence_announces_under_any_title() -> None:
    post = """\
---
title: "Unlocking the Potential of Reinforcement Learning in Reasoning Models"
pubDate: 2025-02-13
---

We are excited to release **Nimbus-T1-7B**, an open-recipe 7B model on math reasoning.
We also release **Nimbus-T1-mini**, trained with simple reinforcement learning.

Its intermediate checkpoints are [Nimbus-T1-7B-Step1](https://huggingface.co/nimbus/Nimbus-T1-7B-step1)
and [Nimbus-T1-7B-Step2](https://huggingface.co/nimbus/Nimbus-T1-7B-step2).
"""
    got = records(post)
    # a recipe's intermediate checkpoints are the model, not releases of their own
    assert set(got) == {"Nimbus-T1-7B", "Nimbus-T1-mini"}
    assert got["Nimbus-T1-7B"].release_date == "2025-02-13"
