"""Misuse counters, candidates over the line, and the warnings and suspensions taken (Art. 23)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from integrity_desk.api.deps import MisuseManager, SessionDep
from integrity_desk.api.paging import IdCursor
from integrity_desk.db import utcnow
from integrity_desk.misuse import service
from integrity_desk.misuse.domain import LINES, Bucket, PartyType
from integrity_desk.misuse.models import MisuseMeasure
from integrity_desk.misuse.schemas import (
    CandidateOut,
    CounterOut,
    MeasureIn,
    MeasureOut,
    MeasurePage,
    PartyOut,
)

router = APIRouter(tags=["misuse"])


@router.get("/misuse/candidates", response_model=list[CandidateOut],
            summary="Who reached the line's count of manifest items in the last 12 months")
def candidates(bucket: Bucket, session: SessionDep, principal: MisuseManager,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    return service.candidates(session, bucket, utcnow(), limit)


@router.get("/misuse/parties/{party_type}/{party_key}", response_model=PartyOut)
def party(party_type: PartyType, party_key: str, session: SessionDep,
          principal: MisuseManager) -> PartyOut:
    key = party_key.strip().lower()
    counters = service.counters(session, party_type, key, utcnow())
    measures = session.scalars(select(MisuseMeasure).where(
        MisuseMeasure.party_type == party_type, MisuseMeasure.party_key == key)
        .order_by(MisuseMeasure.starts_at))
    return PartyOut(
        counters=[CounterOut(bucket=c.bucket, manifest=c.manifest, total=c.total,
                             share=round(c.share, 4), crossed=c.crossed,
                             line_count=LINES[c.bucket].count, line_share=LINES[c.bucket].share)
                  for c in counters],
        measures=[MeasureOut.model_validate(m) for m in measures])


@router.post("/misuse/measures", response_model=MeasureOut, status_code=201,
             summary="Warn, or after a warning suspend, a party over the line")
def impose(body: MeasureIn, session: SessionDep, principal: MisuseManager) -> Any:
    measure = service.impose(session, party_type=body.party_type,
                             key=body.party_key.strip().lower(), bucket=body.bucket,
                             reason=body.reason, user_id=principal.user.id,
                             actor=principal.actor, now=utcnow())
    return measure


@router.get("/misuse/measures", response_model=MeasurePage)
def measures(session: SessionDep, principal: MisuseManager, bucket: Bucket | None = None,
             cursor: IdCursor = None,
             limit: Annotated[int, Query(ge=1, le=200)] = 50) -> MeasurePage:
    query = select(MisuseMeasure).order_by(MisuseMeasure.id).limit(limit + 1)
    if bucket:
        query = query.where(MisuseMeasure.bucket == bucket)
    if cursor:
        query = query.where(MisuseMeasure.id > cursor)
    rows = list(session.scalars(query))
    items = [MeasureOut.model_validate(m) for m in rows[:limit]]
    return MeasurePage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
