"""An investigation's members: who they are, why each is one, and people adding or dropping
them with a reason.

The members of a case are its subjects (``case_subjects``: what intake, the signals' first
run or a person named) and everything the findings it holds are about (``signal_subjects`` of
the signals whose ``case_id`` is the case) — a campaign of thousands of reviews is worked from
the findings, not copied into the case's subjects — less what a person dropped
(``dropped_members``). Both halves are one indexed SQL statement (``member_keys``), so every
list and count starts from it and none is filled in Python from another.

A change is made by a person who may work the case (case.work, and the case's rules:
``routing.service.check_may_work``), with a reason, and recorded on the case's timeline
(``case.member_added``, ``case.member_dropped``). A dropped member is remembered, so the
signals' next run does not put it back (``signals.cases.act`` reads ``dropped_keys``).
Services flush; the request's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Select,
    any_,
    bindparam,
    delete,
    exists,
    select,
    tuple_,
    union,
)
from sqlalchemy.orm import Session

from integrity_desk.access.domain import Action, allows
from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import upsert_insert
from integrity_desk.errors import Conflict, Forbidden, InvalidInput
from integrity_desk.investigations.models import DroppedMember
from integrity_desk.people.models import User
from integrity_desk.routing.service import check_may_work
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.subjects.models import Business, Review, Reviewer
from integrity_desk.subjects.service import settle_harm

# One click on a suggestion adds this many at most (the rest stay suggested).
MAX_SUGGESTED = 1_000
# Refs named on the timeline event; the count says how many there were in all.
EVENT_REFS = 20
KINDS = ("review", "reviewer", "business")


@dataclass(frozen=True)
class Suggestion:
    kind: str  # ring_reviews
    count: int
    words: str  # "12 more reviews by member accounts at their businesses"


def among(session: Session, column: Any, name: str) -> ColumnElement[bool]:
    """``column`` in the list bound as ``name``: one array parameter on PostgreSQL (= ANY), so
    a list of a thousand ids is one placeholder that psycopg need not parse on every request
    (an expanding IN cost ~30 ms of parsing at 5,000 members); an expanding IN on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


def member_keys(case_id: int) -> CompoundSelect:
    """SQL: (subject_type, subject_id) of every member of the case, each once.

    Case subjects by the case's unique index (case_id, subject_type, subject_id); the
    findings' subjects by ix_signals_case then signal_subjects' primary key; a dropped one
    left out by dropped_members' primary key.
    """
    dropped = exists().where(DroppedMember.case_id == case_id,
                             DroppedMember.subject_type == SignalSubject.subject_type,
                             DroppedMember.subject_id == SignalSubject.subject_id)
    return union(
        select(CaseSubject.subject_type, CaseSubject.subject_id)
        .where(CaseSubject.case_id == case_id),
        select(SignalSubject.subject_type, SignalSubject.subject_id)
        .join(Signal, Signal.id == SignalSubject.signal_id)
        .where(Signal.case_id == case_id, ~dropped))


def member_ids(case_id: int, subject_type: str) -> Select[Any]:
    """SQL: the ids of the case's members of one type."""
    keys = member_keys(case_id).subquery()
    return select(keys.c.subject_id).where(keys.c.subject_type == subject_type)


