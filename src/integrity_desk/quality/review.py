"""QA review: a reviewer takes a drawn decision, judges it on the form of its case kind, the
person reads the verdict and may dispute it within the window, and a lead settles the dispute.

Every step is on the case's timeline (qa.reviewed, qa.disputed, qa.settled). Nobody reviews
their own decision, and a lead settles only a dispute about someone else's decision that they
did not review themselves. A settled "changed" verdict stamps ``changed_at``: the KPI rollup
recomputes the day of review, so the person's, team's and vendor's accuracy follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, true, update
from sqlalchemy.orm import Session

from integrity_desk.access.domain import Action, allows
from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case
from integrity_desk.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity_desk.people.models import User
from integrity_desk.quality.domain import (
    DEFAULT_CATEGORIES,
    DEFAULT_PASS_MARK,
    JUDGED,
    Finding,
    Severity,
    Status,
    judge,
)
from integrity_desk.quality.models import QaForm, QaItem

SETTLEMENTS = ("upheld", "changed")
MINE_DAYS = 90  # the window of "my accuracy" on one's own results


# Forms.

def current_form(session: Session, kind: str) -> QaForm:
    """The form in force for ``kind``: its own, else the desk's default (kind NULL), else the
    built-in default categories as an unsaved version 1 (``id`` None): reading a form writes
    nothing; the first review on it stores it (``_stored``)."""
    forms = {f.kind: f for f in session.scalars(select(QaForm).where(
        QaForm.is_current, or_(QaForm.kind == kind, QaForm.kind.is_(None))))}
    form = forms.get(kind) or forms.get(None)
    if form is None:
        form = QaForm(kind=None, version=1, is_current=True, pass_mark=DEFAULT_PASS_MARK,
                      categories=[{"code": c.code, "label": c.label,
                                   "severity": c.severity.value, "help": c.help}
                                  for c in DEFAULT_CATEGORIES], change_note="default")
    return form


def _stored(session: Session, form: QaForm) -> QaForm:
    """The form a verdict is judged on, stored if it is the built-in default not yet saved, so
    the review can name the version it used."""
    if form.id is None:
        session.add(form)
        session.flush()
    return form


def publish_form(session: Session, *, kind: str | None, categories: list[dict[str, Any]],
                 pass_mark: int, change_note: str | None, user: User, actor: Actor,
                 now: datetime) -> QaForm:
    """A new version of ``kind``'s form; the old one stays with the reviews that used it."""
    seen: set[str] = set()
    for n, c in enumerate(categories):
        code, label = (c.get("code") or "").strip(), (c.get("label") or "").strip()
        if not code or not label:
            raise InvalidInput(f"category {n + 1} needs a code and a label",
                               field=f"categories[{n}]")
        if code in seen:
            raise InvalidInput(f"category code {code!r} appears twice", field=f"categories[{n}]")
        if c.get("severity") not in {s.value for s in Severity}:
            raise InvalidInput(f"category {code!r}: severity must be critical, major or minor",
                               field=f"categories[{n}].severity")
        seen.add(code)
    if not categories:
        raise InvalidInput("a form needs at least one error category", field="categories")
    if not 0 <= pass_mark <= 100:
        raise InvalidInput("pass_mark is from 0 to 100", field="pass_mark")
    last = session.scalar(select(func.max(QaForm.version)).where(
        QaForm.kind.is_(None) if kind is None else QaForm.kind == kind)) or 0
    session.execute(update(QaForm).where(
        QaForm.kind.is_(None) if kind is None else QaForm.kind == kind, QaForm.is_current)
        .values(is_current=False))
    form = QaForm(kind=kind, version=last + 1, is_current=True, pass_mark=pass_mark,
                  categories=[{"code": c["code"].strip(), "label": c["label"].strip(),
                               "severity": c["severity"], "help": (c.get("help") or "").strip()}
                              for c in categories],
                  change_note=change_note, created_by_id=user.id, created_at=now)
    session.add(form)
    session.flush()
    record(session, kind="qa_form.published", category="audit", actor=actor,
           chain_key="quality", at=now,
           payload={"form_id": form.id, "kind": kind, "version": form.version,
                    "pass_mark": pass_mark, "categories": [c["code"] for c in categories]})
    return form


