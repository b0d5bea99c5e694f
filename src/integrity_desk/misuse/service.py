"""Counting misuse from decisions, and warning or suspending who crossed the line."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, union_all, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.misuse.domain import (
    LINES,
    NOTICE_KINDS,
    PARTY_OF,
    WINDOW,
    Bucket,
    Counter,
    Measure,
    PartyType,
    manifest_bucket,
    next_measure,
    notifier_key,
)
from integrity_desk.misuse.models import MisuseEvent, MisuseMeasure
from integrity_desk.subjects.models import Review, Reviewer


def check_manifest(*, decision_kind: str, outcome: str, ground: str | None,
                   case_kind: str, field: str) -> Bucket:
    bucket = manifest_bucket(decision_kind=decision_kind, outcome=outcome, ground=ground,
                             case_kind=case_kind)
    if bucket is None:
        raise InvalidInput("only illegal content acted on, a notice left without action, or an "
                           "upheld appeal can be marked manifest", field=field)
    return bucket


def record_manifest(session: Session, *, bucket: Bucket, case: Case, decision_id: int,
                    reviewed_review_ids: Iterable[int], reviewer_ids: Iterable[int],
                    now: datetime) -> int:
    """Write the ledger rows a manifest decision adds, one per item; returns how many.

    Art. 23 weighs how *many* manifest items a party posted or sent, so a decision on three
    manifestly illegal reviews of one poster adds three rows, and a notice case with two
    joined notices of one sender adds three; a set per party would undercount both.
    """
    keys: list[str] = []
    if bucket == Bucket.ILLEGAL_CONTENT:
        review_ids = sorted(set(reviewed_review_ids))  # two actions on one review: one item
        posters: dict[int, int | None] = {}
        if review_ids:
            posters = dict(session.execute(select(Review.id, Review.reviewer_id)
                                           .where(Review.id.in_(review_ids))).all())
        keys = [str(posters[r]) for r in review_ids if posters.get(r)]
        with_reviews = {posters[r] for r in review_ids if posters.get(r)}
        # An account acted on without any of its reviews in the decision is one item.
        keys += [str(r) for r in sorted(set(reviewer_ids)) if r not in with_reviews]
    else:
        contacts = [case.requester_contact]
        if bucket == Bucket.UNFOUNDED_NOTICES:  # every notice joined to the case counts too
            contacts += list(session.scalars(select(CaseRequest.requester_contact)
                                             .where(CaseRequest.case_id == case.id)
                                             .order_by(CaseRequest.id)))
        keys = [k for k in map(notifier_key, contacts) if k]
    if keys:
        session.execute(insert(MisuseEvent), [
            dict(party_type=PARTY_OF[bucket].value, party_key=k, bucket=bucket.value,
                 case_id=case.id, decision_id=decision_id, occurred_at=now)
            for k in keys])
    return len(keys)


def _manifest_counts(session: Session, bucket: Bucket, keys: list[str],
                     since: datetime) -> dict[str, int]:
    return dict(session.execute(
        select(MisuseEvent.party_key, func.count())
        .where(MisuseEvent.bucket == bucket, MisuseEvent.party_key.in_(keys),
               MisuseEvent.occurred_at >= since)
        .group_by(MisuseEvent.party_key)).all())


def _totals(session: Session, bucket: Bucket, keys: list[str],
            since: datetime) -> dict[str, int]:
    """All items of each party in the window: reviews posted, notices or complaints sent."""
    if not keys:
        return {}
    if bucket == Bucket.ILLEGAL_CONTENT:
        ids = [int(k) for k in keys]
        mirrored = dict(session.execute(select(Review.reviewer_id, func.count())
                                        .where(Review.reviewer_id.in_(ids))
                                        .group_by(Review.reviewer_id)).all())
        counted = dict(session.execute(select(Reviewer.id, Reviewer.review_count)
                                       .where(Reviewer.id.in_(ids))).all())
        return {k: max(mirrored.get(int(k), 0), counted.get(int(k), 0)) for k in keys}
    contact = func.lower(Case.requester_contact)
    kinds = NOTICE_KINDS if bucket == Bucket.UNFOUNDED_NOTICES else {"appeal"}
    parts = [select(contact.label("k")).where(contact.in_(keys), Case.kind.in_(kinds),
                                               Case.created_at >= since)]
    if bucket == Bucket.UNFOUNDED_NOTICES:
        linked = func.lower(CaseRequest.requester_contact)
        parts.append(select(linked.label("k")).where(linked.in_(keys),
                                                     CaseRequest.received_at >= since))
    items = union_all(*parts).subquery()
    return dict(session.execute(select(items.c.k, func.count()).group_by(items.c.k)).all())


def check_party(party_type: PartyType, key: str) -> str:
    """A reviewer is named by the desk's reviewer id, a notifier by an e-mail address."""
    if party_type == PartyType.REVIEWER:
        _reviewer_id(key)
        return key
    normalised = notifier_key(key)
    if normalised is None:
        raise InvalidInput("a notifier is named by an e-mail address", field="party_key")
    return normalised