def page(session: Session, case_id: int, *, cursor: tuple[str, int] | None = None,
         limit: int = 100) -> tuple[list[tuple[str, int]], tuple[str, int] | None]:
    """One page of members in (type, id) order, keyset-paged, and the next page's cursor."""
    keys = member_keys(case_id).subquery()
    query = select(keys.c.subject_type, keys.c.subject_id)
    if cursor is not None:
        query = query.where(tuple_(keys.c.subject_type, keys.c.subject_id) > tuple_(*cursor))
    rows = [(t, i) for t, i in session.execute(
        query.order_by(keys.c.subject_type, keys.c.subject_id).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1] if more and rows else None


@dataclass(frozen=True)
class Why:
    """Why a subject is a member: its case-subject role and a person's reason, and the case's
    findings (or any other finding) that name it."""

    role: str | None
    reason: str | None
    signals: list[tuple[int, str, float, str]]  # id, kind, strength, explanation


def why(session: Session, case_id: int, keys: Sequence[tuple[str, int]] | None = None
        ) -> dict[tuple[str, int], Why]:
    """Per member (these, or all of them), why it is one: three statements whatever the
    count."""
    if keys is None:
        members = member_keys(case_id).subquery()
        chosen: Any = select(members.c.subject_type, members.c.subject_id)
    else:
        if not keys:
            return {}
        chosen = list(keys)
    subject = tuple_(CaseSubject.subject_type, CaseSubject.subject_id)
    # Core rows off the connection, fetched whole: the ORM's row handling, or SQLAlchemy's
    # fetchone per row, cost more than the SQL here (5,000 members: ~15,000 rows).
    run = session.connection().execute
    # Every case subject is a member (dropping one deletes it): all of them need no filter.
    named_here = select(CaseSubject.subject_type, CaseSubject.subject_id, CaseSubject.role,
                        CaseSubject.reason).where(CaseSubject.case_id == case_id)
    if keys is not None:
        named_here = named_here.where(subject.in_(chosen))
    roles = {(t, i): (role, reason) for t, i, role, reason in run(named_here).all()}
    link = tuple_(SignalSubject.subject_type, SignalSubject.subject_id)
    # Which findings name each member, then each finding once: its words are not fetched
    # again for each of the hundreds of reviews it names.
    links = run(select(SignalSubject.subject_type, SignalSubject.subject_id,
                       SignalSubject.signal_id).where(link.in_(chosen))).all()
    found = {row[0]: tuple(row) for row in run(
        select(Signal.id, Signal.kind, Signal.score, Signal.explanation)
        .where(among(session, Signal.id, "ids")),
        {"ids": sorted({sid for _, _, sid in links})}).all()} if links else {}
    named: dict[tuple[str, int], list[tuple[int, str, float, str]]] = {}
    # Strongest finding first for every member: the links in that order once, not a sort each.
    for t, i, sid in sorted(links, key=lambda link: (-found[link[2]][2], link[2])):
        named.setdefault((t, i), []).append(found[sid])  # type: ignore[arg-type]
    wanted = list(keys) if keys is not None else sorted(set(roles) | set(named))
    return {k: Why(*roles.get(k, (None, None)), named.get(k, [])) for k in wanted}


def refs_of(session: Session, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The platform's reference of each (a business: its domain)."""
    by_type: dict[str, list[int]] = {}
    for t, i in keys:
        by_type.setdefault(t, []).append(i)
    out: dict[tuple[str, int], str] = {}
    for t, ids in by_type.items():
        table, ref = _TABLES[t]
        for i, r in session.execute(select(table.id, ref).where(
                table.id.in_(bindparam("ids", expanding=True))), {"ids": ids}):
            out[(t, i)] = r
    return out


_TABLES: dict[str, tuple[Any, Any]] = {"review": (Review, Review.ref),
                                       "reviewer": (Reviewer, Reviewer.ref),
                                       "business": (Business, Business.domain)}


def resolve(session: Session, subject_type: str, refs: Sequence[str], *,
            field: str = "refs") -> list[int]:
    """The ids of these references, in their order; refused naming the first unknown one."""
    if subject_type not in _TABLES:
        raise InvalidInput(f"is one of {', '.join(KINDS)}", field="type")
    wanted = [r.strip().lower() if subject_type == "business" else r.strip() for r in refs]
    table, ref = _TABLES[subject_type]
    found = dict(session.execute(select(ref, table.id).where(
        ref.in_(bindparam("refs", expanding=True))), {"refs": sorted(set(wanted))}).all())
    missing = [r for r in wanted if r not in found]
    if missing:
        raise InvalidInput(f"no {subject_type} {missing[0]!r} is known to the desk", field=field)
    return list(dict.fromkeys(found[r] for r in wanted))


def check_may_change(session: Session, user: User, case: Case) -> None:
    """A person changes the members of an open case they may work; refused naming why."""
    if not allows(user.role, Action.CASE_WORK):
        raise Forbidden(f"a {user.role} reads cases and does not work them")
    check_may_work(session, user, case)
    if not case.is_open:
        raise Conflict(f"{case.key} is closed; reopen it to change its members",
                       field="status", current=case.status)


def dropped_keys(session: Session, case_id: int) -> set[tuple[str, int]]:
    """What people dropped from the case (its primary key's range)."""
    return {(t, i) for t, i in session.execute(
        select(DroppedMember.subject_type, DroppedMember.subject_id)
        .where(DroppedMember.case_id == case_id))}


def add(session: Session, case: Case, *, user: User, actor: Actor, now: datetime,
        subject_type: str, refs: Sequence[str], reason: str) -> int:
    """Add these subjects as members, saying why; how many were not members yet."""
    check_may_change(session, user, case)
    ids = resolve(session, subject_type, refs)
    return _add_ids(session, case, subject_type, ids, reason=reason, actor=actor, now=now,
                    refs=list(dict.fromkeys(refs)))


def _add_ids(session: Session, case: Case, subject_type: str, ids: Sequence[int], *,
             reason: str, actor: Actor, now: datetime, refs: Sequence[str],
             suggestion: str | None = None) -> int:
    if not reason.strip():
        raise InvalidInput("say why they are members", field="reason")
    members = set(session.scalars(member_ids(case.id, subject_type)))
    new = [i for i in ids if i not in members]
    session.execute(delete(DroppedMember).where(
        DroppedMember.case_id == case.id, DroppedMember.subject_type == subject_type,
        DroppedMember.subject_id.in_(bindparam("ids", expanding=True))), {"ids": list(ids)})
    rows = [{"case_id": case.id, "subject_type": subject_type, "subject_id": i,
             "role": "related", "reason": reason} for i in ids]
    statement = upsert_insert(session)(CaseSubject).on_conflict_do_nothing(
        index_elements=["case_id", "subject_type", "subject_id"])
    session.execute(statement, rows)
    if subject_type == "review" and new:  # a review shown on a case is read for harm first
        unchecked = list(session.scalars(select(Review.id).where(
            Review.id.in_(bindparam("ids", expanding=True)), ~Review.harm_checked),
            {"ids": new}))
        if unchecked:
            settle_harm(session, unchecked)
    payload: dict[str, Any] = {"type": subject_type, "count": len(new), "reason": reason,
                               "refs": list(refs)[:EVENT_REFS]}
    if suggestion:
        payload["suggestion"] = suggestion
    record(session, kind="case.member_added", category="investigation", actor=actor,
           case_id=case.id, at=now, payload=payload)
    case.updated_at = now
    return len(new)


def drop(session: Session, case: Case, *, user: User, actor: Actor, now: datetime,
         subject_type: str, ref: str, reason: str) -> int:
    """Take one member out, saying why; the signals will not put it back."""
    check_may_change(session, user, case)
    if not reason.strip():
        raise InvalidInput("say why it is no member", field="reason")
    subject_id = resolve(session, subject_type, [ref], field="ref")[0]
    if subject_id not in set(session.scalars(member_ids(case.id, subject_type))):
        raise InvalidInput(f"{subject_type} {ref!r} is not a member of {case.key}", field="ref")
    session.execute(delete(CaseSubject).where(
        CaseSubject.case_id == case.id, CaseSubject.subject_type == subject_type,
        CaseSubject.subject_id == subject_id))
    session.execute(upsert_insert(session)(DroppedMember).on_conflict_do_nothing(
        index_elements=["case_id", "subject_type", "subject_id"]),
        [{"case_id": case.id, "subject_type": subject_type, "subject_id": subject_id,
          "reason": reason, "dropped_by_id": user.id, "dropped_at": now}])
    record(session, kind="case.member_dropped", category="investigation", actor=actor,
           case_id=case.id, at=now, payload={"type": subject_type, "ref": ref,
                                             "reason": reason})
    case.updated_at = now
    return 1


def _ring_reviews(session: Session, case_id: int, *, reviewers: set[int] | None = None,
                  businesses: set[int] | None = None, reviews: set[int] | None = None
                  ) -> list[int]:
    """Reviews by the member accounts at the case's businesses (members, and the businesses of
    member reviews) that are neither members nor dropped, oldest id first.

    One statement by ix_reviews_reviewer_id for the accounts' reviews at those businesses,
    the members and the dropped taken out in Python: as one SQL statement with the member
    union three times over, SQLite took 56 ms at 5,000 members. The workspace passes the sets
    it has read already; without them they are read here (three small statements)."""
    if reviews is None:
        reviews = set(session.scalars(member_ids(case_id, "review")))
    if reviewers is None:
        reviewers = set(session.scalars(member_ids(case_id, "reviewer")))
    if businesses is None:
        businesses = set(session.scalars(member_ids(case_id, "business"))) | set(
            session.scalars(select(Review.business_id).distinct().where(
                Review.id.in_(member_ids(case_id, "review")))))
    businesses = {b for b in businesses if b is not None}
    if not reviewers or not businesses:
        return []
    dropped = {i for t, i in dropped_keys(session, case_id) if t == "review"}
    found = session.connection().execute(
        select(Review.id).where(among(session, Review.reviewer_id, "accounts"),
                                among(session, Review.business_id, "shops")),
        {"accounts": sorted(reviewers), "shops": sorted(businesses)}).scalars().all()
    return sorted(i for i in found if i not in reviews and i not in dropped)


def suggestions(session: Session, case_id: int, **known: Any) -> list[Suggestion]:
    """Subjects the findings point at that are not members yet, counted (``known``: the
    member sets the caller has read, as ``_ring_reviews`` takes them)."""
    count = len(_ring_reviews(session, case_id, **known))
    if not count:
        return []
    return [Suggestion("ring_reviews", count, f"{count:,} more reviews by member accounts at "
                       "this investigation's businesses")]


def add_suggested(session: Session, case: Case, *, user: User, actor: Actor, now: datetime,
                  kind: str, reason: str = "") -> int:
    """Add every subject the suggestion names (up to MAX_SUGGESTED a click), its words the
    reason unless the person gave one."""
    check_may_change(session, user, case)
    if kind != "ring_reviews":
        raise InvalidInput("is ring_reviews", field="kind")
    ids = _ring_reviews(session, case.id)
    if not ids:
        raise Conflict("nothing is suggested any more: the reviews are members already",
                       field="kind")
    words = suggestions(session, case.id)[0].words
    ids = ids[:MAX_SUGGESTED]
    refs = list(session.scalars(select(Review.ref).where(
        Review.id.in_(bindparam("ids", expanding=True))).order_by(Review.id),
        {"ids": ids[:EVENT_REFS]}))
    return _add_ids(session, case, "review", ids, reason=reason.strip() or words,
                    actor=actor, now=now, refs=refs, suggestion=kind)


def keep_dropped_out(session: Session, case_id: int,
                     wanted: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """``wanted`` less what a person dropped from the case (what the signals must not put
    back)."""
    if not wanted:
        return []
    dropped = dropped_keys(session, case_id)
    return [k for k in wanted if k not in dropped]

