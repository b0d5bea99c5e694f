"""Teams and vendors in the console, for managers and admins (``workforce.manage``): the Teams
page (list, add), the Vendors page (list, add) and a vendor's page (details and hours of
coverage, the contract's KPI targets, weekly commitments per queue, contract history). Forms are
read into the API's schemas (people/schemas.py); the services decide every rule."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError, InvalidInput
from integrity_desk.people import domain, teams, vendors
from integrity_desk.people.models import Vendor
from integrity_desk.people.schemas import CommitmentsIn, ContractIn, TeamIn, VendorChange, VendorIn
from integrity_desk.routing import workload
from integrity_desk.routing.repository import visible_queues
from integrity_desk.sla.models import SlaCalendar
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.forms import checked, value
from integrity_desk.web.people import vendor_views as views
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Lead = Annotated[Viewer, Depends(page(Action.WORKFORCE_MANAGE))]
INTERVAL = re.compile(r"\s*(\d\d:\d\d)\s*[-–]\s*(\d\d:\d\d)\s*")


def _refusal(session: Session, exc: DeskError | PageError) -> dict[str, str]:
    session.rollback()
    if isinstance(exc, PageError):
        return {"form": exc.message}
    return {exc.field or "form": exc.message}


# Teams

def _teams_page(request: Request, session: Session, viewer: Viewer, *, values: dict[str, Any],
                errors: dict[str, str], status_code: int = 200) -> Response:
    return render(request, "workforce/teams.html", {
        "viewer": viewer, "title": "Teams", "rows": views.team_rows(teams.list_teams(session)),
        "vendors": [v.name for v in vendors.list_vendors(session)],
        "calendars": list(session.scalars(select(SlaCalendar.name).order_by(SlaCalendar.name))),
        "values": values, "errors": errors}, status_code=status_code)


@router.get("/teams")
def team_list(request: Request, session: SessionDep, viewer: Lead) -> Response:
    return _teams_page(request, session, viewer, values={"kind": "internal"}, errors={})


@router.post("/teams")
async def team_add(request: Request, session: SessionDep, viewer: Lead) -> Response:
    form = await request.form()
    values = {k: value(form, k) for k in ("name", "kind", "vendor", "calendar")}
    try:
        body = checked(TeamIn, {k: v or None for k, v in values.items()}
                       | {"kind": values["kind"] or "internal"})
        teams.create_team(session, actor=viewer.actor, **body.model_dump())
    except (DeskError, PageError) as exc:
        return _teams_page(request, session, viewer, values=values,
                           errors=_refusal(session, exc), status_code=exc.status_code)
    return RedirectResponse(f"/teams?saved={values['name']}", status_code=303)


# Vendors

def _coverage(form: FormData) -> dict[str, list[list[str]]]:
    """One field a day, "08:00-12:00, 13:00-17:00"; empty: not covered that day."""
    pattern: dict[str, list[list[str]]] = {}
    for day in domain.DAYS:
        raw = value(form, f"coverage_{day}").strip()
        if not raw:
            continue
        pairs = []
        for part in raw.split(","):
            found = INTERVAL.fullmatch(part)
            if found is None:
                raise InvalidInput(f"{part.strip()!r}: hours as 08:00-20:00, comma-separated",
                                   field=f"coverage.{day}")
            pairs.append([found.group(1), found.group(2)])
        pattern[day] = pairs
    return pattern


def _vendor_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: value(form, k) for k in ("name", "languages", "time_zone")}
    values |= {f"coverage_{d}": value(form, f"coverage_{d}") for d in domain.DAYS}
    values["active"] = value(form, "active") != "no"
    return values


def _vendor_body(form: FormData, values: dict[str, Any]) -> dict[str, Any]:
    return {"name": values["name"], "time_zone": values["time_zone"] or "UTC",
            "languages": [p.strip() for p in values["languages"].split(",") if p.strip()],
            "coverage": _coverage(form), "active": values["active"]}


def _vendors_page(request: Request, session: Session, viewer: Viewer, *,
                  values: dict[str, Any], errors: dict[str, str],
                  status_code: int = 200) -> Response:
    found = vendors.list_vendors(session)
    rows = views.vendor_rows(found, vendors.teams_of(session, [v.id for v in found]),
                             vendors.contracts_in_force(session, [v.id for v in found]))
    return render(request, "workforce/vendors.html", {
        "viewer": viewer, "title": "Vendors", "rows": rows, "values": values, "errors": errors,
        "days": views.DAY_NAMES, "loads": workload.vendor_loads(session, utcnow())},
        status_code=status_code)


@router.get("/vendors")
def vendor_list(request: Request, session: SessionDep, viewer: Lead) -> Response:
    return _vendors_page(request, session, viewer, values={"time_zone": "UTC"}, errors={})


@router.post("/vendors")
async def vendor_add(request: Request, session: SessionDep, viewer: Lead) -> Response:
    form = await request.form()
    values = _vendor_values(form)
    try:
        body = checked(VendorIn, _vendor_body(form, values))
        vendor = vendors.create_vendor(session, actor=viewer.actor, **body.model_dump())
    except (DeskError, PageError) as exc:
        return _vendors_page(request, session, viewer, values=values,
                             errors=_refusal(session, exc), status_code=exc.status_code)
    return RedirectResponse(f"/vendors/{vendor.id}", status_code=303)


def _vendor(session: Session, vendor_id: int) -> Vendor:
    try:
        return vendors.get_vendor(session, vendor_id)
    except DeskError:
        raise PageError(404, "No such vendor", f"There is no vendor #{vendor_id}.") from None


def _vendor_page(request: Request, session: Session, viewer: Viewer, vendor: Vendor, *,
                 values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                 status_code: int = 200) -> Response:
    history = vendors.contracts(session, vendor.id)
    latest = history[0] if history else None
    committed = {m.queue_id: m.weekly_volume for m in latest.commitments} if latest else {}
    queues = visible_queues(session, viewer.user)
    slugs = {q.id: q.slug for q in queues} | vendors.queue_slugs(session, history)
    contract_values = ({"starts_on": latest.starts_on.isoformat(),
                        "ends_on": latest.ends_on.isoformat() if latest.ends_on else "",
                        **{n: "" if getattr(latest, n) is None else f"{getattr(latest, n):g}"
                           for n in domain.TARGETS}} if latest else {})
    return render(request, "workforce/vendor.html", {
        "viewer": viewer, "title": f"Vendor {vendor.name}", "vendor": vendor,
        "teams": vendors.teams_of(session, [vendor.id])[vendor.id],
        "values": values or views.vendor_values(vendor), "errors": errors or {},
        "contract": contract_values, "latest": latest,
        "contracts": views.contract_rows(history, slugs, vendors.today()),
        "targets": views.TARGET_LABELS, "days": views.DAY_NAMES,
        "queues": [(q.slug, q.name, committed.get(q.id)) for q in queues]},
        status_code=status_code)


@router.get("/vendors/{vendor_id}")
def vendor_page(request: Request, session: SessionDep, viewer: Lead,
                vendor_id: RowId) -> Response:
    return _vendor_page(request, session, viewer, _vendor(session, vendor_id))


@router.post("/vendors/{vendor_id}")
async def vendor_save(request: Request, session: SessionDep, viewer: Lead,
                      vendor_id: RowId) -> Response:
    form = await request.form()
    vendor = _vendor(session, vendor_id)
    values = _vendor_values(form)
    try:
        body = checked(VendorChange, _vendor_body(form, values))
        vendors.update_vendor(session, actor=viewer.actor, vendor_id=vendor.id,
                              changes=body.model_dump())
    except (DeskError, PageError) as exc:
        errors = _refusal(session, exc)
        return _vendor_page(request, session, viewer, _vendor(session, vendor_id),
                            values=values, errors=errors, status_code=exc.status_code)
    return RedirectResponse(f"/vendors/{vendor.id}?saved=details", status_code=303)


@router.post("/vendors/{vendor_id}/contract")
async def contract_save(request: Request, session: SessionDep, viewer: Lead,
                        vendor_id: RowId) -> Response:
    form = await request.form()
    vendor = _vendor(session, vendor_id)
    fields = ("starts_on", "ends_on", *domain.TARGETS)
    try:
        body = checked(ContractIn, {k: value(form, k).strip() or None for k in fields},
                       labels={n: label for n, (label, _) in views.TARGET_LABELS.items()})
        vendors.set_contract(session, actor=viewer.actor, vendor_id=vendor.id,
                             starts_on=body.starts_on, ends_on=body.ends_on,
                             targets=body.model_dump(include=set(domain.TARGETS)))
    except (DeskError, PageError) as exc:
        errors = _refusal(session, exc)
        return _vendor_page(request, session, viewer, _vendor(session, vendor_id),
                            errors=errors, status_code=exc.status_code)
    return RedirectResponse(f"/vendors/{vendor.id}?saved=contract", status_code=303)


@router.post("/vendors/{vendor_id}/commitments")
async def commitments_save(request: Request, session: SessionDep, viewer: Lead,
                           vendor_id: RowId) -> Response:
    """One number a queue (cases a week); a queue left empty has no commitment."""
    form = await request.form()
    vendor = _vendor(session, vendor_id)
    rows = [{"queue": str(k)[len("volume_"):], "weekly_volume": v.strip()}
            for k, v in form.multi_items()
            if str(k).startswith("volume_") and isinstance(v, str) and v.strip()]
    try:
        body = checked(CommitmentsIn, {"commitments": rows})
        vendors.set_commitments(
            session, actor=viewer.actor, vendor_id=vendor.id,
            commitments=[vendors.Commitment(c.queue, c.weekly_volume)
                         for c in body.commitments])
    except (DeskError, PageError) as exc:
        errors = _refusal(session, exc)
        return _vendor_page(request, session, viewer, _vendor(session, vendor_id),
                            errors=errors, status_code=exc.status_code)
    return RedirectResponse(f"/vendors/{vendor.id}?saved=commitments", status_code=303)
