"""Mail intake: a received message becomes a case (or joins one) with its raw bytes and
attachments, all in the caller's one transaction.

Used alike by the SMTP server (mail/smtp.py) and the mailbox poller (mail/imap.py); both are
boundaries that commit once, and answer the sender (250, or leave the message unseen) only
after that commit. A message is one unit: its case, its request, its row, its files and their
bytes go in together or not at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pydantic import ValidationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.domain import CaseKind, Channel, RequesterType, parse_case_key
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.db import upsert_insert
from integrity_desk.errors import DeskError, Forbidden
from integrity_desk.intake import requests as req
from integrity_desk.intake import schemas as s
from integrity_desk.intake.service import Intake
from integrity_desk.mail.domain import Letter, Limits, Refused, Routes, check_limits, read_letter
from integrity_desk.mail.letters import ART16, LetterFields, read_fields
from integrity_desk.mail.models import InboundMail, MailContent, MailFile
from integrity_desk.messages.addresses import (
    bounced_letter,
    case_from_address,
    case_from_message_ids,
    case_from_subject,
    domain_of,
)
from integrity_desk.messages.bounces import read_report, record_bounce
from integrity_desk.messages.service import acknowledge
from integrity_desk.settings import Settings
from integrity_desk.subjects.service import review_refs_in_urls, reviews_by_ref
from integrity_desk.triage.harm import classify, merge_harms

MAIL_ACTOR = Actor(None, "mail intake")
NEEDS_COMPLETION = "needs-completion"


@dataclass(frozen=True)
class MailPolicy:
    """The inbound settings, read once per server or poller."""

    routes: Routes
    limits: Limits
    max_bytes: int
    secret: str
    domain: str
    rate: str
    rate_storage: str = "memory://"

    @classmethod
    def from_settings(cls, settings: Settings) -> MailPolicy:
        reply = settings.mail_reply_address or settings.mail_from
        return cls(Routes(settings.mail_routes, reply_address=reply),
                   Limits.from_setting(settings.mail_max_attachments,
                                       settings.mail_attachment_types),
                   settings.mail_max_bytes, settings.secret_key, domain_of(settings.mail_from),
                   settings.mail_rate_per_sender, settings.rate_limit_storage)


class SenderRate:
    """Messages accepted per sending address (IDESK_MAIL_RATE_PER_SENDER), counted where the
    API's limits are (IDESK_RATE_LIMIT_STORAGE): two SMTP servers behind one MX share a count
    when that is Redis."""

    def __init__(self, rate: str, storage: str = "memory://") -> None:
        self.item = parse(rate)
        options = {"implementation": "redispy"} if storage.startswith("redis") else {}
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage, **options))

    def check(self, sender: str) -> None:
        if not self.limiter.hit(self.item, "mail-sender", sender.lower()):
            raise Refused(451, "4.7.1", f"too many messages from {sender}: at most "
                          f"{self.item.amount} per {self.item.GRANULARITY.name}; try later")


@dataclass
class Received:
    outcome: str  # opened | joined | duplicate | refused | bounce
    case_id: int | None = None
    case_key: str | None = None
    inbound_id: int | None = None
    missing: list[str] | None = None


def threading_id(message_id: str | None) -> str | None:
    """A letter's Message-ID for our answer's In-Reply-To; None for the stand-in the desk made
    up for a letter that had none (no mail program knows it)."""
    if not message_id or message_id.endswith("@inbound.invalid>"):
        return None
    return message_id


def latest_message_id(session: Session, case_id: int) -> str | None:
    """The Message-ID of the last letter that came in on a case: what a reply answers."""
    return threading_id(session.scalar(
        select(InboundMail.message_id).where(InboundMail.case_id == case_id,
                                             InboundMail.outcome.in_(("opened", "joined")))
        .order_by(InboundMail.id.desc()).limit(1)))


_KNOWN = select(InboundMail.id).where(InboundMail.message_id == bindparam("mid"))


def known_message(session: Session, message_id: str) -> int | None:
    """The id of the message received with this Message-ID before, if any."""
    return session.scalar(_KNOWN, {"mid": message_id})


def receive(session: Session, raw: bytes, *, policy: MailPolicy, now: datetime,
            source: str, recipients: list[str] | None = None, kind: str | None = None,
            rate: SenderRate | None = None) -> Received:
    """Take one message: a duplicate Message-ID adds nothing; a reply joins its case; any
    other opens a case of its route's kind (``kind`` for a mailbox that has one kind).
    Raises Refused with the SMTP reply when the message is not taken (nothing is written)."""
    if len(raw) > policy.max_bytes:
        raise Refused(552, "5.3.4", f"message too big: {len(raw)} bytes (at most "
                      f"{policy.max_bytes})")
    letter = read_letter(raw, envelope_recipients=recipients)
    if known_message(session, letter.message_id) is not None:
        return Received("duplicate")
    bounced = next((found for a in letter.recipients
                    if (found := bounced_letter(a, policy.secret)) is not None), None)
    if bounced is not None:  # a delivery report on one of our letters: no case of its own
        return _bounce(session, letter, raw, bounced, source=source, now=now)
    check_limits(letter, policy.limits)
    if rate is not None:
        rate.check(letter.sender)
    reply_to = _replied_case(session, letter, policy)
    route = kind or next((k for a in letter.recipients
                          if (k := policy.routes.kind_of(a))), None)
    if reply_to is None and route is None:
        raise Refused(550, "5.1.1", "no case for this reply (its reference is missing or not "
                      "genuine); write to one of the desk's addresses instead")
    intake = Intake(session, now=now, actor=MAIL_ACTOR)
    fields = read_fields(text=letter.text, subject=letter.subject,
                         sender_name=letter.sender_name, sender_email=letter.sender)
    missing: list[str] | None = None
    if reply_to is not None:
        case, outcome = reply_to, "joined"
        intake.join(case, _reply_draft(case, letter))
    else:
        assert route is not None
        case, created, missing = _open(session, intake, route, letter, fields, now)
        outcome = "opened" if created else "joined"
        if created:  # DSA Art. 16(4), Art. 20: the receipt, threaded under the letter
            acknowledge(session, case, actor=MAIL_ACTOR, now=now,
                        in_reply_to=threading_id(letter.message_id))
    _attachments_harm(session, case, letter)
    inbound_id = _store(session, letter, raw, case_id=case.id, route=route, outcome=outcome,
                        source=source, now=now, missing=missing)
    return Received(outcome, case.id, case.key, inbound_id, missing)


def refused_row(session: Session, raw: bytes, refusal: Refused, *, source: str,
                now: datetime) -> None:
    """A mailbox's message the desk refused, recorded by its Message-ID and the reason only,
    so the next poll does not take it again. No sender, subject or content: a refused message
    has no case, so retention would never erase them (an SMTP sender is told instead, and
    nothing is written)."""
    try:
        message_id = read_letter(raw).message_id
    except Refused:
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"
    if known_message(session, message_id) is None:
        session.add(InboundMail(message_id=message_id, source=source, outcome="refused",
                                reason=refusal.reply[:500], recipients=[], size=len(raw),
                                received_at=now, extra={}))
        session.flush()


def _replied_case(session: Session, letter: Letter, policy: MailPolicy) -> Case | None:
    """The case this message answers, by the token in an address, the subject or our
    Message-ID in In-Reply-To/References (each token checked under the secret key)."""
    case_id = next((c for a in letter.recipients
                    if (c := case_from_address(a, policy.secret))), None) \
        or case_from_subject(letter.subject, policy.secret) \
        or case_from_message_ids(f"{letter.in_reply_to} {letter.references}",
                                 domain=policy.domain, secret=policy.secret)
    return session.get(Case, case_id) if case_id else None


def _reply_draft(case: Case, letter: Letter) -> req.Draft:
    same = (case.requester_contact or "").lower() == letter.sender
    return req.Draft(
        kind=case.kind, channel=Channel.EMAIL, title=letter.subject[:300] or "Reply",
        description=letter.text,
        requester_type=case.requester_type if same and case.requester_type
        else RequesterType.NOTIFIER,
        requester_name=letter.sender_name or None, requester_contact=letter.sender,
        details={"subject": letter.subject[:500], "description": letter.text[:20_000],
                 "message_id": letter.message_id, "reply": True})


def _complete_payload(session: Session, route: str, f: LetterFields,
                      letter: Letter) -> tuple[Any | None, list[str]]:
    """The API's own payload for a letter that carries every field its kind requires, so it
    goes through exactly the API's intake; else None and what the API's schema said."""
    payload, problems = None, []
    try:
        payload = _payload(session, route, f, letter)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                    for e in exc.errors(include_url=False)]
    return payload, problems


def _payload(session: Session, route: str, f: LetterFields, letter: Letter) -> Any | None:
    # Art. 16 asks a notice for a name; an appellant is known by the address they write from.
    person = {"name": f.sender_name or (f.sender_email if route == CaseKind.APPEAL else None),
              "email": f.sender_email}
    common = {"channel": Channel.EMAIL, "title": letter.subject[:300] or None,
              "language": f.language}
    if route == CaseKind.LEGAL_NOTICE:
        return s.LegalNoticeIn(
            kind="legal_notice", sender_type=f.sender_type or "law_firm",
            sender=s.Person(**person), jurisdiction=f.jurisdiction,
            notice_type=f.notice_type or "other", legal_basis=f.legal_basis,
            explanation=f.explanation, deadline=f.deadline, urls=f.urls,
            good_faith_statement=f.good_faith, **common)
    if route == CaseKind.APPEAL:
        key = _case_key_in(f"{letter.subject}\n{letter.text}")
        if key is None or not _party_to(session, key, f.sender_email):
            return None
        return s.AppealIn(kind="appeal", contested_case=key, appellant_type="notifier",
                          appellant=s.Person(**person), grounds=f.explanation, **common)
    return None


_KEY = re.compile(r"\b([A-Z]{3}-\d{1,10})\b")


def _party_to(session: Session, key: str, sender: str | None) -> bool:
    """Whether the sender is the requester of the case it contests (on the case or one of its
    linked requests). A letter naming a case key is no right to appeal: the public form has its
    signed link, an e-mail has only its From address. A stranger's appeal still opens a case,
    marked needs completion, for a person to check."""
    parsed = parse_case_key(key)
    if parsed is None or not sender:
        return False
    contacts = {c.lower() for c in session.scalars(
        select(Case.requester_contact).where(Case.id == parsed[1])
        .union(select(CaseRequest.requester_contact)
               .where(CaseRequest.case_id == parsed[1]))) if c}
    return sender.lower() in contacts


def _case_key_in(text: str) -> str | None:
    for found in _KEY.finditer(text):
        if parse_case_key(found.group(1)):
            return found.group(1)
    return None


def _missing(session: Session, route: str, f: LetterFields, letter: Letter) -> list[str]:
    """Each element the letter lacks for its kind, named with why it is needed."""
    missing = [f"{key}: {ART16[key]}" for key in f.missing_art16()] \
        if route in (CaseKind.LEGAL_NOTICE, CaseKind.TRUSTED_FLAGGER_NOTICE) else []
    if route == CaseKind.LEGAL_NOTICE:
        missing += [f"{k}: {why}" for k, v, why in (
            ("jurisdiction", f.jurisdiction, "the country whose law is invoked"),
            ("legal_basis", f.legal_basis, "the provision the sender relies on"),
            ("deadline", f.deadline, "when the sender needs the content acted on"))
            if not v]
    elif route == CaseKind.APPEAL:
        key = _case_key_in(f"{letter.subject}\n{letter.text}")
        if not key:
            missing.append("contested_case: the key of the case whose decision is contested")
        elif not _party_to(session, key, f.sender_email):
            missing.append(f"appellant: {f.sender_email} is not a requester of {key}; confirm "
                           "the sender may appeal it")
    elif route == CaseKind.CSM_ESCALATION:
        missing += ["business_domain: the business concerned",
                    "customer_tier: the customer's tier",
                    "revenue_at_stake: the revenue at stake"]
    elif route == CaseKind.TRUSTED_FLAGGER_NOTICE:
        missing.append("trusted_flagger: which trusted flagger sends the notice")
    return missing


def _attachments_harm(session: Session, case: Case, letter: Letter) -> None:
    """What a letter's attachments show by their names (``beheading.mp4``) makes its case
    harmful to work (``cases.harm``, which routing reads; docs/wellbeing.md)."""
    found = classify("", attachments=[(a.filename, a.content_type)
                                      for a in letter.attachments]).code
    harm = merge_harms(case.harm, found)
    if found and harm != case.harm:
        session.execute(update(Case).where(Case.id == case.id).values(harm=harm)
                        .execution_options(synchronize_session=False))
        case.harm = harm


def _open(session: Session, intake: Intake, route: str, letter: Letter, f: LetterFields,
          now: datetime) -> tuple[Case, bool, list[str] | None]:
    """A complete letter goes through the API's intake; an incomplete one (or one the API
    would refuse for a field, e.g. a past deadline) opens a case marked needs completion."""
    payload, problems = _complete_payload(session, route, f, letter)
    problem: str | None = None
    if payload is not None:
        savepoint = session.begin_nested()
        try:
            outcome = intake.submit(payload)
        except Forbidden as exc:  # DSA Art. 23(2): a suspended sender's notices are refused
            savepoint.rollback()
            raise Refused(550, "5.7.1", exc.message) from None
        except DeskError as exc:
            savepoint.rollback()
            problem = f"{exc.field or 'letter'}: {exc.message}"
        else:
            savepoint.commit()
            return outcome.case, outcome.created, None
    missing = _missing(session, route, f, letter)
    # What the schema refused beyond the elements named above (each element named once).
    named = {m.split(":", 1)[0].split(".", 1)[0] for m in missing}
    missing += [p for p in [*problems, *([problem] if problem else [])]
                if p.split(":", 1)[0].split(".", 1)[0] not in named]
    opened = intake.open_cases([_incomplete_draft(session, route, letter, f, missing, now)])
    assert opened[0] is not None  # an incomplete draft carries no dedupe key
    return opened[0], True, missing


def _incomplete_draft(session: Session, route: str, letter: Letter, f: LetterFields,
                      missing: list[str], now: datetime) -> req.Draft:
    """A case with what the letter says, no placeholder pretending to be a field it lacks:
    the missing elements are listed on the case, which a specialist completes."""
    refs = review_refs_in_urls(f.urls)
    reviews = reviews_by_ref(session, [], refs) if refs else {}
    requester = {CaseKind.LEGAL_NOTICE: f.sender_type or RequesterType.LAW_FIRM,
                 CaseKind.CSM_ESCALATION: RequesterType.CSM,
                 CaseKind.TRUSTED_FLAGGER_NOTICE: RequesterType.TRUSTED_FLAGGER,
                 CaseKind.APPEAL: RequesterType.NOTIFIER}.get(route, RequesterType.CONSUMER)
    legal = route == CaseKind.LEGAL_NOTICE
    return req.Draft(
        kind=route, channel=Channel.EMAIL,
        title=letter.subject[:300] or f"Letter from {f.sender_name or f.sender_email}",
        description=f.explanation, requester_type=requester,
        requester_name=f.sender_name, requester_contact=f.sender_email,
        language=f.language, legal_restricted=legal or route == CaseKind.APPEAL,
        legal_deadline=f.deadline if f.deadline and f.deadline > now else None,
        subjects=[("review", reviews[r].id) for r in refs], tags=[NEEDS_COMPLETION],
        details={"missing": missing, "urls": f.urls, "jurisdiction": f.jurisdiction,
                 "notice_type": f.notice_type, "legal_basis": f.legal_basis,
                 "good_faith_statement": f.good_faith,
                 "deadline_in_letter": f.deadline.isoformat() if f.deadline else None})


_INSERT_INBOUND = InboundMail.__table__.insert().returning(InboundMail.__table__.c.id)


def _bounce(session: Session, letter: Letter, raw: bytes, outbox_id: int, *, source: str,
            now: datetime) -> Received:
    """A delivery report, read with the standard parser (reports are few and their
    ``message/delivery-status`` part is what matters), applied to its letter and kept with the
    letter's case as evidence of why the person was not reached."""
    report = read_report(message_from_bytes(raw, policy=email_policy.default))
    case_id = record_bounce(session, outbox_id, report, now=now)
    if case_id is None:  # about a letter the desk no longer holds: nothing to keep
        return Received("bounce")
    inbound_id = _store(session, letter, raw, case_id=case_id, route=None, outcome="bounce",
                        source=source, now=now, missing=None)
    return Received("bounce", case_id, None, inbound_id)