# The queue.

def visible(user: User) -> ColumnElement[bool]:
    """Which QA items ``user`` may see: a QA manager every one; a reviewer the others' and
    their own once judged; anyone else their own once judged (a drawn decision is not news
    to its maker until it is reviewed)."""
    own_judged = (QaItem.person_id == user.id) & QaItem.status.in_(JUDGED)
    if allows(user.role, Action.QA_MANAGE):
        return true()
    if allows(user.role, Action.QA_REVIEW):
        return or_(not_own(user), own_judged)
    return own_judged


def get_item(session: Session, item_id: int, user: User) -> QaItem:
    """The item, if ``user`` may see it (else "no such item", as for one that does not
    exist)."""
    item = session.scalar(select(QaItem).where(QaItem.id == item_id, visible(user)))
    if item is None:
        raise NotFound(f"no QA item {item_id}")
    return item


def not_own(user: User) -> ColumnElement[bool]:
    return or_(QaItem.person_id.is_(None), QaItem.person_id != user.id)


def queue(session: Session, *, reviewer: User, limit: int = 50, after_id: int | None = None
          ) -> list[QaItem]:
    """Items waiting or in review that ``reviewer`` may review (never their own), oldest
    first."""
    query = (select(QaItem).where(QaItem.status.in_((Status.WAITING, Status.IN_REVIEW)),
                                  not_own(reviewer))
             .order_by(QaItem.drawn_at, QaItem.id).limit(limit))
    if after_id is not None:
        query = query.where(QaItem.id > after_id)
    return list(session.scalars(query))


def take_next(session: Session, *, reviewer: User, actor: Actor, now: datetime
              ) -> QaItem | None:
    """The reviewer's item in review, else the oldest waiting one that is not their own
    (locked, so two reviewers asking at once get two items)."""
    mine = session.scalar(select(QaItem).where(QaItem.status == Status.IN_REVIEW,
                                               QaItem.reviewer_id == reviewer.id)
                          .order_by(QaItem.taken_at).limit(1))
    if mine is not None:
        return mine
    item = session.scalar(select(QaItem).where(QaItem.status == Status.WAITING,
                                               not_own(reviewer))
                          .order_by(QaItem.drawn_at, QaItem.id).limit(1)
                          .with_for_update(skip_locked=True))
    if item is not None:
        _take(item, reviewer, now)
    return item


def _take(item: QaItem, reviewer: User, now: datetime) -> None:
    if item.person_id == reviewer.id:
        raise Forbidden("nobody reviews their own decision")
    item.status, item.reviewer_id, item.taken_at = Status.IN_REVIEW, reviewer.id, now


def release(session: Session, item: QaItem, *, user: User, manager: bool) -> QaItem:
    """Back to the queue: by its reviewer, or by a manager."""
    if item.status != Status.IN_REVIEW:
        raise Conflict(f"QA item {item.id} is not in review", field="status")
    if item.reviewer_id != user.id and not manager:
        raise Forbidden("only its reviewer or a manager puts an item back")
    item.status, item.reviewer_id, item.taken_at = Status.WAITING, None, None
    session.flush()
    return item


def findings_of(form: QaForm, raw: Sequence[dict[str, Any]]) -> list[Finding]:
    """The reviewer's errors checked against the form; severity defaults to the category's."""
    known = {c["code"]: c for c in form.categories}
    out = []
    for n, f in enumerate(raw):
        code = f.get("category")
        if code not in known:
            raise InvalidInput(f"{code!r} is not an error category of this form "
                               f"({', '.join(known)})", field=f"findings[{n}].category")
        severity = f.get("severity") or known[code]["severity"]
        if severity not in {s.value for s in Severity}:
            raise InvalidInput("severity must be critical, major or minor",
                               field=f"findings[{n}].severity")
        out.append(Finding(code, Severity(severity), (f.get("note") or "").strip()))
    return out


