"""List-style comparison pages: one record per table row or per heading, each with its
own facts; pages that announce their own models are not read as lists.

The inputs are small Markdown pages written for each behaviour (not real documents)."""

from __future__ import annotations

from normalizer import normalize
from normalizer.models import ToolRecord


def records(markdown: str) -> dict[str, ToolRecord]:
    result = normalize("announcement", markdown.encode())
    return {r.name: r for r in result.records}


TABLE_PAGE = """\
# Picking a model for your app

## Hosted models

| Provider | Model Name (API ID) | License | Best For |
| :-- | :-- | :-- | :-- |
| Acme | Rocket 2 (`rocket-2-0425`) | Proprietary | Long documents |
| Globex | Orbit Mini | MIT | Chatbots, high volume |
| Initech | Pixel-7B, Pixel-70B | Apache 2.0 | Coding |
"""


def test_a_table_row_per_tool_gives_its_maker_license_and_best_for() -> None:
    got = records(TABLE_PAGE)
    assert set(got) == {"Rocket 2", "Orbit Mini", "Pixel-7B", "Pixel-70B"}
    rocket = got["Rocket 2"]
    assert rocket.vendor == "Acme"
    assert rocket.license is not None and rocket.license.terms == "proprietary"
    assert "rocket-2-0425" in rocket.aliases
    assert got["Orbit Mini"].license is not None and got["Orbit Mini"].license.id == "mit"
    assert got["Orbit Mini"].tagline == "Chatbots, high volume"
    # two tools in one cell are two records, each with the size its name states
    assert got["Pixel-70B"].parameters is not None
    assert got["Pixel-70B"].parameters.total == 70_000_000_000
    assert got["Pixel-7B"].license is not None and got["Pixel-7B"].license.id == "apache-2.0"


def test_values_from_a_list_page_say_they_are_third_party() -> None:
    rocket = records(TABLE_PAGE)["Rocket 2"]
    assert rocket.provenance["vendor"].method.startswith("comparison:")
    assert rocket.provenance["vendor"].confidence < 0.9
    assert any("lowest-rank" in w for w in rocket.warnings)


HEADING_PAGE = """\
# Awesome open-source models

## Language models

### [Quill](https://huggingface.co/scribe-lab/quill-13b)

**Author:** Scribe Lab
**License:** CC-BY-NC 4.0
**Description:** A writing model with a large vocabulary.

### Falcon-ish / Hawk Large

**Author:** Birdworks
**License:** Apache 2.0
**Description:** Two sizes of one family.

## Image generation

### Brush

**Author:** Canvas Co
**License:** Custom (Apache 2.0 variant)
**Description:** Paints pictures.

**Variants:**
- Brush [pro] - API only
- Brush [lite] - Non-commercial

### Easel

**Author:** Canvas Co
**License:** MIT
**Description:** Not a model, but a framework to run the others.
"""


def test_a_heading_per_tool_reads_its_key_value_facts_and_hub_link() -> None:
    got = records(HEADING_PAGE)
    quill = got["Quill"]
    assert quill.source_id == "scribe-lab/quill-13b"
    assert quill.vendor == "Scribe Lab"
    assert quill.license is not None and quill.license.terms == "non-commercial"
    assert quill.parameters is not None and quill.parameters.total == 13_000_000_000
    # the page title says its entries are open-source
    assert quill.open_weights is True


def test_names_joined_by_a_slash_and_variant_lists_are_records_of_their_own() -> None:
    got = records(HEADING_PAGE)
    assert {"Falcon-ish", "Hawk Large"} <= set(got)
    assert "Brush" not in got  # its variants are the records
    pro, lite = got["Brush [pro]"], got["Brush [lite]"]
    assert pro.open_weights is False
    assert pro.license is not None and pro.license.terms == "proprietary"
    assert lite.license is not None and lite.license.terms == "non-commercial"


def test_a_custom_variant_of_an_open_license_is_not_that_license() -> None:
    got = records(HEADING_PAGE)
    # the entry's own license is `Custom (Apache 2.0 variant)`; its variants state theirs
    assert all(r.license is None or r.license.id != "apache-2.0" for r in got.values()
               if r.name.startswith("Brush"))  # fmt: skip


def test_an_entry_that_says_it_is_not_a_model_gives_no_record() -> None:
    assert "Easel" not in records(HEADING_PAGE)


NUMBERED_PAGE = """\
# What LLM to use for coding?

### Open Source

#### 1. Codex-Lite

Codex-Lite is an LLM trained by Lumen for code.

    Creator: Lumen
    Date released: August 24th, 2023
    License: Llama 2 Community
    Parameters: 7B, 13B, 34B

#### 2. Wren

Wren is an LLM trained by Aviary.

    Creator: Aviary
    License: Apache 2.0
    Parameters: 7B

### Commercial

#### 1. Titan-4

Titan-4 from Colossus is the largest model on this list. It has a 128k context window.
"""


