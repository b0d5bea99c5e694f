"""Routing as the desk runs it, on both databases: new flags spread across the vendors' queues
by weighted free capacity with the reasons on the timeline; a push queue gives each case to a
ready person and never to one away, off shift or at capacity; a released case is routed again
but not back to who let it go."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.people import schedule, teams, vendors
from integrity_desk.people.models import User
from integrity_desk.routing import manage, settings
from integrity_desk.routing.models import Queue, WorkInterval
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _vendor_queues(db: Database, *, push: bool = False) -> dict[str, Any]:
    """Two vendors, each with a team and a queue taking flags at tier 1 in any language; the
    desk's own flags queue stops taking flags so only these two compete."""
    out = {}
    with db.session() as s:
        for n, name in enumerate(("Atlas", "Northwind"), start=1):
            vendors.create_vendor(s, actor=SYSTEM, name=name)
            team = teams.create_team(s, actor=SYSTEM, name=f"{name} team", kind="vendor",
                                     vendor=name)
            manage.create_queue(s, actor=SYSTEM, slug=f"flags-{name.lower()}", name=name,
                                team=team.name, kinds=["flag"], tier=1, position=n)
            if push:
                settings.change_routing_settings(s, actor=SYSTEM, slug=f"flags-{name.lower()}",
                                                 changes={"mode": "push"}, note="push it")
            out[name] = team
        default = s.scalar(select(Queue).where(Queue.slug == "flags"))
        manage.update_queue(s, actor=SYSTEM, slug=default.slug, changes={"kinds": ["appeal"]})
    return out


def _agents(db: Database, make_person: Any, team: Any, n: int, *, capacity: int = 5,
            **changes: Any) -> list[Person]:
    people = [make_person("agent", team=team) for _ in range(n)]
    with db.session() as s:
        for p in people:
            schedule.update_person(s, actor=SYSTEM, user=s.get(User, p.user.id),
                                   changes={"capacity": capacity, **changes})
    return people


def _events(db: Database, case_id: int, kind: str) -> list[dict[str, Any]]:
    with db.session() as s:
        return [json.loads(e.payload) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.kind == kind)
            .order_by(AuditEvent.id))]


def test_a_batch_spreads_by_free_capacity_and_says_why(db: Database, client: Any,
                                                      manager: Person, make_person: Any
                                                      ) -> None:
    team = _vendor_queues(db)
    _agents(db, make_person, team["Atlas"], 3)
    _agents(db, make_person, team["Northwind"], 1)
    r = client.post(f"{API}/cases/batch", headers=manager.headers,
                    json={"items": [f.flag(ref=f"r{i}") for i in range(8)]})
    assert r.status_code in (200, 201, 207), r.text
    with db.session() as s:
        slugs = dict(s.execute(select(Queue.id, Queue.slug)).all())
        routed = [(c.id, slugs[c.queue_id]) for c in s.scalars(
            select(Case).order_by(Case.id))]
    assert Counter(slug for _, slug in routed) == {"flags-atlas": 6, "flags-northwind": 2}
    first = _events(db, routed[0][0], "case.created")[0]
    assert first["routing"] == ("to flags-atlas (Atlas): 3 of 3 people ready, 75% of free "
                                "capacity; Northwind 25%")


def test_a_push_queue_gives_cases_only_to_ready_people(db: Database, client: Any,
                                                      manager: Person, make_person: Any
                                                      ) -> None:
    team = _vendor_queues(db, push=True)
    ana = _agents(db, make_person, team["Atlas"], 1, capacity=2)[0]
    ben = _agents(db, make_person, team["Atlas"], 1, capacity=2)[0]
    caro = _agents(db, make_person, team["Atlas"], 1, capacity=2)[0]
    now = utcnow()
    with db.session() as s:
        schedule.set_availability(s, actor=SYSTEM, person=s.get(User, ben.user.id),
                                  status="away", now=now)
        schedule.add_exception(s, actor=SYSTEM, person=s.get(User, caro.user.id), kind="leave",
                               starts_at=now - timedelta(hours=1),
                               ends_at=now + timedelta(days=2))
    keys = []
    for i in range(3):
        r = client.post(f"{API}/cases", headers=manager.headers, json=f.flag(ref=f"p{i}"))
        assert r.status_code in (200, 201), r.text
        keys.append(int(r.json()["case"]["key"].split("-")[1]))
    with db.session() as s:
        cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(keys)))}
        assert [cases[k].assignee_id for k in keys] == [ana.user.id, ana.user.id, None]
        assert [cases[k].status for k in keys] == ["assigned", "assigned", "triaged"]
        opened = s.scalars(select(WorkInterval.user_id).where(WorkInterval.case_id.in_(keys)))
        assert sorted(opened) == [ana.user.id, ana.user.id]
    words = _events(db, keys[0], "case.created")[0]["routing"]
    assert "; to Agent Person: 0 of 2 cases in hand, the most free of 1 ready" in words
    assert "not to Agent Person is away" in words and "is on leave until" in words
    waiting = _events(db, keys[2], "case.created")[0]["routing"]
    assert "waits in the queue: nobody is ready" in waiting
    assert "is at capacity: 2 of 2 cases in hand" in waiting


