"""Turn each kind's validated payload into a draft case: requester, subjects, facts, dedupe key."""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.domain import CATEGORY_WORDS, CaseKind, RequesterType
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.cases.repository import SubjectView, case_by_key, readable_clause
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.errors import Forbidden, InvalidInput, NotFound
from integrity_desk.intake import schemas as s
from integrity_desk.messages.domain import decision_notice_key, statement_key
from integrity_desk.messages.service import last_sent
from integrity_desk.misuse.domain import Bucket, notifier_key
from integrity_desk.misuse.models import MisuseMeasure
from integrity_desk.misuse.service import suspended_notifiers, suspension_of
from integrity_desk.people.models import User
from integrity_desk.subjects.service import (
    Owner,
    owners,
    review_refs_in_urls,
    reviews_by_ref,
)
from integrity_desk.triage.domain import TriageFacts

APPEAL_WINDOW_MONTHS = 6


def new_receipt() -> str:
    """A request's own reference, e.g. RCPT-9F3A61C2D04B7E15.

    Every request gets one, whether it opened a case or joined one. It is what the desk may
    always tell the sender, even when the case it landed in is one the sender may not read
    (another vendor's queue, a legal-restricted case): it names the request, not the case.
    64 random bits, so receipts cannot be guessed or enumerated.
    """
    return "RCPT-" + secrets.token_hex(8).upper()


@dataclass
class Draft:
    kind: str
    channel: str
    title: str
    description: str
    requester_type: str
    requester_name: str | None = None
    requester_organisation: str | None = None
    requester_contact: str | None = None
    customer_tier: str | None = None
    revenue_at_stake: int | None = None
    category: str | None = None
    language: str | None = None
    legal_deadline: datetime | None = None
    legal_restricted: bool = False
    trusted_flagger: bool = False
    subjects: list[tuple[str, int]] = field(default_factory=list)
    # The reach of the business concerned (its review count), read with its row, for triage.
    business_reviews: int | None = None
    # The primary subject was mirrored by this unit of work: no earlier case can be about it.
    primary_is_new: bool = False
    # The subjects as a case view shows them, where the builder read them anyway (flags): the
    # answer to the request then needs no read of its own.
    shown: list[SubjectView] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    dedupe_key: str | None = None
    # The strongest fraud signal behind a case the signals open (triage's fraud_signal rule).
    signal_score: float | None = None
    receipt: str = field(default_factory=new_receipt)
    # A queue chosen by a person, not by routing: a case split out of another stays in that
    # case's queue (the same people go on working it, and may read what they split off).
    queue_id: int | None = None

    def facts(self, *, now: datetime, earlier: int) -> TriageFacts:
        return TriageFacts(
            kind=self.kind, now=now, requester_type=self.requester_type,
            customer_tier=self.customer_tier, revenue_at_stake=self.revenue_at_stake,
            legal_deadline=self.legal_deadline, category=self.category,
            trusted_flagger=self.trusted_flagger, business_review_count=self.business_reviews,
            earlier_cases_on_subject=earlier, signal_score=self.signal_score,
        )

