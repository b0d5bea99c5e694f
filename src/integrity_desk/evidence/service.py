"""Taking evidence snapshots: of every subject of a case when work on it begins, of the
subjects a decision acts on when it is made, and on demand.

Snapshots are taken in the transaction of what occasioned them (the status change, the
decision), so a decision never stands without the proof of what it decided on. The timeline
listener (:func:`on_events`, registered by ``wiring.wire``) is how the case and decision slices
trigger it without knowing of this one. A batch is a few queries whatever its size: one per
kind of subject for the forms, one per kind for the signals, one for what the case already
holds, one insert (COPY on PostgreSQL) and one timeline event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import Actor, case_chain, record
from integrity_desk.bulk import BulkInsert
from integrity_desk.db import utcnow
from integrity_desk.evidence import domain
from integrity_desk.evidence.domain import Occasion
from integrity_desk.evidence.models import EvidenceSnapshot
from integrity_desk.investigations.members import member_keys
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.subjects.models import Business, Review, Reviewer

Key = tuple[str, int]
CHUNK = 1000  # ids per IN list: well under SQLite's bound-parameter limit

_INSERT = BulkInsert(EvidenceSnapshot.__table__, [
    "case_id", "subject_type", "subject_id", "subject_ref", "occasion", "decision_id",
    "taken_at", "taken_by_id", "taken_by", "content", "sha256"])


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def _signals(session: Session, keys: set[Key]) -> dict[Key, list[dict[str, Any]]]:
    """The findings that name each subject, strongest first (then by id: a stable form)."""
    found: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for subject_type in sorted({t for t, _ in keys}):
        ids = sorted(i for t, i in keys if t == subject_type)
        for chunk in _chunks(ids):
            for row in session.execute(
                    select(SignalSubject.subject_id, Signal.id.label("signal_id"), Signal.kind,
                           Signal.key, Signal.score, Signal.explanation)
                    .join(Signal, Signal.id == SignalSubject.signal_id)
                    .where(SignalSubject.subject_type == subject_type,
                           SignalSubject.subject_id.in_(chunk))):
                found[(subject_type, row.subject_id)].append(domain.signal_form(row))
    for forms in found.values():
        forms.sort(key=lambda s: (-s["strength"], s["id"]))
    return found


def forms(session: Session, keys: set[Key]) -> dict[Key, dict[str, Any]]:
    """Each subject's evidence form (subjects that no longer exist are left out)."""
    signals = _signals(session, keys)
    out: dict[Key, dict[str, Any]] = {}
    by_type = defaultdict(list)
    for subject_type, subject_id in keys:
        by_type[subject_type].append(subject_id)
    for chunk in _chunks(sorted(by_type.get("review", []))):
        for row in session.execute(
                select(Review.id, Review.ref, Review.title, Review.text, Review.rating,
                       Review.language, Review.status, Review.label, Review.published_at,
                       Review.experienced_at, Review.device_id, Review.network_id,
                       Business.domain.label("business_domain"),
                       Business.name.label("business_name"),
                       Reviewer.ref.label("reviewer_ref"),
                       Reviewer.display_name.label("reviewer_name"))
                .outerjoin(Business, Business.id == Review.business_id)
                .outerjoin(Reviewer, Reviewer.id == Review.reviewer_id)
                .where(Review.id.in_(chunk))):
            out[("review", row.id)] = domain.review_form(row, signals.get(("review", row.id), []))
    for chunk in _chunks(sorted(by_type.get("reviewer", []))):
        for row in session.execute(select(Reviewer).where(Reviewer.id.in_(chunk))):
            reviewer = row[0]
            out[("reviewer", reviewer.id)] = domain.reviewer_form(
                reviewer, signals.get(("reviewer", reviewer.id), []))
    for chunk in _chunks(sorted(by_type.get("business", []))):
        for row in session.execute(select(Business).where(Business.id.in_(chunk))):
            business = row[0]
            out[("business", business.id)] = domain.business_form(
                business, signals.get(("business", business.id), []))
    return out


