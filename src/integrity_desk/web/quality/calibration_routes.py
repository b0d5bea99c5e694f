"""Calibration exercises in the console: the manager's list, builder and results, and the
member's blind answer page (docs/quality.md, "Calibration exercises"). Forms are read into the
API's schemas and every rule is the services' (quality.calibration, .calibration_answers);
a refusal rolls the request's changes back and shows the page again with the field named."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.decisions import guidelines
from integrity_desk.errors import DeskError, NotFound
from integrity_desk.people.models import WORKING_ROLES, User
from integrity_desk.quality import calibration, calibration_answers
from integrity_desk.quality.calibration_models import CalibrationExercise, ExerciseStatus
from integrity_desk.quality.calibration_schemas import AnswerIn, ExerciseIn, ItemIn
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.forms import checked, value
from integrity_desk.web.quality import calibration_views as views
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Lead = Annotated[Viewer, Depends(page(Action.WORKFORCE_MANAGE))]
Member = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
FIELDS = ("title", "instructions", "min_alpha", "min_agreement", "certification",
          "valid_days", "guidelines", "closes_at")


def _errors(session: Session, exc: DeskError | PageError) -> dict[str, str]:
    session.rollback()
    if isinstance(exc, PageError):
        return {"form": exc.message}
    return {(exc.field or "form").split(".")[0]: exc.message}


def _exercise(session: Session, exercise_id: int) -> CalibrationExercise:
    try:
        return calibration.get(session, exercise_id)
    except NotFound as exc:
        raise PageError(404, "No such exercise", "There is no calibration exercise with "
                        "that number.") from exc


def _list_page(request: Request, session: Session, viewer: Viewer, *,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    return render(request, "quality/calibrations.html", {
        "viewer": viewer, "title": "Calibration",
        "rows": [views.exercise_row(e) for e in calibration.all_exercises(session)],
        "values": values or views.form_values(), "errors": errors or {},
        "guideline_codes": [g.code for g in guidelines.current(session)]},
        status_code=status_code)


@router.get("/calibrations")
def exercises(request: Request, session: SessionDep, viewer: Lead) -> Response:
    """Every exercise, newest first, and the form that starts one."""
    return _list_page(request, session, viewer)


def _exercise_body(form: Any) -> dict[str, Any]:
    raw = {k: value(form, k) for k in FIELDS}
    closes = raw["closes_at"].strip()
    return {"title": raw["title"], "instructions": raw["instructions"],
            "min_alpha": raw["min_alpha"] or "0.8", "min_agreement": raw["min_agreement"] or "0.8",
            "certification": raw["certification"].strip() or None,
            "valid_days": raw["valid_days"].strip() or None,
            "guidelines": [g.strip() for g in raw["guidelines"].split(",") if g.strip()],
            "closes_at": f"{closes}:00+00:00" if len(closes) == 16 else (closes or None)}


@router.post("/calibrations")
async def create_exercise(request: Request, session: SessionDep, viewer: Lead) -> Response:
    form = await request.form()
    values = {k: value(form, k) for k in FIELDS}
    try:
        body = checked(ExerciseIn, _exercise_body(form))
        exercise = calibration.create(session, user=viewer.user, actor=viewer.actor,
                                      now=utcnow(), **body.model_dump())
    except (DeskError, PageError) as exc:
        return _list_page(request, session, viewer, values=values,
                          errors=_errors(session, exc), status_code=exc.status_code)
    return RedirectResponse(f"/calibrations/{exercise.id}", status_code=303)


def _builder(request: Request, session: Session, viewer: Viewer,
             exercise: CalibrationExercise, *, errors: dict[str, str] | None = None,
             values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    counts = calibration.answered_by(session, exercise.id)
    invited = calibration.invitations(session, exercise.id)
    taken = {user.id for _, user in invited}
    people = [u for u in session.scalars(select(User).where(User.active.is_(True))
                                         .order_by(User.name, User.id))
              if u.role in WORKING_ROLES and u.id not in taken]
    return render(request, "quality/calibration.html", {
        "viewer": viewer, "title": exercise.title, "exercise": exercise,
        "row": views.exercise_row(exercise),
        "items": calibration.items_of(session, exercise.id),
        "invited": [(inv, user, counts.get(user.id, 0)) for inv, user in invited],
        "people": people, "actions": views.ACTIONS,
        "guideline_codes": exercise.guidelines or [g.code for g in guidelines.current(session)],
        "errors": errors or {}, "values": values or {}, "draft": exercise.status == "draft"},
        status_code=status_code)


@router.get("/calibrations/mine")
def my_exercises(request: Request, session: SessionDep, viewer: Member) -> Response:
    """The exercises you are invited to: open ones to answer, closed ones to read."""
    found = calibration_answers.my_exercises(session, viewer.user.id)
    return render(request, "quality/calibration_mine.html", {
        "viewer": viewer, "title": "My calibrations",
        "rows": [views.exercise_row(e) for e in found]})


@router.get("/calibrations/{exercise_id}")
def builder(request: Request, exercise_id: RowId, session: SessionDep, viewer: Lead
            ) -> Response:
    """A draft is built here (items, invitations, bars); an open one shows who answered."""
    return _builder(request, session, viewer, _exercise(session, exercise_id))


async def _step(request: Request, session: Session, viewer: Viewer, exercise_id: int,
                do: Any, *, keep: tuple[str, ...] = ()) -> Response:
    """Run one manager step on the exercise; back to its page, or the page with the error."""
    exercise = _exercise(session, exercise_id)
    form = await request.form()
    try:
        do(exercise, form)
    except (DeskError, PageError) as exc:
        errors = _errors(session, exc)
        return _builder(request, session, viewer, _exercise(session, exercise_id),
                        errors=errors, values={k: value(form, k) for k in keep},
                        status_code=exc.status_code)
    target = "results" if exercise.status == ExerciseStatus.CLOSED else ""
    return RedirectResponse(f"/calibrations/{exercise_id}/{target}".rstrip("/"),
                            status_code=303)


@router.post("/calibrations/{exercise_id}/items")
async def add_item(request: Request, exercise_id: RowId, session: SessionDep,
                   viewer: Lead) -> Response:
    def do(exercise: CalibrationExercise, form: Any) -> None:
        raw = {k: value(form, k).strip() or None for k in (
            "case", "title", "text", "reference_action", "reference_guideline")}
        body = checked(ItemIn, raw)
        now = utcnow()
        if body.case:
            calibration.add_case(session, exercise=exercise, user=viewer.user, key=body.case,
                                 actor=viewer.actor, now=now,
                                 reference_action=body.reference_action,
                                 reference_guideline=body.reference_guideline)
        else:
            calibration.add_synthetic(session, exercise=exercise, title=body.title or "",
                                      text=body.text or "", actor=viewer.actor, now=now,
                                      reference_action=body.reference_action,
                                      reference_guideline=body.reference_guideline)
    return await _step(request, session, viewer, exercise_id, do,
                       keep=("case", "title", "text", "reference_action",
                             "reference_guideline"))


@router.post("/calibrations/{exercise_id}/items/{item_id}/remove")
async def remove_item(request: Request, exercise_id: RowId, item_id: RowId,
                      session: SessionDep, viewer: Lead) -> Response:
    def do(exercise: CalibrationExercise, form: Any) -> None:
        calibration.remove_item(session, exercise=exercise, item_id=item_id,
                                actor=viewer.actor, now=utcnow())
    return await _step(request, session, viewer, exercise_id, do)


@router.post("/calibrations/{exercise_id}/invitations")
async def invite(request: Request, exercise_id: RowId, session: SessionDep,
                 viewer: Lead) -> Response:
    def do(exercise: CalibrationExercise, form: Any) -> None:
        ids = [int(v) for v in form.getlist("user_ids") if isinstance(v, str) and v.isdigit()
               and 0 < int(v) < 2**31]
        calibration.invite(session, exercise=exercise, user_ids=ids, actor=viewer.actor,
                           now=utcnow())
    return await _step(request, session, viewer, exercise_id, do)


@router.post("/calibrations/{exercise_id}/open")
async def open_exercise(request: Request, exercise_id: RowId, session: SessionDep,
                        viewer: Lead) -> Response:
    def do(exercise: CalibrationExercise, form: Any) -> None:
        calibration.open_exercise(session, exercise=exercise, actor=viewer.actor,
                                  now=utcnow())
    return await _step(request, session, viewer, exercise_id, do)


@router.post("/calibrations/{exercise_id}/close")
async def close_exercise(request: Request, exercise_id: RowId, session: SessionDep,
                         viewer: Lead) -> Response:
    def do(exercise: CalibrationExercise, form: Any) -> None:
        calibration.close(session, exercise=exercise, actor=viewer.actor, now=utcnow())
    return await _step(request, session, viewer, exercise_id, do)


@router.get("/calibrations/{exercise_id}/results")
def results(request: Request, exercise_id: RowId, session: SessionDep, viewer: Lead
            ) -> Response:
    """The figures kept at close: alpha with its reading, per guideline, the items the group
    split on, each person's agreement and pass, and Cohen's kappa for every pair."""
    exercise = _exercise(session, exercise_id)
    if exercise.results is None:
        raise PageError(409, "Not closed yet", "Results are computed when the exercise "
                        "closes; close it from its page.")
    return render(request, "quality/calibration_results.html", {
        "viewer": viewer, "title": f"Results: {exercise.title}", "exercise": exercise,
        "row": views.exercise_row(exercise), "r": views.results_view(exercise.results)})


def _member(session: Session, viewer: Viewer, exercise_id: int) -> CalibrationExercise:
    try:
        return calibration_answers.exercise_for(session, exercise_id, viewer.user.id)
    except NotFound as exc:
        raise PageError(404, "No such exercise", "There is no calibration exercise with "
                        "that number you are invited to.") from exc


def _answer_page(request: Request, session: Session, viewer: Viewer,
                 exercise: CalibrationExercise, *, errors: dict[str, str] | None = None,
                 status_code: int = 200, saved: bool = False) -> Response:
    invitation, items = calibration_answers.member_view(session, exercise=exercise,
                                                        user=viewer.user)
    closed = exercise.status == ExerciseStatus.CLOSED
    mine = calibration_answers.own_result(exercise, viewer.user.id) if closed else None
    return render(request, "quality/calibration_answer.html", {
        "viewer": viewer, "title": exercise.title, "exercise": exercise, "items": items,
        "invitation": invitation, "actions": views.ACTIONS,
        "guideline_codes": exercise.guidelines or [g.code for g in guidelines.current(session)],
        "editable": exercise.status == ExerciseStatus.OPEN and invitation.submitted_at is None
        and (exercise.closes_at is None or exercise.closes_at > utcnow()),
        "closed": closed, "mine": mine, "saved": saved,
        "references": calibration_answers.references(session, exercise) if closed else {},
        "group": views.measure(exercise.results["alpha"]) if closed and exercise.results
        else None, "errors": errors or {}, "share": views.share},
        status_code=status_code)


@router.get("/calibrations/{exercise_id}/answer")
def answer_page(request: Request, exercise_id: RowId, session: SessionDep, viewer: Member,
                saved: str | None = None) -> Response:
    """Decide each item blind: no one else's answers, no reference, no original case."""
    return _answer_page(request, session, viewer, _member(session, viewer, exercise_id),
                        saved=bool(saved))