def add_months(moment: datetime, months: int) -> datetime:
    """Same day-of-month n months later, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)

def _aware(value: datetime, field_name: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput("give a time zone (e.g. 2026-11-24T10:00:00Z)", field=field_name)
    return value

def _person(p: s.Person | None) -> dict[str, str | None]:
    if p is None:
        return {"requester_name": None, "requester_contact": None,
                "requester_organisation": None}
    return {"requester_name": p.name, "requester_contact": p.email,
            "requester_organisation": p.organisation}

def flag_drafts(session: Session, flags: list[s.FlagIn], *, now: datetime) -> list[Draft]:
    """Drafts for many flags with one read of their reviews (and their businesses)."""
    reviews = reviews_by_ref(session, [f.review for f in flags])
    drafts = []
    for f in flags:
        review = reviews[f.review.ref]
        drafts.append(Draft(
            kind=CaseKind.FLAG, channel=f.channel,
            title=f.title or f"{CATEGORY_WORDS[f.category]}: flag on review {review.ref}",
            description=f.reason, requester_type=f.reporter_type, **_person(f.reporter),
            category=f.category, language=f.language or review.language,
            subjects=[("review", review.id)], business_reviews=review.business_review_count,
            primary_is_new=review.new, shown=[SubjectView(
                "review", review.id, "primary", review.ref, review.label,
                {"rating": review.rating, "language": review.language, "status": review.status})],
            details={"reason": f.reason, "reporter_type": f.reporter_type}, tags=f.tags,
            dedupe_key=f"flag:review:{review.id}",
        ))
    return drafts

def draft_for(session: Session, p: Any, *, now: datetime, actor: Actor,
              viewer: User | None = None) -> Draft:
    """The draft for one request; ``viewer`` is the person filing it, when one is (the API, the
    request form), whose reading rights bound what the draft may look up (an appeal's case)."""
    if p.kind == CaseKind.APPEAL:
        return _appeal(session, p, now, actor, viewer)
    return _BUILDERS[p.kind](session, p, now, actor)

def _escalation_subjects(
    session: Session, domain: str, reviews: list[s.ReviewIn]
) -> tuple[Owner, list[tuple[str, int]]]:
    business = owners(session, [domain], ())[0][domain]
    found = reviews_by_ref(session, reviews)
    return business, [("business", business.id)] + [("review", found[r.ref].id)
                                                     for r in reviews]

def _needed_by(p: s.CsmEscalationIn | s.ExecutiveEscalationIn) -> dict[str, str]:
    if p.needed_by is None:
        return {}
    return {"needed_by": _aware(p.needed_by, "needed_by").isoformat()}

def _csm(session: Session, p: s.CsmEscalationIn, now: datetime, actor: Actor) -> Draft:
    business, subjects = _escalation_subjects(session, p.business_domain, p.reviews)
    return Draft(
        kind=p.kind, channel=p.channel,
        title=p.title or f"CSM escalation for {p.business_domain}", description=p.description,
        requester_type=RequesterType.CSM, **_person(p.csm), customer_tier=p.customer_tier,
        revenue_at_stake=p.revenue_at_stake, category=p.category, language=p.language,
        subjects=subjects, business_reviews=business.review_count, tags=p.tags,
        details={"business_domain": p.business_domain, **_needed_by(p)},
        dedupe_key=f"csm_escalation:business:{business.id}",
    )

def _executive(session: Session, p: s.ExecutiveEscalationIn, now: datetime, actor: Actor) -> Draft:
    business, subjects = _escalation_subjects(session, p.business_domain, p.reviews)
    return Draft(
        kind=p.kind, channel=p.channel,
        title=p.title or f"Executive escalation for {p.business_domain}",
        description=p.description, requester_type=RequesterType.EXECUTIVE, **_person(p.executive),
        revenue_at_stake=p.revenue_at_stake, category=p.category, language=p.language,
        subjects=subjects, business_reviews=business.review_count, tags=p.tags,
        details={"business_domain": p.business_domain, "business_impact": p.business_impact,
                 "executive_title": p.executive_title, **_needed_by(p)},
        dedupe_key=f"executive_escalation:business:{business.id}",
    )

def _suspended_message(suspension: MisuseMeasure, bucket: Bucket) -> str:
    assert suspension.ends_at is not None
    return (f"this sender is suspended from sending {bucket.value.split('_', 1)[1]} until "
            f"{suspension.ends_at:%Y-%m-%d} for sending manifestly unfounded ones "
            "(DSA Art. 23)")


def _refuse_suspended(session: Session, contact: str | None, bucket: Bucket, now: datetime,
                      field_name: str) -> None:
    """DSA Art. 23(2): notices or complaints of a suspended notifier are not processed —
    whichever way they come (a flag, a trusted flagger's notice, a legal notice, an appeal)."""
    suspension = suspension_of(session, contact, bucket, now)
    if suspension is not None and suspension.ends_at is not None:
        raise Forbidden(_suspended_message(suspension, bucket), field=field_name)


def suspended_flags(session: Session, flags: list[s.FlagIn], *,
                    now: datetime) -> dict[int, dict[str, str]]:
    """For a batch: the flags (by position) whose reporter is suspended from sending notices,
    each with its own error; one query for the batch."""
    emails = [f.reporter.email if f.reporter else None for f in flags]
    suspended = suspended_notifiers(session, emails, Bucket.UNFOUNDED_NOTICES, now)
    out: dict[int, dict[str, str]] = {}
    for n, email in enumerate(emails):
        measure = suspended.get(notifier_key(email) or "")
        if measure is not None and measure.ends_at is not None:
            out[n] = {"field": "reporter.email",
                      "message": _suspended_message(measure, Bucket.UNFOUNDED_NOTICES)}
    return out


def informed_of(session: Session, decision: Decision) -> datetime:
    """When the desk informed people of the decision: the last time one of its letters about
    it (a statement of reasons, a notice to the notifier) was sent, or, where none has been,
    when the decision took effect. The Art. 20 window runs from here — never from a date the
    appellant or a caller gives — and never earlier than anyone was told."""
    action_ids = session.scalars(select(DecisionAction.id)
                                 .where(DecisionAction.decision_id == decision.id))
    sent = last_sent(session, [decision_notice_key(decision.id),
                               *(statement_key(a) for a in action_ids)])
    took_effect = decision.approved_at or decision.decided_at
    return max(t for t in (sent, took_effect) if t is not None)


def _contested_case(session: Session, key: str, viewer: User | None) -> Case:
    """The case an appeal contests, as the person filing it may see it.

    A case the filer may not read answers exactly as a case that does not exist: an appeal
    must not tell anyone that a case exists, or whether it has been decided, or who decided
    it. The public appeal form carries no viewer: its signed link is the right to appeal.
    """
    try:
        return case_by_key(session, key, readable_clause(viewer) if viewer else true())
    except NotFound:
        raise InvalidInput(f"no case {key}", field="contested_case") from None


def _appeal(session: Session, p: s.AppealIn, now: datetime, actor: Actor,
            viewer: User | None) -> Draft:
    _refuse_suspended(session, str(p.appellant.email) if p.appellant.email else None,
                      Bucket.UNFOUNDED_COMPLAINTS, now, "appellant.email")
    contested = _contested_case(session, p.contested_case, viewer)
    decision = session.scalars(
        select(Decision).where(Decision.case_id == contested.id, Decision.kind == "decision",
                               Decision.status == "applied")
        .order_by(Decision.id.desc()).limit(1)).first()
    if decision is None:
        raise InvalidInput(f"{contested.key} has no decision to appeal yet",
                           field="contested_case")
    informed_at = informed_of(session, decision)
    window_ends = add_months(informed_at, APPEAL_WINDOW_MONTHS)
    if now > window_ends:
        raise InvalidInput(
            f"the appeal window closed on {window_ends.date().isoformat()} "
            f"({APPEAL_WINDOW_MONTHS} months after the desk informed the person, on "
            f"{informed_at.date().isoformat()})", field="contested_case")
    decided_on = session.scalar(
        select(func.min(Decision.decided_at)).where(Decision.appeal_of_id == decision.id,
                                                    Decision.kind == "appeal_outcome"))
    if decided_on is not None:
        # Joining the decided appeal would bury the complaint in a closed matter.
        raise InvalidInput(
            f"an appeal against this decision on {contested.key} was decided on "
            f"{decided_on.date().isoformat()}; the internal complaint is spent — a certified "
            "out-of-court dispute settlement body (DSA Art. 21) or the courts remain",
            field="contested_case")
    subjects = [(t, i) for t, i in session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id)
        .where(CaseSubject.case_id == contested.id).order_by(CaseSubject.id))]
    return Draft(
        kind=p.kind, channel=p.channel, title=p.title or f"Appeal against {contested.key}",
        description=p.grounds, requester_type=p.appellant_type, **_person(p.appellant),
        category=contested.category, language=p.language or contested.language,
        subjects=subjects, tags=p.tags,
        # The appeal carries the contested case's key, decision and deciders: whoever may not
        # read a legal case may not read an appeal against it either.
        legal_restricted=contested.legal_restricted
        or contested.kind == CaseKind.LEGAL_NOTICE,
        details={"contested_case_id": contested.id, "contested_case": contested.key,
                 "contested_decision_id": decision.id,
                 "original_decider_ids": sorted({u for u in (decision.decided_by_id,
                                                             decision.approved_by_id) if u}),
                 "informed_at": informed_at.isoformat(),
                 "appeal_window_ends_at": window_ends.isoformat(), "grounds": p.grounds},
        dedupe_key=f"appeal:case:{contested.id}",
    )

