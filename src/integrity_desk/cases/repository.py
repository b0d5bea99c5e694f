"""Queries on cases. Every read starts from what the user may read, built in SQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from integrity_desk.cases import team_scope
from integrity_desk.cases.domain import CaseKind, CaseStatus, parse_case_key
from integrity_desk.cases.models import Case, CaseSubject, CaseTag
from integrity_desk.configuration.service import known_queue_id
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.people.models import Role, User
from integrity_desk.routing.models import Queue
from integrity_desk.routing.repository import in_visible_queue
from integrity_desk.subjects.models import Business, Review, Reviewer

# An alias made once: a fresh alias per call would defeat SQLAlchemy's statement cache and
# recompile the query on every request.
_ASSIGNEE = aliased(User)
# The bare column on both databases, as the partial ix_cases_queue_open says it: PostgreSQL
# would not match it to IS TRUE, nor SQLite to the "is_open = 1" SQLAlchemy writes for it
# there (a queue's list then walked the priority index past 20,000 other cases: 48 ms).
_OPEN, _NOT_OPEN = text("cases.is_open"), text("NOT cases.is_open")


def readable_clause(user: User) -> ColumnElement[bool]:
    """SQL: the cases this person may read. The legal restriction is decided here; which
    queues they may see is ``routing.repository``'s one rule (a vendor agent: their team's)."""
    role = Role(user.role)
    if role in (Role.ADMIN, Role.MANAGER):
        return true()
    if role == Role.LEGAL:
        restricted = or_(Case.legal_restricted.is_(True), Case.kind == CaseKind.LEGAL_NOTICE)
    else:
        restricted = Case.legal_restricted.is_(False)
    # and_ drops a true(): for a person who sees every queue the clause is the first term alone.
    return and_(restricted, in_visible_queue(user))


def readable_cases(user: User) -> Select[tuple[Case]]:
    return select(Case).where(readable_clause(user))


def readable_ids(session: Session, user: User, case_ids: Sequence[int]) -> set[int]:
    """Which of these cases the user may read: the same clause as every list, in one query.

    Write routes ask it before they answer with a case they touched (intake joining an open
    case, a batch of flags): a write must never show more than a read of the same case would.
    """
    ids = set(case_ids)
    if not ids or Role(user.role) in (Role.ADMIN, Role.MANAGER):
        return ids
    return set(session.scalars(select(Case.id).where(Case.id.in_(sorted(ids)),
                                                     readable_clause(user))))


def get_case(session: Session, user: User, key: str, *, for_update: bool = False) -> Case:
    """The case with this key if the user may read it; 404 otherwise (no existence leak)."""
    return case_by_key(session, key, readable_clause(user), for_update=for_update)


def case_by_key(session: Session, key: str, clause: ColumnElement[bool], *,
                for_update: bool = False) -> Case:
    """The case with this key (``FLG-12``, or a bare id) where ``clause`` holds; 404 otherwise.

    ``get_case`` passes what a person may read; only a caller holding its own right to the case
    (the public appeal form's signed link) passes ``true()``.
    """
    parsed = parse_case_key(key)
    if parsed is None:
        raise NotFound(f"no case {key}", field="key")
    kind, case_id = parsed
    query = select(Case).where(clause, Case.id == case_id)
    if kind is not None:
        query = query.where(Case.kind == kind)
    if for_update:
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None:
        raise NotFound(f"no case {key}", field="key")
    return case


SORTS: dict[str, list[tuple[str, bool]]] = {
    # name → [(column, descending)]; id last makes every order total for keyset paging.
    "priority": [("priority", False), ("resolution_due_at", False), ("id", False)],
    "due": [("resolution_due_at", False), ("id", False)],
    "created": [("created_at", False), ("id", False)],
    "-created": [("created_at", True), ("id", True)],
    "-updated": [("updated_at", True), ("id", True)],
}


@dataclass
class CaseFilters:
    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    queue: str | None = None
    # By name: the cases a team's members hold or its queues hold unheld, or a vendor's teams'
    # (cases/team_scope.py says why).
    team: str | None = None
    vendor: str | None = None
    priority: list[int] = field(default_factory=list)
    assignee_id: int | None = None
    unassigned: bool = False
    at_risk: bool | None = None
    breached: bool | None = None
    subject: str | None = None
    text: str | None = None
    tag: str | None = None
    language: str | None = None
    open: bool | None = None
    # UTC days: cases created that day, closed that day, resolution due that day and breached.
    opened_on: date | None = None
    closed_on: date | None = None
    breached_on: date | None = None
    # From the start of that UTC day on (the overview's "opened in 14 days" and its list).
    opened_since: date | None = None
    closed_since: date | None = None
    # Before the start of that UTC day: with *_since, a period (the dashboard's week or month).
    opened_before: date | None = None
    closed_before: date | None = None


def _day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def _within(column: Any, day: date) -> ColumnElement[bool]:
    """A half-open range on the column, so its index (created, closed, due) answers it."""
    start, end = _day(day)
    return and_(column >= start, column < end)


# Both clauses are also negated (at_risk=false): every term must be TRUE or FALSE, never NULL,
# or NOT (… NULL …) would drop the cases without an SLA or a decision from both answers.
def at_risk_clause(now: datetime) -> ColumnElement[bool]:
    return and_(
        Case.is_open, Case.decided_at.is_(None), Case.sla_paused_at.is_(None),
        Case.resolution_at_risk_at.is_not(None), Case.resolution_due_at.is_not(None),
        Case.resolution_at_risk_at <= now, Case.resolution_due_at > now,
    )


def breached_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Case.resolution_due_at.is_not(None), or_(
        and_(Case.is_open, Case.decided_at.is_(None), Case.sla_paused_at.is_(None),
             Case.resolution_due_at <= now),
        and_(Case.decided_at.is_not(None), Case.decided_at > Case.resolution_due_at),
        # Closed or merged without a decision, after the target: finished late, as the
        # clocks read it (sla.service.finished_at), so the filter and the clock agree.
        and_(Case.decided_at.is_(None), Case.closed_at.is_not(None),
             Case.closed_at > Case.resolution_due_at),
    ))


def _subject_clause(session: Session, subject: str) -> ColumnElement[bool]:
    kind, _, ref = subject.partition(":")
    models: dict[str, tuple[Any, Any]] = {
        "review": (Review, Review.ref), "business": (Business, Business.domain),
        "reviewer": (Reviewer, Reviewer.ref),
    }
    if kind not in models or not ref:
        raise InvalidInput("subject is review:REF, business:DOMAIN or reviewer:REF",
                           field="subject")
    model, column = models[kind]
    subject_id = select(model.id).where(column == ref).scalar_subquery()
    return Case.id.in_(
        select(CaseSubject.case_id).where(
            CaseSubject.subject_type == kind, CaseSubject.subject_id == subject_id
        )
    )


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_value(name: str, value: Any) -> Any:
    """Check each value's type here: a wrong one would otherwise reach SQL (a 500 there)."""
    if name.endswith("_at"):
        if value is None:
            return None
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive time in cursor")
        return moment
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} in cursor is no integer")
    if not -(2**63) <= value < 2**63:  # SQLite's driver would raise OverflowError on it
        raise ValueError(f"{name} in cursor is out of range")
    return value


