"""Running the signals over the desk's review data: read a business, find, store, act.

A run takes one business at a time, in its own unit of work: its reviews and its reviewers'
other reviews are read (two statements), the signals run over them (``signals.compose``), the
findings are upserted by their fingerprint, and those strong enough open an investigation case
or enrich an open one (``signals.cases``). The business is then stamped ``signals_at``. The
nightly job takes the businesses whose reviews changed since their last run — and only those.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, bindparam, delete, insert, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.db import Database, upsert_insert
from integrity_desk.errors import NotFound
from integrity_desk.signals import cases
from integrity_desk.signals.compose import Finding, business_findings
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.signals.records import ReviewerRecord, ReviewRecord
from integrity_desk.subjects.models import Business, Review, Reviewer

ACTOR = Actor(None, "signals")
JOB = "signals.nightly"
MORE_JOB = "signals.more"  # the rest of a nightly pass that outran one job's time budget
JOB_BUDGET_SECONDS = 50.0


@dataclass
class Loaded:
    """One business's reviews as records, with the desk's ids of everything named."""

    business_id: int
    domain: str
    own: list[ReviewRecord] = field(default_factory=list)
    elsewhere: list[ReviewRecord] = field(default_factory=list)
    accounts: dict[str, ReviewerRecord] = field(default_factory=dict)
    review_ids: dict[str, int] = field(default_factory=dict)
    reviewer_ids: dict[str, int] = field(default_factory=dict)
    business_ids: dict[str, int] = field(default_factory=dict)


# The moments come raw from the driver (_day makes them UTC days): UTCDateTime's conversion of
# two moments a row, to be cut to a day at once, was a fifth of reading a big business.
_JOINED = type_coerce(Reviewer.joined_at, DateTime(timezone=True))
_PUBLISHED = type_coerce(Review.published_at, DateTime(timezone=True))
_OWN = (
    select(Review.id, Review.ref, Reviewer.id, Reviewer.ref, _JOINED, Review.rating,
           Review.text, Review.status, _PUBLISHED, Review.device_id, Review.network_id)
    .join(Reviewer, Reviewer.id == Review.reviewer_id)
    .where(Review.business_id == bindparam("b"), Review.published_at.is_not(None))
)
_ELSEWHERE = (
    select(Review.id, Review.ref, Reviewer.id, Reviewer.ref, _JOINED, Review.rating,
           Business.id, Business.domain, Review.status, _PUBLISHED, Review.device_id,
           Review.network_id)
    .join(Reviewer, Reviewer.id == Review.reviewer_id)
    .join(Business, Business.id == Review.business_id)
    .where(Review.reviewer_id.in_(select(Review.reviewer_id).where(
        Review.business_id == bindparam("b")).scalar_subquery()),
        Review.business_id != bindparam("b"), Review.published_at.is_not(None))
)


def load(session: Session, business_id: int) -> Loaded:
    domain = session.scalar(select(Business.domain).where(Business.id == business_id))
    if domain is None:
        raise NotFound(f"no business {business_id}", field="business")
    loaded = Loaded(business_id, domain, business_ids={domain: business_id})
    # Core rows (the session's connection), not ORM rows: a big business is 200,000 of them,
    # and the ORM's per-row machinery cost more than the statement; fetched whole (all()):
    # psycopg's fetchone per row cost 9 µs a row, its fetchall a fraction of that.
    connection = session.connection()
    for (review_id, ref, reviewer_id, reviewer, joined, rating, text, status, published,
         device, network) in connection.execute(_OWN, {"b": business_id}).all():
        loaded.own.append(ReviewRecord(ref, reviewer, domain, _day(published), rating,
                                       text or "", status, device, network))
        _ids(loaded, review_id, ref, reviewer_id, reviewer, joined)
    elsewhere = connection.execute(_ELSEWHERE, {"b": business_id}).all()
    for (review_id, ref, reviewer_id, reviewer, joined, rating, other_id, other, status,
         published, device, network) in elsewhere:
        loaded.elsewhere.append(ReviewRecord(ref, reviewer, other, _day(published), rating,
                                             "", status, device, network))
        loaded.business_ids[other] = other_id
        _ids(loaded, review_id, ref, reviewer_id, reviewer, joined)
    return loaded


def _day(moment: datetime) -> date:
    """The UTC day of a raw moment: aware from PostgreSQL, naive UTC from SQLite."""
    return moment.date() if moment.tzinfo is None else moment.astimezone(UTC).date()


def _ids(loaded: Loaded, review_id: int, ref: str, reviewer_id: int, reviewer: str,
         joined: datetime | None) -> None:
    loaded.review_ids[ref] = review_id
    if reviewer not in loaded.reviewer_ids:
        loaded.reviewer_ids[reviewer] = reviewer_id
        loaded.accounts[reviewer] = ReviewerRecord(reviewer, _day(joined) if joined else None)


def store(session: Session, loaded: Loaded, findings: Sequence[Finding], *, now: datetime
          ) -> list[Signal]:
    """Upsert the findings by key (a later run updates the same row) and name their subjects;
    the stored signals, in the findings' order."""
    if not findings:
        return []
    statement = upsert_insert(session)(Signal)
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={c: statement.excluded[c] for c in (
            "score", "explanation", "evidence", "last_seen_at", "business_id")},
    ).returning(Signal.id, Signal.key)
    rows = [{"kind": f.kind, "key": f.key, "business_id": loaded.business_id,
             "score": f.strength, "explanation": f.explanation, "evidence": f.evidence,
             "first_seen_at": now, "last_seen_at": now} for f in findings]
    ids = dict((key, signal_id) for signal_id, key in session.execute(statement, rows))
    session.execute(delete(SignalSubject).where(SignalSubject.signal_id.in_(
        bindparam("ids", expanding=True))), {"ids": list(ids.values())})
    subjects = {(ids[f.key], kind, subject)
                for f in findings for kind, subject in _subjects(loaded, f)}
    if subjects:
        session.execute(insert(SignalSubject), [
            {"signal_id": s, "subject_type": t, "subject_id": i} for s, t, i in subjects])
    by_id = {s.id: s for s in session.scalars(select(Signal).where(
        Signal.id.in_(bindparam("ids", expanding=True))), {"ids": list(ids.values())})}
    return [by_id[ids[f.key]] for f in findings]


