"""Calibration exercises, the manager's use cases: build one from decided or synthetic cases,
invite a group, open it, close it — which computes the agreement figures once, stores them,
and certifies who passed (docs/quality.md, "Calibration exercises"). The members' side
(blind items, answers) is ``quality.calibration_answers``.

Status changes are conditional UPDATEs (``WHERE status = ...``): two managers closing at once
grant certifications once. Services add and flush; the caller commits. Every step is on the
people chain of the audit log, as certifications are."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases import repository
from integrity_desk.cases.domain import CaseKind
from integrity_desk.decisions.domain import ActionKind
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.people import certifications
from integrity_desk.people.models import WORKING_ROLES, User
from integrity_desk.privacy.domain import erase_text
from integrity_desk.quality import calibration_results as figures
from integrity_desk.quality.calibration_models import (
    CalibrationAnswer,
    CalibrationExercise,
    CalibrationInvitation,
    CalibrationItem,
    ExerciseStatus,
    ItemSource,
)
from integrity_desk.subjects.models import Review

CHAIN = "people"
# The worker closes open exercises past their close time at most this late.
JOB = "quality.calibration_close"
EVERY_SECONDS = 300
ACTIONS = tuple(a.value for a in ActionKind)
EDITABLE = ("title", "instructions", "closes_at", "min_alpha", "min_agreement",
            "certification", "valid_days", "guidelines")


def audit(session: Session, kind: str, actor: Actor, now: datetime, **payload: Any) -> None:
    record(session, kind=f"calibration.{kind}", category="audit", actor=actor,
           chain_key=CHAIN, at=now, payload=payload)


def _check(changes: dict[str, Any], session: Session) -> None:
    for bar in ("min_alpha", "min_agreement"):
        if bar in changes and not 0 <= changes[bar] <= 1:
            raise InvalidInput(f"{bar} is a share between 0 and 1", field=bar)
    name = changes.get("certification")
    if name is not None and not certifications.NAME.match(name):
        raise InvalidInput("a certification name is 1-64 lower-case letters, digits, '_', "
                           "'.' or '-'", field="certification")
    if changes.get("valid_days") is not None and changes["valid_days"] < 1:
        raise InvalidInput("valid_days is at least 1 (or none: no expiry)", field="valid_days")
    if changes.get("guidelines"):
        known = set(session.scalars(select(Guideline.code).where(Guideline.is_current)))
        unknown = sorted(set(changes["guidelines"]) - known)
        if unknown:
            raise InvalidInput(f"no guideline {', '.join(unknown)}", field="guidelines")


def create(session: Session, *, user: User, actor: Actor, now: datetime, title: str,
           instructions: str = "", closes_at: datetime | None = None, min_alpha: float = 0.8,
           min_agreement: float = 0.8, certification: str | None = None,
           valid_days: int | None = None, guidelines: Sequence[str] = ()
           ) -> CalibrationExercise:
    values = dict(title=title.strip(), instructions=instructions.strip(), closes_at=closes_at,
                  min_alpha=min_alpha, min_agreement=min_agreement,
                  certification=certification or None, valid_days=valid_days,
                  guidelines=sorted(set(guidelines)))
    if not values["title"]:
        raise InvalidInput("an exercise needs a title", field="title")
    _check(values, session)
    exercise = CalibrationExercise(status=ExerciseStatus.DRAFT, created_by_id=user.id,
                                   created_at=now, **values)
    session.add(exercise)
    session.flush()
    audit(session, "created", actor, now, exercise_id=exercise.id, title=exercise.title,
           certification=exercise.certification)
    return exercise


def get(session: Session, exercise_id: int, *, for_update: bool = False
        ) -> CalibrationExercise:
    query = select(CalibrationExercise).where(CalibrationExercise.id == exercise_id)
    exercise = session.scalar(query.with_for_update() if for_update else query)
    if exercise is None:
        raise NotFound(f"no calibration exercise {exercise_id}", field="exercise_id")
    return exercise


def _draft(exercise: CalibrationExercise, what: str) -> None:
    if exercise.status != ExerciseStatus.DRAFT:
        raise Conflict(f"{what} only while the exercise is a draft (it is {exercise.status})",
                       field="status")


def edit(session: Session, *, exercise: CalibrationExercise, changes: dict[str, Any],
         actor: Actor, now: datetime) -> CalibrationExercise:
    """Change a draft; the pass bars and the certification cannot move once people answer."""
    _draft(exercise, "an exercise can be changed")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(unknown)}", field=unknown[0])
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise InvalidInput("an exercise needs a title", field="title")
    if "instructions" in changes:
        changes["instructions"] = (changes["instructions"] or "").strip()
    if "guidelines" in changes:
        changes["guidelines"] = sorted(set(changes["guidelines"] or ()))
    _check(changes, session)
    for name, value in changes.items():
        setattr(exercise, name, value)
    session.flush()
    audit(session, "changed", actor, now, exercise_id=exercise.id, fields=sorted(changes))
    return exercise


def items_of(session: Session, exercise_id: int) -> list[CalibrationItem]:
    return list(session.scalars(select(CalibrationItem)
                                .where(CalibrationItem.exercise_id == exercise_id)
                                .order_by(CalibrationItem.position)))


def check_label(session: Session, exercise: CalibrationExercise, action: str | None,
                     guideline: str | None, prefix: str = "reference_") -> None:
    if action is not None and action not in ACTIONS:
        raise InvalidInput(f"{prefix}action is one of {', '.join(ACTIONS)}",
                           field=f"{prefix}action")
    if guideline is None:
        return
    if exercise.guidelines and guideline not in exercise.guidelines:
        raise InvalidInput(f"this exercise covers the guidelines "
                           f"{', '.join(exercise.guidelines)}", field=f"{prefix}guideline")
    if session.scalar(select(Guideline.id).where(Guideline.code == guideline,
                                                  Guideline.is_current)) is None:
        raise InvalidInput(f"no guideline {guideline!r}", field=f"{prefix}guideline")


def _add(session: Session, exercise: CalibrationExercise, item: CalibrationItem,
         actor: Actor, now: datetime) -> CalibrationItem:
    item.exercise_id = exercise.id
    item.position = (session.scalar(select(func.max(CalibrationItem.position))
                                    .where(CalibrationItem.exercise_id == exercise.id)) or 0) + 1
    item.created_at = now
    session.add(item)
    session.flush()
    audit(session, "item_added", actor, now, exercise_id=exercise.id, item_id=item.id,
           source=item.source, case_id=item.case_id)
    return item


def _original(session: Session, case_id: int) -> tuple[str, str | None] | None:
    """The case's latest applied decision as (principal action, guideline code): the first
    action it recorded, which is the one on the content the case is about."""
    row = session.execute(
        select(Decision.id, Guideline.code)
        .outerjoin(Guideline, Guideline.id == Decision.guideline_id)
        .where(Decision.case_id == case_id, Decision.kind == "decision",
               Decision.status == "applied")
        .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1)).first()
    if row is None:
        return None
    action = session.scalar(select(DecisionAction.action)
                            .where(DecisionAction.decision_id == row[0])
                            .order_by(DecisionAction.id).limit(1))
    return (action or ActionKind.KEEP.value), row[1]


def _snapshot(session: Session, case_id: int, title: str, description: str) -> dict[str, Any]:
    """What the group needs to decide, copied: the subjects and the case's own words, with
    contact details erased (the copy outlives the case's retention and needs none) and the
    subjects' references replaced by "review 1", "business 1"…: a reference searched in the
    desk would lead a member to the case and its decision."""
    subjects = repository.subjects_of(session, [case_id]).get(case_id, [])
    review_ids = [s.id for s in subjects if s.type == "review"]
    texts = {review_id: text for review_id, text in session.execute(
        select(Review.id, Review.text).where(Review.id.in_(review_ids)))} if review_ids else {}
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    for s in subjects:
        seen[s.type] = seen.get(s.type, 0) + 1
        names[s.ref] = f"{s.type} {seen[s.type]}"

    def blind(text: str) -> str:
        for ref in sorted((r for r in names if r), key=len, reverse=True):
            text = text.replace(ref, names[ref])
        return erase_text(text)

    return {"title": blind(title), "text": blind(description),
            "subjects": [{"type": s.type, "role": s.role, "name": names[s.ref],
                          "label": blind(texts.get(s.id, s.label) or ""),
                          **{k: v for k, v in s.extra.items() if k in ("rating", "language")}}
                         for s in subjects]}


def add_case(session: Session, *, exercise: CalibrationExercise, user: User, key: str,
             actor: Actor, now: datetime, reference_action: str | None = None,
             reference_guideline: str | None = None) -> CalibrationItem:
    """An item from a decided case the manager may read; its decision is the reference
    answer unless the manager gives one."""
    _draft(exercise, "items are added")
    case = repository.get_case(session, user, key)  # readable by this manager, or 404
    if case.legal_restricted or case.kind == CaseKind.LEGAL_NOTICE:
        # The group sees the copy whatever they may read; legal matters stay with counsel.
        raise InvalidInput(f"{key} is legal-restricted: its content is not for a "
                           "calibration group", field="case")
    original = _original(session, case.id)
    if original is None:
        raise InvalidInput(f"{key} has no applied decision: take a decided case, or write a "
                           "synthetic item", field="case")
    if session.scalar(select(CalibrationItem.id).where(
            CalibrationItem.exercise_id == exercise.id, CalibrationItem.case_id == case.id)):
        raise Conflict(f"{key} is already an item of this exercise", field="case")
    given = reference_action is not None
    action, guideline = ((reference_action, reference_guideline) if given else original)
    check_label(session, exercise, action, guideline)
    item = CalibrationItem(source=ItemSource.CASE, case_id=case.id,
                           content=_snapshot(session, case.id, case.title, case.description),
                           reference_action=action, reference_guideline=guideline,
                           reference_from="manager" if given else "decision")
    return _add(session, exercise, item, actor, now)


def add_synthetic(session: Session, *, exercise: CalibrationExercise, title: str, text: str,
                  actor: Actor, now: datetime, reference_action: str | None = None,
                  reference_guideline: str | None = None) -> CalibrationItem:
    """An item the manager wrote; without a reference action it counts towards the group's
    agreement but not towards anyone's agreement with the reference."""
    _draft(exercise, "items are added")
    if not title.strip():
        raise InvalidInput("a synthetic item needs a title", field="title")
    if not text.strip():
        raise InvalidInput("a synthetic item needs the text to decide", field="text")
    if reference_action is None and reference_guideline is not None:
        raise InvalidInput("a reference guideline needs a reference action",
                           field="reference_action")
    check_label(session, exercise, reference_action, reference_guideline)
    item = CalibrationItem(source=ItemSource.SYNTHETIC, case_id=None,
                           content={"title": title.strip(), "text": text.strip(),
                                    "subjects": []},
                           reference_action=reference_action,
                           reference_guideline=reference_guideline,
                           reference_from="manager" if reference_action else None)
    return _add(session, exercise, item, actor, now)


def remove_item(session: Session, *, exercise: CalibrationExercise, item_id: int,
                actor: Actor, now: datetime) -> None:
    _draft(exercise, "items are removed")
    item = session.scalar(select(CalibrationItem).where(
        CalibrationItem.id == item_id, CalibrationItem.exercise_id == exercise.id))
    if item is None:
        raise NotFound(f"no item {item_id} in this exercise", field="item_id")
    session.delete(item)
    session.flush()
    audit(session, "item_removed", actor, now, exercise_id=exercise.id, item_id=item_id)


def invitations(session: Session, exercise_id: int) -> list[tuple[CalibrationInvitation, User]]:
    rows = session.execute(
        select(CalibrationInvitation, User).join(User, User.id == CalibrationInvitation.user_id)
        .where(CalibrationInvitation.exercise_id == exercise_id).order_by(User.name, User.id))
    return [(invitation, user) for invitation, user in rows]


def answered_by(session: Session, exercise_id: int) -> dict[int, int]:
    """How many items each person has answered (one grouped count)."""
    rows = session.execute(select(CalibrationAnswer.user_id, func.count())
                           .where(CalibrationAnswer.exercise_id == exercise_id)
                           .group_by(CalibrationAnswer.user_id))
    return {user_id: count for user_id, count in rows}


def invite(session: Session, *, exercise: CalibrationExercise, user_ids: Iterable[int],
           actor: Actor, now: datetime) -> list[CalibrationInvitation]:
    """Invite people who work cases (a draft, or an open exercise someone joins late)."""
    if exercise.status == ExerciseStatus.CLOSED:
        raise Conflict("the exercise is closed", field="status")
    ids = sorted(set(user_ids))
    if not ids:
        raise InvalidInput("name at least one person", field="user_ids")
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    for user_id in ids:
        person = people.get(user_id)
        if person is None or not person.active or person.role not in WORKING_ROLES:
            raise InvalidInput(f"person {user_id} is not an active person who works cases",
                               field="user_ids")
    have = set(session.scalars(select(CalibrationInvitation.user_id).where(
        CalibrationInvitation.exercise_id == exercise.id)))
    added = [CalibrationInvitation(exercise_id=exercise.id, user_id=i, invited_at=now)
             for i in ids if i not in have]
    session.add_all(added)
    session.flush()
    if added:
        audit(session, "invited", actor, now, exercise_id=exercise.id,
               user_ids=[i.user_id for i in added])
    return added


def _transition(session: Session, exercise: CalibrationExercise, before: ExerciseStatus,
                **values: Any) -> bool:
    """A conditional UPDATE: True for the one caller that moved the exercise."""
    moved = session.execute(
        update(CalibrationExercise)
        .where(CalibrationExercise.id == exercise.id, CalibrationExercise.status == before)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    session.refresh(exercise)
    return bool(moved)


def open_exercise(session: Session, *, exercise: CalibrationExercise, actor: Actor,
                  now: datetime) -> CalibrationExercise:
    """From draft to open: it needs two items and two people, or no agreement can be told."""
    _draft(exercise, "an exercise is opened")
    if len(items_of(session, exercise.id)) < 2:
        raise InvalidInput("an exercise needs at least two items", field="items")
    if len(invitations(session, exercise.id)) < 2:
        raise InvalidInput("an exercise needs at least two people invited", field="user_ids")
    if exercise.closes_at is not None and exercise.closes_at <= now:
        raise InvalidInput("closes_at is in the past", field="closes_at")
    if not _transition(session, exercise, ExerciseStatus.DRAFT, status=ExerciseStatus.OPEN,
                       opened_at=now):
        raise Conflict("the exercise was opened or closed meanwhile", field="status")
    audit(session, "opened", actor, now, exercise_id=exercise.id)
    return exercise


def all_exercises(session: Session, *, status: str | None = None, limit: int = 200
                  ) -> list[CalibrationExercise]:
    query = select(CalibrationExercise).order_by(CalibrationExercise.id.desc()).limit(limit)
    if status:
        query = query.where(CalibrationExercise.status == status)
    return list(session.scalars(query))


def invitation_of(session: Session, exercise_id: int, user_id: int) -> CalibrationInvitation:
    """Only the invited see an exercise: anyone else gets the 404 of an unknown one."""
    found = session.scalar(select(CalibrationInvitation).where(
        CalibrationInvitation.exercise_id == exercise_id,
        CalibrationInvitation.user_id == user_id))
    if found is None:
        raise NotFound(f"no calibration exercise {exercise_id} you are invited to",
                       field="exercise_id")
    return found


def close(session: Session, *, exercise: CalibrationExercise, actor: Actor, now: datetime
          ) -> CalibrationExercise:
    """Close an open exercise: compute and store its results, and certify who passed — the
    group's alpha at or above its bar *and* their own agreement with the reference at or
    above theirs. One transaction: the results and the grants stand or fall together."""
    if exercise.status != ExerciseStatus.OPEN:
        raise Conflict(f"only an open exercise closes (it is {exercise.status})",
                       field="status")
    if not _transition(session, exercise, ExerciseStatus.OPEN, status=ExerciseStatus.CLOSED,
                       closed_at=now, closed_by_id=actor.id):
        raise Conflict("the exercise was closed meanwhile", field="status")
    items = items_of(session, exercise.id)
    invited = invitations(session, exercise.id)
    answers = session.scalars(select(CalibrationAnswer)
                              .where(CalibrationAnswer.exercise_id == exercise.id))
    results = figures.compute(
        items=[figures.ItemLine(i.id, i.position, i.content.get("title", ""),
                                i.reference_action, i.reference_guideline) for i in items],
        answers=[figures.AnswerLine(a.user_id, a.item_id, a.action, a.guideline)
                 for a in answers],
        people={u.id: u.name for _, u in invited},
        min_alpha=exercise.min_alpha, min_agreement=exercise.min_agreement)
    expires = now + timedelta(days=exercise.valid_days) if exercise.valid_days else None
    by_user = {u.id: (inv, u) for inv, u in invited}
    for line in results["people"]:
        invitation, person = by_user[line["user_id"]]
        invitation.agreement = line["agreement"]["value"]
        invitation.passed = line["passed"]
        line["certification_id"] = None
        if line["passed"] and exercise.certification:
            line["certification_id"] = certifications.grant(
                session, user=person, name=exercise.certification, source="calibration",
                actor=actor, now=now, expires_at=expires,
                source_ref=f"calibration:{exercise.id}", granted_by_id=actor.id).id
    results["closed_at"] = now.isoformat()
    exercise.results = results
    session.flush()
    audit(session, "closed", actor, now, exercise_id=exercise.id,
           alpha=results["alpha"]["value"],
           passed=[p["user_id"] for p in results["people"] if p["passed"]])
    return exercise


def close_due(session: Session, *, actor: Actor, now: datetime) -> int:
    """Close every open exercise past its close time (the worker's periodic step)."""
    due = list(session.scalars(select(CalibrationExercise.id).where(
        CalibrationExercise.status == ExerciseStatus.OPEN,
        CalibrationExercise.closes_at.is_not(None), CalibrationExercise.closes_at <= now)
        .order_by(CalibrationExercise.id)))
    closed = 0
    for exercise_id in due:
        exercise = get(session, exercise_id)
        try:
            close(session, exercise=exercise, actor=actor, now=now)
            closed += 1
        except Conflict:
            continue  # a manager closed it meanwhile
    return closed