def _decode_cursor(cursor: str, sort: list[tuple[str, bool]]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(values, list) or len(values) != len(sort):
            raise ValueError
        return [_cursor_value(name, v) for (name, _), v in zip(sort, values, strict=True)]
    except (ValueError, TypeError) as exc:
        raise InvalidInput("the cursor is not one this API gave out", field="cursor") from exc


def _keyset(sort: list[tuple[str, bool]], values: list[Any]) -> ColumnElement[bool]:
    """(a, b, id) after (va, vb, vid) as one row-value comparison, which both databases answer
    from the sort's index (an OR of column comparisons makes SQLite merge several indexes)."""
    directions = {desc for _, desc in sort}
    assert len(directions) == 1, "every sort runs all its columns one way"
    columns = tuple_(*[getattr(Case, name) for name, _ in sort])
    after = tuple_(*[literal(v, type_=getattr(Case, n).type) for (n, _), v in zip(
        sort, values, strict=True)])
    return columns < after if directions == {True} else columns > after


def list_cases(
    session: Session,
    user: User,
    *,
    filters: CaseFilters,
    now: datetime,
    sort: str = "priority",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Case], str | None]:
    """One page of cases, with queue and assignee joined (one statement)."""
    if sort not in SORTS:
        raise InvalidInput(f"sort is one of {', '.join(SORTS)}", field="sort")
    order = SORTS[sort]
    assignee = _ASSIGNEE
    query = (
        readable_cases(user)
        .outerjoin(Case.queue)
        .outerjoin(assignee, Case.assignee_id == assignee.id)
        .options(contains_eager(Case.queue), contains_eager(Case.assignee.of_type(assignee)))
    )
    f = filters
    if f.status:
        bad = set(f.status) - {s.value for s in CaseStatus}
        if bad:
            raise InvalidInput(f"unknown status {sorted(bad)}", field="status")
        query = query.where(Case.status.in_(f.status))
    if f.kind:
        bad = set(f.kind) - {k.value for k in CaseKind}
        if bad:
            raise InvalidInput(f"unknown kind {sorted(bad)}", field="kind")
        query = query.where(Case.kind.in_(f.kind))
    if f.queue and f.open is None and not f.status:
        f.open = True  # a queue holds open cases; closed ones left it (open=false shows them)
    if f.open is not None:
        query = query.where(_OPEN if f.open else _NOT_OPEN)
    if f.queue:
        # The id itself, where known, lets the planner see how big the queue is.
        queue_id = known_queue_id(session, f.queue)
        query = query.where(Case.queue_id == (queue_id if queue_id is not None else select(
            Queue.id).where(Queue.slug == f.queue).scalar_subquery()))
    if f.team:
        query = query.where(team_scope.of_team(team_scope.team_id_named(session, f.team)))
    if f.vendor:
        query = query.where(team_scope.of_vendor(team_scope.vendor_id_named(session, f.vendor)))
    if f.priority:
        query = query.where(Case.priority.in_(f.priority))
    if f.assignee_id is not None:
        query = query.where(Case.assignee_id == f.assignee_id)
    if f.unassigned:
        query = query.where(Case.assignee_id.is_(None))
    if f.at_risk is not None:
        query = query.where(at_risk_clause(now) if f.at_risk else ~at_risk_clause(now))
    if f.breached is not None:
        query = query.where(breached_clause(now) if f.breached else ~breached_clause(now))
    if f.subject:
        query = query.where(_subject_clause(session, f.subject))
    if f.tag:
        query = query.where(Case.id.in_(select(CaseTag.case_id).where(CaseTag.tag == f.tag)))
    if f.language:
        query = query.where(Case.language == f.language)
    if f.opened_on:
        query = query.where(_within(Case.created_at, f.opened_on))
    if f.closed_on:
        query = query.where(_within(Case.closed_at, f.closed_on))
    if f.opened_since:
        query = query.where(Case.created_at >= _day(f.opened_since)[0])
    if f.closed_since:
        query = query.where(Case.closed_at >= _day(f.closed_since)[0])
    if f.opened_before:
        query = query.where(Case.created_at < _day(f.opened_before)[0])
    if f.closed_before:
        query = query.where(Case.closed_at < _day(f.closed_before)[0])
    if f.breached_on:
        query = query.where(_within(Case.resolution_due_at, f.breached_on), breached_clause(now))
    if f.text:
        pattern = f"%{f.text.lower()}%"
        query = query.where(or_(func.lower(Case.title).like(pattern),
                                func.lower(Case.description).like(pattern)))
    if cursor:
        query = query.where(_keyset(order, _decode_cursor(cursor, order)))
    query = query.order_by(
        *[getattr(Case, n).desc() if d else getattr(Case, n).asc() for n, d in order]
    ).limit(limit + 1)
    rows = list(session.scalars(query).unique())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, n) for n, _ in order])
    return rows, next_cursor


