"""Scored candidates: the best value above the threshold wins, a tie is no answer, and a
model's own name speaks for its active size and context window."""

from __future__ import annotations

from normalizer.builder import RecordBuilder
from normalizer.candidates import THRESHOLD, Candidate, choose, refine
from normalizer.parse import ParsedDocument


def test_the_best_candidate_above_the_threshold_wins() -> None:
    cands = [Candidate(1, 0.6, "a", "x"), Candidate(2, 0.9, "b", "y")]
    assert choose(cands) == cands[1]
    assert choose([Candidate(1, THRESHOLD - 0.01, "a", "x")]) is None


def test_two_values_sharing_the_top_score_leave_the_field_empty() -> None:
    assert choose([Candidate(1, 0.9, "a", "x"), Candidate(2, 0.9, "b", "y")]) is None
    assert choose([Candidate(1, 0.9, "a", "x"), Candidate(1, 0.9, "b", "y")]) is not None


def test_the_name_gives_active_parameters_and_its_context_beats_a_smaller_number() -> None:
    rb = RecordBuilder("Acme-30B-A3B-Instruct-256K", None, None)
    rb.set("context_length", 32768, "text", "trained at 32K")
    refine(rb, ParsedDocument(), ["Acme-30B-A3B-Instruct-256K"], single_model=True)
    assert rb.values["parameters"].active == 3_000_000_000
    assert rb.values["context_length"] == 256_000
    assert rb.provenance["context_length"].method == "name-token"
    assert rb.provenance["context_length"].confidence == 0.95
