"""What a page hides from one person (the harm shield), shaped without queries: the case
page and the lists ask it, web/wellbeing/routes.py reveals."""

from __future__ import annotations

from dataclasses import dataclass, field

from integrity_desk.people.models import User
from integrity_desk.subjects.history import ReviewFacts, SubjectFacts
from integrity_desk.wellbeing.domain import Item


@dataclass(frozen=True)
class Shield:
    """What one page hides from one person: every harmful item while their blur is on, except
    the items they revealed for this answer."""

    blur: bool
    revealed: frozenset[str] = field(default_factory=frozenset)

    def hides(self, item: str, harm: str | None) -> bool:
        return bool(harm) and self.blur and item not in self.revealed

    def shown(self, item: str, harm: str | None) -> bool:
        """A harmful item the page shows in clear (counted as seen)."""
        return bool(harm) and not self.hides(item, harm)


def shield_for(user: User, revealed: Item | None = None) -> Shield:
    return Shield(bool(user.blur_harm), frozenset([revealed.code] if revealed else []))


def shown_items(shield: Shield, *, case_id: int, text_harm: str | None,
                facts: SubjectFacts) -> list[tuple[Item, str, int | None]]:
    """The harmful items a page shows in clear to someone whose blur is off: each counts."""
    items: list[tuple[Item, str, int | None]] = []
    if text_harm and shield.shown(f"case:{case_id}", text_harm):
        items.append((Item("case", case_id), text_harm, case_id))
    reviews: dict[int, ReviewFacts] = dict(facts.reviews)
    for others in facts.other_reviews.values():
        reviews.update((r.id, r) for r in others)
    for review in reviews.values():
        if review.harm and shield.shown(f"review:{review.id}", review.harm):
            items.append((Item("review", review.id), review.harm, case_id))
    return items
