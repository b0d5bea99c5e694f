"""QA in the console (docs/quality.md): the QA queue and the review form for reviewers, one's
own verdicts with the dispute form for everyone reviewed, open disputes and sampling plans
for QA managers. Every rule is the service's (quality.review, quality.sampling); a refusal
shows on the page it came from, with what was typed kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases.domain import GuidelineCategory
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError, NotFound
from integrity_desk.quality import review, sampling
from integrity_desk.quality.domain import JUDGED, Rule, Severity, Status
from integrity_desk.quality.models import QaItem
from integrity_desk.sops import service as sops
from integrity_desk.web.deps import MyPage, Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.forms import text, value
from integrity_desk.web.quality import views
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Reviewer = Annotated[Viewer, Depends(page(Action.QA_REVIEW))]
QaLead = Annotated[Viewer, Depends(page(Action.QA_MANAGE))]


def _may(viewer: Viewer, action: Action) -> bool:
    return allows(viewer.user.role, action)


def _item(session: Session, viewer: Viewer, item_id: int) -> QaItem:
    try:
        return review.get_item(session, item_id, viewer.user)
    except NotFound as exc:
        raise PageError(404, "No such QA item", "There is no QA item with that number you "
                        "may see.") from exc


def _refusal(session: Session, exc: DeskError | PageError) -> str:
    session.rollback()
    return exc.message


@router.get("/qa")
def qa_queue(request: Request, session: SessionDep, viewer: Reviewer,
             empty: int = 0) -> Response:
    """The QA queue: decisions drawn for review, oldest first; never one's own."""
    items = review.queue(session, reviewer=viewer.user, limit=100)
    return render(request, "quality/qa_queue.html", {
        "viewer": viewer, "title": "QA queue", "empty": bool(empty),
        "lines": views.lines(session, items, show_person=_may(viewer, Action.QA_MANAGE)),
        "manages": _may(viewer, Action.QA_MANAGE)})


@router.post("/qa/next")
def take_next(session: SessionDep, viewer: Reviewer) -> Response:
    item = review.take_next(session, reviewer=viewer.user, actor=viewer.actor, now=utcnow())
    if item is None:
        return RedirectResponse("/qa?empty=1", status_code=303)
    return RedirectResponse(f"/qa/items/{item.id}", status_code=303)


def _item_page(request: Request, session: Session, viewer: Viewer, item: QaItem, *,
               error: str | None = None, status_code: int = 200,
               typed: dict[str, Any] | None = None) -> Response:
    manages = _may(viewer, Action.QA_MANAGE)
    [line] = views.lines(session, [item],
                         show_person=manages or item.person_id == viewer.user.id)
    form = review.current_form(session, item.kind)
    own = item.person_id == viewer.user.id
    case = session.get(Case, item.case_id)
    followed = sops.checklist(session, case) if case is not None else None
    return render(request, "quality/qa_item.html", {
        "viewer": viewer, "title": f"QA of {line.case_key}", "line": line, "item": item,
        "decision": views.decision_of(session, item), "form": form,
        "rows": views.form_rows(form, item), "severities": [s.value for s in Severity],
        "may_review": (_may(viewer, Action.QA_REVIEW) and not own
                       and item.status in (Status.WAITING, Status.IN_REVIEW)
                       and item.reviewer_id in (None, viewer.user.id)),
        "may_dispute": (own and item.status == Status.REVIEWED and item.dispute_until
                        is not None and utcnow() <= item.dispute_until),
        "may_settle": (manages and item.status == Status.DISPUTED
                       and viewer.user.id not in (item.person_id, item.reviewer_id)),
        "judged": item.status in JUDGED, "error": error, "typed": typed or {},
        "sop": followed},
        status_code=status_code)


@router.get("/qa/items/{item_id}")
def item_page(request: Request, item_id: RowId, session: SessionDep,
              viewer: MyPage) -> Response:
    """One drawn decision: the review form, its verdict, the dispute and its settling."""
    return _item_page(request, session, viewer, _item(session, viewer, item_id))


@router.post("/qa/items/{item_id}/review")
async def review_item(request: Request, item_id: RowId, session: SessionDep,
                      viewer: Reviewer) -> Response:
    item = _item(session, viewer, item_id)
    form = await request.form()
    try:
        findings = views.findings_from(form)
        review.review(session, item, reviewer=viewer.user, findings=findings,
                      feedback=text(value(form, "feedback"), "feedback", max_length=10_000),
                      dispute_days=request.app.state.settings.qa_dispute_days,
                      actor=viewer.actor, now=utcnow())
    except (DeskError, PageError) as exc:
        message = _refusal(session, exc)
        return _item_page(request, session, viewer, _item(session, viewer, item_id),
                          error=message, status_code=exc.status_code)
    return RedirectResponse(f"/qa/items/{item_id}", status_code=303)


@router.post("/qa/items/{item_id}/dispute")
async def dispute_item(request: Request, item_id: RowId, session: SessionDep,
                       viewer: MyPage) -> Response:
    item = _item(session, viewer, item_id)
    form = await request.form()
    reason = value(form, "reason")
    try:
        review.dispute(session, item, user=viewer.user,
                       reason=text(reason, "reason", required=True, max_length=10_000),
                       actor=viewer.actor, now=utcnow())
    except (DeskError, PageError) as exc:
        message = _refusal(session, exc)
        return _item_page(request, session, viewer, _item(session, viewer, item_id),
                          error=message, status_code=exc.status_code,
                          typed={"reason": reason})
    return RedirectResponse(f"/qa/items/{item_id}", status_code=303)


