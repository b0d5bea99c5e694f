"""Rings: a planted ring among random reviewers, crowds at popular places, shared devices and
a property: a planted ring of k ≥ 3 accounts over m ≥ 3 businesses is always recovered."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from integrity_desk.signals.records import ReviewRecord
from integrity_desk.signals.rings import co_reviews, find_rings

D0 = date(2026, 4, 1)


def _review(ref: str, reviewer: str, business: str, day: int, *, device: str | None = None,
            network: str | None = None) -> ReviewRecord:
    return ReviewRecord(ref, reviewer, business, D0 + timedelta(days=day), 5, "",
                        device=device, network=network)


def _background(n_reviewers: int = 80, seed: int = 3) -> list[ReviewRecord]:
    """Unrelated reviewers: each reviews 2-5 of 150 businesses on random days of a year."""
    rng = random.Random(seed)
    out = []
    for r in range(n_reviewers):
        for k in range(rng.randint(2, 5)):
            out.append(_review(f"bg{r}-{k}", f"user{r}", f"shop{rng.randrange(150)}",
                               rng.randrange(365)))
    return out


def _planted(members: list[str], businesses: list[str], *, start: int = 100,
             device: dict[str, str] | None = None) -> list[ReviewRecord]:
    """Every member reviews every business, all within 2 days of each other."""
    return [_review(f"{m}@{b}", m, b, start + 7 * j + (i % 3),
                    device=(device or {}).get(m))
            for j, b in enumerate(businesses) for i, m in enumerate(members)]


def test_a_planted_ring_among_random_reviewers_is_found_exactly() -> None:
    members = ["r1", "r2", "r3", "r4", "r5"]
    places = ["bakery.example", "dentist.example", "garage.example", "spa.example"]
    ring_reviews = _planted(members, places)
    [ring] = find_rings([*_background(), *ring_reviews])
    assert ring.reviewers == tuple(members)
    assert ring.businesses == tuple(places)
    assert ring.reviews == tuple(sorted(r.review for r in ring_reviews))
    assert (ring.density, ring.co_reviews) == (1.0, 10 * 4)  # 10 pairs × 4 businesses
    assert ring.score == 10 * 4.0 * 1.0  # weight 4 on each of 10 edges, density 1
    assert ring.shared_devices == ring.shared_networks == ()
    assert ring.explanation == ("5 accounts reviewed the same 4 businesses within 3 days of "
                                "each other, 40 times in all")
    assert ring.evidence()["reviewers"] == members


def test_random_reviewers_alone_make_no_ring() -> None:
    assert find_rings(_background(200)) == []


def test_a_crowd_at_popular_places_is_not_a_ring() -> None:
    # 80 fans review the stadium and the bar next to it on match day: each pair co-reviewed
    # two businesses within the window, yet a crowd is not a ring.
    fans = [f"fan{n}" for n in range(80)]
    crowd = [_review(f"{f}@{b}", f, b, 10 + n % 2) for n, f in enumerate(fans)
             for b in ("stadium", "bar")]
    assert find_rings([*_background(), *crowd]) == []
    assert co_reviews(crowd, 3) == {}  # and it costs no pairs
    # 30 strangers at one popular place the same day, each also somewhere of their own.
    popular = [_review(f"p{n}", f"local{n}", "cafe", 20) for n in range(30)]
    popular += [_review(f"q{n}", f"local{n}", f"elsewhere{n}", 21) for n in range(30)]
    assert find_rings(popular) == []
    assert len(co_reviews(popular, 3)) == 30 * 29 // 2  # linked once, never twice


def test_reviews_outside_the_window_do_not_link() -> None:
    spread = [_review(f"{m}@{b}", m, b, 30 * j + 5 * i)  # 5 days apart at each business
              for j, b in enumerate(["a", "b", "c"]) for i, m in enumerate(["x", "y", "z"])]
    assert find_rings(spread) == []
    assert len(find_rings(spread, window_days=10)) == 1


def test_a_shared_device_is_named_and_links_on_one_business() -> None:
    members = ["acc-a", "acc-b", "acc-c"]
    device = {"acc-a": "dev-9f", "acc-b": "dev-9f", "acc-c": "dev-9f"}
    # One co-reviewed business is not enough on its own ...
    assert find_rings(_planted(members, ["nails.example"])) == []
    # ... but from one device it is.
    [ring] = find_rings([*_background(), *_planted(members, ["nails.example"], device=device)])
    assert ring.reviewers == tuple(members) and ring.shared_devices == ("dev-9f",)
    assert ring.score == 3 * (1 + 2.0)  # one business and the device bonus on 3 edges
    assert ring.explanation == ("3 accounts reviewed the same business within 3 days of "
                                "each other, 3 times in all; 3 of them used the same device "
                                "(dev-9f)")


def test_rings_rank_by_score_and_networks_are_named() -> None:
    big = _planted([f"big{n}" for n in range(6)], ["a", "b", "c", "d"], start=10)
    small = [_review(f"{m}@{b}", m, b, 50 + i, network="net-10.0.3")
             for b in ("e", "f") for i, m in enumerate(["s1", "s2", "s3"])]
    rings = find_rings([*big, *small])
    assert [r.reviewers[0] for r in rings] == ["big0", "s1"]
    assert rings[1].shared_networks == ("net-10.0.3",)
    assert rings[1].explanation.endswith("; 3 of them used the same network (net-10.0.3)")
    assert rings[1].score == 3 * (2 + 0.5)


@settings(max_examples=30, deadline=None)
@given(k=st.integers(3, 7), m=st.integers(3, 5), seed=st.integers(0, 10_000),
       noise=st.integers(0, 300))
def test_a_planted_ring_is_always_recovered(k: int, m: int, seed: int, noise: int) -> None:
    rng = random.Random(seed)
    members = [f"ring{n}" for n in range(k)]
    places = [f"ringshop{n}" for n in range(m)]
    planted = [_review(f"{a}@{b}", a, b, 3 * j + rng.randint(0, 3))  # within 3 days
               for j, b in enumerate(places) for a in members]
    background = [_review(f"n{n}", f"user{rng.randrange(100)}",
                          rng.choice([*places, *(f"shop{i}" for i in range(40))]),
                          rng.randrange(30, 400)) for n in range(noise)]
    rings = find_rings([*background, *planted], seed=seed % 7)
    assert tuple(members) in [r.reviewers for r in rings]
    found = next(r for r in rings if r.reviewers == tuple(members))
    assert found.businesses == tuple(places) and found.density == 1.0


def test_hangers_on_do_not_hide_a_ring() -> None:
    # Two accounts each share two businesses with one ring member, and nothing else: Leiden
    # may put them in the ring's community, which would dilute it (12 edges of 21 possible)
    # below the density floor; they are peeled off.
    members = ["r1", "r2", "r3", "r4", "r5"]
    planted = _planted(members, ["a", "b", "c", "d"], start=10)
    hangers = [_review(f"{who}@{b}", who, b, 200 + 7 * j + 30 * n)
               for n, (h, r) in enumerate([("h1", "r1"), ("h2", "r2")]) for who in (h, r)
               for j, b in enumerate([f"x{n}", f"y{n}"])]
    [ring] = find_rings([*planted, *hangers])
    assert ring.reviewers == tuple(members)
