"""A card that describes its whole family: each sibling's section speaks for that sibling,
not for the card's own model; a family table's row for the model does.

The inputs are small cards written for each behaviour (not real documents)."""

from __future__ import annotations

from normalizer import normalize
from normalizer.models import ToolRecord

CARD = """\
---
license: apache-2.0
pipeline_tag: sentence-similarity
---

# Arctic-ish embed

| Name | Retrieval score | Parameters (Millions) | Embedding Dimension |
| --- | --- | --- | --- |
| [gale-embed-xs](https://huggingface.co/gale/gale-embed-xs) | 50.1 | 22 | 384 |
| [gale-embed-m](https://huggingface.co/gale/gale-embed-m) | 54.9 | 110 | 768 |

### [gale-embed-xs](https://huggingface.co/gale/gale-embed-xs)

This tiny model packs a punch. Based on the
[all-MiniLM-L6-v2](https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2) model with
only 22m parameters, it meets the strictest budgets.

### [gale-embed-m](https://huggingface.co/gale/gale-embed-m)

Based on the [intfloat/e5-base-unsupervised](https://huggingface.co/intfloat/e5-base-unsupervised)
model, this medium model is the workhorse.

### gale-embed-m-long

This long-context variant supports up to 8192 tokens.
"""


def card(text: str = CARD, repo: str = "gale/gale-embed-m") -> ToolRecord:
    [rec] = normalize("hf-card", text.encode(), source_url=f"https://huggingface.co/{repo}").records
    return rec


def test_a_siblings_section_does_not_give_this_model_its_size_or_context() -> None:
    rec = card()
    # 22m is the xs sibling's; the family table's own row says 110 (millions)
    assert rec.parameters is not None and rec.parameters.total == 110_000_000
    assert rec.context_length != 8192  # the -long variant's


def test_the_models_own_section_still_counts() -> None:
    assert card().base_model == "intfloat/e5-base-unsupervised"


def test_a_repack_cards_section_about_its_base_model_still_counts() -> None:
    gguf = CARD.replace(
        "### [gale-embed-m](https://huggingface.co/gale/gale-embed-m)", "### gale-embed"
    )
    rec = card(gguf, "gale/gale-embed-GGUF")
    assert rec.base_model == "intfloat/e5-base-unsupervised"
