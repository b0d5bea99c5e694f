"""A case's evidence over HTTP: its snapshots, a snapshot now, and the bundle
(docs/investigations.md#evidence). Every route starts from the case the caller may read."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import CaseReader, CaseWorker, Principal, SessionDep, allow
from integrity_desk.api.paging import IdCursor, page_after_id
from integrity_desk.cases.repository import get_case
from integrity_desk.db import utcnow
from integrity_desk.evidence import bundle, service
from integrity_desk.evidence.models import EvidenceSnapshot
from integrity_desk.evidence.schemas import CapturedOut, SnapshotOut, SnapshotsOut

router = APIRouter(tags=["evidence"])
EvidenceExporter = Annotated[Principal, Depends(allow(Action.EVIDENCE_EXPORT))]


@router.get("/cases/{key}/evidence/snapshots", response_model=SnapshotsOut,
            summary="The case's evidence snapshots, oldest first")
def list_snapshots(key: str, session: SessionDep, principal: CaseReader,
                   cursor: IdCursor = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> SnapshotsOut:
    case = get_case(session, principal.user, key)
    rows, next_cursor = page_after_id(
        session, select(EvidenceSnapshot).where(EvidenceSnapshot.case_id == case.id),
        EvidenceSnapshot.id, cursor=cursor, limit=limit)
    return SnapshotsOut(items=[SnapshotOut(
        id=s.id, subject=s.subject_ref, occasion=s.occasion, decision_id=s.decision_id,
        taken_at=s.taken_at, taken_by=s.taken_by, sha256=s.sha256,
        content=json.loads(s.content)) for s in rows], next_cursor=next_cursor)


@router.post("/cases/{key}/evidence/snapshots", response_model=CapturedOut, status_code=201,
             summary="Snapshot every subject of the case now (e.g. before the content changes)")
def take_snapshots(key: str, session: SessionDep, principal: CaseWorker) -> CapturedOut:
    case = get_case(session, principal.user, key)
    taken = service.capture_case(session, case.id, actor=principal.actor, now=utcnow())
    return CapturedOut(snapshots=taken)


@router.post("/cases/{key}/evidence/bundle", response_class=Response,
             summary="The case's evidence bundle (ZIP); its SHA-256 goes onto the timeline",
             responses={200: {"description": "the bundle; X-Evidence-SHA256 is its hash",
                              "content": {"application/zip": {}}}})
def export_bundle(key: str, session: SessionDep, principal: EvidenceExporter) -> Response:
    case = get_case(session, principal.user, key)
    built = bundle.export(session, case, actor=principal.actor, now=utcnow())
    return Response(built.data, media_type="application/zip", headers=built.headers)
