"""A member's side of a calibration exercise: the exercises they are invited to, the items
as they may see them, their answers, and their own result once closed (docs/quality.md).

Blindness is a property of what this module *returns*, not of a template: ``member_view``
never carries another person's answer, a reference answer or the case an item came from (a
case key would lead a member to the original decision), and results reach a member only once
the exercise is closed. Only the invited answer, only while the exercise is open, and an
answer may change until the person submits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.people.models import User
from integrity_desk.quality.calibration import audit, check_label, invitation_of, items_of
from integrity_desk.quality.calibration_models import (
    CalibrationAnswer,
    CalibrationExercise,
    CalibrationInvitation,
    CalibrationItem,
    ExerciseStatus,
)
from integrity_desk.quality.calibration_results import label


def my_exercises(session: Session, user_id: int) -> list[CalibrationExercise]:
    """The exercises someone is invited to, once open (a draft is the manager's business)."""
    return list(session.scalars(
        select(CalibrationExercise)
        .join(CalibrationInvitation, CalibrationInvitation.exercise_id == CalibrationExercise.id)
        .where(CalibrationInvitation.user_id == user_id,
               CalibrationExercise.status != ExerciseStatus.DRAFT)
        .order_by(CalibrationExercise.status.desc(), CalibrationExercise.id.desc())))


@dataclass(frozen=True)
class MemberItem:
    """An item as a member sees it: the content and their own answer, nothing else."""

    id: int
    position: int
    content: dict[str, Any]
    action: str | None
    guideline: str | None
    note: str | None


def member_view(session: Session, *, exercise: CalibrationExercise, user: User
                ) -> tuple[CalibrationInvitation, list[MemberItem]]:
    invitation = invitation_of(session, exercise.id, user.id)
    if exercise.status == ExerciseStatus.DRAFT:
        raise NotFound(f"no calibration exercise {exercise.id} you are invited to",
                       field="exercise_id")
    mine = {a.item_id: a for a in session.scalars(select(CalibrationAnswer).where(
        CalibrationAnswer.exercise_id == exercise.id, CalibrationAnswer.user_id == user.id))}
    return invitation, [
        MemberItem(i.id, i.position, i.content, getattr(mine.get(i.id), "action", None),
                   getattr(mine.get(i.id), "guideline", None),
                   getattr(mine.get(i.id), "note", None))
        for i in items_of(session, exercise.id)]


def _answering(session: Session, exercise: CalibrationExercise, user: User, now: datetime
               ) -> CalibrationInvitation:
    invitation = invitation_of(session, exercise.id, user.id)
    if exercise.status != ExerciseStatus.OPEN or (
            exercise.closes_at is not None and exercise.closes_at <= now):
        raise Conflict("the exercise is not open for answers", field="status")
    if invitation.submitted_at is not None:
        raise Conflict("you have submitted your answers; they can no longer change",
                       field="status")
    return invitation


def answer(session: Session, *, exercise: CalibrationExercise, user: User, item_id: int,
           action: str, guideline: str | None, note: str | None, actor: Actor,
           now: datetime) -> CalibrationAnswer:
    """Record (or change, until submitted) one's answer to an item."""
    _answering(session, exercise, user, now)
    item = session.scalar(select(CalibrationItem).where(
        CalibrationItem.id == item_id, CalibrationItem.exercise_id == exercise.id))
    if item is None:
        raise NotFound(f"no item {item_id} in this exercise", field="item_id")
    check_label(session, exercise, action, guideline or None, prefix="")
    found = session.scalar(select(CalibrationAnswer).where(
        CalibrationAnswer.item_id == item.id, CalibrationAnswer.user_id == user.id))
    if found is None:
        found = CalibrationAnswer(exercise_id=exercise.id, item_id=item.id, user_id=user.id)
        session.add(found)
    found.action, found.guideline = action, guideline or None
    found.note = (note or "").strip()[:1000] or None
    found.answered_at = now
    session.flush()
    # The label stays out of the log: the chain is readable before the exercise closes.
    audit(session, "answered", actor, now, exercise_id=exercise.id, item_id=item.id,
           user_id=user.id)
    return found


def submit(session: Session, *, exercise: CalibrationExercise, user: User, actor: Actor,
           now: datetime) -> CalibrationInvitation:
    """Hand one's answers in: they are final from now on."""
    invitation = _answering(session, exercise, user, now)
    answered = session.scalar(select(func.count()).select_from(CalibrationAnswer).where(
        CalibrationAnswer.exercise_id == exercise.id, CalibrationAnswer.user_id == user.id))
    if not answered:
        raise InvalidInput("answer at least one item before submitting", field="answers")
    invitation.submitted_at = now
    session.flush()
    audit(session, "submitted", actor, now, exercise_id=exercise.id, user_id=user.id)
    return invitation




def own_result(exercise: CalibrationExercise, user_id: int) -> dict[str, Any] | None:
    """A member's own line of a closed exercise (None before it closes)."""
    if exercise.status != ExerciseStatus.CLOSED or not exercise.results:
        return None
    return next((p for p in exercise.results["people"] if p["user_id"] == user_id), None)


def exercise_for(session: Session, exercise_id: int, user_id: int) -> CalibrationExercise:
    """The exercise, for someone invited to it once it is open; a 404 for anyone else, so
    the uninvited cannot even tell that it exists."""
    exercise = session.get(CalibrationExercise, exercise_id)
    if exercise is None or exercise.status == ExerciseStatus.DRAFT:
        raise NotFound(f"no calibration exercise {exercise_id} you are invited to",
                       field="exercise_id")
    invitation_of(session, exercise_id, user_id)
    return exercise


def references(session: Session, exercise: CalibrationExercise) -> dict[int, str | None]:
    """Each item's reference answer as a label: for a member only once the exercise closed."""
    if exercise.status != ExerciseStatus.CLOSED:
        raise Conflict("reference answers are shown once the exercise closes", field="status")
    return {i.id: label(i.reference_action, i.reference_guideline) if i.reference_action
            else None for i in items_of(session, exercise.id)}
