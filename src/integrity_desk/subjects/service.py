"""Find or mirror the platform's reviews, businesses and reviewers, many at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, false, func, select, true, union_all, update
from sqlalchemy.orm import Session

from integrity_desk.bulk import BulkInsert
from integrity_desk.db import utcnow
from integrity_desk.subjects.models import Business, Review, Reviewer
from integrity_desk.triage.harm import classify

REVIEW_URL = re.compile(r"/reviews?/([A-Za-z0-9_-]{1,64})(?:[/?#]|$)")


class ReviewLike(Protocol):
    ref: str
    text: str | None
    title: str | None
    rating: int | None
    language: str | None
    business_domain: str | None
    reviewer_ref: str | None


def review_refs_in_urls(urls: Iterable[str]) -> list[str]:
    """Platform review ids named by URLs such as https://…/reviews/abc123."""
    refs: list[str] = []
    for url in urls:
        match = REVIEW_URL.search(str(url))
        if match and match.group(1) not in refs:
            refs.append(match.group(1))
    return refs


class ReviewFacts(NamedTuple):
    """What intake needs of a review: its ids, the reach of its business (for triage), what a
    case view shows of it, and whether this unit of work mirrored it (then no case can be about
    it yet, and nobody needs to count them)."""

    id: int
    ref: str
    business_id: int | None
    language: str | None
    label: str
    rating: int | None
    status: str
    business_review_count: int | None
    # What triage found harmful to view in it (triage.harm), as stored: "threat,hate".
    harm: str | None = None
    new: bool = False


class Owner(NamedTuple):
    """A business (key: its domain) or a reviewer account (key: its ref), as intake needs it."""

    id: int
    key: str
    review_count: int


def owners(session: Session, domains: Iterable[str], reviewer_refs: Iterable[str]
           ) -> tuple[dict[str, Owner], dict[str, Owner]]:
    """Businesses by domain and reviewer accounts by ref, read in one statement; unknown ones
    are mirrored with what is known (the domain, the ref)."""
    wanted = {"domains": sorted(set(domains)), "refs": sorted(set(reviewer_refs))}
    if not wanted["domains"] and not wanted["refs"]:
        return {}, {}
    now = utcnow()
    businesses, reviewers = _read_owners(session, wanted)
    _mirror(session, businesses, wanted["domains"], _MIRROR_BUSINESSES, lambda d: dict(
        domain=d, name=d, plan_tier="free", review_count=0, created_at=now))
    _mirror(session, reviewers, wanted["refs"], _MIRROR_REVIEWERS, lambda r: dict(
        ref=r, display_name=r, review_count=0, status="active", joined_at=now))
    raced = {"domains": [d for d in wanted["domains"] if d not in businesses],
             "refs": [r for r in wanted["refs"] if r not in reviewers]}
    if raced["domains"] or raced["refs"]:  # a concurrent writer mirrored them first: read them
        more_businesses, more_reviewers = _read_owners(session, raced)
        businesses.update(more_businesses)
        reviewers.update(more_reviewers)
    return businesses, reviewers


def _read_owners(session: Session, wanted: dict[str, list[str]]
                 ) -> tuple[dict[str, Owner], dict[str, Owner]]:
    businesses: dict[str, Owner] = {}
    reviewers: dict[str, Owner] = {}
    for is_business, owner_id, key, count in session.execute(_OWNERS, wanted):
        (businesses if is_business else reviewers)[key] = Owner(owner_id, key, count)
    return businesses, reviewers


def _mirror(session: Session, found: dict[str, Owner], wanted: list[str], mirror: BulkInsert,
            new_row: Callable[[str], dict[str, Any]]) -> None:
    """Insert the wanted keys not found (ON CONFLICT DO NOTHING: a concurrent writer of the same
    key wins quietly) and add what went in, read back by RETURNING."""
    missing = [k for k in wanted if k not in found]
    found.update((key, Owner(owner_id, key, count)) for owner_id, key, count in mirror.execute(
        session, [new_row(k) for k in missing]))