def _store(item: QaItem, form: QaForm, findings: list[Finding]) -> None:
    labels = {c["code"]: c["label"] for c in form.categories}
    verdict = judge(findings, form.pass_mark)
    item.findings = [{"category": f.category, "label": labels.get(f.category, f.category),
                      "severity": f.severity.value, "note": f.note} for f in findings]
    item.score, item.correct, item.verdict = verdict.score, verdict.correct, verdict.reason


def review(session: Session, item: QaItem, *, reviewer: User, findings: Sequence[dict[str, Any]],
           feedback: str | None, dispute_days: int, actor: Actor, now: datetime) -> QaItem:
    """Judge ``item`` on its kind's form; the person may dispute for ``dispute_days``."""
    if item.status == Status.WAITING:
        _take(item, reviewer, now)
    elif item.status != Status.IN_REVIEW:
        raise Conflict(f"QA item {item.id} is {item.status}: it was reviewed already",
                       field="status")
    elif item.reviewer_id != reviewer.id:
        raise Conflict(f"QA item {item.id} is in review by someone else", field="reviewer")
    form = current_form(session, item.kind)
    checked = findings_of(form, findings)
    item.form_id = _stored(session, form).id
    _store(item, form, checked)
    item.feedback = (feedback or "").strip() or None
    item.status, item.reviewed_at, item.changed_at = Status.REVIEWED, now, now
    item.dispute_until = now + timedelta(days=dispute_days)
    session.flush()
    record(session, kind="qa.reviewed", category="audit", actor=actor, case_id=item.case_id,
           at=now, payload={"qa_item_id": item.id, "decision_id": item.decision_id,
                            "correct": item.correct, "score": item.score,
                            "verdict": item.verdict, "findings": item.findings,
                            "form_id": form.id, "dispute_until": item.dispute_until.isoformat()})
    return item


def dispute(session: Session, item: QaItem, *, user: User, reason: str, actor: Actor,
            now: datetime) -> QaItem:
    """The reviewed person contests the verdict, within the window, with a reason."""
    if item.person_id != user.id:
        raise Forbidden("only the person whose decision was reviewed disputes its verdict")
    if item.status != Status.REVIEWED:
        raise Conflict(f"QA item {item.id} is {item.status}: only a reviewed item can be "
                       "disputed, once", field="status")
    if item.dispute_until is not None and now > item.dispute_until:
        raise Conflict(f"the window to dispute closed on {item.dispute_until:%Y-%m-%d %H:%M} "
                       "UTC", field="dispute_until")
    if not reason.strip():
        raise InvalidInput("a dispute needs a reason", field="reason")
    item.status, item.dispute_reason, item.disputed_at = Status.DISPUTED, reason.strip(), now
    session.flush()
    record(session, kind="qa.disputed", category="audit", actor=actor, case_id=item.case_id,
           at=now, payload={"qa_item_id": item.id, "reason": item.dispute_reason})
    return item


def settle(session: Session, item: QaItem, *, lead: User, settlement: str, note: str,
           findings: Sequence[dict[str, Any]] | None, actor: Actor, now: datetime) -> QaItem:
    """A lead upholds the verdict or changes it (with the errors as they judge them)."""
    if item.status != Status.DISPUTED:
        raise Conflict(f"QA item {item.id} is {item.status}: only a disputed item is settled",
                       field="status")
    if lead.id in (item.person_id, item.reviewer_id):
        raise Forbidden("a dispute is settled by a lead who neither made the decision nor "
                        "reviewed it")
    if settlement not in SETTLEMENTS:
        raise InvalidInput("settlement must be upheld or changed", field="settlement")
    if not note.strip():
        raise InvalidInput("say why the dispute is settled this way", field="note")
    before = {"correct": item.correct, "score": item.score, "findings": item.findings}
    if settlement == "changed":
        if findings is None:
            raise InvalidInput("a changed verdict needs the errors as the lead judges them "
                               "(an empty list: no error)", field="findings")
        form = session.get(QaForm, item.form_id) if item.form_id else current_form(
            session, item.kind)
        assert form is not None
        _store(item, form, findings_of(form, findings))
    item.status, item.settlement, item.settlement_note = Status.SETTLED, settlement, note.strip()
    item.settled_by_id, item.settled_at, item.changed_at = lead.id, now, now
    session.flush()
    record(session, kind="qa.settled", category="audit", actor=actor, case_id=item.case_id,
           at=now, payload={"qa_item_id": item.id, "settlement": settlement,
                            "note": item.settlement_note, "before": before,
                            "after": {"correct": item.correct, "score": item.score,
                                      "findings": item.findings}})
    return item


