"""QA over HTTP (docs/quality.md#api): sampling plans and review forms for QA managers, the QA
queue for reviewers, one's own results and disputes for everyone reviewed, and the settling of
disputes. Every item is read through ``review.visible``: nobody reaches an item by its id that
their lists would not show them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import Myself, QaManager, QaReviewer, SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.people.models import User
from integrity_desk.quality import review, sampling
from integrity_desk.quality.models import QaItem
from integrity_desk.quality.schemas import (
    AccuracyOut,
    DisputeIn,
    DrawOut,
    FormIn,
    FormOut,
    ItemOut,
    ItemsOut,
    MineOut,
    PlanIn,
    PlanOut,
    PlanPatch,
    ReviewIn,
    SettleIn,
    form_out,
    item_out,
    plan_out,
)

router = APIRouter(tags=["quality"])


def items_out(session: Session, items: Sequence[QaItem], viewer: User) -> list[ItemOut]:
    """Items with their cases' keys and people's names: two reads for a page."""
    cases, names = review.keys_and_names(session, items)
    manager = allows(viewer.role, Action.QA_MANAGE)
    return [item_out(i, case_key=cases.get(i.case_id, str(i.case_id)), names=names,
                     show_person=manager or i.person_id == viewer.id) for i in items]


# Plans and forms.

@router.get("/qa/plans", response_model=list[PlanOut])
def list_plans(session: SessionDep, principal: QaManager) -> list[PlanOut]:
    """The sampling plans, active first."""
    return [plan_out(p) for p in sampling.plans(session)]


@router.post("/qa/plans", response_model=PlanOut, status_code=201)
def create_plan(body: PlanIn, session: SessionDep, principal: QaManager) -> PlanOut:
    """Add a sampling plan; the next draw applies it."""
    return plan_out(sampling.create_plan(session, body.model_dump(), user=principal.user,
                                         actor=principal.actor, now=utcnow()))


@router.patch("/qa/plans/{plan_id}", response_model=PlanOut)
def change_plan(plan_id: RowId, body: PlanPatch, session: SessionDep,
                principal: QaManager) -> PlanOut:
    """Change a plan (or pause it: ``active`` false); items already drawn stay."""
    plan = sampling.get_plan(session, plan_id)
    return plan_out(sampling.update_plan(session, plan, body.model_dump(exclude_unset=True),
                                         actor=principal.actor, now=utcnow()))


@router.post("/qa/draw", response_model=DrawOut)
def draw_now(session: SessionDep, principal: QaManager) -> DrawOut:
    """Run the draw now instead of waiting for the worker's next run."""
    return DrawOut(summary=sampling.run_draw(session, now=utcnow(), actor=principal.actor))


@router.get("/qa/forms/current", response_model=FormOut)
def current_form(session: SessionDep, principal: QaReviewer,
                 kind: str = Query(..., max_length=32, description="the case kind")) -> FormOut:
    """The form a decision of this case kind is judged on."""
    return form_out(review.current_form(session, kind))


@router.post("/qa/forms", response_model=FormOut, status_code=201)
def publish_form(body: FormIn, session: SessionDep, principal: QaManager) -> FormOut:
    """A new version of a case kind's review form (or of the default form)."""
    return form_out(review.publish_form(
        session, kind=body.kind, categories=[c.model_dump() for c in body.categories],
        pass_mark=body.pass_mark, change_note=body.change_note, user=principal.user,
        actor=principal.actor, now=utcnow()))


# The queue and reviews.

@router.get("/qa/queue", response_model=ItemsOut)
def qa_queue(session: SessionDep, principal: QaReviewer,
             limit: int = Query(50, ge=1, le=200),
             after: int | None = Query(None, ge=0, le=2**31 - 1)) -> ItemsOut:
    """Decisions waiting for review or in review, oldest first; never one's own."""
    items = review.queue(session, reviewer=principal.user, limit=limit, after_id=after)
    return ItemsOut(items=items_out(session, items, principal.user))


@router.post("/qa/queue/next", response_model=ItemOut,
             responses={204: {"description": "nothing waits that you may review"}})
