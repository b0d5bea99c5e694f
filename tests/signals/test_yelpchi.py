"""The YelpChi measurement (bench/yelpchi_signals.py) on a slice: the signals beat chance."""

from __future__ import annotations

import numpy as np
import pytest

from bench.yelpchi_signals import DATA, average_precision, best_cut, measure


def test_on_fifteen_businesses_the_combined_score_beats_the_spam_share() -> None:
    if not (DATA / "reviews.txt").exists():
        pytest.skip("../shared/data/yelpchi is absent: the YelpChi measurement needs "
                    "reviews.txt and review_texts.json there (see its README)")
    report = measure(DATA, limit=15)
    assert report.businesses["tune"] and report.businesses["report"]
    ap = {(row.level, row.name): row.ap for row in report.rows}
    for level in ("reviewer", "review"):
        share = report.spam_share[level]
        assert 0.05 < share < 0.3
        assert ap[(level, "combined (tuned)")] > share
        assert ap[(level, "combined (default weights)")] > share
    assert report.seconds < 20


def test_average_precision_by_hand() -> None:
    labels = np.array([True, False, True, False])
    # Ranked 1, 0, 1, 0: precision 1 at the first positive, 2/3 at the second → AP 5/6.
    assert average_precision(np.array([4.0, 3, 2, 1]), labels) == pytest.approx(5 / 6)
    # All tied: one threshold, precision 1/2 at recall 1.
    assert average_precision(np.zeros(4), labels) == pytest.approx(0.5)
    # Flagging from 4: F1 2/3; from 2 (three flagged, both positives): F1 0.8, the best.
    assert best_cut(np.array([4.0, 3, 2, 1]), labels) == 2.0
