"""What the API says about a case, with personal data masked.

Masked for every role: whoever may see the real values asks for them with an explicit,
recorded action (``POST /cases/{key}/reveal``). Masking is pure Python on the rows a page
already loaded, so it adds no query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.cases.domain import allowed_from
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.cases.repository import SubjectView
from integrity_desk.fields import MaybeWhy, Text, Why
from integrity_desk.privacy.domain import (
    mask_contact,
    mask_json,
    mask_requester_name,
    mask_text,
)
from integrity_desk.privacy.schemas import HoldOut, RequestId
from integrity_desk.privacy.schemas import Reason as WhyReveal
from integrity_desk.sla.clock import ClockReading
from integrity_desk.sla.service import first_response_clock, resolution_clock
from integrity_desk.triage.harm import parse_harms


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
    state: str | None = Field(
        description="on_track | at_risk | breached while running; paused (also when overdue "
                    "at the pause); met | breached once finished (responded, decided, closed "
                    "or merged)")
    minutes_left: float | None = Field(
        default=None,
        description="due minus the instant the clock stands at (now, the pause or the finish), "
                    "in minutes; negative = over by that much. Frozen unless running")
    running: bool = Field(default=False, description="only a running clock counts down")


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
    name: str | None = Field(description="initials for a private person")
    organisation: str | None
    contact: str | None = Field(description="masked, e.g. j***@e***.com")
    customer_tier: str | None
    revenue_at_stake: int | None


def requester_out(case: Case, *, reveal: bool = False) -> RequesterOut:
    name, contact = case.requester_name, case.requester_contact
    if not reveal:
        name, contact = mask_requester_name(case.requester_type, name), mask_contact(contact)
    return RequesterOut(type=case.requester_type, name=name,
                        organisation=case.requester_organisation, contact=contact,
                        customer_tier=case.customer_tier, revenue_at_stake=case.revenue_at_stake)


class RequestOut(BaseModel):
    """A linked request; its requester and payload masked unless revealed."""

    id: int
    channel: str
    requester_type: str
    requester_name: str | None
    requester_organisation: str | None
    requester_contact: str | None
    payload: dict[str, Any]
    received_at: datetime


def request_out(row: CaseRequest, *, reveal: bool = False) -> RequestOut:
    name, contact, payload = row.requester_name, row.requester_contact, row.payload
    if not reveal:
        name = mask_requester_name(row.requester_type, name)
        contact, payload = mask_contact(contact), mask_json(payload)
    return RequestOut(id=row.id, channel=row.channel, requester_type=row.requester_type,
                      requester_name=name, requester_organisation=row.requester_organisation,
                      requester_contact=contact, payload=payload, received_at=row.received_at)


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
    harm: list[str] = Field(default_factory=list, description=(
        "what triage found harmful to view in the case's text or its reviews: threat, "
        "violence, hate, sexual (most severe first; docs/wellbeing.md). A console hides such "
        "text until revealed; clients showing it to people should too"))


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
    legal_holds: list[HoldOut] = Field(
        default_factory=list, description="active holds on the case or on one of its subjects")
    pii_erased_at: datetime | None = Field(
        default=None, description="when retention erased the requester's personal data")


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


def _clock(case_due: datetime | None, at_risk: datetime | None, reading: ClockReading) -> ClockOut:
    left = reading.left
    return ClockOut(
        due_at=case_due, at_risk_at=at_risk, state=_v(reading.state),
        minutes_left=round(left.total_seconds() / 60, 2) if left is not None else None,
        running=reading.ticking)


def _sla(case: Case, now: datetime) -> SlaOut:
    """The clocks as lists, My work and the case view read them (sla.service)."""
    return SlaOut(
        first_response=_clock(case.first_response_due_at, case.first_response_at_risk_at,
                              first_response_clock(case, now)),
        resolution=_clock(case.resolution_due_at, case.resolution_at_risk_at,
                          resolution_clock(case, now)),
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
        key=case.key, id=case.id, kind=case.kind, channel=case.channel,
        title=mask_text(case.title),
        status=case.status, tier=case.tier, priority=f"P{case.priority}",
        priority_score=case.priority_score, queue=queue_slug,
        assignee=PersonOut(id=assignee.id, name=assignee.name, email=assignee.email)
        if assignee else None,
        requester=requester_out(case),
        category=case.category, language=case.language, legal_restricted=case.legal_restricted,
        legal_deadline=case.legal_deadline, tags=case.tag_list or [],
        subjects=[SubjectOut(type=s.type, id=s.id, ref=s.ref, role=s.role,
                             label=mask_text(s.label), extra=s.extra) for s in subjects],
        sla=_sla(case, now), linked_requests=case.linked_request_count,
        created_at=case.created_at, updated_at=case.updated_at,
        harm=list(parse_harms(case.harm)),
    )


def case_out(case: Case, subjects: list[SubjectView], now: datetime,
             queue_slug: Any = _LOADED) -> CaseOut:
    return CaseOut(**_common(case, subjects, now, queue_slug))


def case_detail_out(case: Case, subjects: list[SubjectView], now: datetime,
                    merged_into: str | None, holds: list[HoldOut] | None = None
                    ) -> CaseDetailOut:
    return CaseDetailOut(
        **_common(case, subjects, now), description=mask_text(case.description),
        merged_into=merged_into,
        priority_reasons=[ReasonOut(**r) for r in case.priority_reasons],
        details=mask_json(case.details), allowed_statuses=allowed_from(case.status),
        triaged_at=case.triaged_at, decided_at=case.decided_at, closed_at=case.closed_at,
        first_responded_at=case.first_responded_at, legal_holds=holds or [],
        pii_erased_at=case.pii_erased_at,
    )


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: MaybeWhy = None


class TransitionIn(Reason):
    # Deciding is POST /cases/{key}/decisions: a decision cites its guideline and ground and
    # yields statements of reasons, so it is never a bare transition.
    action: Literal["start", "wait_on_requester", "wait_on_legal", "resume", "close", "reopen"]


class AssignIn(Reason):
    assignee: str = Field(description="the assignee's e-mail")


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Why


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[Text, Field(min_length=1, max_length=20_000)]


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    category: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    customer_tier: Literal["enterprise", "premium", "standard", "free"] | None = None
    revenue_at_stake: int | None = Field(default=None, ge=0)
    legal_deadline: datetime | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]] | None = (
        Field(default=None, max_length=20))
    reason: MaybeWhy = None


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: Annotated[Text, Field(min_length=1, max_length=40,
                                description="key of the case that remains")]
    reason: Why


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_ids: list[int] = Field(min_length=1, max_length=1000)
    reason: Why


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


# The requester's personal data unmasked (POST /cases/{key}/reveal, the privacy slice's route):
# a case's requester and requests, so their bodies live with the case's.
class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: WhyReveal = Field(description="why you need to see it; recorded on the timeline")
    requests: list[RequestId] = Field(default_factory=list, max_length=200,
                                description="ids of linked requests to reveal too")


class RevealOut(BaseModel):
    case: str
    requester: RequesterOut
    title: str
    description: str
    details: dict[str, Any]
    requests: list[RequestOut]
    fields: list[str] = Field(description="the personal-data fields shown, as recorded")
    revealed_at: datetime
