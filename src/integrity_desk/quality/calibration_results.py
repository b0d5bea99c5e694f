"""An exercise's results, from its items and answers: pure, so the figures can be checked
against worked examples without a database; the service stores what this returns when the
exercise closes (docs/quality.md, "Calibration exercises").

What one answer *is* (docs/decisions.md): the action on the content together with the
guideline cited, as one nominal label (``remove_review · fake``). Two people agree on an item
only when both parts match, because that is what makes two decisions the same for the person
affected and for the statement of reasons. The headline alpha, the agreement with the
reference answers, the kappa pairs and the pass rule all use that label; alpha on the action
alone and on the guideline alone are reported beside it, so a manager sees *where* a group
splits (same action, different guideline is a training point; different actions is a policy
one). Every measure comes from ``quality.agreement``; none is re-derived here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from integrity_desk.quality import agreement
from integrity_desk.quality.agreement import Agreement

NO_GUIDELINE = "no guideline"
MOST_DISAGREED = 10


def label(action: str, guideline: str | None) -> str:
    """One answer as one nominal label: the action and the guideline cited."""
    return f"{action} · {guideline or NO_GUIDELINE}"


@dataclass(frozen=True)
class ItemLine:
    id: int
    position: int
    title: str
    reference_action: str | None
    reference_guideline: str | None

    @property
    def reference(self) -> str | None:
        if self.reference_action is None:
            return None
        return label(self.reference_action, self.reference_guideline)


@dataclass(frozen=True)
class AnswerLine:
    user_id: int
    item_id: int
    action: str
    guideline: str | None


def measure(found: Agreement) -> dict[str, Any]:
    """A measure as stored: its value, what it stands on, its reading, or why no data."""
    return {"value": None if found.value is None else round(found.value, 4),
            "items": found.items, "no_data": found.no_data, "words": found.words}


def _verdict(alpha: Agreement, mine: Agreement, answered: int, min_alpha: float,
             min_agreement: float) -> tuple[bool, str]:
    if answered == 0:
        return False, "answered no item"
    if alpha.value is None:
        return False, f"the group's alpha has no data: {alpha.no_data}"
    if alpha.value < min_alpha:
        return False, f"the group's alpha {alpha.value:.3f} is below the bar {min_alpha:.3f}"
    if mine.value is None:
        return False, f"agreement with the reference has no data: {mine.no_data}"
    if mine.value < min_agreement:
        return False, (f"agreement with the reference {mine.value:.3f} is below the bar "
                       f"{min_agreement:.3f}")
    return True, "passed"


def compute(*, items: Sequence[ItemLine], answers: Sequence[AnswerLine],
            people: Mapping[int, str], min_alpha: float, min_agreement: float
            ) -> dict[str, Any]:
    """The results of an exercise: ``people`` are the invited (id → name), in order."""
    composite: dict[int, dict[int, str]] = {p: {} for p in people}
    actions: dict[int, dict[int, str]] = {p: {} for p in people}
    guidelines: dict[int, dict[int, str]] = {p: {} for p in people}
    for a in answers:
        if a.user_id not in composite:
            continue  # an answer of someone no longer invited does not count
        composite[a.user_id][a.item_id] = label(a.action, a.guideline)
        actions[a.user_id][a.item_id] = a.action
        guidelines[a.user_id][a.item_id] = a.guideline or NO_GUIDELINE
    raters = {p: answered for p, answered in composite.items() if answered}
    alpha = agreement.krippendorff_alpha(raters)
    reference = {i.id: i.reference for i in items if i.reference is not None}
    group_of = {i.id: i.reference_guideline or NO_GUIDELINE for i in items
                if i.reference is not None}
    by_id = {i.id: i for i in items}

    lines = []
    for person, name in people.items():
        mine = agreement.agreement_with(reference, composite[person])
        passed, reason = _verdict(alpha, mine, len(composite[person]), min_alpha,
                                  min_agreement)
        lines.append({"user_id": person, "name": name, "answered": len(composite[person]),
                      "agreement": measure(mine), "passed": passed, "reason": reason})
    splits = [s for s in agreement.disagreement(raters) if s.disagreement > 0]
    disagreed = [{"item_id": s.item, "position": by_id[s.item].position,
                  "title": by_id[s.item].title, "ratings": s.ratings,
                  "labels": dict(sorted(s.labels.items(), key=lambda kv: (-kv[1], kv[0]))),
                  "disagreement": round(s.disagreement, 4),
                  "reference": by_id[s.item].reference}
                 for s in splits[:MOST_DISAGREED] if s.item in by_id]
    pairs = [{"first": a, "first_name": people[a], "second": b, "second_name": people[b],
              "kappa": measure(k)} for (a, b), k in agreement.pairwise_kappa(raters).items()]
    return {
        "label": "action · guideline",
        "items": len(items), "invited": len(people), "raters": len(raters),
        "bars": {"min_alpha": min_alpha, "min_agreement": min_agreement},
        "alpha": measure(alpha),
        "alpha_action": measure(agreement.krippendorff_alpha(
            {p: actions[p] for p in raters})),
        "alpha_guideline": measure(agreement.krippendorff_alpha(
            {p: guidelines[p] for p in raters})),
        "per_guideline": [{"guideline": g, "alpha": measure(a)}
                          for g, a in agreement.alpha_by(raters, group_of).items()],
        "disagreed": disagreed,
        "people": lines,
        "pairs": pairs,
    }