def take_next(session: SessionDep, principal: QaReviewer) -> ItemOut | Response:
    """One's item in review, else the oldest waiting one (never one's own decision)."""
    item = review.take_next(session, reviewer=principal.user, actor=principal.actor,
                            now=utcnow())
    if item is None:
        return Response(status_code=204)
    return items_out(session, [item], principal.user)[0]


@router.get("/qa/items/{item_id}", response_model=ItemOut)
def get_item(item_id: RowId, session: SessionDep, principal: Myself) -> ItemOut:
    """One QA item, as far as one may see it."""
    item = review.get_item(session, item_id, principal.user)
    return items_out(session, [item], principal.user)[0]


@router.post("/qa/items/{item_id}/review", response_model=ItemOut)
def review_item(request: Request, item_id: RowId, body: ReviewIn, session: SessionDep,
                principal: QaReviewer) -> ItemOut:
    """Judge the decision: the errors found (a critical one fails it) and feedback."""
    item = review.get_item(session, item_id, principal.user)
    review.review(session, item, reviewer=principal.user,
                  findings=[f.model_dump() for f in body.findings], feedback=body.feedback,
                  dispute_days=request.app.state.settings.qa_dispute_days,
                  actor=principal.actor, now=utcnow())
    return items_out(session, [item], principal.user)[0]


@router.post("/qa/items/{item_id}/release", response_model=ItemOut)
def release_item(item_id: RowId, session: SessionDep, principal: QaReviewer) -> ItemOut:
    """Put an item in review back in the queue."""
    item = review.get_item(session, item_id, principal.user)
    review.release(session, item, user=principal.user,
                   manager=allows(principal.user.role, Action.QA_MANAGE))
    return items_out(session, [item], principal.user)[0]


# One's own results, disputes and their settling.

@router.get("/qa/mine", response_model=MineOut)
def my_results(session: SessionDep, principal: Myself,
               limit: int = Query(50, ge=1, le=200),
               before: int | None = Query(None, ge=0, le=2**31 - 1)) -> MineOut:
    """One's decisions QA judged, newest first, and one's accuracy over 90 days."""
    since = utcnow() - timedelta(days=review.MINE_DAYS)
    acc = review.accuracy_of(session, principal.user, since=since)
    items = review.results_of(session, principal.user, limit=limit, before_id=before)
    return MineOut(accuracy=AccuracyOut(
        since=since, reviewed=acc.reviewed, correct=acc.correct, value=acc.value,
        no_data=None if acc.reviewed
        else f"no decision of yours was QA-reviewed in {review.MINE_DAYS} days"),
        items=items_out(session, items, principal.user))


@router.post("/qa/items/{item_id}/dispute", response_model=ItemOut)
def dispute_item(item_id: RowId, body: DisputeIn, session: SessionDep,
                 principal: Myself) -> ItemOut:
    """Contest the verdict on one's own decision, within the window, with a reason."""
    item = review.get_item(session, item_id, principal.user)
    review.dispute(session, item, user=principal.user, reason=body.reason,
                   actor=principal.actor, now=utcnow())
    return items_out(session, [item], principal.user)[0]


@router.get("/qa/disputes", response_model=ItemsOut)
def open_disputes(session: SessionDep, principal: QaManager,
                  limit: int = Query(50, ge=1, le=200)) -> ItemsOut:
    """Disputes waiting for a lead, oldest first (none about one's own decision or review)."""
    items = review.disputes(session, lead=principal.user, limit=limit)
    return ItemsOut(items=items_out(session, items, principal.user))


@router.post("/qa/items/{item_id}/settle", response_model=ItemOut)
def settle_item(item_id: RowId, body: SettleIn, session: SessionDep,
                principal: QaManager) -> ItemOut:
    """Uphold the verdict, or change it to the errors as the lead judges them."""
    item = review.get_item(session, item_id, principal.user)
    review.settle(session, item, lead=principal.user, settlement=body.settlement,
                  note=body.note,
                  findings=None if body.findings is None else [
                      f.model_dump() for f in body.findings],
                  actor=principal.actor, now=utcnow())
    return items_out(session, [item], principal.user)[0]
