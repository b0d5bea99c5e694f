"""SOPs over HTTP: read them (anyone who reads configuration), publish a version (who edits
guidelines: admin, manager, policy), walk a case's checklist (who works cases, on a case they
may read), and compare a version's KPIs with the previous one's (who reads KPIs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from integrity_desk.api.deps import (
    CaseReader,
    CaseWorker,
    ConfigReader,
    GuidelineManager,
    KpiReader,
    SessionDep,
)
from integrity_desk.cases import repository as repo
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.sops import report, service
from integrity_desk.sops.schemas import (
    ChecklistOut,
    ComparisonOut,
    SopIn,
    SopOut,
    TickIn,
    checklist_out,
    comparison_out,
    sop_out,
)
from integrity_desk.sops.service import Checklist, blocking_message

router = APIRouter(tags=["sops"])

Version = Annotated[int, Query(ge=1, le=100_000, description="the SOP version")]
VersionPath = Annotated[int, Path(ge=1, le=100_000, description="the SOP version")]


@router.get("/sops", response_model=list[SopOut],
            summary="The SOP in force now of each case kind that has one")
def list_sops(session: SessionDep, principal: ConfigReader) -> list[SopOut]:
    return [sop_out(s) for s in service.current(session)]


@router.get("/sops/{kind}/versions", response_model=list[SopOut],
            summary="Every version of a kind's SOP, newest first")
def sop_versions(kind: str, session: SessionDep, principal: ConfigReader) -> list[SopOut]:
    return [sop_out(s) for s in service.versions(session, kind)]


@router.get("/sops/{kind}/versions/{version}", response_model=SopOut)
def sop_version(kind: str, version: VersionPath, session: SessionDep,
                principal: ConfigReader) -> SopOut:
    return sop_out(service.get(session, kind, version))


@router.post("/sops/{kind}", response_model=SopOut, status_code=201,
             summary="Publish a new version of the kind's SOP (version 1 if it has none); "
                     "cases opened before keep theirs")
def publish_sop(kind: str, body: SopIn, session: SessionDep,
                principal: GuidelineManager) -> SopOut:
    return sop_out(service.publish(
        session, kind, title=body.title, body=body.body, items=[i.input() for i in body.items],
        note=body.change_note, actor=principal.actor, now=utcnow()))


@router.get("/sops/{kind}/compare", response_model=ComparisonOut,
            summary="KPIs of the cases decided under a version next to the previous version's")
def compare_sop(kind: str, session: SessionDep, principal: KpiReader,
                version: Version | None = None) -> ComparisonOut:
    return comparison_out(report.compare(session, kind, version, utcnow()))


def _out(case: Case, found: Checklist | None) -> ChecklistOut:
    message = blocking_message(case, found.sop, found.missing) if found and found.missing \
        else None
    return checklist_out(case.key, case.kind, found, message)


@router.get("/cases/{key}/checklist", response_model=ChecklistOut,
            summary="The case's SOP checklist: its items, ticks, and what blocks a decision")
def case_checklist(key: str, session: SessionDep, principal: CaseReader) -> ChecklistOut:
    case = repo.get_case(session, principal.user, key)
    return _out(case, service.checklist(session, case))


@router.put("/cases/{key}/checklist/{item}", response_model=ChecklistOut,
            summary="Tick (done: true) or untick (done: false) an item of the case's checklist")
def tick_item(key: str, item: str, body: TickIn, session: SessionDep,
              principal: CaseWorker) -> ChecklistOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    if body.done:
        found = service.tick(session, case, item, user=principal.user, actor=principal.actor,
                             now=utcnow(), note=body.note)
    else:
        found = service.untick(session, case, item, user=principal.user,
                               actor=principal.actor, now=utcnow())
    return _out(case, found)