@router.post("/calibrations/{exercise_id}/answer")
async def save_answers(request: Request, exercise_id: RowId, session: SessionDep,
                       viewer: Member) -> Response:
    """Save every item answered on the page; "Submit" also hands them in (final)."""
    exercise = _member(session, viewer, exercise_id)
    form = await request.form()
    now = utcnow()
    try:
        _, items = calibration_answers.member_view(session, exercise=exercise,
                                                   user=viewer.user)
        for item in items:
            action = value(form, f"action-{item.id}")
            if not action:
                continue
            body = checked(AnswerIn, {"action": action,
                                      "guideline": value(form, f"guideline-{item.id}"),
                                      "note": value(form, f"note-{item.id}")},
                           label=lambda f, n=item.position: f"Item {n}, {f}")
            calibration_answers.answer(session, exercise=exercise, user=viewer.user,
                                       item_id=item.id, action=body.action,
                                       guideline=body.guideline, note=body.note,
                                       actor=viewer.actor, now=now)
        if value(form, "submit") == "yes":
            calibration_answers.submit(session, exercise=exercise, user=viewer.user,
                                       actor=viewer.actor, now=now)
    except (DeskError, PageError) as exc:
        errors = _errors(session, exc)
        return _answer_page(request, session, viewer, _member(session, viewer, exercise_id),
                            errors=errors, status_code=exc.status_code)
    return RedirectResponse(f"/calibrations/{exercise_id}/answer?saved=1", status_code=303)