@dataclass(frozen=True)
class SubjectView:
    type: str
    id: int
    role: str
    ref: str
    label: str
    extra: dict[str, Any]


def _subjects_statement() -> Select[Any]:
    """A UNION ALL of one inner join per subject type, not one query with three outer joins:
    each branch is an index look-up whatever the plan, where PostgreSQL's generic plan for the
    outer joins hashed whole tables (a sequential scan of every reviewer for one case)."""
    cs = CaseSubject
    ids = bindparam("case_ids", expanding=True)
    branches = [
        select(cs.case_id, cs.id, cs.subject_type, cs.subject_id, cs.role, Review.ref,
               func.substr(Review.text, 1, 160).label("label"), Review.rating, Review.language,
               Review.status)
        .join(Review, Review.id == cs.subject_id)
        .where(cs.case_id.in_(ids), cs.subject_type == literal_column("'review'")),
        select(cs.case_id, cs.id, cs.subject_type, cs.subject_id, cs.role, Business.domain,
               Business.name, null(), null(), null())
        .join(Business, Business.id == cs.subject_id)
        .where(cs.case_id.in_(ids), cs.subject_type == literal_column("'business'")),
        select(cs.case_id, cs.id, cs.subject_type, cs.subject_id, cs.role, Reviewer.ref,
               Reviewer.display_name, null(), null(), null())
        .join(Reviewer, Reviewer.id == cs.subject_id)
        .where(cs.case_id.in_(ids), cs.subject_type == literal_column("'reviewer'")),
    ]
    union = union_all(*branches).subquery()
    return select(union).order_by(union.c.case_id, union.c.id)


# Built once: constructing the three-branch statement cost more than running it.
_SUBJECTS = _subjects_statement()


def subjects_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[SubjectView]]:
    """Subjects of many cases in one statement."""
    if not case_ids:
        return {}
    out: dict[int, list[SubjectView]] = {}
    for case_id, _, stype, sid, role, ref, label, rating, lang, status in session.execute(
        _SUBJECTS, {"case_ids": list(case_ids)}
    ):
        extra = ({"rating": rating, "language": lang, "status": status}
                 if stype == "review" else {})
        out.setdefault(case_id, []).append(
            SubjectView(stype, sid, role, ref or "", label or "", extra))
    return out


def load_for_view(session: Session, case_id: int) -> Case:
    """A case with what every view of it shows (queue, assignee), fresh from the database."""
    case = session.scalar(
        select(Case).where(Case.id == case_id)
        .options(selectinload(Case.queue), selectinload(Case.assignee))
        .execution_options(populate_existing=True)
    )
    if case is None:
        raise NotFound(f"no case #{case_id}")
    return case
