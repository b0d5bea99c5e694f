"""The accuracy measurement (bench/precedents_accuracy.py) in small, on both databases: the
scoring against a known answer, and a slice of the toxicity texts (skipped without them)."""

from __future__ import annotations

import pytest

from bench.precedents_accuracy import TOXICITY, load_toxicity, score, toxicity_accuracy
from integrity_desk.db import Database


def test_scoring_against_the_base_rate() -> None:
    result = score("t", ["action", "action", "no_action"], [
        ("action", ["action", "no_action"]), ("no_action", ["no_action"]),
        ("no_action", ["action", "no_action", "no_action"]), ("action", [])])
    assert (result.top1, result.top5, result.base_rate, result.answered) == (0.75, 1.0, 0.5, 3)
    assert result.balanced == pytest.approx(0.75)


def test_the_top_precedent_beats_chance_on_the_toxicity_texts(db: Database) -> None:
    if not TOXICITY.exists():
        pytest.skip(f"{TOXICITY} is absent: the toxicity texts are not on this machine")
    result = toxicity_accuracy(db, load_toxicity(limit=600), decided_share=0.8, queries=60)
    assert (result.precedents, result.queries) == (480, 60)
    assert result.answered >= 50
    # Balanced accuracy is 50 % for any answer that ignores the text.
    assert result.balanced > 0.55 and result.top1 > 0.6
