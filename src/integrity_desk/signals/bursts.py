"""Bursts: a business's reviews on a day depart from its own history.

A campaign shows as a day (or a few) with far more reviews than the business usually gets, or
with a rating mix unlike its usual one (forty five-star reviews where it gets two a day, mostly
four-star). The baseline is the business's own trailing weeks, robustly: the median and the
median absolute deviation (MAD), which a past burst in the window barely moves, unlike a mean
and standard deviation. A day is a burst when its count exceeds the median by more than
``threshold`` robust standard deviations (1.4826 × MAD, the MAD's scale for normal data) *and*
by at least ``min_excess`` reviews, so a quiet business going from 0 to 2 is not a campaign.
The rating mix is tested the same way on the day's share of extreme ratings (1 or 5 stars).

Pure: days and counts in, findings out, each with the words a moderator reads and the numbers
behind them (the baseline, the excess), so the evidence stored with a signal is its own
explanation (issue "Review data and fraud signals"; docs/investigations.md).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

MAD_SCALE = 1.4826  # MAD × this estimates the standard deviation of normal data
WINDOW_DAYS = 56  # eight trailing weeks
MIN_HISTORY_DAYS = 14  # fewer days of history say too little about "usual"
THRESHOLD = 3.5  # robust z-score above which a day is a burst
MIN_EXCESS = 5  # and at least this many reviews above the median
MIN_SPREAD = 1.0  # a floor on the robust spread: a flat history is not infinitely sure


@dataclass(frozen=True)
class DayCounts:
    """One business's reviews on one day: how many, and how many with each rating (1-5)."""

    day: date
    count: int
    ratings: Mapping[int, int] | None = None

    @property
    def extreme_share(self) -> float | None:
        if not self.ratings or not self.count:
            return None
        return (self.ratings.get(1, 0) + self.ratings.get(5, 0)) / self.count


@dataclass(frozen=True)
class Burst:
    day: date
    kind: str  # volume | rating_mix
    observed: float
    baseline: float  # the trailing median
    spread: float  # the robust standard deviation used
    score: float  # robust z-score
    excess: float  # observed − baseline
    history_days: int
    explanation: str

    def evidence(self) -> dict[str, object]:
        return {"day": self.day.isoformat(), "kind": self.kind, "observed": self.observed,
                "baseline": self.baseline, "spread": round(self.spread, 4),
                "score": round(self.score, 2), "excess": self.excess,
                "history_days": self.history_days}


def robust_baseline(values: Sequence[float]) -> tuple[float, float]:
    """Median and robust standard deviation (1.4826 × MAD, floored at MIN_SPREAD)."""
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return median, max(MAD_SCALE * mad, MIN_SPREAD)


def find_bursts(series: Sequence[DayCounts], *, window: int = WINDOW_DAYS,
                threshold: float = THRESHOLD, min_excess: int = MIN_EXCESS,
                min_history: int = MIN_HISTORY_DAYS) -> list[Burst]:
    """Every day of ``series`` (one business, any order) that departs from the trailing
    ``window`` days before it, in volume or in its share of extreme ratings.

    Only a day with ``min_excess`` reviews or more can be either kind of burst, so only those
    are looked at; their histories are slices of one dense array of the business's days (a
    business with years of reviews has thousands of days, most of them ordinary)."""
    days = {d.day: d for d in series}
    if not days:
        return []
    first = min(days)
    span = (max(days) - first).days + 1
    counts = [0] * span
    shares: list[float | None] = [None] * span
    for d in days.values():
        index = (d.day - first).days
        counts[index], shares[index] = d.count, d.extreme_share
    out: list[Burst] = []
    for day in sorted(days):
        today = days[day]
        if today.count < min_excess:
            continue  # neither burst is possible below the absolute floor
        index = (day - first).days
        start = max(0, index - window)
        history = counts[start:index]
        if len(history) < min_history:
            continue
        median, spread = robust_baseline(history)
        score = (today.count - median) / spread
        excess = today.count - median
        if score > threshold and excess >= min_excess:
            out.append(Burst(day, "volume", today.count, median, spread, score, excess,
                             len(history), (
                                 f"{today.count} reviews on {day.isoformat()}, where this "
                                 f"business usually gets {median:g} a day (median of the "
                                 f"{len(history)} days before); {excess:g} more than usual, "
                                 f"{score:.1f} times its usual day-to-day spread")))
        burst = _rating_mix(today, [v for v in shares[start:index] if v is not None],
                            len(history), threshold, min_excess)
        if burst is not None:
            out.append(burst)
    return out


def _rating_mix(today: DayCounts, past: list[float], history_days: int, threshold: float,
                min_excess: int) -> Burst | None:
    """The day's share of 1- and 5-star reviews against the usual share (``past``: the
    shares of the days with reviews in the window), on days with enough reviews to have a mix
    at all."""
    share = today.extreme_share
    if share is None or today.count < min_excess or len(past) < MIN_HISTORY_DAYS // 2:
        return None
    median, mad = statistics.median(past), statistics.median(abs(p - statistics.median(past))
                                                               for p in past)
    spread = max(MAD_SCALE * mad, 0.05)  # shares: a floor of five points
    score = (share - median) / spread
    if score <= threshold:
        return None
    return Burst(today.day, "rating_mix", round(share, 4), round(median, 4), spread, score,
                 round(share - median, 4), history_days, (
                     f"{share:.0%} of the {today.count} reviews on {today.day.isoformat()} "
                     f"are 1 or 5 stars, where {median:.0%} usually are (median of "
                     f"{len(past)} days with reviews before)"))
