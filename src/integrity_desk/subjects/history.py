"""What a case view shows of its subjects: the reviews in full, their businesses and reviewers,
and the latest other reviews of each business and reviewer.

A fixed number of statements whatever the number of subjects: the reviews (1), the businesses
and reviewers they name or the case names (1 each), and every "other reviews" list together as
one UNION ALL of limited branches (1), each branch a range scan of ix_reviews_business_id or
ix_reviews_reviewer_id.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from integrity_desk.subjects.models import Business, Review, Reviewer

# How many businesses and reviewers get an "other reviews" list on one page.
MAX_OWNERS = 10


@dataclass(frozen=True)
class ReviewFacts:
    id: int
    ref: str
    title: str | None
    text: str
    rating: int | None
    language: str | None
    status: str
    label: str | None
    published_at: datetime | None
    experienced_at: datetime | None
    business_id: int | None
    reviewer_id: int | None
    harm: str | None = None  # triage's verdict as stored (triage.harm): "threat,hate"


@dataclass(frozen=True)
class BusinessFacts:
    id: int
    domain: str
    name: str
    country: str | None
    plan_tier: str
    review_count: int
    features_status: str
    consumer_warning: str | None
    warning_count: int


@dataclass(frozen=True)
class ReviewerFacts:
    id: int
    ref: str
    display_name: str
    country: str | None
    review_count: int
    status: str
    joined_at: datetime | None
    suspended_until: datetime | None
    warning_count: int


@dataclass
class SubjectFacts:
    reviews: dict[int, ReviewFacts] = field(default_factory=dict)
    businesses: dict[int, BusinessFacts] = field(default_factory=dict)
    reviewers: dict[int, ReviewerFacts] = field(default_factory=dict)
    # ("business" | "reviewer", id) → their latest other reviews, newest first.
    other_reviews: dict[tuple[str, int], list[ReviewFacts]] = field(default_factory=dict)


_REVIEW_COLUMNS = (Review.id, Review.ref, Review.title, Review.text, Review.rating,
                   Review.language, Review.status, Review.label, Review.published_at,
                   Review.experienced_at, Review.business_id, Review.reviewer_id, Review.harm)


def _review(row: tuple) -> ReviewFacts:  # type: ignore[type-arg]
    return ReviewFacts(*row)


def subject_facts(session: Session, *, review_ids: Collection[int],
                  business_ids: Collection[int], reviewer_ids: Collection[int],
                  others: int = 5) -> SubjectFacts:
    """The subjects in full, with the businesses and reviewers of the reviews among them, and
    up to ``others`` other reviews of each business and reviewer (excluding the subjects)."""
    facts = SubjectFacts()
    if review_ids:
        for row in session.execute(select(*_REVIEW_COLUMNS).where(Review.id.in_(review_ids))):
            facts.reviews[row[0]] = _review(row)
    wanted_businesses = list(dict.fromkeys(
        [*business_ids, *(r.business_id for r in facts.reviews.values() if r.business_id)]))
    wanted_reviewers = list(dict.fromkeys(
        [*reviewer_ids, *(r.reviewer_id for r in facts.reviews.values() if r.reviewer_id)]))
    if wanted_businesses:
        for b in session.execute(select(
                Business.id, Business.domain, Business.name, Business.country, Business.plan_tier,
                Business.review_count, Business.features_status, Business.consumer_warning,
                Business.warning_count).where(Business.id.in_(wanted_businesses))):
            facts.businesses[b[0]] = BusinessFacts(*b)
    if wanted_reviewers:
        for p in session.execute(select(
                Reviewer.id, Reviewer.ref, Reviewer.display_name, Reviewer.country,
                Reviewer.review_count, Reviewer.status, Reviewer.joined_at,
                Reviewer.suspended_until, Reviewer.warning_count
                ).where(Reviewer.id.in_(wanted_reviewers))):
            facts.reviewers[p[0]] = ReviewerFacts(*p)
    owners = ([("business", i) for i in wanted_businesses[:MAX_OWNERS]]
              + [("reviewer", i) for i in wanted_reviewers[:MAX_OWNERS]])
    if owners and others > 0:
        facts.other_reviews = _other_reviews(session, owners, exclude=set(review_ids),
                                             limit=others)
    return facts


def _branch(owner: tuple[str, int], limit: int) -> Select:  # type: ignore[type-arg]
    kind, owner_id = owner
    column = Review.business_id if kind == "business" else Review.reviewer_id
    # Newest mirrored first: the id order is the index's own (no sort of a big business).
    return (select(literal(kind).label("owner_kind"), literal(owner_id).label("owner_id"),
                   *_REVIEW_COLUMNS)
            .where(column == owner_id).order_by(Review.id.desc()).limit(limit))


def _other_reviews(session: Session, owners: list[tuple[str, int]], *, exclude: set[int],
                   limit: int) -> dict[tuple[str, int], list[ReviewFacts]]:
    """One statement: each owner's latest reviews; the case's own reviews are left out after
    the fact, so each branch asks for that many more."""
    extra = len(exclude)
    branches = [_branch(o, limit + extra).subquery().select() for o in owners]
    statement = branches[0] if len(branches) == 1 else union_all(*branches)
    out: dict[tuple[str, int], list[ReviewFacts]] = {o: [] for o in owners}
    for row in session.execute(statement):
        key = (row[0], row[1])
        review = _review(tuple(row[2:]))
        if review.id not in exclude and len(out[key]) < limit:
            out[key].append(review)
    for reviews in out.values():
        reviews.sort(key=lambda r: r.id, reverse=True)
    return out