def _subjects(loaded: Loaded, finding: Finding) -> Iterable[tuple[str, int]]:
    yield from (("review", loaded.review_ids[r]) for r in finding.reviews
                if r in loaded.review_ids)
    yield from (("reviewer", loaded.reviewer_ids[r]) for r in finding.reviewers
                if r in loaded.reviewer_ids)
    yield from (("business", loaded.business_ids[b]) for b in finding.businesses
                if b in loaded.business_ids)


@dataclass
class BusinessRun:
    business: str
    reviews: int
    findings: int
    by_kind: dict[str, int]
    case: str | None  # the case opened or enriched
    opened: bool


def run_business(session: Session, business_id: int, *, now: datetime, actor: Actor,
                 open_at: float) -> BusinessRun:
    """Every signal over one business, stored, acted on, and the business stamped."""
    loaded = load(session, business_id)
    findings = business_findings(loaded.domain, loaded.own, loaded.elsewhere, loaded.accounts)
    signals = store(session, loaded, findings, now=now)
    acted = cases.act(session, loaded, list(zip(findings, signals, strict=True)),
                      now=now, actor=actor, open_at=open_at)
    session.execute(update(Business).where(Business.id == business_id).values(signals_at=now))
    by_kind: dict[str, int] = {}
    for f in findings:
        by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
    return BusinessRun(loaded.domain, len(loaded.own), len(findings), by_kind,
                       acted.case_key if acted else None, bool(acted and acted.opened))


def due(session: Session, *, since: datetime | None = None, every: bool = False,
        after: int = 0, limit: int | None = None, part: int = 0, parts: int = 1) -> list[int]:
    """Businesses to run, by id: those whose reviews changed since their last run (or since
    ``since``), or ``every`` business with reviews; of those, part ``part`` of ``parts`` (by
    id modulo ``parts``), so several job runners can share a pass."""
    query = select(Business.id).where(Business.id > after, Business.reviews_changed_at.is_not(
        None)).order_by(Business.id)
    if parts > 1:
        query = query.where(Business.id % parts == part)
    if since is not None:
        query = query.where(Business.reviews_changed_at >= since)
    elif not every:
        query = query.where(or_(Business.signals_at.is_(None),
                                Business.signals_at < Business.reviews_changed_at))
    return list(session.scalars(query.limit(limit) if limit else query))


def business_id_of(session: Session, domain: str) -> int:
    found = session.scalar(select(Business.id).where(Business.domain == domain.lower()))
    if found is None:
        raise NotFound(f"no business with the domain {domain}", field="business")
    return found


def run_many(database: Database, business_ids: Sequence[int], *, now: datetime, actor: Actor,
             open_at: float, on_each: Callable[[BusinessRun], Any] = lambda run: None
             ) -> list[BusinessRun]:
    """Run each business in its own unit of work (a failure keeps the ones before it)."""
    runs = []
    for business_id in business_ids:
        with database.session() as session:
            run = run_business(session, business_id, now=now, actor=actor, open_at=open_at)
        runs.append(run)
        on_each(run)
    return runs


def start_nightly(session: Session, now: datetime, *, parts: int) -> dict[str, int]:
    """The nightly job itself only deals the pass out: one ``signals.more`` job per part, so
    each worker process takes one and the pass uses every core the workers have (the
    businesses are independent; a business runs in one part only)."""
    from integrity_desk.jobs import service as jobs

    for part in range(parts):
        jobs.enqueue(session, MORE_JOB, {"after": 0, "part": part, "parts": parts}, run_at=now)
    return {"parts": parts}


def run_job(session: Session, now: datetime, payload: dict[str, Any], *, actor: Actor,
            open_at: float, budget: float = JOB_BUDGET_SECONDS) -> dict[str, int]:
    """One part of the nightly pass: its businesses whose reviews changed, in id order, until
    the time budget is spent; the rest is queued as another ``signals.more`` from the last
    business done, so no job holds a transaction for long."""
    from integrity_desk.jobs import service as jobs

    started = time.monotonic()
    done = findings = 0
    last = int(payload.get("after", 0))
    part, parts = int(payload.get("part", 0)), int(payload.get("parts", 1))
    for business_id in due(session, after=last, part=part, parts=parts):
        if done and time.monotonic() - started > budget:
            jobs.enqueue(session, MORE_JOB, {"after": last, "part": part, "parts": parts},
                         run_at=now)
            break
        findings += run_business(session, business_id, now=now, actor=actor,
                                 open_at=open_at).findings
        done, last = done + 1, business_id
    return {"businesses": done, "findings": findings}
