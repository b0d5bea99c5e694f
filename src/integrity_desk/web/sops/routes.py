"""The SOP pages of the console and the case view's checklist.

``GET /cases/{key}/checklist`` is a fragment the case view loads into its
``<section id="sop-checklist">``; ticking an item answers with the fresh checklist and, out of
band, the decision panel's line on what still blocks (the panel's half-filled form stays as
it is). The pages: every kind's SOP, one version (its Markdown rendered with raw HTML off),
the publish form, and the comparison of a version's cases with the previous version's. Every
change goes through sops.service, as the API's do; the boundary commits.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.cases.domain import CaseKind
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.people.models import User
from integrity_desk.sops import report, service
from integrity_desk.sops.service import Checklist, blocking_message
from integrity_desk.web import forms
from integrity_desk.web.decisions.routes import get_case
from integrity_desk.web.decisions.views import FormData, service_errors
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import is_htmx, render
from integrity_desk.web.sops.views import (
    BLANK_ROWS,
    MEASURE_LABELS,
    checklist_view,
    comparison_rows,
    items_from_form,
    playbook,
)

router = APIRouter(include_in_schema=False)

Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
ConfigReader = Annotated[Viewer, Depends(page(Action.CONFIG_READ))]
Publisher = Annotated[Viewer, Depends(page(Action.GUIDELINE_MANAGE))]
KpiReader = Annotated[Viewer, Depends(page(Action.KPI_READ))]
KINDS = [k.value for k in CaseKind]


def blocked(case: Case, found: Checklist | None) -> str | None:
    """What a decision on the case would be refused with now (None: nothing blocks)."""
    if found is None or not found.missing:
        return None
    return blocking_message(case, found.sop, found.missing)


def _checklist(request: Request, session: Session, viewer: Viewer, case: Case,
               found: Checklist | None, *, oob: bool) -> Response:
    ids = {s.tick.done_by_id for s in (found.items if found else [])
           if s.tick and s.tick.done_by_id}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(sorted(ids)))).all()
                 ) if ids else {}
    view = checklist_view(case.key, case.kind, found, names, blocked(case, found),
                          allows(viewer.user.role, Action.CASE_WORK) and case.is_open)
    return render(request, "sops/_checklist.html", {"viewer": viewer, "c": view, "oob": oob})


@router.get("/cases/{key}/checklist", name="case_checklist")
def case_checklist(request: Request, key: str, session: SessionDep,
                   viewer: Reader) -> Response:
    case = get_case(session, viewer, key)
    return _checklist(request, session, viewer, case, service.checklist(session, case),
                      oob=False)


@router.post("/cases/{key}/checklist/{item}")
def tick(request: Request, key: str, item: str, form: FormData, session: SessionDep,
         viewer: Worker) -> Response:
    done = forms.value(form, "done") in ("1", "on", "true")
    note = forms.text(forms.value(form, "note"), "note", max_length=1000, label="Note") or None
    case = get_case(session, viewer, key, for_update=True)
    with service_errors():
        if done:
            found = service.tick(session, case, item, user=viewer.user, actor=viewer.actor,
                                 now=utcnow(), note=note)
        else:
            found = service.untick(session, case, item, user=viewer.user, actor=viewer.actor,
                                   now=utcnow())
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{key}#sop-checklist", status_code=303)
    return _checklist(request, session, viewer, case, found, oob=True)


@router.get("/sops", name="sops")
def sops_page(request: Request, session: SessionDep, viewer: ConfigReader) -> Response:
    by_kind = {s.kind: s for s in service.current(session)}
    return render(request, "sops/list.html", {
        "viewer": viewer, "title": "SOPs", "kinds": [(k, by_kind.get(k)) for k in KINDS],
        "may_publish": allows(viewer.user.role, Action.GUIDELINE_MANAGE),
        "may_compare": allows(viewer.user.role, Action.KPI_READ)})


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise PageError(404, "Not found", f"There is no case kind {kind!r}.")
    return kind


@router.get("/sops/{kind}/versions/{version}", name="sop_version")
def sop_version(request: Request, kind: str,
                version: Annotated[int, Path(ge=1, le=100_000)], session: SessionDep,
                viewer: ConfigReader) -> Response:
    with service_errors():
        sop = service.get(session, _kind(kind), version)
        versions = service.versions(session, kind)
    return render(request, "sops/version.html", {
        "viewer": viewer, "title": f"{sop.title} (version {sop.version})", "sop": sop,
        "html": playbook(sop), "versions": versions,
        "may_publish": allows(viewer.user.role, Action.GUIDELINE_MANAGE),
        "may_compare": allows(viewer.user.role, Action.KPI_READ)})


@router.get("/sops/{kind}/publish", name="sop_publish_form")
def publish_form(request: Request, kind: str, session: SessionDep,
                 viewer: Publisher) -> Response:
    _kind(kind)
    current = next((s for s in service.current(session) if s.kind == kind), None)
    return render(request, "sops/publish.html", {
        "viewer": viewer, "title": f"Publish the {kind.replace('_', ' ')} SOP", "kind": kind,
        "current": current, "blank_rows": BLANK_ROWS})


@router.post("/sops/{kind}/publish")
def publish(request: Request, kind: str, form: FormData, session: SessionDep,
            viewer: Publisher) -> Response:
    _kind(kind)
    title = forms.text(forms.value(form, "title"), "title", required=True, max_length=200,
                       label="Title")
    body = forms.text(forms.value(form, "body"), "body", required=True, max_length=50_000,
                      label="Playbook")
    note = forms.text(forms.value(form, "change_note"), "change_note", required=True,
                      max_length=500, label="Why this version")
    items = items_from_form(form)
    with service_errors():
        sop = service.publish(session, kind, title=title, body=body, items=items, note=note,
                              actor=viewer.actor, now=utcnow())
    return RedirectResponse(f"/sops/{kind}/versions/{sop.version}", status_code=303)


@router.get("/sops/{kind}/compare", name="sop_compare")
def compare(request: Request, kind: str, session: SessionDep, viewer: KpiReader,
            version: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> Response:
    with service_errors():
        found = report.compare(session, _kind(kind), version, utcnow())
    return render(request, "sops/compare.html", {
        "viewer": viewer, "title": f"{kind.replace('_', ' ').capitalize()} SOP: version "
                                   f"{found.version.sop.version} against the one before",
        "c": found, "rows": comparison_rows(found), "labels": MEASURE_LABELS})
