"""Context windows and sizes a model card states in its own forms: a key-value line in
words, a long-context sentence, a family spec table, a benchmark table's `Seq Length`
column, and prose that names the model without its repo's date stamp.

The inputs are small cards written for each behaviour (not real documents)."""

from __future__ import annotations

from normalizer import normalize
from normalizer.models import ToolRecord


def card(repo: str, body: str) -> ToolRecord:
    text = f"---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n\n{body}"
    [rec] = normalize("hf-card", text.encode(), source_url=f"https://huggingface.co/{repo}").records
    return rec


def test_a_key_value_line_that_states_the_window_in_words() -> None:
    rec = card(
        "acme/Corvid-9B", "*   **Context length**: Supports long context, at least 128K tokens\n"
    )
    assert rec.context_length == 128_000


def test_a_long_context_sentence_with_an_input_limit() -> None:
    rec = card("acme/Corvid-9B", "* Improved long-context understanding up to 256K input tokens.\n")
    assert rec.context_length == 256_000
    # a generation limit is not the window
    assert card("acme/Corvid-9B", "* Use up to 4096 output tokens.\n").context_length is None


def test_a_family_spec_table_whose_row_is_the_same_for_every_column() -> None:
    table = """\
| Model           | 2B Dense | 8B Dense | 1B MoE |
| :--             | :--      | :--      | :--    |
| Sequence length | 128K     | 128K     | 128K   |
| Embedding size  | 2048     | 4096     | 1024   |
"""
    assert card("acme/Corvid-1B-A400M", table).context_length == 128_000
    differing = table.replace(
        "| 128K     | 128K     | 128K   |", "| 128K     | 32K      | 4K     |"
    )
    assert card("acme/Corvid-1B-A400M", differing).context_length is None


def test_a_seq_length_column_in_the_models_own_row() -> None:
    table = """\
| Model          | Seq Length | HumanEval |
|----------------|------------|-----------|
| Rival-70B      | 8K         | 77.4      |
| Corvid-All-9B  | 128K       | 82.3      |
"""
    assert card("acme/Corvid-All-9B", table).context_length == 128_000


def test_prose_naming_the_model_without_its_date_stamp_gives_its_size() -> None:
    body = "**Corvid Transcribe is an open source 2B-parameter speech recognition model.**\n"
    rec = card("acme/corvid-transcribe-07-2026", body)
    assert rec.parameters is not None and rec.parameters.total == 2_000_000_000


def test_an_image_models_prompt_encoder_limit_is_not_a_context_window() -> None:
    body = "- Text encoder: [CLIP-L](https://github.com/x/clip), context length 77 tokens\n"
    image = f"---\nlicense: mit\npipeline_tag: text-to-image\n---\n\n{body}"
    [rec] = normalize(
        "hf-card", image.encode(), source_url="https://huggingface.co/acme/Painter-2"
    ).records
    assert rec.context_length is None
    assert card("acme/Corvid-9B", body).context_length == 77  # an LLM card keeps what it says


def test_a_link_to_an_architecture_is_not_the_base_model() -> None:
    body = "Based on the [Corvid-RoBERTa architecture](https://huggingface.co/acme/corvid-roberta-impl), it embeds text.\n"
    assert card("acme/corvid-embed-v3", body).base_model is None
    weights = (
        "Based on [Corvid-RoBERTa](https://huggingface.co/acme/corvid-roberta), it embeds text.\n"
    )
    assert card("acme/corvid-embed-v3", weights).base_model == "acme/corvid-roberta"


def test_a_release_date_heading_dates_the_model_and_a_license_version_date_does_not() -> None:
    body = """\
The Corvid license, Version Release Date: September 23, 2025.

### Release Date:

* Github: [12/19/2025](https://github.com/acme/corvid)
* Huggingface: [12/19/2025](https://huggingface.co/acme/Corvid-9B)
"""
    assert card("acme/Corvid-9B", body).release_date == "2025-12-19"
    ambiguous = body.replace("12/19/2025", "05/06/2025")
    assert card("acme/Corvid-9B", ambiguous).release_date is None  # May 6 or 5 June


def test_an_moe_model_with_its_activated_count_gives_total_and_active() -> None:
    body = "Built upon a 16.8B Mixture-of-Experts (MoE) large language model with 2.75B activated parameters, Corvid-lite is fast.\n"
    rec = card("acme/Corvid-lite", body)
    assert rec.parameters is not None
    assert (rec.parameters.total, rec.parameters.active) == (16_800_000_000, 2_750_000_000)
    rival = "Corvid-lite outperforms a 70B dense model with 12B active parameters.\n"
    assert card("acme/Corvid-lite", rival).parameters is None  # another model's sizes
