"""Bursts against hand-worked series: the baseline, the spread, the score and the words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrity_desk.signals.bursts import DayCounts, find_bursts, robust_baseline

D0 = date(2026, 3, 1)


def _series(counts: list[int], ratings: list[dict[int, int]] | None = None) -> list[DayCounts]:
    return [DayCounts(D0 + timedelta(days=n), c, ratings[n] if ratings else None)
            for n, c in enumerate(counts)]


def test_the_robust_baseline_by_hand() -> None:
    # median 3.5; deviations 1.5, .5, .5, .5, 1.5, 26.5 → MAD 1; spread 1.4826.
    assert robust_baseline([2, 3, 3, 4, 5, 30]) == (3.5, pytest.approx(1.4826 * 1.0))
    assert robust_baseline([2, 2, 2, 2]) == (2, 1.0)  # a flat history: the floor


def test_a_campaign_day_stands_out_and_says_why() -> None:
    usual = [2, 3, 2, 4, 3, 2, 3] * 4  # 28 days: median 3, MAD 1 → spread 1.4826
    [burst] = find_bursts(_series([*usual, 40]))
    assert (burst.kind, burst.observed, burst.baseline, burst.excess) == ("volume", 40, 3, 37)
    assert burst.score == pytest.approx(37 / 1.4826)
    assert burst.explanation == (
        "40 reviews on 2026-03-29, where this business usually gets 3 a day (median of the 28 "
        "days before); 37 more than usual, 25.0 times its usual day-to-day spread")
    assert burst.evidence()["history_days"] == 28


def test_small_or_early_rises_are_not_bursts() -> None:
    quiet = [0] * 30
    assert find_bursts(_series([*quiet, 4])) == []  # 4 above a median of 0: under min_excess
    assert find_bursts(_series([2, 3, 60])) == []  # two days of history say too little
    # A past burst in the window hardly moves the median: the next one still shows.
    usual = [2, 3, 2, 4, 3, 2, 3] * 4
    found = find_bursts(_series([*usual, 40, *usual[:10], 45]))
    assert [b.observed for b in found if b.kind == "volume"] == [40, 45]


def test_a_rating_mix_shift_on_an_ordinary_volume() -> None:
    mix = {4: 4, 3: 2, 5: 1, 1: 1}  # 8 a day, a quarter extreme
    ratings = [mix] * 28 + [{5: 8}]
    found = find_bursts(_series([8] * 29, ratings))
    assert [(b.kind, b.observed, b.baseline) for b in found] == [("rating_mix", 1.0, 0.25)]
    assert found[0].explanation.startswith("100% of the 8 reviews on 2026-03-29 are 1 or 5 "
                                           "stars, where 25% usually are")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=20, max_size=60))
def test_a_planted_spike_is_always_found(counts: list[int]) -> None:
    spike = max(counts) + 40
    found = find_bursts(_series([*counts, spike]))
    assert any(b.kind == "volume" and b.observed == spike for b in found)
