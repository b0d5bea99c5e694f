"""A case's evidence in the console (docs/investigations.md#evidence).

``GET /cases/{key}/evidence`` is the card the case view loads into ``<section id="evidence">``:
how many snapshots the case keeps, the latest bundles with their SHA-256, and two buttons —
snapshot the subjects now, and download the bundle. The download is a POST (it writes the
bundle's hash onto the timeline), answered with the ZIP itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.evidence import bundle, service
from integrity_desk.web.decisions.routes import get_case
from integrity_desk.web.decisions.views import FormData
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
Exporter = Annotated[Viewer, Depends(page(Action.EVIDENCE_EXPORT))]


def _card(request: Request, session: Session, viewer: Viewer, case: Case, *,
          taken: int | None = None) -> Response:
    return render(request, "evidence/_case_evidence.html", {
        "viewer": viewer, "key": case.key, "summary": service.summary(session, case.id),
        "may_snapshot": allows(viewer.user.role, Action.CASE_WORK),
        "may_export": allows(viewer.user.role, Action.EVIDENCE_EXPORT), "taken": taken})


@router.get("/cases/{key}/evidence")
def evidence_card(request: Request, key: str, session: SessionDep, viewer: Reader) -> Response:
    return _card(request, session, viewer, get_case(session, viewer, key))


@router.post("/cases/{key}/evidence/snapshots")
def snapshot_now(request: Request, key: str, form: FormData, session: SessionDep,
                 viewer: Worker) -> Response:
    case = get_case(session, viewer, key)
    taken = service.capture_case(session, case.id, actor=viewer.actor, now=utcnow())
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{key}#evidence", status_code=303)
    return _card(request, session, viewer, case, taken=taken)


@router.post("/cases/{key}/evidence/bundle")
def download_bundle(key: str, form: FormData, session: SessionDep,
                    viewer: Exporter) -> Response:
    case = get_case(session, viewer, key)
    built = bundle.export(session, case, actor=viewer.actor, now=utcnow())
    return Response(built.data, media_type="application/zip", headers=built.headers)
