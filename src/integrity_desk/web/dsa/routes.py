"""The trusted-flagger registry (DSA Art. 22) in the console: who holds the status, with each
flagger's precision; register one, change its areas, coordinator or status with a reason.

The forms are checked by the API's own request models (dsa.schemas), so the console and
the API accept exactly the same input, and changes go through dsa.flaggers like the API's.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases.domain import GuidelineCategory
from integrity_desk.db import utcnow
from integrity_desk.dsa import flaggers
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.dsa.schemas import FlaggerChange, FlaggerIn
from integrity_desk.web import forms
from integrity_desk.web.decisions.views import FormData, field_label, many, service_errors, text
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)

M = TypeVar("M", bound=BaseModel)
Registrar = Annotated[Viewer, Depends(page(Action.FLAGGER_MANAGE))]


def _checked(model: type[M], values: dict[str, Any]) -> M:
    """The API's body over the form's values (web.forms.checked), labelled as the decision
    forms label their fields."""
    return forms.checked(model, values, label=field_label)


@router.get("/flaggers", name="flaggers")
def registry(request: Request, session: SessionDep, viewer: Registrar) -> Response:
    rows = list(session.scalars(select(TrustedFlagger).order_by(TrustedFlagger.name)))
    stats = flaggers.precision(session, [f.id for f in rows])
    return render(request, "decision/flaggers.html", {
        "viewer": viewer, "title": "Trusted flaggers", "areas": [c.value for c in
                                                                  GuidelineCategory],
        "flaggers": [(f, stats[f.id]) for f in rows]})


@router.post("/flaggers")
def register(form: FormData, session: SessionDep, viewer: Registrar) -> Response:
    body = _checked(FlaggerIn, {
        "name": text(form, "name", max_length=400), "country": text(form, "country",
                                                                    max_length=8).upper(),
        "coordinator": text(form, "coordinator", max_length=400),
        "areas": many(form, "areas"), "contact": text(form, "contact", max_length=300) or None})
    with service_errors():
        flaggers.register(session, name=body.name, country=body.country,
                          coordinator=body.coordinator, areas=[a.value for a in body.areas],
                          contact=body.contact, actor=viewer.actor, now=utcnow())
    return RedirectResponse("/flaggers", status_code=303)


@router.post("/flaggers/{flagger_id}")
def change(flagger_id: RowId, form: FormData, session: SessionDep,
           viewer: Registrar) -> Response:
    """Status, areas and coordinator as the form shows them now; unchanged values change
    nothing (the service records only what differs)."""
    status = text(form, "status", max_length=16)
    if status not in ("active", "inactive"):
        raise PageError(422, "Check the form", "Status: active or inactive")
    body = _checked(FlaggerChange, {
        "coordinator": text(form, "coordinator", max_length=400) or None,
        "areas": many(form, "areas"), "active": status == "active",
        "reason": text(form, "reason", max_length=4000)})
    changes = body.model_dump(exclude_none=True, exclude={"reason"}, mode="json")
    changes.setdefault("areas", [])
    with service_errors():
        flaggers.update(session, flagger_id, changes, reason=body.reason, actor=viewer.actor,
                        now=utcnow())
    return RedirectResponse("/flaggers", status_code=303)