def _legal(session: Session, p: s.LegalNoticeIn, now: datetime, actor: Actor) -> Draft:
    # Art. 16(2)(c): the sender's name and e-mail, except for child sexual abuse offences.
    if not p.sender.email and not p.csam:
        raise InvalidInput("a legal notice needs the sender's e-mail address (DSA Art. "
                           "16(2)(c)); only one on child sexual abuse offences may leave it "
                           "out (csam: true)", field="sender.email")
    _refuse_suspended(session, str(p.sender.email) if p.sender.email else None,
                      Bucket.UNFOUNDED_NOTICES, now, "sender.email")
    deadline = _aware(p.deadline, "deadline")
    if deadline <= now:  # a past deadline would make the case overdue on arrival
        raise InvalidInput("the deadline cannot be in the past", field="deadline")
    urls = [str(u) for u in p.urls]
    refs = review_refs_in_urls(urls)
    reviews = reviews_by_ref(session, [], refs)
    return Draft(
        kind=p.kind, channel=p.channel,
        title=p.title or f"{p.notice_type.replace('_', ' ').capitalize()} notice from "
        f"{p.sender.organisation or p.sender.name}",
        description=p.explanation, requester_type=p.sender_type, **_person(p.sender),
        category=p.category or ("harmful_illegal" if p.csam else None), language=p.language,
        legal_deadline=deadline, legal_restricted=True,
        subjects=[("review", reviews[r].id) for r in refs],
        tags=list(dict.fromkeys([*p.tags, *(["csam"] if p.csam else [])])),
        details={"jurisdiction": p.jurisdiction, "notice_type": p.notice_type, "csam": p.csam,
                 "legal_basis": p.legal_basis, "urls": urls, "unmatched_urls": [
                     u for u in urls if not review_refs_in_urls([u])],
                 "good_faith_statement": p.good_faith_statement},
    )

