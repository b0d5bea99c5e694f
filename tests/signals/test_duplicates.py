"""Near-duplicate texts: planted copies among unrelated texts, short texts, two scripts, the
words of the explanation and a property: an exact copy is always found with its original."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from integrity_desk.signals.duplicates import (
    find_duplicates,
    jaccard,
    normalise,
    shingles,
    sketches,
)
from integrity_desk.signals.records import ReviewRecord

D0 = date(2026, 3, 2)

TEMPLATE = ("Absolutely the best dentist in town, Dr. Weber explained every step and the "
            "cleaning was painless. The staff are friendly and the waiting room is spotless!")
COPIES = [
    TEMPLATE,
    TEMPLATE.replace("best", "finest"),
    TEMPLATE.replace("friendly", "so kind").upper(),  # case is not a difference
    TEMPLATE.replace("spotless", "very clean").replace(" ", "   "),  # nor is spacing
    TEMPLATE.replace("Dr. Weber", "Dr. Weber himself"),
]
UNRELATED = [
    "We waited forty minutes for a table and the soup arrived cold; the manager apologised.",
    "Parking is a nightmare on weekends, but the bakery's croissants are worth the detour.",
    "The plumber fixed the leak in under an hour and charged exactly what he had quoted.",
    "Rooms were small and the wifi dropped every few minutes, though breakfast was generous.",
    "My dog loves the groomers here; they always send a photo when he is ready to collect.",
    "Terrible customer service on the phone, nobody called back about my broken washing machine.",
]


def _review(ref: str, text: str, *, reviewer: str | None = None, business: str = "b1",
            day: int = 0) -> ReviewRecord:
    return ReviewRecord(ref, reviewer or f"u-{ref}", business, D0 + timedelta(days=day), 5, text)


def test_planted_copies_are_one_cluster_with_the_right_members_and_words() -> None:
    reviews = [_review(f"c{n}", text, reviewer=f"r{17 + n}", business=f"b{n % 3}", day=n)
               for n, text in enumerate(COPIES)]
    reviews += [_review(f"x{n}", text, day=n) for n, text in enumerate(UNRELATED)]
    [cluster] = find_duplicates(reversed(reviews))  # input order does not matter
    assert [m.review for m in cluster.members] == ["c0", "c1", "c2", "c3", "c4"]
    assert cluster.representative.similarity == 1.0
    assert (cluster.reviewers, cluster.businesses) == (5, 3)
    low = min(m.similarity for m in cluster.members)
    assert 0.8 <= low < 1.0
    assert cluster.members[2].similarity == round(jaccard(
        shingles(normalise(COPIES[0])), shingles(normalise(COPIES[2]))), 4)
    high = max(m.similarity for m in cluster.members[1:])
    assert cluster.explanation == (
        f"5 reviews by 5 accounts share almost the same text (similarity {low:.2f}–{high:.2f} "
        "to the earliest, of 2026-03-02 by reviewer r17), on 3 businesses")
    evidence = cluster.evidence()
    assert evidence["representative"] == "c0" and evidence["reviews"] == 5
    assert evidence["members"][1] == {"review": "c1", "reviewer": "r18", "business": "b1",
                                      "day": "2026-03-03",
                                      "similarity": cluster.members[1].similarity}


def test_short_texts_and_unrelated_texts_are_not_copies() -> None:
    reviews = [_review(f"s{n}", "Great place, loved it!") for n in range(5)]  # < 40 characters
    reviews += [_review(f"x{n}", text) for n, text in enumerate(UNRELATED)]
    assert find_duplicates(reviews) == []
    # With the floor lowered, the short copies are one cluster after all.
    [short] = find_duplicates(reviews, min_chars=10)
    assert {m.review for m in short.members} == {f"s{n}" for n in range(5)}


def test_two_scripts_each_find_their_own_copies() -> None:
    greek = ("Εξαιρετικό εστιατόριο στην Πλάκα, το φαγητό ήταν φρέσκο και το προσωπικό πολύ "
             "ευγενικό. Θα ξαναέρθουμε σίγουρα με την οικογένεια!")
    latin = ("Ristorante eccellente a Trastevere, il cibo era freschissimo e il personale "
             "molto gentile. Torneremo sicuramente con tutta la famiglia!")
    reviews = [_review("g1", greek, day=1), _review("g2", greek.replace("Πλάκα", "Κηφισιά"),
                                                    day=2),
               _review("g3", greek.upper(), day=3),
               _review("l1", latin, day=0), _review("l2", latin.replace("eccellente", "ottimo")),
               *[_review(f"x{n}", text) for n, text in enumerate(UNRELATED)]]
    clusters = find_duplicates(reviews)
    assert [[m.review for m in c.members] for c in clusters] == [["g1", "g2", "g3"],
                                                                 ["l1", "l2"]]
    assert clusters[1].members[1].similarity > 0.8  # ottimo for eccellente: one word


def test_one_account_posting_twice_on_one_business_is_said_so() -> None:
    reviews = [_review("a1", TEMPLATE, reviewer="r5", business="dentist.example", day=0),
               _review("a2", TEMPLATE + " ", reviewer="r5", business="dentist.example", day=4)]
    [cluster] = find_duplicates(reviews)
    assert (cluster.reviewers, cluster.businesses) == (1, 1)
    assert cluster.explanation == (
        "2 reviews by one account share almost the same text (similarity 1.00 to the "
        "earliest, of 2026-03-02 by reviewer r5); all by the same account on the same "
        "business (dentist.example): possibly a re-post rather than a copy")


def test_clusters_come_largest_first_and_sketches_are_deterministic() -> None:
    reviews = [_review(f"l{n}", UNRELATED[1], day=n) for n in range(2)]
    reviews += [_review(f"c{n}", text, day=n) for n, text in enumerate(COPIES)]
    sizes = [len(c.members) for c in find_duplicates(reviews)]
    assert sizes == [5, 2]
    texts = [normalise(t) for t in COPIES + UNRELATED]
    assert (sketches(texts) == sketches(texts)).all()
    assert not (sketches(texts, seed=1) == sketches(texts, seed=2)).all()


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzαβγδεζηθ", min_size=1, max_size=10)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(words, min_size=12, max_size=40).map(" ".join), min_size=1,
                max_size=25), st.data())
def test_an_exact_copy_is_always_clustered_with_its_original(texts: list[str],
                                                           data: st.DataObject) -> None:
    n = data.draw(st.integers(0, len(texts) - 1))
    reviews = [_review(f"t{i}", text, day=i) for i, text in enumerate(texts)]
    reviews.append(_review("copy", texts[n].upper(), day=len(texts)))  # case folds away
    clusters = find_duplicates(reviews, min_chars=20)
    homes = [c for c in clusters if "copy" in {m.review for m in c.members}]
    if len(normalise(texts[n])) < 20:  # too short to count: in no cluster at all
        assert homes == []
        return
    [home] = homes
    assert f"t{n}" in {m.review for m in home.members}


def test_the_clusters_do_not_depend_on_the_order_the_reviews_come_in() -> None:
    import random as _random

    rng = _random.Random(4)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
             "kappa", "lambda", "mu", "nu", "xi"]
    base = " ".join(rng.choices(words, k=40))
    records = []
    for i in range(40):  # copies drifting word by word: alike in chains, not all pairwise
        text = base.split()
        for k in range(i // 4):
            text[(7 * k + i) % len(text)] = rng.choice(words)
        records.append(ReviewRecord(f"c{i}", f"u{i}", "shop.example.com",
                                    date(2026, 1, 1 + i % 28), 5, " ".join(text)))
    for i in range(200):
        text = " ".join(rng.choices(words, k=40))
        records.append(ReviewRecord(f"n{i}", f"v{i}", "shop.example.com",
                                    date(2026, 2, 1 + i % 28), 4, text))
    expected = [[m.review for m in c.members] for c in find_duplicates(records)]
    for seed in range(3):
        shuffled = list(records)
        _random.Random(seed).shuffle(shuffled)
        assert [[m.review for m in c.members] for c in find_duplicates(shuffled)] == expected
