"""Whatever kind a document is filed as, its nature is read from its content: a
third-party "A vs B" page yields one record per tool from that tool's own section.

No real comparison page is in the corpus yet; the page below was WRITTEN FOR THIS TEST
(it is not a copy of a real document) in the shape such pages have: a title naming the
tools, then per tool a name line, a best-for line, a description paragraph and a
category.
"""

from __future__ import annotations

from normalizer import normalize

PAGE = """Mixtral 8x22B vs Mistral Small 3

Two models compared for teams choosing a self-hosted LLM.

Mixtral 8x22B
Best for: multilingual generation on large GPUs
Mixtral 8x22B is a sparse mixture-of-experts language model from Mistral AI with 141B
total parameters, of which 39B are active per token. It is released under the Apache 2.0
license and its weights are available on Hugging Face.
Category: Open-weight LLM

Acme Chat Pro
Best for: hosted assistants
Acme Chat Pro is a chat model by Acme AI, available only through its API.
Category: Hosted LLM
"""


def test_a_comparison_page_gives_each_tool_the_facts_of_its_own_section() -> None:
    page = PAGE.replace("Mistral Small 3", "Acme Chat Pro")
    records = {r.name: r for r in normalize("announcement", page).records}
    assert set(records) == {"Mixtral 8x22B", "Acme Chat Pro"}
    mixtral, acme = records["Mixtral 8x22B"], records["Acme Chat Pro"]
    assert mixtral.vendor == "Mistral AI"
    assert mixtral.license is not None and mixtral.license.id == "apache-2.0"
    assert mixtral.parameters is not None
    assert (mixtral.parameters.total, mixtral.parameters.active) == (141e9, 39e9)
    assert mixtral.open_weights is True
    assert mixtral.tagline == "multilingual generation on large GPUs"
    assert acme.open_weights is False  # "available only through its API"
    assert acme.license is not None and acme.license.terms == "proprietary"
    assert acme.parameters is None and acme.license.id is None  # nothing leaks across sections
    assert all(
        p.confidence <= 0.6
        for p in mixtral.provenance.values()
        if p.method.startswith("comparison")
    )


def test_a_page_whose_title_compares_tools_it_never_describes_is_not_a_comparison() -> None:
    page = "Mixtral 8x22B vs Acme Chat Pro\n\nWe only mention them here.\n"
    assert all(r.name not in ("Acme Chat Pro",) for r in normalize("announcement", page).records)


def test_a_title_with_a_lead_and_trailing_words_still_names_the_two_tools() -> None:
    page = """\
---
title: "Stop Guessing: Acme Chat vs Borealis 2026 Competitive Audit"
---

We tested **Acme Chat** vs **Borealis** on real projects.

| KPI | Acme Chat | Borealis |
| :--- | :--- | :--- |
| **Provider** | Acme AI | Borealis Labs |

### The Acme Chat Breakdown

Acme Chat handles long documents well.

### The Borealis Breakdown

Borealis is fast. Borealis fits office suites.
"""
    records = {r.name: r for r in normalize("announcement", page).records}
    assert set(records) == {"Acme Chat", "Borealis"}  # not "Stop Guessing", not "… Audit"
    assert records["Borealis"].vendor == "Borealis Labs"


def test_a_v_s_title_is_a_comparison_and_a_makers_statement_beats_a_passing_mention() -> None:
    page = """\
---
title: "Acme Chat V/S Borealis: Which one is better"
---

## Acme Chat

Acme Chat is the assistant launched by Acme AI. It answers questions Google search cannot.

## Borealis

Borealis is the latest LLM released by Borealis Labs.
"""
    records = {r.name: r for r in normalize("announcement", page).records}
    assert set(records) == {"Acme Chat", "Borealis"}
    assert records["Acme Chat"].vendor == "Acme AI"
    assert records["Borealis"].vendor == "Borealis Labs"


def test_a_tool_the_page_calls_an_llm_is_text_generation_whatever_else_it_reads() -> None:
    page = """\
---
title: "Acme Chat V/S Borealis: Which one is better"
tags: ["multimodal", "reasoning"]
---

## Acme Chat

Acme Chat is the latest LLM launched by Acme AI. It can analyze images and voice.

## Borealis

Borealis reads charts and images; it writes code too.
"""
    records = {r.name: r for r in normalize("announcement", page).records}
    assert records["Acme Chat"].task == "text-generation"
    assert records["Borealis"].task is None  # never called a language model


def test_a_family_title_over_a_table_of_versioned_columns_names_those_models() -> None:
    page = """\
# Acme vs Orbit: Comprehensive AI Model Comparison (2026)

## Acme

Acme 3.5 Pro is the assistant made by Acme AI.

## Orbit

Orbit-4.5 is the model made by Orbit Labs.

## Specifications

| Specification | Acme 3.5 Pro | Orbit-4.5 |
|---|---|---|
| **Developer** | Acme AI | Orbit Labs |
| **Release Date** | October 2025 | November 2025 |
| **Parameters** | ~300B (estimated) | ~1.8T (estimated) |
| **Context Window** | 200,000 tokens | 128,000 tokens |
"""
    records = {r.name: r for r in normalize("announcement", page).records}
    assert set(records) == {"Acme 3.5 Pro", "Orbit-4.5"}  # not the bare families
    acme = records["Acme 3.5 Pro"]
    assert acme.context_length == 200_000
    assert acme.release_date == "2025-10"
    assert acme.parameters is None  # a third party's estimate is no stated count
    assert records["Orbit-4.5"].context_length == 128_000
