"""A person's growth over HTTP (docs/quality.md#each-persons-growth): for the person and their
managers, as the person page is (``people.roster.get_person`` answers who may see whom)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import Myself, SessionDep, WorkforceManager
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.growth import service
from integrity_desk.people import roster

router = APIRouter(tags=["workforce"])


class CertificationLine(BaseModel):
    name: str
    source: str
    granted_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    current: bool


class WeekOut(BaseModel):
    week_starts_on: date
    qa_reviewed: int
    qa_correct: int
    qa_accuracy: float | None  # None: no data (nothing reviewed that week)
    harmful_seen: int


class CalibrationOut(BaseModel):
    exercise_id: int
    title: str
    closed_at: datetime | None
    agreement: float | None
    passed: bool | None
    group_alpha: float | None
    certification: str | None


class OverturnOut(BaseModel):
    case: str
    guideline: str | None
    outcome: str
    decided_at: datetime


class NoteOut(BaseModel):
    id: int
    written_at: datetime
    author: str
    note: str


class GrowthOut(BaseModel):
    person_id: int
    name: str
    skills: list[str]
    certifications: list[CertificationLine]
    weeks: list[WeekOut]
    calibrations: list[CalibrationOut]
    appeals_90_days: dict[str, int]
    overturns: list[OverturnOut]
    coaching_notes: list[NoteOut]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=10_000)


@router.get("/people/{user_id}/growth", response_model=GrowthOut)
def person_growth(user_id: RowId, session: SessionDep, principal: Myself) -> GrowthOut:
    """Certifications, QA accuracy and harmful items seen per week (12 weeks), calibration
    results, appeals against one's decisions (90 days) and coaching notes."""
    person = roster.get_person(session, principal.user, user_id,
                               manages=allows(principal.user.role, Action.WORKFORCE_MANAGE))
    now = utcnow()
    g = service.growth(session, person, now=now)
    return GrowthOut(
        person_id=person.id, name=person.name, skills=list(person.skills),
        certifications=[CertificationLine(
            name=c.name, source=c.source, granted_at=c.granted_at, expires_at=c.expires_at,
            revoked_at=c.revoked_at,
            current=c.revoked_at is None and (c.expires_at is None or c.expires_at > now))
            for c in g.certifications],
        weeks=[WeekOut(week_starts_on=w.starts_on, qa_reviewed=w.reviewed,
                       qa_correct=w.correct, qa_accuracy=w.accuracy,
                       harmful_seen=w.harmful_seen) for w in g.weeks],
        calibrations=[CalibrationOut(**c.__dict__) for c in g.calibrations],
        appeals_90_days=g.appeals,
        overturns=[OverturnOut(case=o.case_key, guideline=o.guideline, outcome=o.outcome,
                               decided_at=o.decided_at) for o in g.overturns],
        coaching_notes=[NoteOut(**n.__dict__) for n in g.notes])


@router.post("/people/{user_id}/coaching-notes", response_model=NoteOut, status_code=201)
def write_note(user_id: RowId, body: NoteIn, session: SessionDep,
               principal: WorkforceManager) -> NoteOut:
    """A dated coaching note the person reads on their growth page; never edited."""
    person = roster.get_person(session, principal.user, user_id, manages=True)
    note = service.write_note(session, person, author=principal.user, note=body.note,
                              actor=principal.actor, now=utcnow())
    return NoteOut(id=note.id, written_at=note.written_at, author=principal.user.name,
                   note=note.note)