def counters(session: Session, party_type: PartyType, key: str, now: datetime) -> list[Counter]:
    key = check_party(party_type, key)
    since = now - WINDOW
    out = []
    for bucket, party in PARTY_OF.items():
        if party != party_type:
            continue
        manifest = _manifest_counts(session, bucket, [key], since).get(key, 0)
        total = _totals(session, bucket, [key], since).get(key, 0)
        out.append(Counter(bucket, manifest, max(total, manifest)))
    return out


def candidates(session: Session, bucket: Bucket, now: datetime,
               limit: int = 100) -> list[dict[str, Any]]:
    """Parties with at least the line's number of manifest items in the window (most first),
    with their share and whether they crossed the line; three queries whatever their number."""
    since = now - WINDOW
    rows = session.execute(
        select(MisuseEvent.party_key, func.count().label("n"))
        .where(MisuseEvent.bucket == bucket, MisuseEvent.occurred_at >= since)
        .group_by(MisuseEvent.party_key).having(func.count() >= LINES[bucket].count)
        .order_by(func.count().desc(), MisuseEvent.party_key).limit(limit)).all()
    keys = [k for k, _ in rows]
    totals = _totals(session, bucket, keys, since)
    latest = _latest_measures(session, bucket, keys)
    out = []
    for key, n in rows:
        counter = Counter(bucket, n, max(totals.get(key, 0), n))
        measure = latest.get(key)
        out.append({"party_type": PARTY_OF[bucket].value, "party_key": key,
                    "bucket": bucket.value, "manifest": n, "total": counter.total,
                    "share": round(counter.share, 4), "crossed": counter.crossed,
                    "last_measure": measure.measure if measure else None,
                    "last_measure_at": measure.starts_at if measure else None})
    return out


def _latest_measures(session: Session, bucket: Bucket,
                     keys: list[str]) -> dict[str, MisuseMeasure]:
    latest: dict[str, MisuseMeasure] = {}
    if keys:
        for m in session.scalars(select(MisuseMeasure).where(
                MisuseMeasure.bucket == bucket, MisuseMeasure.party_key.in_(keys))
                .order_by(MisuseMeasure.starts_at)):
            latest[m.party_key] = m
    return latest


