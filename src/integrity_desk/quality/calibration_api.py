"""Calibration exercises over HTTP (docs/quality.md, "Calibration exercises").

Managers (``workforce.manage``: they run the desk's people) build, invite, open, close and
read results under ``/calibrations``. Members (``case.work``) reach an exercise only through
``/calibrations/mine`` and ``/calibrations/{id}/mine|items/…/answer|submit``, which answer
from ``quality.calibration_answers``: an exercise they are not invited to is a 404, and what
they read is blind until it closes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from integrity_desk.api.deps import CaseWorker, SessionDep, WorkforceManager
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.errors import Conflict
from integrity_desk.people.models import User
from integrity_desk.quality import calibration, calibration_answers
from integrity_desk.quality.calibration_models import (
    CalibrationExercise,
    ExerciseStatus,
)
from integrity_desk.quality.calibration_schemas import (
    AnswerIn,
    AnswerOut,
    ExerciseChange,
    ExerciseDetail,
    ExerciseIn,
    ExerciseOut,
    GroupFigures,
    InviteIn,
    ItemIn,
    ItemOut,
    MemberExercise,
    MemberItemOut,
    exercise_out,
    invitation_out,
    item_out,
)

router = APIRouter(tags=["quality"])


def detail(session: Session, exercise: CalibrationExercise) -> ExerciseDetail:
    counts = calibration.answered_by(session, exercise.id)
    return ExerciseDetail(
        exercise=exercise_out(exercise),
        items=[item_out(i) for i in calibration.items_of(session, exercise.id)],
        invitations=[invitation_out(inv, user.name, counts.get(user.id, 0))
                     for inv, user in calibration.invitations(session, exercise.id)],
        results=exercise.results)


def member_exercise(session: Session, exercise: CalibrationExercise, user: User
                    ) -> MemberExercise:
    invitation, items = calibration_answers.member_view(session, exercise=exercise, user=user)
    closed = exercise.status == ExerciseStatus.CLOSED and exercise.results
    out = MemberExercise(
        exercise=exercise_out(exercise), submitted_at=invitation.submitted_at,
        items=[MemberItemOut(id=i.id, position=i.position, content=i.content, action=i.action,
                             guideline=i.guideline, note=i.note) for i in items],
        answered=sum(1 for i in items if i.action))
    if closed:
        results = exercise.results or {}
        out.mine = calibration_answers.own_result(exercise, user.id)
        out.group = GroupFigures(alpha=results["alpha"], alpha_action=results["alpha_action"],
                                 alpha_guideline=results["alpha_guideline"],
                                 per_guideline=results["per_guideline"],
                                 raters=results["raters"])
        out.references = calibration_answers.references(session, exercise)
    return out


@router.get("/calibrations", response_model=list[ExerciseOut])
def list_exercises(session: SessionDep, principal: WorkforceManager,
                   status: Annotated[Literal["draft", "open", "closed"] | None,
                                     Query()] = None) -> list[ExerciseOut]:
    """Every exercise, newest first (at most 200)."""
    return [exercise_out(e) for e in calibration.all_exercises(session, status=status)]


@router.post("/calibrations", response_model=ExerciseDetail, status_code=201)
def create_exercise(body: ExerciseIn, session: SessionDep, principal: WorkforceManager
                    ) -> ExerciseDetail:
    exercise = calibration.create(session, user=principal.user, actor=principal.actor,
                                  now=utcnow(), **body.model_dump())
    return detail(session, exercise)


@router.get("/calibrations/mine", response_model=list[ExerciseOut])
def my_exercises(session: SessionDep, principal: CaseWorker) -> list[ExerciseOut]:
    """The open and closed exercises you are invited to, open first."""
    return [exercise_out(e)
            for e in calibration_answers.my_exercises(session, principal.user.id)]


@router.get("/calibrations/{exercise_id}", response_model=ExerciseDetail)
def read_exercise(exercise_id: RowId, session: SessionDep, principal: WorkforceManager
                  ) -> ExerciseDetail:
    """The exercise with its items, reference answers, invitations and (closed) results."""
    return detail(session, calibration.get(session, exercise_id))


@router.patch("/calibrations/{exercise_id}", response_model=ExerciseDetail)
def change_exercise(exercise_id: RowId, body: ExerciseChange, session: SessionDep,
                    principal: WorkforceManager) -> ExerciseDetail:
    exercise = calibration.get(session, exercise_id, for_update=True)
    calibration.edit(session, exercise=exercise, changes=body.model_dump(exclude_unset=True),
                     actor=principal.actor, now=utcnow())
    return detail(session, exercise)


@router.post("/calibrations/{exercise_id}/items", response_model=ItemOut, status_code=201)
def add_item(exercise_id: RowId, body: ItemIn, session: SessionDep,
             principal: WorkforceManager) -> ItemOut:
    exercise = calibration.get(session, exercise_id, for_update=True)
    now = utcnow()
    if body.case:
        item = calibration.add_case(session, exercise=exercise, user=principal.user,
                                    key=body.case, actor=principal.actor, now=now,
                                    reference_action=body.reference_action,
                                    reference_guideline=body.reference_guideline)
    else:
        item = calibration.add_synthetic(session, exercise=exercise, title=body.title or "",
                                         text=body.text or "", actor=principal.actor, now=now,
                                         reference_action=body.reference_action,
                                         reference_guideline=body.reference_guideline)
    return item_out(item)


@router.delete("/calibrations/{exercise_id}/items/{item_id}", status_code=204)
def remove_item(exercise_id: RowId, item_id: RowId, session: SessionDep,
                principal: WorkforceManager) -> None:
    exercise = calibration.get(session, exercise_id, for_update=True)
    calibration.remove_item(session, exercise=exercise, item_id=item_id,
                            actor=principal.actor, now=utcnow())


@router.post("/calibrations/{exercise_id}/invitations", response_model=ExerciseDetail)
def invite(exercise_id: RowId, body: InviteIn, session: SessionDep,
           principal: WorkforceManager) -> ExerciseDetail:
    exercise = calibration.get(session, exercise_id, for_update=True)
    calibration.invite(session, exercise=exercise, user_ids=body.user_ids,
                       actor=principal.actor, now=utcnow())
    return detail(session, exercise)


@router.post("/calibrations/{exercise_id}/open", response_model=ExerciseDetail)
def open_exercise(exercise_id: RowId, session: SessionDep, principal: WorkforceManager
                  ) -> ExerciseDetail:
    exercise = calibration.get(session, exercise_id)
    calibration.open_exercise(session, exercise=exercise, actor=principal.actor, now=utcnow())
    return detail(session, exercise)


@router.post("/calibrations/{exercise_id}/close", response_model=ExerciseDetail)
def close_exercise(exercise_id: RowId, session: SessionDep, principal: WorkforceManager
                   ) -> ExerciseDetail:
    """Compute and keep the results; certify who passed (one transaction)."""
    exercise = calibration.get(session, exercise_id)
    calibration.close(session, exercise=exercise, actor=principal.actor, now=utcnow())
    return detail(session, exercise)


@router.get("/calibrations/{exercise_id}/results", response_model=dict)
def results(exercise_id: RowId, session: SessionDep, principal: WorkforceManager) -> dict:
    """The figures kept when the exercise closed."""
    exercise = calibration.get(session, exercise_id)
    if exercise.results is None:
        raise Conflict(f"the exercise is {exercise.status}: results come when it closes",
                       field="status")
    return exercise.results


@router.get("/calibrations/{exercise_id}/mine", response_model=MemberExercise)
def my_exercise(exercise_id: RowId, session: SessionDep, principal: CaseWorker
                ) -> MemberExercise:
    """The items to decide and your own answers; once closed, your result and the group's
    figures (never another person's answers)."""
    exercise = calibration_answers.exercise_for(session, exercise_id, principal.user.id)
    return member_exercise(session, exercise, principal.user)


@router.put("/calibrations/{exercise_id}/items/{item_id}/answer", response_model=AnswerOut)
def answer(exercise_id: RowId, item_id: RowId, body: AnswerIn, session: SessionDep,
           principal: CaseWorker) -> AnswerOut:
    exercise = calibration_answers.exercise_for(session, exercise_id, principal.user.id)
    found = calibration_answers.answer(
        session, exercise=exercise, user=principal.user, item_id=item_id, action=body.action,
        guideline=body.guideline, note=body.note, actor=principal.actor, now=utcnow())
    return AnswerOut(item_id=found.item_id, action=found.action, guideline=found.guideline,
                     note=found.note, answered_at=found.answered_at)


@router.post("/calibrations/{exercise_id}/submit", response_model=MemberExercise)
def submit(exercise_id: RowId, session: SessionDep, principal: CaseWorker) -> MemberExercise:
    """Hand your answers in: final from now on."""
    exercise = calibration_answers.exercise_for(session, exercise_id, principal.user.id)
    calibration_answers.submit(session, exercise=exercise, user=principal.user,
                               actor=principal.actor, now=utcnow())
    return member_exercise(session, exercise, principal.user)
