"""The trusted-flagger registry over HTTP, with each flagger's precision."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from integrity_desk.api.deps import ConfigReader, FlaggerManager, SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.dsa import flaggers
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.dsa.schemas import FlaggerChange, FlaggerIn, FlaggerOut

router = APIRouter(tags=["trusted flaggers"])


def _out(f: TrustedFlagger, p: flaggers.Precision) -> FlaggerOut:
    return FlaggerOut(id=f.id, name=f.name, country=f.country, coordinator=f.coordinator,
                      areas=f.areas, contact=f.contact,
                      status="active" if f.active else "inactive", awarded_at=f.awarded_at,
                      notices=p.notices, decided=p.decided, actioned=p.actioned,
                      precision=p.precision,
                      median_hours_to_decision=p.median_hours_to_decision)


@router.get("/trusted-flaggers", response_model=list[FlaggerOut])
def list_flaggers(session: SessionDep, principal: ConfigReader) -> list[FlaggerOut]:
    rows = list(session.scalars(select(TrustedFlagger).order_by(TrustedFlagger.name)))
    stats = flaggers.precision(session, [f.id for f in rows])
    return [_out(f, stats[f.id]) for f in rows]


@router.post("/trusted-flaggers", response_model=FlaggerOut, status_code=201)
def register(body: FlaggerIn, session: SessionDep, principal: FlaggerManager) -> FlaggerOut:
    flagger = flaggers.register(session, name=body.name, country=body.country,
                                coordinator=body.coordinator,
                                areas=[a.value for a in body.areas], contact=body.contact,
                                actor=principal.actor, now=utcnow())
    return _out(flagger, flaggers.precision(session, [flagger.id])[flagger.id])


@router.patch("/trusted-flaggers/{flagger_id}", response_model=FlaggerOut)
def change(flagger_id: RowId, body: FlaggerChange, session: SessionDep,
           principal: FlaggerManager) -> FlaggerOut:
    changes = body.model_dump(exclude_unset=True, exclude={"reason"}, mode="json")
    flagger = flaggers.update(session, flagger_id, changes, reason=body.reason,
                              actor=principal.actor, now=utcnow())
    return _out(flagger, flaggers.precision(session, [flagger.id])[flagger.id])
