"""Shortcuts taken for speed must not change what the normalizer finds."""

from __future__ import annotations

from normalizer import vendors
from normalizer.regex import compiled


def test_vendor_from_text_first_phrase_at_the_leftmost_position() -> None:
    """One alternation of all phrases gives what one search per phrase gave."""
    assert vendors.vendor_from_text("by Google DeepMind and Meta") == ("Google", "Google DeepMind")
    assert vendors.vendor_from_text("Meta AI released it") == ("Meta", "Meta")
    assert vendors.vendor_from_text("Meta-Llama by Mistral AI") == ("Mistral AI", "Mistral AI")
    assert vendors.vendor_from_text("nobody") is None


def test_compiled_returns_the_same_pattern() -> None:
    assert compiled(r"ab+c", 2) is compiled(r"ab+c", 2)