def _trusted_flagger(
    session: Session, p: s.TrustedFlaggerNoticeIn, now: datetime, actor: Actor
) -> Draft:
    tf = session.scalar(select(TrustedFlagger).where(
        func.lower(TrustedFlagger.name) == p.trusted_flagger.lower(), TrustedFlagger.active))
    if tf is None:
        raise InvalidInput(
            f"{p.trusted_flagger!r} does not hold trusted-flagger status; send an ordinary notice",
            field="trusted_flagger",
        )
    _refuse_suspended(session, p.contact.email, Bucket.UNFOUNDED_NOTICES, now, "contact.email")
    urls = [str(u) for u in p.urls]
    refs = list(dict.fromkeys([r.ref for r in p.reviews] + review_refs_in_urls(urls)))
    if not refs:
        raise InvalidInput("name at least one review (by reviews or by review URLs)",
                           field="reviews")
    reviews = reviews_by_ref(session, p.reviews, refs)
    in_area = not tf.areas or p.category.value in tf.areas
    first = reviews[refs[0]]
    return Draft(
        kind=p.kind, channel=p.channel,
        title=p.title or (f"Trusted-flagger notice from {tf.name}: "
                          f"{CATEGORY_WORDS[p.category].lower()}"),
        description=p.explanation, requester_type=RequesterType.TRUSTED_FLAGGER,
        requester_name=p.contact.name, requester_contact=p.contact.email,
        requester_organisation=tf.name, category=p.category,
        language=p.language or first.language, trusted_flagger=in_area,
        subjects=[("review", reviews[r].id) for r in refs],
        business_reviews=first.business_review_count,
        tags=p.tags,
        details={"trusted_flagger_id": tf.id, "within_area": in_area, "urls": urls,
                 "good_faith_statement": p.good_faith_statement},
        dedupe_key=f"trusted_flagger_notice:review:{first.id}",
    )

def _investigation(session: Session, p: s.InvestigationIn, now: datetime, actor: Actor) -> Draft:
    businesses, reviewers = owners(session, p.business_domains, p.reviewer_refs)
    reviews = reviews_by_ref(session, p.reviews)
    subjects = ([("business", businesses[d].id) for d in p.business_domains]
                + [("review", reviews[r.ref].id) for r in p.reviews]
                + [("reviewer", reviewers[r].id) for r in p.reviewer_refs])
    return Draft(
        kind=p.kind, channel=p.channel, title=p.title, description=p.description,
        requester_type=RequesterType.INTERNAL, requester_name=actor.label,
        category=p.category, language=p.language, subjects=subjects,
        business_reviews=businesses[p.business_domains[0]].review_count
        if p.business_domains else None,
        tags=p.tags, details={"hypothesis": p.hypothesis},
    )

def _flag(session: Session, p: s.FlagIn, now: datetime, actor: Actor) -> Draft:
    _refuse_suspended(session, p.reporter.email if p.reporter else None,
                      Bucket.UNFOUNDED_NOTICES, now, "reporter.email")
    return flag_drafts(session, [p], now=now)[0]

_BUILDERS: dict[str, Any] = {
    CaseKind.FLAG: _flag,
    CaseKind.CSM_ESCALATION: _csm,
    CaseKind.EXECUTIVE_ESCALATION: _executive,
    CaseKind.LEGAL_NOTICE: _legal,
    CaseKind.TRUSTED_FLAGGER_NOTICE: _trusted_flagger,
    CaseKind.INVESTIGATION: _investigation,
}

