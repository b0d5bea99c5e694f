"""What routing reads per unit of work (routing.push.Router): never every case people hold (and
all their subjects) for each intake; only, for affinity, the held cases that share a business or
reviewer with the cases being routed. A push queue with affinity still gives a case to who holds
the same business."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.domain import CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.people.service import create_user
from integrity_desk.people.teams import create_team
from integrity_desk.routing import manage, push, settings
from integrity_desk.routing.choose import CaseFacts
from integrity_desk.routing.service import QueueBook
from tests import factories as f


def _desk(db: Database, mode: str) -> dict[str, int]:
    """Two teams of two agents, each team's queue taking flags; the default queue takes none.
    The first agent of team A holds a case about shop.example.com."""
    people: dict[str, int] = {}
    with db.session() as session:
        for name in ("A", "B"):
            team = create_team(session, actor=SYSTEM, name=f"Team {name}")
            manage.create_queue(session, actor=SYSTEM, slug=f"q-{name.lower()}",
                                name=f"Queue {name}", team=team.name, kinds=["flag"], tier=1)
            for n in range(2):
                user = create_user(session, email=f"{name.lower()}{n}@desk.example.com",
                                   name=f"{name}{n}", role="agent", team=team, actor=SYSTEM)
                people[f"{name}{n}"] = user.id
        manage.update_queue(session, actor=SYSTEM, slug="flags",
                            changes={"kinds": ["investigation"]})
        Intake(session, now=utcnow(), actor=SYSTEM).submit_flags([f.flag(ref="held")])
    with db.session() as session:
        session.execute(update(Case).values(assignee_id=people["A0"],
                                            status=CaseStatus.ASSIGNED.value))
        for slug in ("q-a", "q-b"):
            settings.change_routing_settings(session, actor=SYSTEM, slug=slug,
                                             changes={"mode": mode}, note="test")
    return people


def _route(db: Database, keys: frozenset[str] = frozenset(), named: str | None = None
           ) -> tuple[push.Routed, list[str]]:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with db.session() as session:
        book = QueueBook(session)
        router = push.Router(session, book, utcnow())
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            routed = push.route(router, CaseFacts(key="new", kind="flag", tier=1, keys=keys),
                                named=book.by_slug[named] if named else None)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    return routed, statements


def test_competing_pull_queues_read_no_held_cases(db: Database) -> None:
    _desk(db, "pull")
    routed, statements = _route(db)
    assert routed.contested and routed.queue is not None and routed.assignee_id is None
    # Cases in hand are counted (capacity), but the held cases and their subjects are not read.
    assert not [s for s in statements if "case_subjects" in s]
    assert not [s for s in statements
                if "SELECT cases.id, cases.assignee_id" in " ".join(s.split())]


def test_a_push_queue_with_affinity_still_reads_what_people_hold(db: Database) -> None:
    people = _desk(db, "push")
    with db.session() as session:
        keys = push.keys_of_cases(session, list(session.scalars(select(Case.id))))
    (held_keys,) = keys.values()
    # Team A's queue (named: which queue wins on free capacity is not the point here).
    routed, statements = _route(db, frozenset(held_keys), named="q-a")
    assert [s for s in statements if "case_subjects" in s]
    assert routed.assignee_id == people["A0"], routed.words
    assert "already holds open work about the same" in routed.words


def _intake_statements(db: Database, flag: dict[str, Any]) -> list[str]:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.session() as session:
            Intake(session, now=utcnow(), actor=SYSTEM).submit_flags([flag])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return statements


def _affinity_reads(statements: list[str]) -> list[str]:
    """The reads affinity makes: the reviews' businesses and reviewers, and held cases."""
    return [s for s in statements if "reviews.business_id, reviews.reviewer_id" in s
            or ("JOIN case_subjects" in s and "cases.assignee_id IS NOT NULL" in s)]


def test_a_case_only_one_queue_takes_reads_nothing_for_affinity(db: Database) -> None:
    _desk(db, "pull")  # both queues take flags in any language: affinity can matter
    with db.session() as session:
        manage.update_queue(session, actor=SYSTEM, slug="q-b", changes={"languages": ["de"]})
    english = _intake_statements(db, f.flag(ref="only-a"))  # only q-a takes English flags
    assert _affinity_reads(english) == []
    with db.session() as session:
        manage.update_queue(session, actor=SYSTEM, slug="q-b", changes={"languages": []})
    contested = _intake_statements(db, f.flag(ref="both"))
    # The new case's businesses and reviewers, the held cases sharing one, and their keys.
    assert len(_affinity_reads(contested)) == 3
