"""Reviewer risk: how much an account looks bought or fake, with every part of the score shown.

No single trait convicts an account: a new account is often just new, a five-star fan is often
just pleased. What moderators learn to read is several traits at once, so the score is a
weighted sum of parts, each a number in [0, 1] with the raw figure behind it and a sentence:

- ``account_age``: how young the account was at its first review here (unknown, and 0, when
  the platform gave no creation day). Accounts made for a campaign post within days.
- ``cadence``: the most reviews in any one day or seven days. People eat out a few times a
  week; a script or a paid worker posts ten reviews in an afternoon.
- ``extremity``: the share of 1- and 5-star ratings. Paid praise and paid attacks are extreme.
- ``deviation``: how far the ratings sit from each business's other reviewers (the mean
  without this reviewer), the "rating deviation" of the opinion-spam literature: a bought
  5★ on a 2.5★ restaurant, or a competitor's 1★ on a 4.5★ one.
- ``single_review``: the account's only review. Throwaway accounts review once.
- ``removed``: the share of its reviews moderators already removed.
- ``burst``: the share of its reviews on a business's burst day (``signals.bursts``).
- ``ring``: membership of a ring (accounts reviewing the same businesses within days), at the
  ring's score; ``duplicate``: authorship of a review in a near-duplicate text cluster.

The weights (``WEIGHTS``) sum to 1, so the score is in [0, 1] and adding evidence never lowers
it; docs/investigations.md gives each weight and why, and the YelpChi figures behind them
(``bench/yelpchi_signals.py``). Pure: records and other signals' results in, findings out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from integrity_desk.signals.records import ReviewerRecord, ReviewRecord

YOUNG_DAYS = 90  # an account this old at its first review no longer counts as young at all
DAY_CAP = 5  # reviews in one day that make a full cadence part (one a day is 0)
WEEK_CAP = 10  # reviews in any seven days that make a full cadence part
DEVIATION_CAP = 2.5  # stars away from the business's other reviewers that make a full part

# Hand-set from what each part proves (docs/investigations.md, "Reviewer risk"), then checked
# on the tune half of YelpChi (bench/yelpchi_signals.py): there they rank spammers with an
# average precision of 0.274, against 0.277 for weights fitted to that half, so the reasoned
# weights stay. Ring, duplicate, removed and age YelpChi cannot measure.
WEIGHTS: Mapping[str, float] = {
    "account_age": 0.08, "cadence": 0.12, "extremity": 0.05, "deviation": 0.12,
    "single_review": 0.08, "removed": 0.10, "burst": 0.10, "ring": 0.20, "duplicate": 0.15,
}
PARTS = tuple(WEIGHTS)
# A review's own features beside its author's risk (score_reviews). The author leads: most
# accounts review once, so the author's extremity and deviation already are the review's, and
# on YelpChi's tune half more weight on the review's own rating only lowered the ranking
# (AP 0.246 at 0.5 for the author, 0.253 at 0.7, 0.265 at 1). Bursts and duplicates keep a
# share for what YelpChi barely shows (95 reviews on burst days, no duplicate texts to speak of).
REVIEW_WEIGHTS: Mapping[str, float] = {
    "reviewer": 0.70, "extreme": 0.05, "deviation": 0.10, "burst": 0.05, "duplicate": 0.10,
}


@dataclass(frozen=True)
class RiskPart:
    name: str
    value: float  # in [0, 1]
    raw: float | None  # the figure the value was read from (days, reviews, stars, share)
    weight: float
    explanation: str

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class ReviewerRisk:
    reviewer: str
    score: float  # in [0, 1]
    reviews: int
    parts: tuple[RiskPart, ...]
    explanation: str

    def part(self, name: str) -> RiskPart:
        return next(p for p in self.parts if p.name == name)

    def evidence(self) -> dict[str, object]:
        return {"reviewer": self.reviewer, "score": round(self.score, 4),
                "reviews": self.reviews,
                "parts": [{"name": p.name, "value": round(p.value, 4), "raw": p.raw,
                           "weight": p.weight, "explanation": p.explanation}
                          for p in self.parts]}


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class BusinessMeans:
    """Each business's mean rating without a given reviewer's own ratings of it."""

    def __init__(self, reviews: Iterable[ReviewRecord]) -> None:
        # [sum, count] per business and per (business, reviewer); plain dicts filled by hand
        # (a defaultdict's factory per key was a third of scoring a big business's reviewers)
        self.total: dict[str, list[float]] = {}
        self.own: dict[tuple[str, str], list[float]] = {}
        total, own = self.total, self.own
        for r in reviews:
            rating = r.rating
            if rating is not None:
                acc = total.get(r.business)
                if acc is None:
                    total[r.business] = [0.0 + rating, 1]
                else:
                    acc[0] += rating
                    acc[1] += 1
                key = (r.business, r.reviewer)
                acc = own.get(key)
                if acc is None:
                    own[key] = [0.0 + rating, 1]
                else:
                    acc[0] += rating
                    acc[1] += 1

    def without(self, business: str, reviewer: str) -> float | None:
        total = self.total.get(business)
        if total is None:
            return None
        own = self.own.get((business, reviewer))
        if own is None:
            return total[0] / total[1] if total[1] > 0 else None
        if total[1] - own[1] <= 0:
            return None
        return (total[0] - own[0]) / (total[1] - own[1])


def _max_in_window(days: Sequence[date], span: int) -> int:
    """The most of ``days`` (sorted) inside any ``span`` consecutive days."""
    best, start = 0, 0
    for end, day in enumerate(days):
        while day - days[start] >= timedelta(days=span):
            start += 1
        best = max(best, end - start + 1)
    return best


def _parts(own: list[ReviewRecord], account: ReviewerRecord | None, means: BusinessMeans,
           ring: float | None, duplicate: bool, bursts: Collection[str],
           weights: Mapping[str, float]) -> list[RiskPart]:
    """The parts of one account's risk, each with its sentence (``_score`` is the same sum
    without them, for the accounts a run drops)."""
    n = len(own)
    days = sorted(r.day for r in own)
    out: list[RiskPart] = []

    def add(name: str, value: float, raw: float | None, sentence: str) -> None:
        out.append(RiskPart(name, _clip(value), raw, weights.get(name, 0.0), sentence))

    if account is None or account.joined is None:
        add("account_age", 0.0, None, "the account's creation day is unknown")
    else:
        age = max(0, (days[0] - account.joined).days)
        add("account_age", 1 - age / YOUNG_DAYS, age,
            f"the account was {_plural(age, 'day')} old at its first review")
    per_day, per_week = _max_in_window(days, 1), _max_in_window(days, 7)
    add("cadence", max((per_day - 1) / (DAY_CAP - 1), (per_week - 1) / (WEEK_CAP - 1)),
        per_day, f"it posted up to {_plural(per_day, 'review')} in one day and "
                 f"{per_week} in seven days")
    rated = [r for r in own if r.rating is not None]
    extreme = sum(r.rating in (1, 5) for r in rated)
    share = extreme / len(rated) if rated else 0.0
    add("extremity", share, round(share, 4),
        f"{extreme} of its {_plural(len(rated), 'rated review')} are 1 or 5 stars")
    gaps = [abs(r.rating - m) for r in rated
            if r.rating is not None and (m := means.without(r.business, r.reviewer)) is not None]
    gap = sum(gaps) / len(gaps) if gaps else 0.0
    add("deviation", gap / DEVIATION_CAP, round(gap, 4),
        f"its ratings sit {gap:.1f} stars from other reviewers of the same businesses "
        "on average" if gaps else "no other reviewer rated its businesses")
    add("single_review", float(n == 1), n,
        "this is the account's only review" if n == 1 else f"it wrote {n} reviews")
    removed = sum(r.status == "removed" for r in own)
    add("removed", removed / n, removed,
        f"moderators removed {removed} of its {_plural(n, 'review')}")
    on_burst = sum(r.review in bursts for r in own)
    add("burst", on_burst / n, on_burst,
        f"{on_burst} of its {_plural(n, 'review')} fell on a business's burst day")
    add("ring", ring or 0.0, ring,
        "it belongs to a ring of accounts reviewing the same businesses within days "
        f"(ring score {ring:.2f})" if ring is not None else "it is in no ring")
    add("duplicate", float(duplicate), float(duplicate),
        "it wrote a review whose text nearly duplicates others" if duplicate
        else "none of its texts is a near-duplicate")
    return out


def _score(own: list[ReviewRecord], account: ReviewerRecord | None, means: BusinessMeans,
           ring: float | None, duplicate: bool, bursts: Collection[str],
           weights: Mapping[str, float], total: float) -> float:
    """The score ``_parts`` would give, as bare arithmetic: the same values clipped the same
    way and summed in the same order (so the same float), without the nine ``RiskPart`` objects
    and their sentences. A business run scores every reviewer (80,000 of them on a business of
    100,000 reviews) and keeps only the few above the floor; building the parts was most of the
    cost."""
    n = len(own)
    if n == 1:
        r = own[0]
        days = [r.day]
        per_day = per_week = 1
    else:
        days = sorted(r.day for r in own)
        per_day, per_week = _max_in_window(days, 1), _max_in_window(days, 7)
    if account is None or account.joined is None:
        age_value = 0.0
    else:
        age_value = 1 - max(0, (days[0] - account.joined).days) / YOUNG_DAYS
    rated = extreme = 0
    gaps = 0.0
    gap_count = 0
    removed = on_burst = 0
    for r in own:
        if r.rating is not None:
            rated += 1
            extreme += r.rating in (1, 5)
            m = means.without(r.business, r.reviewer)
            if m is not None:
                gaps += abs(r.rating - m)
                gap_count += 1
        removed += r.status == "removed"
        on_burst += r.review in bursts
    share = extreme / rated if rated else 0.0
    # the gaps are summed in the same order as _parts' sum() over its list: the same float
    gap = gaps / gap_count if gap_count else 0.0
    values = (age_value,
              max((per_day - 1) / (DAY_CAP - 1), (per_week - 1) / (WEEK_CAP - 1)),
              share, gap / DEVIATION_CAP, float(n == 1), removed / n, on_burst / n,
              ring or 0.0, float(duplicate))
    summed: float = 0
    for name, value in zip(PARTS, values, strict=True):
        summed += _clip(value) * weights.get(name, 0.0)
    return _clip(summed / total)


def _explain(score: float, parts: Sequence[RiskPart]) -> str:
    top = sorted((p for p in parts if p.contribution > 0), key=lambda p: -p.contribution)[:3]
    if not top:
        return "Risk 0.00: no sign of risk in any part measured."
    words = [p.explanation for p in top]
    listed = words[0] if len(words) == 1 else "; ".join(words[:-1]) + "; and " + words[-1]
    return f"Risk {score:.2f}, mostly because {listed}."


def score_reviewers(reviews: Iterable[ReviewRecord],
                    reviewers: Mapping[str, ReviewerRecord] | None = None, *,
                    ring_members: Mapping[str, float] | None = None,
                    duplicate_members: Collection[str] = (),
                    burst_reviews: Collection[str] = (), today: date | None = None,
                    weights: Mapping[str, float] | None = None, drop_below: float = 0.0
                    ) -> dict[str, ReviewerRisk]:
    """Every reviewer of ``reviews`` (as of ``today``: later reviews are ignored) with its
    risk. ``ring_members`` maps a reviewer to the score of its ring (the highest, if several),
    ``duplicate_members`` holds the reviewers in near-duplicate clusters, ``burst_reviews`` the
    review refs on burst days; ``weights`` replaces ``WEIGHTS`` (a measurement tunes them).
    Accounts scoring below ``drop_below`` are left out: only their bare score is computed (a run
    over a business sees every account and keeps a few; their parts and words cost most)."""
    rows = [r for r in reviews if today is None or r.day <= today]
    weights = WEIGHTS if weights is None else weights
    total = sum(weights.get(p, 0.0) for p in PARTS) or 1.0
    means, bursts = BusinessMeans(rows), set(burst_reviews)
    by_reviewer: dict[str, list[ReviewRecord]] = defaultdict(list)
    for r in rows:
        by_reviewer[r.reviewer].append(r)
    rings, dups = ring_members or {}, set(duplicate_members)
    out: dict[str, ReviewerRisk] = {}
    for ref, own in by_reviewer.items():
        account = (reviewers or {}).get(ref)
        if drop_below > 0.0 and _score(own, account, means, rings.get(ref), ref in dups,
                                       bursts, weights, total) < drop_below:
            continue
        parts = _parts(own, account, means, rings.get(ref), ref in dups, bursts, weights)
        score = _clip(sum(p.contribution for p in parts) / total)
        out[ref] = ReviewerRisk(ref, score, len(own), tuple(parts), _explain(score, parts))
    return out


def review_features(reviews: Iterable[ReviewRecord], risks: Mapping[str, ReviewerRisk], *,
                    burst_reviews: Collection[str] = (),
                    duplicate_reviews: Collection[str] = ()) -> dict[str, dict[str, float]]:
    """Each review's features in [0, 1]: its author's risk, an extreme rating, its distance
    from the business's other reviewers, on a burst day, in a near-duplicate cluster."""
    rows = list(reviews)
    means, bursts, dups = BusinessMeans(rows), set(burst_reviews), set(duplicate_reviews)
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        mean = means.without(r.business, r.reviewer)
        gap = abs(r.rating - mean) if r.rating is not None and mean is not None else 0.0
        risk = risks.get(r.reviewer)
        out[r.review] = {"reviewer": risk.score if risk else 0.0,
                         "extreme": float(r.rating in (1, 5)),
                         "deviation": _clip(gap / DEVIATION_CAP),
                         "burst": float(r.review in bursts),
                         "duplicate": float(r.review in dups)}
    return out


def score_reviews(reviews: Iterable[ReviewRecord], risks: Mapping[str, ReviewerRisk], *,
                  burst_reviews: Collection[str] = (), duplicate_reviews: Collection[str] = (),
                  weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Each review's risk in [0, 1]: its author's risk (``score_reviewers``) beside its own
    features, by ``REVIEW_WEIGHTS`` (or ``weights``)."""
    weights = REVIEW_WEIGHTS if weights is None else weights
    total = sum(weights.values()) or 1.0
    features = review_features(reviews, risks, burst_reviews=burst_reviews,
                               duplicate_reviews=duplicate_reviews)
    return {ref: _clip(sum(weights.get(k, 0.0) * v for k, v in f.items()) / total)
            for ref, f in features.items()}

