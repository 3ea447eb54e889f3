"""The identity scorer runs on the labeled pairs and keeps its measured level."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_identity_scorer_reports_precision_and_recall_over_the_labeled_pairs() -> None:
    proc = subprocess.run(
        [sys.executable, "eval/score_identity.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(proc.stdout)
    assert report["pairs"] >= 150
    # the figures eval/README.md records; a regression in matching shows here
    assert report["join_precision"] >= 0.98 and report["join_recall"] >= 0.9
    assert report["suggestion_precision"] >= 0.8