def _store(session: Session, letter: Letter, raw: bytes, *, case_id: int, route: str | None,
           outcome: str, source: str, now: datetime, missing: list[str] | None) -> int:
    """The message's row, its attachments' rows and every distinct content once."""
    raw_sha = hashlib.sha256(raw).hexdigest()
    contents = {raw_sha: raw} | {a.sha256: a.content for a in letter.attachments}
    insert = upsert_insert(session)
    # One multi-row INSERT, not executemany: psycopg pipelines an executemany, and a pipeline
    # of large parameters spins the client's CPU while the socket drains (~15 ms a letter).
    session.execute(insert(MailContent.__table__).values([
        {"sha256": sha, "size": len(body), "content": body, "stored_at": now}
        for sha, body in contents.items()]).on_conflict_do_nothing(index_elements=["sha256"]))
    inbound_id = session.execute(_INSERT_INBOUND, dict(
        message_id=letter.message_id, case_id=case_id, source=source, route=route,
        outcome=outcome, reason=None, sender=letter.sender[:254],
        recipients=letter.recipients[:50], subject=letter.subject[:500] or None,
        size=len(raw), raw_sha256=raw_sha, received_at=now, erased_at=None,
        extra={"missing": missing} if missing else {})).scalar_one()
    if letter.attachments:
        session.execute(MailFile.__table__.insert(), [
            {"inbound_id": inbound_id, "case_id": case_id, "filename": a.filename,
             "content_type": a.content_type, "size": len(a.content), "sha256": a.sha256}
            for a in letter.attachments])
    return inbound_id
