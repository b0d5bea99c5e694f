"""The fraud signals' findings over HTTP (docs/investigations.md#reading-the-findings): the
desk's investigators read what the signals found, with the evidence, and which case holds it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import Principal, SessionDep, allow
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.signals import queries
from integrity_desk.signals.schemas import SignalDetailOut, SignalOut, SignalsOut, SubjectOut

router = APIRouter(tags=["fraud signals"])
SignalReader = Annotated[Principal, Depends(allow(Action.SIGNALS_READ))]


def _out(row: Any) -> dict[str, Any]:
    signal, domain, _ = row
    return {"id": signal.id, "kind": signal.kind, "business": domain,
            "strength": signal.score, "explanation": signal.explanation,
            "evidence": signal.evidence, "first_seen_at": signal.first_seen_at,
            "last_seen_at": signal.last_seen_at, "case": queries.case_key_of(row)}


@router.get("/signals", response_model=SignalsOut, summary="Findings of the fraud signals")
def list_signals(
    session: SessionDep, _: SignalReader,
    business: Annotated[str | None, Query(max_length=253, description="a business's domain")]
    = None,
    reviewer: Annotated[str | None, Query(max_length=64, description="an account's reference")]
    = None,
    kind: Literal["burst", "duplicates", "ring", "reviewer_risk"] | None = None,
    case: Annotated[str | None, Query(max_length=32, description="a case's key")] = None,
    min_strength: Annotated[float, Query(ge=0, le=1)] = 0.0,
    cursor: IdCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SignalsOut:
    rows, next_cursor = queries.page(session, business=business, reviewer=reviewer, kind=kind,
                                     case=case, min_strength=min_strength, cursor=cursor,
                                     limit=limit)
    return SignalsOut(items=[SignalOut(**_out(r)) for r in rows], next_cursor=next_cursor)


@router.get("/signals/{signal_id}", response_model=SignalDetailOut,
            summary="One finding with every review, account and business it is about")
def get_signal(signal_id: RowId, session: SessionDep, _: SignalReader) -> SignalDetailOut:
    row, subjects = queries.one(session, signal_id)
    return SignalDetailOut(**_out(row), subjects=[SubjectOut(type=t, ref=r)
                                                  for t, r in subjects])
