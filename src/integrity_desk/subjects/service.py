"""Find or mirror the platform's reviews, businesses and reviewers, many at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.subjects.models import Business, Review, Reviewer

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


def businesses_by_domain(session: Session, domains: Iterable[str]) -> dict[str, Business]:
    """Existing businesses; unknown domains are mirrored with what is known (the domain)."""
    wanted = sorted(set(domains))
    if not wanted:
        return {}
    found = {b.domain: b for b in session.scalars(select(Business).where(
        Business.domain.in_(wanted)))}
    for domain in wanted:
        if domain not in found:
            found[domain] = Business(domain=domain, name=domain)
            session.add(found[domain])
    return found


def reviewers_by_ref(session: Session, refs: Iterable[str]) -> dict[str, Reviewer]:
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    found = {r.ref: r for r in session.scalars(select(Reviewer).where(Reviewer.ref.in_(wanted)))}
    for ref in wanted:
        if ref not in found:
            found[ref] = Reviewer(ref=ref, display_name=ref)
            session.add(found[ref])
    return found


def reviews_by_ref(
    session: Session, snapshots: Sequence[ReviewLike], extra_refs: Iterable[str] = ()
) -> dict[str, Review]:
    """Reviews for the given refs in one read; ones not mirrored yet are created from snapshots."""
    by_ref = {s.ref: s for s in snapshots}
    wanted = sorted(set(by_ref) | set(extra_refs))
    if not wanted:
        return {}
    found = {r.ref: r for r in session.scalars(select(Review).where(Review.ref.in_(wanted)))}
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        snaps = [by_ref[ref] for ref in missing if ref in by_ref]
        businesses = businesses_by_domain(
            session, [s.business_domain for s in snaps if s.business_domain])
        reviewers = reviewers_by_ref(session, [s.reviewer_ref for s in snaps if s.reviewer_ref])
        session.flush()
        for ref in missing:
            snap = by_ref.get(ref)
            review = Review(ref=ref, text="")
            if snap is not None:
                review.text = snap.text or ""
                review.title = snap.title
                review.rating = snap.rating
                review.language = snap.language
                review.published_at = getattr(snap, "published_at", None)
                if snap.business_domain:
                    review.business_id = businesses[snap.business_domain].id
                if snap.reviewer_ref:
                    review.reviewer_id = reviewers[snap.reviewer_ref].id
            session.add(review)
            found[ref] = review
        session.flush()
    return found


def business_review_counts(session: Session, business_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted({i for i in business_ids if i})
    if not ids:
        return {}
    return dict(session.execute(
        select(Business.id, Business.review_count).where(Business.id.in_(ids))
    ).all())
