"""Find or mirror the platform's reviews, businesses and reviewers, many at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from integrity_desk.db import upsert_insert, utcnow
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


def _mirror_missing(session: Session, model: Any, key: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose key is not there yet; a concurrent writer of the same key wins quietly
    (ON CONFLICT DO NOTHING) instead of failing the whole request."""
    if not rows:
        return
    session.execute(upsert_insert(session)(model.__table__).values(rows).on_conflict_do_nothing(
        index_elements=[key]))


def businesses_by_domain(session: Session, domains: Iterable[str]) -> dict[str, Business]:
    """Existing businesses; unknown domains are mirrored with what is known (the domain)."""
    wanted = sorted(set(domains))
    if not wanted:
        return {}
    query = select(Business).where(Business.domain.in_(wanted))
    found = {b.domain: b for b in session.scalars(query)}
    missing = [d for d in wanted if d not in found]
    if missing:
        _mirror_missing(session, Business, "domain", [
            dict(domain=d, name=d, plan_tier="free", review_count=0, created_at=utcnow())
            for d in missing])
        found.update({b.domain: b for b in session.scalars(query.where(
            Business.domain.in_(missing)))})
    return found


def reviewers_by_ref(session: Session, refs: Iterable[str]) -> dict[str, Reviewer]:
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    query = select(Reviewer).where(Reviewer.ref.in_(wanted))
    found = {r.ref: r for r in session.scalars(query)}
    missing = [r for r in wanted if r not in found]
    if missing:
        _mirror_missing(session, Reviewer, "ref", [
            dict(ref=r, display_name=r, review_count=0, status="active", joined_at=utcnow())
            for r in missing])
        found.update({r.ref: r for r in session.scalars(query.where(Reviewer.ref.in_(missing)))})
    return found


def reviews_by_ref(
    session: Session, snapshots: Sequence[ReviewLike], extra_refs: Iterable[str] = ()
) -> dict[str, Review]:
    """Reviews for the given refs in one read; ones not mirrored yet are created from snapshots."""
    by_ref = {s.ref: s for s in snapshots}
    wanted = sorted(set(by_ref) | set(extra_refs))
    if not wanted:
        return {}
    found = {r.ref: r for r in session.scalars(_REVIEWS_BY_REF, {"refs": wanted})}
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        snaps = [by_ref[ref] for ref in missing if ref in by_ref]
        businesses = businesses_by_domain(
            session, [s.business_domain for s in snaps if s.business_domain])
        reviewers = reviewers_by_ref(session, [s.reviewer_ref for s in snaps if s.reviewer_ref])
        rows = []
        for ref in missing:
            snap = by_ref.get(ref)
            row: dict[str, Any] = dict(
                ref=ref, text="", title=None, rating=None, language=None, status="published",
                published_at=None, business_id=None, reviewer_id=None, experienced_at=None)
            if snap is not None:
                row.update(
                    text=snap.text or "", title=snap.title, rating=snap.rating,
                    language=snap.language, published_at=getattr(snap, "published_at", None),
                    business_id=businesses[snap.business_domain].id
                    if snap.business_domain else None,
                    reviewer_id=reviewers[snap.reviewer_ref].id if snap.reviewer_ref else None)
            rows.append(row)
        _mirror_missing(session, Review, "ref", rows)
        found.update({r.ref: r for r in session.scalars(_REVIEWS_BY_REF, {"refs": missing})})
    return found


def business_review_counts(session: Session, business_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted({i for i in business_ids if i})
    if not ids:
        return {}
    return dict(session.execute(_REVIEW_COUNTS, {"ids": ids}).all())


_REVIEWS_BY_REF = select(Review).where(Review.ref.in_(bindparam("refs", expanding=True)))
_REVIEW_COUNTS = select(Business.id, Business.review_count).where(
    Business.id.in_(bindparam("ids", expanding=True)))
