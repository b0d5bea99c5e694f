"""Internal request forms: a CSM or an executive raises an escalation for a business picked
from the desk's data, stating its impact; intake opens the case (or joins the open one about
the same business), and the request is kept so its requester can follow it — their own
requests only, with what a requester may know: status, SLA due, the last public update (never
internal comments)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.domain import CaseKind, Channel
from integrity_desk.cases.models import Case
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.forms.models import InternalRequest
from integrity_desk.intake import schemas as s
from integrity_desk.intake.service import Intake
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.subjects.models import Business
from integrity_desk.subjects.service import review_refs_in_urls

KINDS = {CaseKind.CSM_ESCALATION.value: "CSM escalation",
         CaseKind.EXECUTIVE_ESCALATION.value: "Executive escalation"}
TIERS = ("enterprise", "premium", "standard", "free")
# The timeline events a requester may see as updates; comments and internal events are not.
PUBLIC_KINDS = ("case.created", "case.assigned", "case.claimed", "case.status_changed",
                "decision.applied", "case.merged")
STATUS_WORDS = {
    "new": "Received", "triaged": "Received, waiting in its queue",
    "assigned": "Assigned to a specialist", "in_progress": "Being worked on",
    "waiting_on_requester": "Waiting for your reply", "waiting_on_legal": "With legal counsel",
    "decided": "Decided", "closed": "Closed"}
_case_in: TypeAdapter[Any] = TypeAdapter(s.CaseIn)


def find_businesses(session: Session, query: str, *, limit: int = 8) -> list[Business]:
    """Businesses whose domain starts with what was typed, on ix_businesses_domain_prefix."""
    q = query.strip().lower()
    if len(q) < 2:
        return []
    if session.get_bind().dialect.name == "postgresql":
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        match = Business.domain.like(escaped + "%", escape="\\")
    else:  # a range over the index: byte order, as SQLite's BINARY collation has it
        match = (Business.domain >= q) & (Business.domain < q + "\U0010ffff")
    return list(session.scalars(select(Business).where(match).order_by(Business.domain)
                                .limit(limit)))


def business(session: Session, business_id: int) -> Business:
    found = session.get(Business, business_id)
    if found is None:
        raise NotFound(f"no business {business_id}", field="business")
    return found


@dataclass
class Raised:
    case: Case
    created: bool


def _errors(exc: ValidationError, names: dict[str, str]) -> InvalidInput:
    first = exc.errors(include_url=False)[0]
    loc = [str(p) for p in first["loc"] if p not in ("csm_escalation", "executive_escalation")]
    field = names.get(loc[0], loc[0]) if loc else "body"
    return InvalidInput(first["msg"], field=field)


def raise_request(session: Session, *, user: User, form: dict[str, str], now: datetime
                  ) -> Raised:
    """Check the form, open or join the case through intake, keep the request."""
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise InvalidInput("choose a CSM or an executive escalation", field="kind")
    domain = (form.get("business_domain") or "").strip().lower()
    if not domain:
        raise InvalidInput("pick the business from the list", field="business")
    if session.scalar(select(Business.id).where(Business.domain == domain)) is None:
        raise InvalidInput(f"{domain} is not a business the desk knows; pick one from the list",
                           field="business")
    needed_by = None
    if form.get("needed_by"):
        try:
            day = date.fromisoformat(form["needed_by"])
        except ValueError:
            raise InvalidInput("give a date", field="needed_by") from None
        if day < now.date():
            raise InvalidInput("cannot be in the past", field="needed_by")
        needed_by = datetime.combine(day, time(23, 59, 59), UTC)
    revenue = form.get("revenue_at_stake", "").replace(",", "").replace(" ", "")
    refs = review_refs_in_urls(line for line in (form.get("reviews") or "").splitlines())
    bad = [line.strip() for line in (form.get("reviews") or "").splitlines()
           if line.strip() and not review_refs_in_urls([line])]
    if bad:
        raise InvalidInput(f"not a review link: {bad[0]}", field="reviews")
    common: dict[str, Any] = {
        "kind": kind, "channel": Channel.FORM.value, "business_domain": domain,
        "title": (form.get("title") or "").strip() or None,
        "description": form.get("description", ""), "needed_by": needed_by,
        "reviews": [{"ref": r} for r in refs], "category": form.get("category") or None,
        "tags": ["request-form"]}
    person = {"name": user.name, "email": user.email}
    if kind == CaseKind.CSM_ESCALATION:
        payload = {**common, "csm": person, "customer_tier": form.get("customer_tier", ""),
                   "revenue_at_stake": revenue or None}
    else:
        payload = {**common, "executive": {"name": (form.get("executive_name") or "").strip()
                                           or user.name, "email": user.email},
                   "executive_title": form.get("executive_title", ""),
                   "business_impact": form.get("business_impact", ""),
                   "revenue_at_stake": revenue or None}
    try:
        parsed = _case_in.validate_python(payload)
    except ValidationError as exc:
        raise _errors(exc, {"csm": "business", "executive": "executive_name"}) from None
    outcome = Intake(session, now=now, actor=actor_of(user)).submit(parsed)
    session.add(InternalRequest(requester_id=user.id, case_id=outcome.case.id, kind=kind,
                                outcome="created" if outcome.created else "linked",
                                business_domain=domain, created_at=now))
    session.flush()
    return Raised(outcome.case, outcome.created)


@dataclass
class RequestRow:
    id: int
    key: str
    title: str
    kind: str
    business: str
    raised_at: datetime
    outcome: str
    status: str
    status_words: str
    is_open: bool
    resolution_due_at: datetime | None
    breached: bool
    last_update: str | None
    last_update_at: datetime | None


def _update_words(kind: str, payload: dict[str, Any]) -> str:
    if kind == "case.created":
        return "Received and triaged"
    if kind in ("case.assigned", "case.claimed"):
        return "A specialist took it on"
    if kind == "case.status_changed":
        return f"Now: {STATUS_WORDS.get(payload.get('after', ''), payload.get('after', ''))}"
    if kind == "decision.applied":
        return "A decision was applied"
    if kind == "case.merged":
        return "Joined with a related case"
    return kind


def my_requests(session: Session, user: User, *, before: int | None, limit: int, now: datetime
                ) -> tuple[list[RequestRow], int | None]:
    """The requester's own requests, newest first (keyset on ix_internal_requests_requester),
    with their cases and last public updates: three statements for the page."""
    query = (select(InternalRequest, Case).join(Case, Case.id == InternalRequest.case_id)
             .where(InternalRequest.requester_id == user.id)
             .order_by(InternalRequest.id.desc()).limit(limit + 1))
    if before:
        query = query.where(InternalRequest.id < before)
    rows = list(session.execute(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    case_ids = sorted({c.id for _, c in rows})
    latest: dict[int, tuple[str, dict[str, Any], datetime]] = {}
    if case_ids:
        newest = (select(func.max(AuditEvent.id)).where(
            AuditEvent.case_id.in_(case_ids), AuditEvent.kind.in_(PUBLIC_KINDS))
            .group_by(AuditEvent.case_id))
        for case_id, kind, payload, at in session.execute(
                select(AuditEvent.case_id, AuditEvent.kind, AuditEvent.payload,
                       AuditEvent.occurred_at).where(AuditEvent.id.in_(newest))):
            latest[case_id] = (kind, json.loads(payload), at)
    out = []
    for r, c in rows:
        update = latest.get(c.id)
        out.append(RequestRow(
            id=r.id, key=c.key, title=c.title, kind=KINDS.get(r.kind, r.kind),
            business=r.business_domain, raised_at=r.created_at, outcome=r.outcome,
            status=c.status, status_words=STATUS_WORDS.get(c.status, c.status),
            is_open=c.is_open, resolution_due_at=c.resolution_due_at if c.is_open else None,
            breached=bool(c.is_open and c.resolution_due_at and c.resolution_due_at < now),
            last_update=_update_words(update[0], update[1]) if update else None,
            last_update_at=update[2] if update else None))
    return out, (rows[-1][0].id if more and rows else None)