def test_a_parameters_list_gives_one_record_per_size_with_the_shared_facts() -> None:
    got = records(NUMBERED_PAGE)
    sizes = {n: r.parameters.total for n, r in got.items() if n.startswith("Codex-Lite")}
    assert sizes == {
        "Codex-Lite 7B": 7_000_000_000,
        "Codex-Lite 13B": 13_000_000_000,
        "Codex-Lite 34B": 34_000_000_000,
    }
    one = got["Codex-Lite 13B"]
    assert one.vendor == "Lumen"
    assert one.release_date == "2023-08-24"
    assert one.license is not None and one.license.id == "llama2"
    assert one.task == "text-generation"


def test_the_heading_above_entries_sets_their_availability() -> None:
    got = records(NUMBERED_PAGE)
    assert got["Wren"].open_weights is True
    titan = got["Titan-4"]  # a numbered sibling without facts, under "Commercial"
    assert titan.open_weights is False
    assert titan.vendor == "Colossus"
    assert titan.context_length == 128_000


def test_a_vendor_table_of_its_own_models_is_not_a_list_page() -> None:
    page = """\
# Introducing Nimbus 2

Today we release Nimbus 2, our new open-weight model family, on Hugging Face.

| Model | Developer | License | Params |
| --- | --- | --- | --- |
| Nimbus-2-8B | Cirrus | Apache 2.0 | 8B |
| Nimbus-2-70B | Cirrus | Apache 2.0 | 70B |
| Nimbus-2-400B | Cirrus | Apache 2.0 | 400B |
"""
    result = normalize("announcement", page.encode())
    assert all(
        not any(p.method.startswith("comparison:") for p in r.provenance.values())
        for r in result.records
    )


def test_one_maker_is_not_enough_for_a_list_page() -> None:
    page = """\
# Our models

| Model | Provider | License |
| --- | --- | --- |
| Alpha | Solo Labs | MIT |
| Beta | Solo Labs | MIT |
| Gamma | Solo Labs | MIT |
"""
    assert records(page) == {}


def test_a_license_field_is_read_as_a_name_or_an_id() -> None:
    from normalizer.licenses import from_value

    read = {
        v: (lic.id, lic.terms) if (lic := from_value(v)) else None
        for v in ("MIT", "MPL 2.0", "Llama 2 Community", "OpenRAIL++-M", "Modified MIT",
                  "Custom (Apache 2.0 variant)", "Non-commercial", "API only", "see below")
    }  # fmt: skip
    assert read == {
        "MIT": ("mit", "permissive"),
        "MPL 2.0": ("mpl-2.0", "permissive"),
        "Llama 2 Community": ("llama2", "restricted"),
        "OpenRAIL++-M": ("openrail++", "restricted"),
        "Modified MIT": ("modified-mit", "restricted"),
        "Custom (Apache 2.0 variant)": (None, "restricted"),
        "Non-commercial": (None, "non-commercial"),
        "API only": (None, "proprietary"),
        "see below": None,
    }


VS_PAGE = """\
---
title: Lark vs Heron - Complete Comparison 2025
tags:
  - Large Language Models
---

# Lark vs Heron: Complete Comparison 2025

## Quick Summary

| Feature | Lark | Heron |
|---------|------|-------|
| **Developer** | Songbird Inc | Wader Labs |
| **Context Window** | 128K tokens | 200K tokens |
| **Best For** | General tasks, coding | Analysis, writing |

## Lark

Lark is fast and also makes images.

## Heron

Heron is careful.
"""


def test_a_table_with_a_column_per_tool_gives_each_tool_its_cells() -> None:
    got = records(VS_PAGE)
    assert got["Lark"].vendor == "Songbird Inc"
    assert got["Heron"].vendor == "Wader Labs"
    assert got["Lark"].context_length == 128_000
    assert got["Heron"].context_length == 200_000
    assert got["Heron"].tagline == "Analysis, writing"


def test_a_page_tagged_about_language_models_gives_its_tools_the_text_task() -> None:
    got = records(VS_PAGE)
    assert got["Lark"].task == "text-generation"  # though its section mentions images
    untagged = VS_PAGE.replace("  - Large Language Models\n", "  - Reviews\n")
    assert records(untagged)["Heron"].task is None


def test_a_ranking_table_with_best_for_on_a_comparison_page_lists_its_tools() -> None:
    page = """\
---
title: 'Best Model for Coding in 2026'
---

| Rank | Model | Score | Best For |
|------|-------|-------|----------|
| 1 | Kestrel 4 | 79.2% | Complex debugging |
| 2 | Osprey 5 | 75.4% | Speed, cost |
| 3 | Merlin Flash | 76.2% | Fast iteration |
"""
    got = records(page)
    assert set(got) == {"Kestrel 4", "Osprey 5", "Merlin Flash"}
    assert got["Osprey 5"].tagline == "Speed, cost"
    assert got["Kestrel 4"].vendor is None  # the page names no maker
    # the same table under a title that compares nothing is no list page
    assert records(page.replace("Best Model for Coding", "Our results")) == {}


