"""Raising and answering policy questions, and where guidance is weakest.

A question belongs to a case the asker may work (the route reads the case through the readable
query) and is on that case's timeline, raised and answered. Policy (``guideline.manage``: the
people who edit guidelines) answers; the answer may publish a new version of the guideline's
text in the same transaction (``decisions.guidelines.save``, the one way a version is made) or
point to a version published since the question was raised. Counting questions per guideline
shows where the guidelines leave people unsure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from integrity_desk.access.domain import Action, allows
from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case
from integrity_desk.decisions import guidelines
from integrity_desk.decisions.models import Guideline
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.people.models import User
from integrity_desk.policy_questions.models import PolicyQuestion


class Reason(StrEnum):
    UNCLEAR = "unclear"  # the guideline is unclear about this case
    NEW_PATTERN = "new_pattern"  # the case shows a pattern the guidelines do not foresee
    GAP = "gap"  # no guideline covers it


REASON_WORDS = {Reason.UNCLEAR: "the guideline is unclear",
                Reason.NEW_PATTERN: "a new pattern", Reason.GAP: "a gap in the guidelines"}


def visible(user: User) -> ColumnElement[bool]:
    """Policy sees every question; anyone else the questions they raised."""
    if allows(user.role, Action.GUIDELINE_MANAGE):
        return true()
    return PolicyQuestion.raised_by_id == user.id


def raise_question(session: Session, case: Case, *, user: User, reason: str,
                   guideline: str | None, question: str, hours: int, actor: Actor,
                   now: datetime) -> PolicyQuestion:
    try:
        why = Reason(reason)
    except ValueError:
        raise InvalidInput(f"reason must be one of {', '.join(r.value for r in Reason)}",
                           field="reason") from None
    if not question.strip():
        raise InvalidInput("write the question", field="question")
    code = (guideline or "").strip() or None
    if code is None and why != Reason.GAP:
        raise InvalidInput("name the guideline the question is about (none only for a gap)",
                           field="guideline")
    if code is not None and session.scalar(
            select(func.count()).where(Guideline.code == code)) == 0:
        raise InvalidInput(f"there is no guideline {code!r}", field="guideline")
    asked = PolicyQuestion(case_id=case.id, guideline_code=code, reason=why.value,
                           question=question.strip(), raised_by_id=user.id, raised_at=now,
                           due_at=now + timedelta(hours=hours), status="open")
    session.add(asked)
    session.flush()
    record(session, kind="policy_question.raised", category="audit", actor=actor,
           case_id=case.id, at=now,
           payload={"question_id": asked.id, "guideline": code, "reason": why.value,
                    "question": asked.question, "due_at": asked.due_at.isoformat()})
    return asked


def answer(session: Session, asked: PolicyQuestion, *, user: User, text: str,
           new_guideline_text: str | None, linked_version: int | None, actor: Actor,
           now: datetime, check_dsa: Any) -> PolicyQuestion:
    """Answer; with ``new_guideline_text``, publish it as the guideline's next version; with
    ``linked_version``, point to a version of the guideline published since the question."""
    if asked.status != "open":
        raise Conflict(f"question {asked.id} was answered already", field="status")
    if not text.strip():
        raise InvalidInput("write the answer", field="answer")
    if (new_guideline_text or linked_version) and asked.guideline_code is None:
        raise InvalidInput("a question about a gap names no guideline to publish or link; "
                           "create the guideline first and answer with its code",
                           field="guideline")
    if new_guideline_text and linked_version:
        raise InvalidInput("publish a new version or link one, not both",
                           field="linked_version")
    published: Guideline | None = None
    if new_guideline_text and new_guideline_text.strip():
        assert asked.guideline_code is not None
        published = guidelines.save(
            session, asked.guideline_code, {"text": new_guideline_text.strip()}, actor=actor,
            note=f"answers policy question {asked.id}", check_dsa=check_dsa)
    elif linked_version:
        assert asked.guideline_code is not None
        published = guidelines.get(session, asked.guideline_code, linked_version)
        if published.created_at < asked.raised_at:
            raise InvalidInput(f"version {linked_version} predates the question: link the "
                               "version that answers it", field="linked_version")
    asked.status, asked.answer = "answered", text.strip()
    asked.answered_by_id, asked.answered_at = user.id, now
    asked.guideline_id = published.id if published is not None else None
    session.flush()
    record(session, kind="policy_question.answered", category="audit", actor=actor,
           case_id=asked.case_id, at=now,
           payload={"question_id": asked.id, "answer": asked.answer,
                    "guideline": asked.guideline_code,
                    "version": published.version if published is not None else None})
    return asked


def get(session: Session, question_id: int, user: User) -> PolicyQuestion:
    found = session.scalar(select(PolicyQuestion).where(PolicyQuestion.id == question_id,
                                                        visible(user)))
    if found is None:
        raise NotFound(f"no policy question {question_id}")
    return found


def listing(session: Session, user: User, *, status: str | None = None,
            guideline: str | None = None, case_id: int | None = None, limit: int = 50,
            after_id: int | None = None) -> list[PolicyQuestion]:
    """Questions ``user`` may see: open ones soonest due first, else newest first."""
    query = select(PolicyQuestion).where(visible(user))
    if status is not None:
        if status not in ("open", "answered"):
            raise InvalidInput("status is open or answered", field="status")
        query = query.where(PolicyQuestion.status == status)
    if guideline:
        query = query.where(PolicyQuestion.guideline_code == guideline)
    if case_id is not None:
        query = query.where(PolicyQuestion.case_id == case_id)
    if after_id is not None:
        query = query.where(PolicyQuestion.id > after_id)
    order = ((PolicyQuestion.due_at, PolicyQuestion.id) if status == "open"
             else (PolicyQuestion.raised_at.desc(), PolicyQuestion.id.desc()))
    return list(session.scalars(query.order_by(*order).limit(limit)))


@dataclass(frozen=True)
class GuidelineCount:
    guideline: str | None  # None: questions about gaps
    title: str
    raised: int
    open: int
    overdue: int
    answered: int
    new_versions: int  # answers that published or linked a version


def per_guideline(session: Session, *, since: datetime, now: datetime
                  ) -> list[GuidelineCount]:
    """Questions raised since ``since`` per guideline, most first: where guidance is weakest."""
    q = PolicyQuestion
    is_open = q.status == "open"
    rows = session.execute(
        select(q.guideline_code, func.count(),
               func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
               func.coalesce(func.sum(case((is_open & (q.due_at < now), 1), else_=0)), 0),
               func.coalesce(func.sum(case((q.guideline_id.is_not(None), 1), else_=0)), 0))
        .where(q.raised_at >= since).group_by(q.guideline_code)).all()
    titles = dict(session.execute(select(Guideline.code, Guideline.title).where(
        Guideline.is_current, Guideline.code.in_([r[0] for r in rows if r[0]]))).all())
    out = [GuidelineCount(code, titles.get(code, code) if code else "no guideline (gaps)",
                          int(n), int(o), int(late), int(n) - int(o), int(versions))
           for code, n, o, late, versions in rows]
    return sorted(out, key=lambda c: (-c.raised, -c.open, c.guideline or ""))


def case_keys(session: Session, questions: Sequence[PolicyQuestion]) -> dict[int, str]:
    ids = {x.case_id for x in questions}
    return {c.id: c.key for c in session.scalars(select(Case).where(Case.id.in_(ids)))} \
        if ids else {}


def names(session: Session, questions: Sequence[PolicyQuestion]) -> dict[int, str]:
    ids = {p for x in questions for p in (x.raised_by_id, x.answered_by_id) if p}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) \
        if ids else {}


__all__ = ["REASON_WORDS", "GuidelineCount", "Reason", "answer", "case_keys", "get",
           "listing", "names", "per_guideline", "raise_question", "visible"]