def test_a_released_case_is_routed_again_but_not_back(db: Database, client: Any,
                                                      manager: Person, make_person: Any,
                                                      sign_in: Any) -> None:
    team = _vendor_queues(db, push=True)
    ana, ben = _agents(db, make_person, team["Atlas"], 2, capacity=3)
    r = client.post(f"{API}/cases", headers=manager.headers, json=f.flag(ref="rel"))
    key = r.json()["case"]["key"]
    case_id = int(key.split("-")[1])
    with db.session() as s:
        first = s.get(Case, case_id).assignee_id
    assert first == ana.user.id  # the lower id among equals
    released = client.post(f"{API}/cases/{key}/release", headers=ana.headers,
                           json={"reason": "Not mine."})
    assert released.status_code == 200, released.text
    with db.session() as s:
        case = s.get(Case, case_id)
        assert (case.assignee_id, case.status) == (ben.user.id, "assigned")
    routed = _events(db, case_id, "case.routed")
    assert routed[-1]["assignee_id"] == ben.user.id
    assert routed[-1]["routing"].startswith("to flags-atlas (Atlas)")
    page = sign_in(manager).client.get(f"/cases/{key}")
    assert page.status_code == 200
    assert "routed the case to flags-atlas and gave it to Agent Person" in page.text
    assert "the most free of 1 ready" in page.text  # the reasons, as the event's detail


def test_a_flag_goes_to_the_team_that_already_holds_its_business(
        db: Database, client: Any, manager: Person, make_person: Any) -> None:
    team = _vendor_queues(db)
    _agents(db, make_person, team["Atlas"], 3)
    nora = _agents(db, make_person, team["Northwind"], 1)[0]
    first = client.post(f"{API}/cases", headers=manager.headers,
                        json=f.flag(ref="same-shop-1"))
    first_id = int(first.json()["case"]["key"].split("-")[1])
    with db.session() as s:  # Nora, at Northwind, works the first flag about the shop
        case = s.get(Case, first_id)
        case.assignee_id, case.status = nora.user.id, "in_progress"
    second = client.post(f"{API}/cases", headers=manager.headers,
                         json=f.flag(ref="same-shop-2"))
    second_id = int(second.json()["case"]["key"].split("-")[1])
    with db.session() as s:
        slug = s.scalar(select(Queue.slug).join(Case, Case.queue_id == Queue.id)
                        .where(Case.id == second_id))
    assert slug == "flags-northwind"  # though Atlas has three times the free capacity
    words = _events(db, second_id, "case.created")[0]["routing"]
    assert words == ("to flags-northwind (Northwind): Northwind already holds open work about "
                     "the same business")


def test_a_pushed_batch_fills_people_to_capacity_and_no_further(
        db: Database, client: Any, manager: Person, make_person: Any) -> None:
    team = _vendor_queues(db, push=True)
    ana, ben = _agents(db, make_person, team["Atlas"], 2, capacity=2)
    r = client.post(f"{API}/cases/batch", headers=manager.headers,
                    json={"items": [f.flag(ref=f"b{i}") for i in range(6)]})
    assert r.status_code in (200, 201, 207), r.text
    with db.session() as s:
        held = Counter(s.scalars(select(Case.assignee_id)))
    # The router judges people once per batch and must notice who filled up on the way.
    assert held == {ana.user.id: 2, ben.user.id: 2, None: 2}


def test_a_teams_qa_accuracy_weighs_its_free_capacity(db: Database, client: Any,
                                                     manager: Person, make_person: Any,
                                                     monkeypatch: Any) -> None:
    """Equal teams, but Northwind's decisions were judged correct half as often: at the
    default weight 0.5 its free capacity counts 0.5 + 0.5 × 0.5 = 0.75 against Atlas's 1."""
    from integrity_desk.quality import review as qa_review

    team = _vendor_queues(db)
    _agents(db, make_person, team["Atlas"], 2)
    _agents(db, make_person, team["Northwind"], 2)
    asked: list[Any] = []

    def accuracy(session: Any, *, since: Any, minimum: int) -> dict[int, float]:
        asked.append(minimum)
        return {team["Atlas"].id: 1.0, team["Northwind"].id: 0.5}

    monkeypatch.setattr(qa_review, "team_accuracy", accuracy)
    r = client.post(f"{API}/cases", headers=manager.headers, json=f.flag(ref="q1"))
    assert r.status_code == 201, r.text
    case_id = int(r.json()["case"]["key"].split("-")[1])
    first = _events(db, case_id, "case.created")[0]
    assert first["routing"] == ("to flags-atlas (Atlas): 2 of 2 people ready, 57% of free "
                                "capacity; Northwind 43%")
    assert asked == [10]  # read once for the unit of work
