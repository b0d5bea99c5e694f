"""Reviewer risk against hand-worked accounts: each part, the sum, the words, and properties."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrity_desk.signals.records import ReviewerRecord, ReviewRecord
from integrity_desk.signals.risk import WEIGHTS, score_reviewers, score_reviews

D0 = date(2026, 3, 1)


def _world() -> tuple[list[ReviewRecord], dict[str, ReviewerRecord]]:
    """Three locals rate fifteen businesses 2★, one a week; an account made on D0 posts ten
    5★ reviews of b0-b9 on D0+1; an old account reviews b10-b14 weekly at 2★ and 3★."""
    reviews = [ReviewRecord(f"{who}-{b}", who, f"b{b}", D0 - timedelta(days=7 * b + n), 2)
               for n, who in enumerate(("l0", "l1", "l2")) for b in range(15)]
    reviews += [ReviewRecord(f"spam-{b}", "spam", f"b{b}", D0 + timedelta(days=1), 5)
                for b in range(10)]
    reviews += [ReviewRecord(f"old-{b}", "old", f"b{b}", D0 + timedelta(days=7 * (b - 10)),
                             2 + b % 2) for b in range(10, 15)]
    accounts = {"spam": ReviewerRecord("spam", D0), "old": ReviewerRecord("old", date(2020, 1, 1))}
    return reviews, accounts


def test_a_young_one_sided_burst_poster_outscores_an_old_balanced_reviewer() -> None:
    reviews, accounts = _world()
    risks = score_reviewers(reviews, accounts)
    spam, old = risks["spam"], risks["old"]
    values = {p.name: (p.value, p.raw) for p in spam.parts}
    assert values == {"account_age": (pytest.approx(89 / 90), 1), "cadence": (1.0, 10),
                      "extremity": (1.0, 1.0), "deviation": (1.0, 3.0),
                      "single_review": (0.0, 10), "removed": (0.0, 0), "burst": (0.0, 0),
                      "ring": (0.0, None), "duplicate": (0.0, 0.0)}
    assert spam.score == pytest.approx(0.08 * 89 / 90 + 0.12 + 0.05 + 0.12)
    # The old account: 11 and more years old, one a week, no 1★/5★, 0.4 stars off on average.
    assert {p.name: p.value for p in old.parts if p.value} == {"deviation": pytest.approx(0.16)}
    assert old.score == pytest.approx(0.12 * 0.16)
    assert spam.score > old.score
    assert spam.explanation == (
        "Risk 0.37, mostly because it posted up to 10 reviews in one day and 10 in seven days; "
        "its ratings sit 3.0 stars from other reviewers of the same businesses on average; and "
        "the account was 1 day old at its first review.")
    assert json.loads(json.dumps(spam.evidence()))["parts"][1]["name"] == "cadence"


def test_unknown_age_and_a_single_review() -> None:
    risks = score_reviewers([ReviewRecord("r1", "once", "b", D0, 4)])
    age, single = risks["once"].part("account_age"), risks["once"].part("single_review")
    assert (age.value, age.raw, age.explanation) == (0.0, None,
                                                     "the account's creation day is unknown")
    assert (single.value, single.explanation) == (1.0, "this is the account's only review")
    assert risks["once"].part("deviation").explanation == "no other reviewer rated its businesses"


def test_removed_reviews_and_burst_days_count_as_shares() -> None:
    reviews = [ReviewRecord(f"r{n}", "x", "b", D0 + timedelta(days=8 * n), 3,
                            status="removed" if n == 0 else "published") for n in range(4)]
    risk = score_reviewers(reviews, burst_reviews={"r1", "r2"})["x"]
    removed, burst = risk.part("removed"), risk.part("burst")
    assert (removed.value, removed.raw) == (0.25, 1)
    assert removed.explanation == "moderators removed 1 of its 4 reviews"
    assert (burst.value, burst.raw) == (0.5, 2)
    assert risk.score == pytest.approx(0.10 * 0.25 + 0.10 * 0.5)
    assert "moderators removed 1 of its 4 reviews" in risk.explanation


def test_ring_and_duplicate_membership_lift_the_score() -> None:
    reviews, accounts = _world()
    before = score_reviewers(reviews, accounts)["old"]
    after = score_reviewers(reviews, accounts, ring_members={"old": 0.8},
                            duplicate_members={"old"})["old"]
    assert after.part("ring").value == 0.8
    assert after.score == pytest.approx(before.score + 0.20 * 0.8 + 0.15)
    assert after.explanation.startswith(
        "Risk 0.33, mostly because it belongs to a ring of accounts reviewing the same "
        "businesses within days (ring score 0.80); it wrote a review whose text nearly")


def test_today_ignores_later_reviews() -> None:
    reviews, accounts = _world()
    assert "spam" not in score_reviewers(reviews, accounts, today=D0)


def test_a_review_scores_its_author_and_itself() -> None:
    reviews, accounts = _world()
    risks = score_reviewers(reviews, accounts)
    scores = score_reviews(reviews, risks, burst_reviews={"spam-0"},
                           duplicate_reviews={"spam-0"})
    # spam-1: author 0.369 × .7, 5★ .05, 3 stars off (full) .10 → 0.408
    assert scores["spam-1"] == pytest.approx(0.7 * risks["spam"].score + 0.05 + 0.10)
    assert scores["spam-0"] == pytest.approx(scores["spam-1"] + 0.05 + 0.10)
    assert scores["old-10"] == pytest.approx(0.7 * risks["old"].score)  # 2★ where others 2★
    assert all(0 <= s <= 1 for s in scores.values())


def test_the_weights_sum_to_one() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


_review = st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz"), st.integers(0, 30),
                    st.one_of(st.none(), st.integers(1, 5)),
                    st.sampled_from(("published", "removed", "hidden")))


@settings(max_examples=60, deadline=None)
@given(st.lists(_review, min_size=1, max_size=40),
       st.dictionaries(st.sampled_from("abcd"), st.integers(-5, 400)),
       st.dictionaries(st.sampled_from("abcd"), st.floats(0, 1)),
       st.sampled_from("abcd"), st.floats(0, 1))
def test_scores_stay_in_range_and_a_ring_never_lowers_them(
        rows: list[tuple[str, str, int, int | None, str]], ages: dict[str, int],
        rings: dict[str, float], joiner: str, ring_score: float) -> None:
    reviews = [ReviewRecord(f"r{n}", who, biz, D0 + timedelta(days=day), rating, status=status)
               for n, (who, biz, day, rating, status) in enumerate(rows)]
    accounts = {who: ReviewerRecord(who, D0 - timedelta(days=age)) for who, age in ages.items()}
    bursts = {r.review for r in reviews[::3]}
    before = score_reviewers(reviews, accounts, ring_members=rings, burst_reviews=bursts)
    lifted = {**rings, joiner: max(rings.get(joiner, 0.0), ring_score)}
    after = score_reviewers(reviews, accounts, ring_members=lifted, burst_reviews=bursts)
    for ref, risk in before.items():
        assert 0.0 <= risk.score <= 1.0
        assert all(0.0 <= p.value <= 1.0 for p in risk.parts)
        assert after[ref].score >= risk.score - 1e-12
    assert all(0.0 <= s <= 1.0 for s in score_reviews(reviews, after).values())


@settings(max_examples=60, deadline=None)
@given(st.lists(_review, min_size=1, max_size=40),
       st.dictionaries(st.sampled_from("abcd"), st.integers(-5, 400)),
       st.dictionaries(st.sampled_from("abcd"), st.floats(0, 1)),
       st.sets(st.sampled_from("abcd")), st.floats(0.01, 1))
def test_dropping_the_low_scores_keeps_the_others_exactly(
        rows: list[tuple[str, str, int, int | None, str]], ages: dict[str, int],
        rings: dict[str, float], dups: set[str], floor: float) -> None:
    """drop_below scores by bare arithmetic: the accounts it keeps, and their scores to the
    last bit, are those of the full parts."""
    reviews = [ReviewRecord(f"r{n}", who, biz, D0 + timedelta(days=day), rating, status=status)
               for n, (who, biz, day, rating, status) in enumerate(rows)]
    accounts = {who: ReviewerRecord(who, D0 - timedelta(days=age)) for who, age in ages.items()}
    bursts = {r.review for r in reviews[::3]}
    full = score_reviewers(reviews, accounts, ring_members=rings, duplicate_members=dups,
                           burst_reviews=bursts)
    kept = score_reviewers(reviews, accounts, ring_members=rings, duplicate_members=dups,
                           burst_reviews=bursts, drop_below=floor)
    assert kept == {ref: risk for ref, risk in full.items() if risk.score >= floor}