@router.post("/qa/items/{item_id}/settle")
async def settle_item(request: Request, item_id: RowId, session: SessionDep,
                      viewer: QaLead) -> Response:
    item = _item(session, viewer, item_id)
    form = await request.form()
    note, settlement = value(form, "note"), value(form, "settlement")
    try:
        review.settle(session, item, lead=viewer.user, settlement=settlement,
                      note=text(note, "note", required=True, max_length=10_000),
                      findings=views.findings_from(form)
                      if settlement == "changed" else None,
                      actor=viewer.actor, now=utcnow())
    except (DeskError, PageError) as exc:
        message = _refusal(session, exc)
        return _item_page(request, session, viewer, _item(session, viewer, item_id),
                          error=message, status_code=exc.status_code, typed={"note": note})
    return RedirectResponse(f"/qa/items/{item_id}", status_code=303)


@router.get("/qa/mine")
def my_results(request: Request, session: SessionDep, viewer: MyPage) -> Response:
    """One's decisions QA judged, with the feedback, and one's accuracy over 90 days."""
    since = utcnow() - timedelta(days=review.MINE_DAYS)
    items = review.results_of(session, viewer.user, limit=100)
    return render(request, "quality/qa_mine.html", {
        "viewer": viewer, "title": "My QA results", "days": review.MINE_DAYS,
        "accuracy": review.accuracy_of(session, viewer.user, since=since),
        "lines": views.lines(session, items, show_person=True)})


@router.get("/qa/disputes")
def open_disputes(request: Request, session: SessionDep, viewer: QaLead) -> Response:
    """Disputes waiting for a lead (none about one's own decision or review)."""
    items = review.disputes(session, lead=viewer.user, limit=100)
    return render(request, "quality/qa_disputes.html", {
        "viewer": viewer, "title": "QA disputes",
        "lines": views.lines(session, items, show_person=True)})


def _plans_page(request: Request, session: Session, viewer: Viewer, *,
                error: str | None = None, typed: dict[str, Any] | None = None,
                status_code: int = 200, drawn: str | None = None) -> Response:
    return render(request, "quality/qa_plans.html", {
        "viewer": viewer, "title": "QA sampling plans", "plans": sampling.plans(session),
        "rules": [r.value for r in Rule], "categories": [c.value for c in GuidelineCategory],
        "error": error, "typed": typed or {}, "drawn": drawn}, status_code=status_code)


@router.get("/qa/plans")
def plans_page(request: Request, session: SessionDep, viewer: QaLead,
               drawn: str | None = None) -> Response:
    """The sampling plans, a form to add one, and the draw on demand."""
    return _plans_page(request, session, viewer, drawn=drawn)


def _number(raw: str, kind: type) -> Any:
    try:
        return kind(raw) if raw.strip() else None
    except ValueError:
        return raw  # the service names the field and the reason


@router.post("/qa/plans")
async def add_plan(request: Request, session: SessionDep, viewer: QaLead) -> Response:
    form = await request.form()
    typed = {k: value(form, k) for k in ("name", "rule", "share", "min_severity",
                                         "first_weeks", "seed")}
    share = _number(typed["share"], float)
    values = {"name": typed["name"], "rule": typed["rule"],
              "share": share / 100 if isinstance(share, float) else share,
              "categories": [c for c in form.getlist("categories") if isinstance(c, str)],
              "min_severity": _number(typed["min_severity"], int),
              "first_weeks": _number(typed["first_weeks"], int),
              "seed": typed["seed"].strip() or None}
    try:
        for name in ("share", "min_severity", "first_weeks"):
            if isinstance(values[name], str):
                raise PageError(422, "Check the form", f"{name.replace('_', ' ').capitalize()}"
                                ": a number, please.")
        sampling.create_plan(session, values, user=viewer.user, actor=viewer.actor,
                             now=utcnow())
    except (DeskError, PageError) as exc:
        message = _refusal(session, exc)
        return _plans_page(request, session, viewer, error=message, typed=typed,
                           status_code=exc.status_code)
    return RedirectResponse("/qa/plans", status_code=303)


@router.post("/qa/plans/{plan_id}/active")
async def switch_plan(request: Request, plan_id: RowId, session: SessionDep,
                      viewer: QaLead) -> Response:
    form = await request.form()
    try:
        plan = sampling.get_plan(session, plan_id)
        sampling.update_plan(session, plan, {"active": value(form, "active") == "on"},
                             actor=viewer.actor, now=utcnow())
    except DeskError as exc:
        raise PageError(exc.status_code, "Plan not changed", exc.message) from exc
    return RedirectResponse("/qa/plans", status_code=303)


@router.post("/qa/draw")
def draw_now(session: SessionDep, viewer: QaLead) -> Response:
    summary = sampling.run_draw(session, now=utcnow(), actor=viewer.actor)
    return RedirectResponse(f"/qa/plans?{urlencode({'drawn': summary})}", status_code=303)
