"""What the API says about a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from integrity_desk.cases.domain import allowed_from
from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import SubjectView
from integrity_desk.sla.service import first_response_state, resolution_state


class SubjectOut(BaseModel):
    type: str
    id: int
    ref: str
    role: str
    label: str
    extra: dict[str, Any] = Field(default_factory=dict)


class ClockOut(BaseModel):
    due_at: datetime | None
    at_risk_at: datetime | None
    state: str | None


class SlaOut(BaseModel):
    first_response: ClockOut
    resolution: ClockOut
    paused_since: datetime | None
    paused_minutes: float


class PersonOut(BaseModel):
    id: int
    name: str
    email: str


class RequesterOut(BaseModel):
    type: str
    name: str | None
    organisation: str | None
    contact: str | None
    customer_tier: str | None
    revenue_at_stake: int | None


class CaseOut(BaseModel):
    key: str
    id: int
    kind: str
    channel: str
    title: str
    status: str
    tier: int
    priority: str
    priority_score: int
    queue: str | None
    assignee: PersonOut | None
    requester: RequesterOut
    category: str | None
    language: str | None
    legal_restricted: bool
    legal_deadline: datetime | None
    tags: list[str]
    subjects: list[SubjectOut]
    sla: SlaOut
    linked_requests: int
    created_at: datetime
    updated_at: datetime


class ReasonOut(BaseModel):
    rule: str
    factor: str
    points: int
    why: str


class CaseDetailOut(CaseOut):
    description: str
    merged_into: str | None
    priority_reasons: list[ReasonOut]
    details: dict[str, Any]
    allowed_statuses: list[str]
    triaged_at: datetime | None
    decided_at: datetime | None
    closed_at: datetime | None
    first_responded_at: datetime | None


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


def _sla(case: Case, now: datetime) -> SlaOut:
    merged = case.status == "merged"
    return SlaOut(
        first_response=ClockOut(
            due_at=case.first_response_due_at, at_risk_at=case.first_response_at_risk_at,
            state=None if merged else _v(first_response_state(case, now))),
        resolution=ClockOut(
            due_at=case.resolution_due_at, at_risk_at=case.resolution_at_risk_at,
            state=None if merged else _v(resolution_state(case, now))),
        paused_since=case.sla_paused_at, paused_minutes=round(case.sla_paused_minutes or 0, 2),
    )


def _v(state: Any) -> str | None:
    return state.value if state is not None else None


_LOADED = object()


def _common(case: Case, subjects: list[SubjectView], now: datetime,
            queue_slug: Any = _LOADED) -> dict[str, Any]:
    """Queue slug may be given when the caller knows it (a just-opened case, no reload)."""
    if queue_slug is _LOADED:
        queue_slug = case.queue.slug if case.queue else None
    assignee = case.assignee if case.assignee_id else None
    return dict(
        key=case.key, id=case.id, kind=case.kind, channel=case.channel, title=case.title,
        status=case.status, tier=case.tier, priority=f"P{case.priority}",
        priority_score=case.priority_score, queue=queue_slug,
        assignee=PersonOut(id=assignee.id, name=assignee.name, email=assignee.email)
        if assignee else None,
        requester=RequesterOut(
            type=case.requester_type, name=case.requester_name,
            organisation=case.requester_organisation, contact=case.requester_contact,
            customer_tier=case.customer_tier, revenue_at_stake=case.revenue_at_stake),
        category=case.category, language=case.language, legal_restricted=case.legal_restricted,
        legal_deadline=case.legal_deadline, tags=case.tag_list or [],
        subjects=[SubjectOut(type=s.type, id=s.id, ref=s.ref, role=s.role, label=s.label,
                             extra=s.extra) for s in subjects],
        sla=_sla(case, now), linked_requests=case.linked_request_count,
        created_at=case.created_at, updated_at=case.updated_at,
    )


def case_out(case: Case, subjects: list[SubjectView], now: datetime,
             queue_slug: Any = _LOADED) -> CaseOut:
    return CaseOut(**_common(case, subjects, now, queue_slug))


def case_detail_out(case: Case, subjects: list[SubjectView], now: datetime,
                    merged_into: str | None) -> CaseDetailOut:
    return CaseDetailOut(
        **_common(case, subjects, now), description=case.description, merged_into=merged_into,
        priority_reasons=[ReasonOut(**r) for r in case.priority_reasons],
        details=case.details, allowed_statuses=allowed_from(case.status),
        triaged_at=case.triaged_at, decided_at=case.decided_at, closed_at=case.closed_at,
        first_responded_at=case.first_responded_at,
    )
