"""Every restriction a decision applies gets its statement of reasons: the Transparency
Database statement (DSA Art. 24(5)) and the message to the person restricted (Art. 17),
built from the decision, its guideline version and the subject, in the decision's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.models import Case
from integrity_desk.decisions.domain import RULES, ActionKind, Restriction
from integrity_desk.decisions.involved import names_involved
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline
from integrity_desk.dsa import schema as s
from integrity_desk.dsa.message import (
    MessageContext,
    format_day,
    render_message,
    template_language,
)
from integrity_desk.dsa.service import record_statements
from integrity_desk.dsa.statement import StatementFacts
from integrity_desk.messages.domain import MessageKind, statement_key
from integrity_desk.messages.notices import appeal_link
from integrity_desk.messages.phrases import phrase
from integrity_desk.messages.service import Text, queue_texts
from integrity_desk.subjects.models import Business, Review, Reviewer

SOURCE = {"article_16": s.SOURCE_ARTICLE_16, "trusted_flagger": s.SOURCE_TRUSTED_FLAGGER,
          "other_notification": s.SOURCE_OTHER_NOTIFICATION, "own_initiative": s.SOURCE_VOLUNTARY}
AUTOMATED = {"not_automated": s.AUTOMATED_NOT, "partially": s.AUTOMATED_PARTIALLY,
             "fully": s.AUTOMATED_FULLY}


def _subjects(session: Session, actions: list[DecisionAction]) -> dict[tuple[str, int], Any]:
    """The reviews, reviewers and businesses acted on, three look-ups whatever their number."""
    wanted: dict[str, set[int]] = {}
    for a in actions:
        wanted.setdefault(a.subject_type, set()).add(a.subject_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, model in (("review", Review), ("reviewer", Reviewer), ("business", Business)):
        if wanted.get(kind):
            for row in session.scalars(select(model).where(model.id.in_(wanted[kind]))):
                found[(kind, row.id)] = row
    return found


def _item(kind: str, subject: Any, case_language: str | None
          ) -> tuple[str, str, str | None]:
    """(the desk's reference, the item in the person's words, the language of the content).

    The item is written in the letter's language (the content's, else the case's, as the
    call below renders it), dates as that language writes them, so a German letter does not
    name "your review … posted on …" in English."""
    if kind == "review":
        lang = template_language(subject.language or case_language)
        words = (phrase("item.review.posted", lang, ref=subject.ref,
                        day=format_day(subject.published_at, lang))
                 if subject.published_at else phrase("item.review", lang, ref=subject.ref))
        return f"review:{subject.ref}", words, subject.language
    lang = template_language(case_language)
    if kind == "reviewer":
        return f"reviewer:{subject.ref}", phrase("item.reviewer", lang), None
    return (f"business:{subject.domain}", phrase("item.business", lang, domain=subject.domain),
            None)


def issue_statements(session: Session, case: Case, decision: Decision,
                     actions: list[DecisionAction], *, actor: Actor, now: datetime) -> int:
    """Record and queue a statement of reasons for each restriction; returns how many."""
    restricting = [a for a in actions if RULES[ActionKind(a.action)].restriction is not None]
    if not restricting:
        return 0
    guideline = session.get(Guideline, decision.guideline_id) if decision.guideline_id else None
    subjects = _subjects(session, restricting)
    people = names_involved(session, case, actions)  # once per decision, not per statement
    # One statement per subject, carrying every restriction the decision puts on it (the
    # Commission's format has a field for each kind: visibility, account, provision): a puid
    # names one decision about one item, so two statements for one item would collide.
    by_subject: dict[tuple[str, int], list[DecisionAction]] = {}
    for a in restricting:
        by_subject.setdefault((a.subject_type, a.subject_id), []).append(a)
    # Every statement is built first, then recorded and queued in bulk: a decision on an
    # investigation states up to 1,000 subjects, and one round trip each took seconds.
    stated: list[tuple[str, StatementFacts]] = []
    texts: list[Text] = []
    for (subject_type, subject_id), group in by_subject.items():
        a = group[0]
        subject = subjects[(subject_type, subject_id)]
        ref, item, language = _item(a.subject_type, subject, case.language)
        facts = _facts(case, decision, group, guideline, subject, language, people, now)
        stated.append((ref, facts))
        message = render_message(facts, MessageContext(
            item=item, informed_on=now.date(), appeal_url=appeal_link(
                case, decision, role="business" if a.subject_type == "business" else "reviewer",
                informed_at=now),
            guideline_version=f"{guideline.code} v{guideline.version}" if guideline else None,
            recipient_name=getattr(subject, "display_name", None) or getattr(
                subject, "name", None)), language=language or case.language)
        # The platform holds the person's address, not the desk: queued without one, the row
        # is the record that the statement was due and what it said.
        texts.append(Text(kind=MessageKind.STATEMENT_OF_REASONS, to=None, role=a.subject_type,
                          subject=message.subject, body=message.body,
                          language=message.language, key=statement_key(a.id)))
    record_statements(session, items=stated, case_id=case.id, decision_id=decision.id, now=now)
    queue_texts(session, texts, case=case, actor=actor, now=now)
    return len(by_subject)


def _latest(ends: list[datetime | None]) -> datetime | None:
    """One end date for restrictions of one kind: none while any of them is indefinite."""
    return None if any(e is None for e in ends) else max(e for e in ends if e is not None)


def restriction_fields(actions: list[DecisionAction]) -> dict[str, Any]:
    """The statement's restriction fields for every restricting action on one subject."""
    by_kind: dict[Restriction, list[DecisionAction]] = {}
    for a in actions:
        kind = RULES[ActionKind(a.action)].restriction
        if kind is not None:
            by_kind.setdefault(kind, []).append(a)
    fields: dict[str, Any] = {}
    if visible := by_kind.get(Restriction.VISIBILITY):
        fields |= {"visibility": sorted({RULES[ActionKind(a.action)].dsa_value or ""
                                         for a in visible}),
                   "visibility_end": _latest([a.ends_at for a in visible])}
    if account := by_kind.get(Restriction.ACCOUNT):
        fields |= {"account": RULES[ActionKind(account[0].action)].dsa_value,
                   "account_end": _latest([a.ends_at for a in account]),
                   "account_type": "ACCOUNT_TYPE_PRIVATE"}
    if provision := by_kind.get(Restriction.PROVISION):
        fields |= {"provision": RULES[ActionKind(provision[0].action)].dsa_value,
                   "provision_end": _latest([a.ends_at for a in provision]),
                   "account_type": "ACCOUNT_TYPE_BUSINESS"}
    return fields


