"""A case's subjects and the other cases about them, for the case view.

Other cases are read through ``readable_clause`` like every other case read: a vendor agent
learns nothing of a case on the same review that sits in another vendor's queue. One
statement for the subjects, one UNION ALL for the other cases of every subject, each branch a
range scan of ix_case_subjects_subject (subject_type, subject_id, case_id) newest case first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.cases.repository import readable_clause
from integrity_desk.people.models import User
from integrity_desk.privacy.domain import mask_text

# Subjects beyond this many get no history of their own (an investigation may name hundreds).
MAX_SUBJECTS = 20


@dataclass(frozen=True)
class SubjectRef:
    type: str  # review | business | reviewer
    id: int
    role: str  # primary | related


@dataclass(frozen=True)
class OtherCase:
    id: int
    key: str
    kind: str
    title: str  # masked
    status: str
    created_at: datetime
    closed_at: datetime | None


def subjects_of_case(session: Session, case_id: int) -> list[SubjectRef]:
    return [SubjectRef(t, i, r) for t, i, r in session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id, CaseSubject.role)
        .where(CaseSubject.case_id == case_id).order_by(CaseSubject.id))]


def _branch(user: User, subject: SubjectRef, case_id: int, limit: int) -> Select:  # type: ignore[type-arg]
    cs = CaseSubject
    return (select(literal(subject.type).label("s_type"), literal(subject.id).label("s_id"),
                   Case.id, Case.kind, Case.title, Case.status, Case.created_at, Case.closed_at)
            .select_from(cs).join(Case, Case.id == cs.case_id)
            .where(cs.subject_type == subject.type, cs.subject_id == subject.id,
                   cs.case_id != case_id, readable_clause(user))
            .order_by(cs.case_id.desc()).limit(limit))


def other_cases(session: Session, user: User, *, case_id: int, subjects: list[SubjectRef],
                limit: int = 5) -> dict[tuple[str, int], list[OtherCase]]:
    """Per subject, the latest other cases about it that the user may read, newest first."""
    chosen = subjects[:MAX_SUBJECTS]
    out: dict[tuple[str, int], list[OtherCase]] = {(s.type, s.id): [] for s in chosen}
    if not chosen:
        return out
    branches = [_branch(user, s, case_id, limit).subquery().select() for s in chosen]
    statement = branches[0] if len(branches) == 1 else union_all(*branches)
    for s_type, s_id, cid, kind, title, status, created_at, closed_at in session.execute(
            statement):
        out[(s_type, s_id)].append(OtherCase(cid, case_key(kind, cid), kind, mask_text(title),
                                             status, created_at, closed_at))
    for cases in out.values():
        cases.sort(key=lambda c: c.id, reverse=True)
    return out