def disputes(session: Session, *, lead: User, limit: int = 50) -> list[QaItem]:
    """Open disputes a lead may settle, oldest first."""
    return list(session.scalars(
        select(QaItem).where(QaItem.status == Status.DISPUTED,
                             not_own(lead), or_(QaItem.reviewer_id.is_(None),
                                                QaItem.reviewer_id != lead.id))
        .order_by(QaItem.disputed_at, QaItem.id).limit(limit)))


# What a person sees.

@dataclass(frozen=True)
class Accuracy:
    reviewed: int
    correct: int

    @property
    def value(self) -> float | None:
        return self.correct / self.reviewed if self.reviewed else None


def results_of(session: Session, person: User, *, limit: int = 50,
               before_id: int | None = None) -> list[QaItem]:
    """The person's judged decisions, newest first."""
    query = (select(QaItem).where(QaItem.person_id == person.id, QaItem.status.in_(JUDGED))
             .order_by(QaItem.reviewed_at.desc(), QaItem.id.desc()).limit(limit))
    if before_id is not None:
        query = query.where(QaItem.id < before_id)
    return list(session.scalars(query))


def accuracy_of(session: Session, person: User, *, since: datetime) -> Accuracy:
    reviewed, correct = session.execute(
        select(func.count(), _correct())
        .where(QaItem.person_id == person.id, QaItem.reviewed_at >= since,
               QaItem.correct.is_not(None))).one()
    return Accuracy(int(reviewed), int(correct))


def team_accuracy(session: Session, *, since: datetime, minimum: int) -> dict[int, float]:
    """QA accuracy of each team's decisions judged since ``since``, where at least ``minimum``
    were judged (fewer say too little to steer routing)."""
    rows = session.execute(
        select(QaItem.team_id, func.count(),
               _correct())
        .where(QaItem.reviewed_at >= since, QaItem.correct.is_not(None),
               QaItem.team_id.is_not(None))
        .group_by(QaItem.team_id))
    return {team: int(correct) / n for team, n, correct in rows if n >= minimum}


def _correct() -> Any:
    return func.coalesce(func.sum(case((QaItem.correct.is_(True), 1), else_=0)), 0)


@dataclass(frozen=True)
class ErrorCount:
    category: str
    label: str
    errors: int


def error_reasons(session: Session, *, vendor_id: int | None, start: datetime, end: datetime
                  ) -> tuple[int, list[ErrorCount]]:
    """How many of a vendor's decisions (``vendor_id`` None: the in-house teams') QA judged
    in ``[start, end)``, and the errors found in them per category, most first (as verdicts
    now stand)."""
    where = QaItem.vendor_id.is_(None) if vendor_id is None else QaItem.vendor_id == vendor_id
    rows = session.execute(select(QaItem.findings).where(
        where, QaItem.reviewed_at >= start, QaItem.reviewed_at < end,
        QaItem.correct.is_not(None))).all()
    counts: dict[str, list[Any]] = {}
    for (findings,) in rows:
        for f in findings or []:
            entry = counts.setdefault(f["category"], [f.get("label") or f["category"], 0])
            entry[1] += 1
    lines = [ErrorCount(code, label, n) for code, (label, n) in counts.items()]
    return len(rows), sorted(lines, key=lambda e: (-e.errors, e.category))


def keys_and_names(session: Session, items: Sequence[QaItem]
                   ) -> tuple[dict[int, str], dict[int, str]]:
    """The items' case keys and their people's names (deciders and reviewers): two reads for
    a page of items, whatever its length."""
    if not items:
        return {}, {}
    cases = {c.id: c.key for c in session.scalars(
        select(Case).where(Case.id.in_({i.case_id for i in items})))}
    ids = {p for i in items for p in (i.person_id, i.reviewer_id) if p}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()
                 ) if ids else {}
    return cases, names
