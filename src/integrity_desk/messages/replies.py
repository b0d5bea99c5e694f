"""What the desk writes to people in its own words: a specialist's reply to the requester, and
the request for documentation a decision makes of a reviewer. Both go through the outbox like
every other letter (idempotent, on the timeline, delivered by the worker)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.models import Case
from integrity_desk.decisions.domain import ActionKind
from integrity_desk.decisions.models import DecisionAction
from integrity_desk.dsa.message import format_day
from integrity_desk.errors import Conflict, InvalidInput
from integrity_desk.mail.service import latest_message_id
from integrity_desk.messages.domain import (
    MessageKind,
    documentation_request_key,
    render,
    reply_key,
)
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.messages.phrases import phrase
from integrity_desk.messages.service import Text, queue_text, queue_texts
from integrity_desk.people.models import User
from integrity_desk.routing.service import check_may_work
from integrity_desk.subjects.models import Review, Reviewer

REPLY_MAX = 20_000
# Counsel reads every letter to a legal sender before it leaves (as with the decision notice).
LEGAL_HOLD = "counsel reviews letters to the sender of a legal notice before they are sent"


def reply_to_requester(session: Session, case: Case, *, user: User, actor: Actor, text: str,
                       nonce: str, now: datetime) -> OutboxMessage | None:
    """Queue a specialist's reply to whoever raised the case, in the case's language.

    The first written answer to the requester is the case's first response (the SLA's first
    clock stops, as a status change would stop it). None when this nonce was sent before."""
    check_may_work(session, user, case)
    if case.merged_into_id is not None:
        raise Conflict("this case was merged; reply on the case it was merged into",
                       field="case", current="merged")
    body = text.strip()
    if not body:
        raise InvalidInput("write the reply", field="text")
    if len(body) > REPLY_MAX:
        raise InvalidInput(f"at most {REPLY_MAX:,} characters", field="text")
    if not case.requester_contact:
        raise InvalidInput("the requester left no e-mail address to reply to", field="to")
    if not nonce or len(nonce) > 64:
        raise InvalidInput("1 to 64 characters", field="idempotency_key")
    subject, letter, language = render(MessageKind.REPLY, case.language, {
        "case_key": case.key, "name": case.requester_name, "text": body,
        "sender": user.name})
    message = queue_text(session, kind=MessageKind.REPLY, case=case, to=case.requester_contact,
                         role="requester", subject=subject, body=letter, language=language,
                         key=reply_key(case.id, nonce), actor=actor, now=now,
                         hold=LEGAL_HOLD if case.kind == "legal_notice" else None,
                         in_reply_to=latest_message_id(session, case.id))
    if message is not None:
        session.execute(update(Case).where(Case.id == case.id).values(
            updated_at=now, first_responded_at=func.coalesce(Case.first_responded_at, now))
            .execution_options(synchronize_session=False))
    return message


def request_documentation(session: Session, case: Case, actions: list[DecisionAction], *,
                          actor: Actor, now: datetime) -> int:
    """A letter per review whose documentation a decision asks for, with its answer window.

    The platform holds reviewers' addresses, not the desk: like the statement of reasons, the
    letter is queued without one (``no_address``), the record of what was asked and by when,
    for the platform to carry; returns how many were queued."""
    asking = [a for a in actions if a.action == ActionKind.REQUEST_DOCUMENTATION]
    if not asking:
        return 0
    found = session.execute(
        select(Review, Reviewer).outerjoin(Reviewer, Reviewer.id == Review.reviewer_id)
        .where(Review.id.in_([a.subject_id for a in asking]))).all()
    reviews = {review.id: (review, reviewer) for review, reviewer in found}
    texts = []
    for a in asking:
        review, reviewer = reviews[a.subject_id]
        lang = (review.language or case.language or "en").split("-")[0]
        subject, body, used = render(MessageKind.DOCUMENTATION_REQUEST, lang, {
            "case_key": case.key, "name": reviewer.display_name if reviewer else None,
            "item": _review_words(review, lang), "due": a.ends_at or now})
        texts.append(Text(kind=MessageKind.DOCUMENTATION_REQUEST, to=None, role="reviewer",
                          subject=subject, body=body, language=used,
                          key=documentation_request_key(a.id)))
    return sum(1 for row_id in queue_texts(session, texts, case=case, actor=actor, now=now)
               if row_id is not None)


def _review_words(review: Review, lang: str) -> str:
    """The review as its author knows it, in the letter's language (English where the desk has
    no phrases for the language: the template falls back the same way)."""
    lang = lang if lang in ("en", "de", "fr") else "en"
    if review.published_at:
        return phrase("item.review.posted", lang, ref=review.ref,
                      day=format_day(review.published_at, lang))
    return phrase("item.review", lang, ref=review.ref)