def impose(session: Session, *, party_type: PartyType, key: str, bucket: Bucket, reason: str,
           user_id: int, actor: Actor, now: datetime) -> MisuseMeasure:
    """Warn, or — after a warning within the window — suspend, a party over the line."""
    if PARTY_OF[bucket] != party_type:
        raise InvalidInput(f"{bucket} concerns a {PARTY_OF[bucket]}", field="bucket")
    if not reason.strip():
        raise InvalidInput("weigh gravity and intent and say why", field="reason")
    key = check_party(party_type, key)
    if party_type == PartyType.REVIEWER and session.get(Reviewer, _reviewer_id(key)) is None:
        raise NotFound(f"no reviewer {key}", field="party_key")
    counter = next(c for c in counters(session, party_type, key, now) if c.bucket == bucket)
    if not counter.crossed:
        line = LINES[bucket]
        raise Conflict(f"{counter.manifest} manifest of {counter.total} items "
                       f"({counter.share:.0%}) is under the line of {line.count} and "
                       f"{line.share:.0%}", field="party_key")
    warned = session.scalar(select(func.max(MisuseMeasure.starts_at)).where(
        MisuseMeasure.party_type == party_type, MisuseMeasure.party_key == key,
        MisuseMeasure.bucket == bucket, MisuseMeasure.measure == Measure.WARNING))
    latest = session.scalar(select(func.max(MisuseMeasure.starts_at)).where(
        MisuseMeasure.party_type == party_type, MisuseMeasure.party_key == key,
        MisuseMeasure.bucket == bucket))
    since = _misuse_since(session, bucket, key, latest) if latest else 0
    measure = next_measure(warned, now, new_misuse=since)
    if measure is None:
        assert latest is not None
        raise Conflict(f"last measure on {latest:%Y-%m-%d %H:%M}; a suspension needs further "
                       "manifest items recorded after the warning and any measure since "
                       "(DSA Art. 23(1))", field="party_key")
    ends_at = (now + timedelta(days=LINES[bucket].suspension_days)
               if measure == Measure.SUSPENSION else None)
    row = MisuseMeasure(party_type=party_type.value, party_key=key, bucket=bucket.value,
                        measure=measure.value, manifest_count=counter.manifest,
                        total_count=counter.total, reason=reason.strip(), starts_at=now,
                        ends_at=ends_at, decided_by_id=user_id)
    session.add(row)
    if ends_at and party_type == PartyType.REVIEWER:
        session.execute(update(Reviewer).where(Reviewer.id == _reviewer_id(key))
                        .values(status="suspended", suspended_until=ends_at))
    session.flush()
    record(session, kind=f"misuse.{measure.value}", category="audit", actor=actor,
           chain_key="misuse", at=now, payload={
               "measure_id": row.id, "party_type": party_type.value, "party_key": key,
               "bucket": bucket.value, "manifest": counter.manifest, "total": counter.total,
               "ends_at": ends_at, "reason": reason.strip()})
    return row


def _misuse_since(session: Session, bucket: Bucket, key: str, warned_at: datetime) -> int:
    """Manifest items recorded strictly after the latest measure (not those that earned it)."""
    return session.scalar(select(func.count()).select_from(MisuseEvent).where(
        MisuseEvent.bucket == bucket, MisuseEvent.party_key == key,
        MisuseEvent.occurred_at > warned_at)) or 0


def _reviewer_id(key: str) -> int:
    if not (key.isascii() and key.isdigit() and 0 < int(key) < 2**31):
        raise InvalidInput("a reviewer is named by the desk's reviewer id", field="party_key")
    return int(key)


def suspension_of(session: Session, contact: str | None, bucket: Bucket,
                  now: datetime) -> MisuseMeasure | None:
    """The suspension in force for this notifier's e-mail address, if any."""
    return suspended_notifiers(session, [contact], bucket, now).get(notifier_key(contact) or "")


def suspended_notifiers(session: Session, contacts: Iterable[str | None], bucket: Bucket,
                        now: datetime) -> dict[str, MisuseMeasure]:
    """The suspensions in force among these notifiers' addresses, by normalised address: one
    query for a whole batch of flags, however many senders it names."""
    keys = sorted({k for k in map(notifier_key, contacts) if k})
    if not keys:
        return {}
    found: dict[str, MisuseMeasure] = {}
    for m in session.scalars(select(MisuseMeasure).where(
            MisuseMeasure.party_type == PartyType.NOTIFIER, MisuseMeasure.party_key.in_(keys),
            MisuseMeasure.bucket == bucket, MisuseMeasure.measure == Measure.SUSPENSION,
            MisuseMeasure.ends_at > now).order_by(MisuseMeasure.ends_at)):
        found[m.party_key] = m  # the latest end wins
    return found