def reviews_by_ref(
    session: Session, snapshots: Sequence[ReviewLike], extra_refs: Iterable[str] = ()
) -> dict[str, ReviewFacts]:
    """Reviews for the given refs in one read; ones not mirrored yet are created from snapshots."""
    by_ref = {s.ref: s for s in snapshots}
    wanted = sorted(set(by_ref) | set(extra_refs))
    if not wanted:
        return {}
    found = _found(session, wanted)
    missing = [ref for ref in wanted if ref not in found]
    if not missing:
        return found
    snaps = [by_ref[ref] for ref in missing if ref in by_ref]
    businesses, reviewers = owners(session, [s.business_domain for s in snaps if s.business_domain],
                                   [s.reviewer_ref for s in snaps if s.reviewer_ref])
    rows: dict[str, dict[str, Any]] = {}
    for ref in missing:
        snap = by_ref.get(ref)
        row: dict[str, Any] = dict(
            ref=ref, text="", title=None, rating=None, language=None, status="published",
            published_at=None, business_id=None, reviewer_id=None, experienced_at=None,
            harm=None)
        if snap is not None:
            row.update(
                text=snap.text or "", title=snap.title, rating=snap.rating,
                language=snap.language, published_at=getattr(snap, "published_at", None),
                business_id=businesses[snap.business_domain].id
                if snap.business_domain else None,
                reviewer_id=reviewers[snap.reviewer_ref].id if snap.reviewer_ref else None,
                harm=review_harm(snap.title, snap.text, snap.language))
        rows[ref] = row
    for review_id, ref in _MIRROR_REVIEWS.execute(session, list(rows.values())):
        row, snap = rows[ref], by_ref.get(ref)
        business = businesses[snap.business_domain] if snap and snap.business_domain else None
        found[ref] = ReviewFacts(
            review_id, ref, row["business_id"], row["language"], row["text"][:160],
            row["rating"], row["status"], business.review_count if business else None,
            harm=row["harm"], new=True)
    raced = [ref for ref in missing if ref not in found]  # a concurrent writer mirrored them
    if raced:
        found.update(_found(session, raced))
    return found


def _found(session: Session, refs: list[str]) -> dict[str, ReviewFacts]:
    """The stored reviews among ``refs``; one imported in bulk is read for harm now, as it
    comes into a case (the import leaves it to here: reviewdata.importer)."""
    found: dict[str, ReviewFacts] = {}
    unchecked: list[int] = []
    for *values, checked in session.execute(_REVIEWS_BY_REF, {"keys": refs}):
        facts = ReviewFacts(*values)
        found[facts.ref] = facts
        if not checked:
            unchecked.append(facts.id)
    if unchecked:
        harms = settle_harm(session, unchecked)
        found = {ref: facts._replace(harm=harms[facts.id]) if facts.id in harms else facts
                 for ref, facts in found.items()}
    return found


def settle_harm(session: Session, review_ids: Sequence[int]) -> dict[int, str | None]:
    """Read reviews not yet read for harm and store the verdict; the verdicts by review id."""
    harms = {review_id: review_harm(title, text, language)
             for review_id, title, text, language in session.execute(
                 select(Review.id, Review.title, Review.text, Review.language)
                 .where(Review.id.in_(bindparam("ids", expanding=True))),
                 {"ids": list(review_ids)})}
    if harms:
        session.execute(update(Review), [{"id": i, "harm": h, "harm_checked": True}
                                         for i, h in harms.items()])
    return harms


def review_harm(title: str | None, text: str | None, language: str | None) -> str | None:
    """Triage's verdict on a review as it is stored (``reviews.harm``): read once, when the
    review is mirrored, so no list or page classifies it again."""
    return classify(f"{title or ''}\n{text or ''}", language=language).code


def business_review_counts(session: Session, business_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted({i for i in business_ids if i})
    if not ids:
        return {}
    return dict(session.execute(_REVIEW_COUNTS, {"ids": ids}).all())


# Statements built once: building them cost more than running them.
_OWNERS = union_all(
    select(true(), Business.id, Business.domain, Business.review_count)
    .where(Business.domain.in_(bindparam("domains", expanding=True))),
    select(false(), Reviewer.id, Reviewer.ref, Reviewer.review_count)
    .where(Reviewer.ref.in_(bindparam("refs", expanding=True))),
)
_REVIEWS_BY_REF = (
    select(Review.id, Review.ref, Review.business_id, Review.language,
           func.substr(Review.text, 1, 160), Review.rating, Review.status,
           Business.review_count, Review.harm, Review.harm_checked)
    .outerjoin(Business, Business.id == Review.business_id)
    .where(Review.ref.in_(bindparam("keys", expanding=True)))
)
_MIRROR_BUSINESSES = BulkInsert(
    Business.__table__, ["domain", "name", "plan_tier", "review_count", "created_at"],
    conflict=["domain"], returning=["id", "domain", "review_count"])
_MIRROR_REVIEWERS = BulkInsert(
    Reviewer.__table__, ["ref", "display_name", "review_count", "status", "joined_at"],
    conflict=["ref"], returning=["id", "ref", "review_count"])
_MIRROR_REVIEWS = BulkInsert(
    Review.__table__, ["ref", "text", "title", "rating", "language", "status", "published_at",
                       "business_id", "reviewer_id", "experienced_at", "harm"],
    conflict=["ref"], returning=["id", "ref"])
_REVIEW_COUNTS = select(Business.id, Business.review_count).where(
    Business.id.in_(bindparam("ids", expanding=True)))
