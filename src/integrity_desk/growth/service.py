"""Each person's growth, for the person and their manager: certifications with their expiry,
QA accuracy week by week, calibration results, decisions overturned on appeal, exposure to
harmful content, and dated coaching notes.

Everything here is read from the records the rest of the desk keeps (QA items, calibration
invitations, appeal outcomes, harm exposures, certification grants); only coaching notes are
written here. Who may see whom is ``people.roster.get_person``'s question, asked by the caller.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case
from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.errors import InvalidInput
from integrity_desk.growth.models import CoachingNote
from integrity_desk.people.models import Certification, User
from integrity_desk.quality.calibration_models import CalibrationExercise, CalibrationInvitation
from integrity_desk.quality.domain import week_of
from integrity_desk.quality.models import QaItem
from integrity_desk.wellbeing.models import HarmExposure

WEEKS = 12
OVERTURN_DAYS = 90


@dataclass(frozen=True)
class Week:
    starts_on: date
    reviewed: int = 0
    correct: int = 0
    harmful_seen: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.reviewed if self.reviewed else None


@dataclass(frozen=True)
class CalibrationResult:
    exercise_id: int
    title: str
    closed_at: datetime | None
    agreement: float | None
    passed: bool | None
    group_alpha: float | None
    certification: str | None


@dataclass(frozen=True)
class Overturn:
    case_key: str
    guideline: str | None
    outcome: str  # overturned | partly_overturned | upheld
    decided_at: datetime


@dataclass(frozen=True)
class Note:
    id: int
    written_at: datetime
    author: str
    note: str


@dataclass(frozen=True)
class Growth:
    person: User
    certifications: list[Certification]  # every grant, latest first (current or not)
    weeks: list[Week]  # oldest first
    calibrations: list[CalibrationResult]
    appeals: dict[str, int]  # outcome -> count over OVERTURN_DAYS
    overturns: list[Overturn]  # the latest, newest first
    notes: list[Note]


def growth(session: Session, person: User, *, now: datetime) -> Growth:
    first = week_of(now) - timedelta(weeks=WEEKS - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)
    per_week: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for reviewed_at, correct in session.execute(
            select(QaItem.reviewed_at, QaItem.correct).where(
                QaItem.person_id == person.id, QaItem.reviewed_at >= since,
                QaItem.correct.is_not(None))):
        w = per_week[week_of(reviewed_at)]
        w[0] += 1
        w[1] += int(bool(correct))
    for day, n in session.execute(
            select(HarmExposure.day, func.count()).where(
                HarmExposure.user_id == person.id, HarmExposure.day >= first)
            .group_by(HarmExposure.day)):
        per_week[day - timedelta(days=day.weekday())][2] += int(n)
    weeks = [Week(first + timedelta(weeks=n), *per_week.get(first + timedelta(weeks=n),
                                                            [0, 0, 0]))
             for n in range(WEEKS)]
    return Growth(person=person, certifications=_grants(session, person), weeks=weeks,
                  calibrations=_calibrations(session, person),
                  **_appeals(session, person, now), notes=notes_of(session, person))


def _grants(session: Session, person: User) -> list[Certification]:
    return list(session.scalars(select(Certification).where(Certification.user_id == person.id)
                                .order_by(Certification.granted_at.desc()).limit(50)))


def _calibrations(session: Session, person: User) -> list[CalibrationResult]:
    rows = session.execute(
        select(CalibrationExercise, CalibrationInvitation)
        .join(CalibrationInvitation, CalibrationInvitation.exercise_id == CalibrationExercise.id)
        .where(CalibrationInvitation.user_id == person.id,
               CalibrationExercise.status == "closed")
        .order_by(CalibrationExercise.closed_at.desc()).limit(20))
    out = []
    for exercise, invitation in rows:
        results: dict[str, Any] = exercise.results or {}
        alpha = results.get("alpha")
        value = alpha.get("value") if isinstance(alpha, dict) else alpha
        out.append(CalibrationResult(exercise.id, exercise.title, exercise.closed_at,
                                     invitation.agreement, invitation.passed,
                                     value if isinstance(value, int | float) else None,
                                     exercise.certification))
    return out


def _appeals(session: Session, person: User, now: datetime) -> dict[str, Any]:
    appeal, contested = aliased(Decision), aliased(Decision)
    rows = session.execute(
        select(appeal.outcome, appeal.decided_at, Guideline.code, Case)
        .join(contested, contested.id == appeal.appeal_of_id)
        .join(Case, Case.id == contested.case_id)
        .outerjoin(Guideline, Guideline.id == contested.guideline_id)
        .where(appeal.kind == "appeal_outcome", contested.decided_by_id == person.id,
               appeal.decided_at >= now - timedelta(days=OVERTURN_DAYS))
        .order_by(appeal.decided_at.desc())).all()
    counts = {"upheld": 0, "overturned": 0, "partly_overturned": 0}
    for outcome, *_ in rows:
        counts[outcome] = counts.get(outcome, 0) + 1
    overturns = [Overturn(case.key, code, outcome, at) for outcome, at, code, case in rows
                 if outcome != "upheld"][:20]
    return {"appeals": counts, "overturns": overturns}


def notes_of(session: Session, person: User) -> list[Note]:
    author = aliased(User)
    return [Note(n.id, n.written_at, name, n.note) for n, name in session.execute(
        select(CoachingNote, author.name).join(author, author.id == CoachingNote.author_id)
        .where(CoachingNote.person_id == person.id)
        .order_by(CoachingNote.written_at.desc(), CoachingNote.id.desc()).limit(100))]


def write_note(session: Session, person: User, *, author: User, note: str, actor: Actor,
               now: datetime) -> CoachingNote:
    """A dated note the person reads on their page; never edited (a correction is a new
    note). Nobody writes coaching notes to themselves."""
    text = note.strip()
    if not text:
        raise InvalidInput("write the note", field="note")
    if author.id == person.id:
        raise InvalidInput("coaching notes are written by a lead to someone else",
                           field="person")
    written = CoachingNote(person_id=person.id, author_id=author.id, written_at=now, note=text)
    session.add(written)
    session.flush()
    record(session, kind="coaching_note.written", category="audit", actor=actor,
           chain_key="people", at=now,
           payload={"note_id": written.id, "user_id": person.id, "author_id": author.id})
    return written
