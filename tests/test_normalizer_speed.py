"""Shortcuts taken for speed must not change what the normalizer finds."""

from __future__ import annotations

import pytest

from normalizer import post_names, vendors
from normalizer.regex import compiled

RELEASE_SENTENCES = [
    "New model available: `Foo-7B`",
    "- `foo-small-latest` (aka `foo-small-2503`): new model.",
    "We are excited to release Foo-7B and Bar-2B",
    "Foo-7B was released",
    "Acme has open-sourced Foo-7B",
    "Foo-7B is now available on Hugging Face",
    "The checkpoint was released as Foo-7B",
    "There is also a new small version of Llama Guard, Llama Guard 3 1B, that fits phones",
    "Our latest models, `foo-large`",
    "We released two new models: Foo-7B and Bar-2B",
    "We're excited to announce two new additions to the Foo family: Foo-7B and Foo-2B",
    "The series was upgraded with the launch of two enhanced versions, Foo-Plus and Foo-Max",
]


@pytest.mark.parametrize("n", range(len(post_names._RELEASE_RES)))
def test_each_release_pattern_needs_a_hint_word(n: int) -> None:
    """`release_names` skips sentences without a hint word: every release pattern must
    need one (a new pattern with another verb: add its word to `_RELEASE_HINT_RE`)."""
    rx = post_names._RELEASE_RES[n]
    matched = [s for s in RELEASE_SENTENCES if rx.search(s)]
    assert matched, f"no example sentence for pattern {n}: add one to RELEASE_SENTENCES"
    assert all(post_names._RELEASE_HINT_RE.search(s) for s in matched)


def test_vendor_from_text_first_phrase_at_the_leftmost_position() -> None:
    """One alternation of all phrases gives what one search per phrase gave."""
    assert vendors.vendor_from_text("by Google DeepMind and Meta") == ("Google", "Google DeepMind")
    assert vendors.vendor_from_text("Meta AI released it") == ("Meta", "Meta")
    assert vendors.vendor_from_text("Meta-Llama by Mistral AI") == ("Mistral AI", "Mistral AI")
    assert vendors.vendor_from_text("nobody") is None


def test_compiled_returns_the_same_pattern() -> None:
    assert compiled(r"ab+c", 2) is compiled(r"ab+c", 2)
    assert compiled(r"ab+c", 2).flags == compiled(r"ab+c", 2).flags
