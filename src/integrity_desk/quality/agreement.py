"""How far people agree when they decide the same items: the measures a calibration exercise
reports (../shared/reference/kpis.md, "Quality"). Pure functions over labels; no session.

Ratings are ``{rater: {item: label}}``; a rater who did not answer an item simply has no entry
(missing ratings are allowed). Labels are nominal (an outcome, an action, a guideline): only
equal or different counts. Every measure says "no data", with the reason, where it has nothing
to stand on — never 0 or 1 in its place.

* **Krippendorff's alpha** (any number of raters, missing ratings): computed by the
  ``krippendorff`` package (α = 1 − D_o ÷ D_e over the coincidence matrix; items rated by
  fewer than two people drop out). Undefined when every rating is the same label (D_e = 0).
* **Cohen's kappa** (two raters, over the items both rated): κ = (p_o − p_e) ÷ (1 − p_e).
* **Agreement with the reference answers** (a golden set): the share of the reference items a
  person answered the same way, over those they answered.
* **Disagreement per item**: the share of pairs of ratings of the item that differ, so the
  items a group split on most come first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import combinations

import krippendorff
import numpy as np

Ratings = Mapping[Hashable, Mapping[Hashable, str]]  # rater -> item -> label

ACCEPTABLE = 0.8  # "reliable" by Krippendorff's own customary bar
TENTATIVE = 0.667  # at or above: tentative conclusions only


@dataclass(frozen=True)
class Agreement:
    """A measure's value (None: no data, with the reason) and how many items it stands on."""

    value: float | None
    items: int
    no_data: str | None = None

    @property
    def words(self) -> str:
        """What the value means for a calibration ("reliable", "tentative", "unreliable")."""
        if self.value is None:
            return "no data"
        if self.value >= ACCEPTABLE:
            return "reliable"
        return "tentative" if self.value >= TENTATIVE else "unreliable"


def _units(ratings: Ratings) -> dict[Hashable, list[str]]:
    """Each item's labels, from every rater who rated it."""
    units: dict[Hashable, list[str]] = {}
    for answers in ratings.values():
        for item, label in answers.items():
            units.setdefault(item, []).append(label)
    return units


def krippendorff_alpha(ratings: Ratings) -> Agreement:
    """Krippendorff's alpha (nominal) over a group, missing ratings allowed."""
    pairable = {item for item, labels in _units(ratings).items() if len(labels) >= 2}
    if not pairable:
        return Agreement(None, 0, "no item was rated by two people")
    labels = sorted({label for answers in ratings.values() for label in answers.values()})
    if len(labels) < 2:
        return Agreement(None, len(pairable),
                         "everyone gave the same answer to everything: nothing to tell apart")
    code = {label: float(n) for n, label in enumerate(labels)}
    items = sorted(pairable, key=str)
    matrix = np.array([[code[answers[item]] if item in answers else np.nan for item in items]
                       for answers in ratings.values()])
    value = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal",
                                     value_domain=sorted(code.values())))
    if math.isnan(value):
        return Agreement(None, len(items), "no pairable ratings differ in kind")
    return Agreement(value, len(items))


def cohens_kappa(first: Mapping[Hashable, str], second: Mapping[Hashable, str]) -> Agreement:
    """Cohen's kappa of two raters over the items both rated."""
    both = [item for item in first if item in second]
    if not both:
        return Agreement(None, 0, "the two answered no item in common")
    n = len(both)
    observed = sum(first[i] == second[i] for i in both) / n
    a, b = Counter(first[i] for i in both), Counter(second[i] for i in both)
    expected = sum(a[label] * b[label] for label in a) / (n * n)
    if expected == 1:
        return Agreement(None, n, "both gave one and the same answer throughout: chance "
                                  "agreement is certain")
    return Agreement((observed - expected) / (1 - expected), n)


def pairwise_kappa(ratings: Ratings) -> dict[tuple[Hashable, Hashable], Agreement]:
    """Cohen's kappa for every pair of raters (in the order the raters are given)."""
    raters = list(ratings)
    return {(r, s): cohens_kappa(ratings[r], ratings[s]) for r, s in combinations(raters, 2)}


def agreement_with(reference: Mapping[Hashable, str], answers: Mapping[Hashable, str]
                   ) -> Agreement:
    """The share of the reference items answered as the reference does, over those answered."""
    answered = [item for item in reference if item in answers]
    if not answered:
        return Agreement(None, 0, "no reference item was answered")
    same = sum(answers[item] == reference[item] for item in answered)
    return Agreement(same / len(answered), len(answered))


@dataclass(frozen=True)
class ItemSplit:
    item: Hashable
    ratings: int
    labels: dict[str, int]  # label -> how many gave it
    disagreement: float  # share of pairs of ratings that differ


def disagreement(ratings: Ratings) -> list[ItemSplit]:
    """The items rated by at least two people, those the group split on most first."""
    out = []
    for item, labels in _units(ratings).items():
        m = len(labels)
        if m < 2:
            continue
        counts = Counter(labels)
        same_pairs = sum(c * (c - 1) for c in counts.values()) / 2
        out.append(ItemSplit(item, m, dict(counts), 1 - same_pairs / (m * (m - 1) / 2)))
    return sorted(out, key=lambda s: (-s.disagreement, -s.ratings, str(s.item)))


def alpha_by(ratings: Ratings, group_of: Mapping[Hashable, str]) -> dict[str, Agreement]:
    """Krippendorff's alpha within each group of items (per guideline of an exercise)."""
    groups: dict[str, set[Hashable]] = {}
    for item, group in group_of.items():
        groups.setdefault(group, set()).add(item)
    return {group: krippendorff_alpha({rater: {i: label for i, label in answers.items()
                                               if i in items}
                                       for rater, answers in ratings.items()})
            for group, items in sorted(groups.items())}
