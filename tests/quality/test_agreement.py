"""Agreement measures against worked examples: Krippendorff's own nominal example (α = 0.743,
kpis.md), a small one worked by hand with a missing rating, Cohen's kappa from its textbook
table, and the cases where a measure has nothing to stand on."""

from __future__ import annotations

import pytest

from integrity_desk.quality.agreement import (
    agreement_with,
    alpha_by,
    cohens_kappa,
    disagreement,
    krippendorff_alpha,
    pairwise_kappa,
)

# kpis.md: 4 coders × 12 units, "*" = no rating; rows are coders.
REFERENCE = """
1 2 3 3 2 1 4 1 2 * * *
1 2 3 3 2 2 4 1 2 5 * 3
* 3 3 3 2 3 4 2 2 5 1 *
1 2 3 3 2 4 4 1 2 5 1 *
"""


def _ratings(table: str) -> dict[str, dict[int, str]]:
    rows = [line.split() for line in table.strip().splitlines()]
    return {f"coder{r}": {u: v for u, v in enumerate(row) if v != "*"}
            for r, row in enumerate(rows)}


def test_krippendorffs_own_example_comes_out_0_743() -> None:
    alpha = krippendorff_alpha(_ratings(REFERENCE))
    assert alpha.value == pytest.approx(0.743, abs=0.0005)
    assert alpha.items == 11  # unit 12 has one rating only and drops out
    assert alpha.words == "tentative"


def test_a_small_example_worked_by_hand_with_a_missing_rating() -> None:
    # u1 (a, a), u2 (a, b), u3 (b, b), u4 (b, –): u4 drops out. Coincidences: o_aa = 2,
    # o_ab = o_ba = 1, o_bb = 2; n_a = n_b = 3, n = 6. D_o = 2/6, D_e = (3·3 + 3·3)/(6·5) = 0.6.
    # α = 1 − (1/3)/0.6 = 4/9.
    ratings = {"ana": {1: "a", 2: "a", 3: "b", 4: "b"}, "ben": {1: "a", 2: "b", 3: "b"}}
    alpha = krippendorff_alpha(ratings)
    assert alpha.value == pytest.approx(4 / 9)
    assert alpha.items == 3


def test_alpha_has_no_data_without_pairs_or_without_variety() -> None:
    assert krippendorff_alpha({"ana": {1: "a"}, "ben": {2: "a"}}).no_data == \
        "no item was rated by two people"
    same = krippendorff_alpha({"ana": {1: "a", 2: "a"}, "ben": {1: "a", 2: "a"}})
    assert same.value is None and "same answer" in (same.no_data or "")


def test_cohens_kappa_from_its_textbook_table() -> None:
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15. p_o = 35/50 = 0.7;
    # A says yes 25/50, B 30/50: p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5)/0.5 = 0.4.
    labels = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + \
        [("no", "no")] * 15
    a = {i: x for i, (x, _) in enumerate(labels)}
    b = {i: y for i, (_, y) in enumerate(labels)}
    kappa = cohens_kappa(a, b)
    assert kappa.value == pytest.approx(0.4)
    assert kappa.items == 50
    # Over the items both answered only: a third rater who skipped some.
    assert cohens_kappa(a, {0: "yes", 1: "yes", 49: "no"}).items == 3


def test_kappa_has_no_data_when_chance_agreement_is_certain_or_nothing_is_shared() -> None:
    assert cohens_kappa({1: "a", 2: "a"}, {1: "a", 2: "a"}).value is None
    assert cohens_kappa({1: "a"}, {2: "a"}).no_data == "the two answered no item in common"


def test_pairwise_kappa_covers_every_pair_once() -> None:
    pairs = pairwise_kappa(_ratings(REFERENCE))
    assert list(pairs) == [("coder0", "coder1"), ("coder0", "coder2"), ("coder0", "coder3"),
                           ("coder1", "coder2"), ("coder1", "coder3"), ("coder2", "coder3")]
    # coder0 and coder3 agree on 8 of their 9 shared units.
    assert pairs[("coder0", "coder3")].items == 9


def test_agreement_with_the_reference_answers() -> None:
    reference = {1: "remove", 2: "keep", 3: "remove", 4: "label"}
    got = agreement_with(reference, {1: "remove", 2: "remove", 3: "remove", 9: "keep"})
    assert got.value == pytest.approx(2 / 3) and got.items == 3
    assert agreement_with(reference, {9: "keep"}).value is None


def test_the_items_split_on_most_come_first() -> None:
    splits = disagreement(_ratings(REFERENCE))
    # Unit 6 (index 5): 1, 2, 3, 4 — every pair differs.
    assert splits[0].item == 5 and splits[0].disagreement == 1.0
    # Units rated alike by everyone come last, at 0.
    assert splits[-1].disagreement == 0.0
    assert all(s.ratings >= 2 for s in splits) and 11 not in {s.item for s in splits}


def test_alpha_per_guideline() -> None:
    ratings = {"ana": {1: "a", 2: "a", 3: "x", 4: "y"}, "ben": {1: "a", 2: "b", 3: "x", 4: "y"}}
    per = alpha_by(ratings, {1: "fake", 2: "fake", 3: "spam", 4: "spam"})
    assert per["spam"].value == pytest.approx(1.0)
    assert per["fake"].value is not None and per["fake"].value < 0.5