def _facts(case: Case, decision: Decision, actions: list[DecisionAction],
           guideline: Guideline | None, subject: Any, language: str | None, people: list[str],
           now: datetime) -> StatementFacts:
    illegal = decision.ground == "illegal_content"
    ground = (decision.legal_ground or "") if illegal else (
        f"{guideline.title} (guideline '{guideline.code}', version {guideline.version})"
        if guideline else "the platform's guidelines")
    restriction = restriction_fields(actions)
    posted = getattr(subject, "published_at", None) or case.created_at
    keywords = tuple(guideline.dsa_keywords) if guideline else (s.KEYWORD_OTHER,)
    # "Other" keywords say what they stand for: the guideline's title.
    keyword_other = (guideline.title if guideline else "the platform's guidelines") if (
        s.KEYWORD_OTHER in keywords) else None
    return StatementFacts(
        decision_ground=s.GROUND_ILLEGAL if illegal else s.GROUND_INCOMPATIBLE,
        ground=ground, explanation=decision.explanation,
        category=guideline.dsa_category if guideline else "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        keywords=keywords, keyword_other=keyword_other,
        facts=decision.facts, content_date=min(posted, now), application_date=now,
        source_type=SOURCE[decision.source_type],
        source_identity=case.requester_organisation
        if decision.source_type == "trusted_flagger" else None,
        automated_detection=decision.automated_detection,
        automated_decision=AUTOMATED[decision.automated_decision],
        content_language=language, territorial_scope=decision.territorial_scope or "EEA",
        people=tuple(people), **restriction)