def test_a_heading_about_terms_or_a_page_description_says_nothing_of_availability() -> None:
    page = """\
---
title: Model overview
description: Hosted APIs and local open-source models compared.
---

# Model overview

## Commercial use allowed

| Provider | Model | License |
| --- | --- | --- |
| Acme | Rocket 2 | MIT |
| Globex | Orbit Mini | Apache 2.0 |
| Initech | Pixel-7B | MIT |
"""
    got = records(page)
    assert set(got) == {"Rocket 2", "Orbit Mini", "Pixel-7B"}
    assert all(r.open_weights is None for r in got.values())


def test_a_heading_about_business_use_says_nothing_of_availability() -> None:
    page = """\
---
title: "Comparing Open Source LLMs: A 2024 Guide"
---

## Commercial Viability Analysis

| Model | Primary Maintainer | Enterprise Support |
|-------|--------------------|--------------------|
| Heron 3 | Heron Labs | Through clouds |
| Quill | Quill AI | Dedicated team |
| Orbit R | Globex | Full package |
"""
    got = records(page)
    assert set(got) == {"Heron 3", "Quill", "Orbit R"}
    assert got["Quill"].vendor == "Quill AI"  # a `Primary Maintainer` column names the maker
    assert all(r.open_weights is not False for r in got.values())  # not "commercial models"
    closed = page.replace("## Commercial Viability Analysis", "## Commercial models")
    assert all(r.open_weights is False for r in records(closed).values())


FACT_TABLE_PAGE = """\
# Well known open LLM models

| Language Model Name | Params (B) | Context Length | Licence |
|---|---|---|---|
| zeta_3b, zeta_7b | 3,7 | 2048 | Apache 2.0 |
| Quark 2.7B | 2.7 | 4096 | MIT |
| Nimbus 2B, Nimbus 9B | 2,9 | 8192 | Free with usage restrictions |
"""


def test_a_table_of_model_facts_without_makers_gives_each_listed_model_its_own_values() -> None:
    got = records(FACT_TABLE_PAGE)
    assert set(got) == {"zeta_3b", "zeta_7b", "Quark 2.7B", "Nimbus 2B", "Nimbus 9B"}
    # `Params (B)` over `3,7`: the header's unit, one value per model named in the row
    sizes = {n: r.parameters.total for n, r in got.items() if r.parameters}
    assert sizes == {
        "zeta_3b": 3_000_000_000,
        "zeta_7b": 7_000_000_000,
        "Quark 2.7B": 2_700_000_000,
        "Nimbus 2B": 2_000_000_000,
        "Nimbus 9B": 9_000_000_000,
    }
    assert got["zeta_7b"].context_length == 2048
    assert got["Nimbus 9B"].license is not None and got["Nimbus 9B"].license.terms == "restricted"
    # the page names no maker: none is made up
    assert all(r.vendor is None for r in got.values())


def test_a_one_family_fact_table_is_a_vendors_own_table_not_a_list() -> None:
    one_family = """\
# Zeta models

| Model Name | Params | Context Length |
|---|---|---|
| Zeta-3B | 3B | 2048 |
| Zeta-7B | 7B | 2048 |
| Zeta-13B | 13B | 4096 |
"""
    # (the same table with a second family's rows is a list: see the test above)
    assert records(one_family) == {}
    two_families = one_family.replace("| Zeta-13B |", "| Quark-13B |")
    assert set(records(two_families)) == {"Zeta-3B", "Zeta-7B", "Quark-13B"}


MATRIX_PAGE = """\
# Master Comparison Matrix

## Text models

| Feature | Acme Rocket 2 | Orbit-4o | Nimbus K2 |
|---|---|---|---|
| **Context Window** | 200K | 128K | **256K** |
| **Input Cost (1M tokens)** | $3 | $5 | $0.45 |
| **Open Weights** | ❌ | ❌ | Partial |

## App builders

| Feature | Lovely | Bolty |
|---|---|---|
| **Pricing** | $25/mo | $20/mo |
| **Best For** | Apps | Prototypes |
"""


def test_a_table_with_a_column_per_model_gives_each_column_its_facts() -> None:
    got = records(MATRIX_PAGE)
    assert set(got) == {"Acme Rocket 2", "Orbit-4o", "Nimbus K2"}  # not the app builders
    assert got["Nimbus K2"].context_length == 256_000
    rocket = got["Acme Rocket 2"]
    assert rocket.context_length == 200_000
    assert rocket.open_weights is False
    assert rocket.license is not None and rocket.license.terms == "proprietary"
    assert got["Nimbus K2"].open_weights is None  # `Partial` says neither