def capture(session: Session, case_id: int, keys: Iterable[Key], *, occasion: Occasion,
            actor: Actor, now: datetime, decision_id: int | None = None) -> int:
    """Snapshot these subjects for the case; returns how many snapshots were taken.

    An examination skips a subject whose identical form the case already holds (opening the
    case twice proves nothing new); a decision always takes its own, naming the decision.
    """
    wanted = set(keys)
    if not wanted:
        return 0
    sealed = {key: (form["subject"], *domain.sealed(form))
              for key, form in forms(session, wanted).items()}
    if occasion == Occasion.EXAMINED and sealed:
        held = set(session.execute(
            select(EvidenceSnapshot.subject_type, EvidenceSnapshot.subject_id,
                   EvidenceSnapshot.sha256).where(EvidenceSnapshot.case_id == case_id)))
        sealed = {key: s for key, s in sealed.items() if (*key, s[2]) not in held}
    if not sealed:
        return 0
    rows = []
    for key in sorted(sealed):
        ref, content, sha256 = sealed[key]
        rows.append(dict(case_id=case_id, subject_type=key[0], subject_id=key[1],
                         subject_ref=ref, occasion=occasion.value,
                         decision_id=decision_id, taken_at=now, taken_by_id=actor.id,
                         taken_by=actor.label, content=content, sha256=sha256))
    _INSERT.execute(session, rows)
    record(session, kind="evidence.captured", category="audit", actor=actor, case_id=case_id,
           at=now, payload={"occasion": occasion.value, "decision_id": decision_id,
                            "snapshots": len(rows),
                            "digest": domain.digest(r["sha256"] for r in rows)})
    return len(rows)


def capture_case(session: Session, case_id: int, *, actor: Actor, now: datetime) -> int:
    """Snapshot every member of the case as it stands (examined): its subjects and what the
    findings it holds are about, less what a person dropped (investigations.members)."""
    keys = {(t, i) for t, i in session.execute(member_keys(case_id))}
    return capture(session, case_id, keys, occasion=Occasion.EXAMINED, actor=actor, now=now)


def _parse_subject(value: str) -> Key | None:
    subject_type, _, subject_id = value.partition(":")
    return (subject_type, int(subject_id)) if subject_id.isdigit() else None


def on_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """The timeline listener: work began on a case, or a person added members to it →
    examined (what is unchanged since its last snapshot is not taken again); a decision →
    decided."""
    for event in events:
        kind = event["kind"]
        examined = (kind == "case.status_changed" and event["payload"].get("after")
                    == "in_progress") or (kind == "case.member_added"
                                          and event["payload"].get("count"))
        if examined and event.get("case_id"):
            capture_case(session, event["case_id"], actor=event["actor"],
                         now=event.get("at") or utcnow())
        elif kind in ("decision.made", "decision.proposed") and event.get("case_id"):
            payload = event["payload"]
            keys = {k for k in (_parse_subject(a["subject"]) for a in payload.get("actions", []))
                    if k}
            capture(session, event["case_id"], keys, occasion=Occasion.DECIDED,
                    actor=event["actor"], now=event.get("at") or utcnow(),
                    decision_id=payload.get("decision_id"))


def summary(session: Session, case_id: int, *, exports: int = 3) -> dict[str, Any]:
    """What the case view's evidence card says: how much is kept, and the latest bundles."""
    count, last = session.execute(
        select(func.count(), func.max(EvidenceSnapshot.taken_at))
        .where(EvidenceSnapshot.case_id == case_id)).one()
    latest = [(at, label, json.loads(payload)) for at, label, payload in session.execute(
        select(AuditEvent.occurred_at, AuditEvent.actor_label, AuditEvent.payload)
        .where(AuditEvent.chain_key == case_chain(case_id),
               AuditEvent.kind == "evidence.exported")
        .order_by(AuditEvent.seq.desc()).limit(exports))]
    return {"snapshots": count, "last_taken_at": last,
            "exports": [{"at": at, "by": label, "sha256": p.get("sha256"),
                         "snapshots": p.get("snapshots")} for at, label, p in latest]}
