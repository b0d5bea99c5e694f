"""Pull uses the same eligibility as push: a person away, off shift or at capacity claims
nothing (told why), one who works other case kinds is never given these, and under 32
concurrent claimers on PostgreSQL nobody passes their capacity and no case is claimed twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.people import schedule
from integrity_desk.people.models import User
from integrity_desk.routing.eligible import eligible_assignees
from integrity_desk.routing.models import Queue
from integrity_desk.routing.service import claim_next
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _flags(client: Any, person: Person, n: int) -> list[str]:
    r = client.post(f"{API}/cases/batch", headers=person.headers,
                    json={"items": [f.flag(ref=f"g{i}") for i in range(n)]})
    assert r.status_code in (200, 201, 207), r.text
    return [item["case"] for item in r.json()["items"] if item.get("case")]


def _change(db: Database, person: Person, **changes: Any) -> None:
    with db.session() as s:
        schedule.update_person(s, actor=SYSTEM, user=s.get(User, person.user.id),
                               changes=changes)


def _claim(client: Any, person: Person) -> Any:
    return client.post(f"{API}/queues/flags/claim", headers=person.headers)


def test_away_off_shift_and_at_capacity_claim_nothing_and_are_told_why(
        db: Database, client: Any, specialist: Person, make_person: Any, sign_in: Any) -> None:
    _flags(client, specialist, 4)
    me = make_person("specialist")
    with db.session() as s:
        schedule.set_availability(s, actor=SYSTEM, person=s.get(User, me.user.id),
                                  status="away", now=utcnow())
    away = _claim(client, me)
    assert away.status_code == 403 and "you are away" in away.text
    assert "set yourself available" in away.text
    browser = sign_in(me)
    console = browser.client.post("/claim-next", data={"csrf_token": browser.csrf})
    assert console.status_code == 403 and "you are away" in console.text
    with db.session() as s:
        schedule.set_availability(s, actor=SYSTEM, person=s.get(User, me.user.id),
                                  status="available", now=utcnow())
        schedule.add_exception(s, actor=SYSTEM, person=s.get(User, me.user.id), kind="sick",
                               starts_at=utcnow() - timedelta(hours=1),
                               ends_at=utcnow() + timedelta(hours=3))
    sick = _claim(client, me)
    assert sick.status_code == 403 and "you are off sick until" in sick.text
    with db.session() as s:
        for e in schedule.exceptions_of(s, [me.user.id], ending_after=utcnow())[me.user.id]:
            schedule.cancel_exception(s, actor=SYSTEM, person=s.get(User, me.user.id),
                                      exception_id=e.id, now=utcnow())
    _change(db, me, capacity=1)
    assert _claim(client, me).json()["case"] is not None
    full = _claim(client, me)
    assert full.status_code == 403 and "at capacity: 1 of 1 cases in hand" in full.text
    one = client.get(f"{API}/cases", headers=me.headers, params={"assignee": "me"})
    assert len(one.json()["items"]) == 1


def test_claiming_one_particular_case_is_gated_too(db: Database, client: Any,
                                                   specialist: Person, make_person: Any) -> None:
    key = _flags(client, specialist, 1)[0]
    me = make_person("specialist")
    _change(db, me, shift_pattern={"sun": [["00:00", "00:01"]]})
    r = client.post(f"{API}/cases/{key}/claim", headers=me.headers)
    assert r.status_code == 403 and "you are off shift" in r.text


def test_a_person_who_works_other_kinds_is_not_given_these(
        db: Database, client: Any, specialist: Person, make_person: Any) -> None:
    key = _flags(client, specialist, 1)[0]
    me = make_person("specialist")
    _change(db, me, kinds=["appeal"])
    assert _claim(client, me).json()["case"] is None
    r = client.post(f"{API}/cases/{key}/claim", headers=me.headers)
    assert r.status_code == 403 and "you work appeal cases" in r.text
    assign = client.post(f"{API}/cases/{key}/assign", headers=specialist.headers,
                         json={"assignee": me.user.email})
    assert assign.status_code == 403 and "works appeal cases" in assign.text
    with db.session() as s:
        picker = eligible_assignees(s, s.get(Case, int(key.split("-")[1])))
        assert me.user.id not in [u.id for u in picker]
    _change(db, me, kinds=["appeal", "flag"])
    with db.session() as s:
        picker = eligible_assignees(s, s.get(Case, int(key.split("-")[1])))
        assert me.user.id in [u.id for u in picker]
    assert _claim(client, me).json()["case"] == key


@pytest.mark.parametrize("claimers", [32])
def test_32_concurrent_claimers_never_pass_capacity_nor_share_a_case(
        db: Database, client: Any, specialist: Person, make_person: Any, claimers: int) -> None:
    if db.dialect != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; SQLite serialises writers")
    _flags(client, specialist, 120)
    people = [make_person("specialist") for _ in range(8)]
    for p in people:
        _change(db, p, capacity=3)
    with db.session() as s:
        queue = s.scalar(select(Queue).where(Queue.slug == "flags"))
    claimed: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(claimers)

    def work(person: Person) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                with db.session() as s:
                    user = s.get(User, person.user.id)
                    try:
                        won = claim_next(s, user=user, queue=queue, now=utcnow())
                    except Exception as exc:  # refused at capacity: that is the point
                        if "at capacity" not in str(exc):
                            raise
                        won = None
                if won is not None:
                    with lock:
                        claimed.append((won[0], person.user.id))
        except BaseException as exc:
            errors.append(exc)

    # Four claimers for each person, all at once: 32 claimers, 96 attempts.
    threads = [threading.Thread(target=work, args=(people[i % 8],)) for i in range(claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert max(Counter(case_id for case_id, _ in claimed).values()) == 1
    per_person = Counter(user_id for _, user_id in claimed)
    assert per_person and max(per_person.values()) <= 3
    assert sum(per_person.values()) == 24  # every person filled to capacity, no further
    with db.session() as s:
        held = dict(s.execute(select(Case.assignee_id, func.count()).where(
            Case.assignee_id.in_([p.user.id for p in people])).group_by(Case.assignee_id)).all())
    assert held == {p.user.id: 3 for p in people}
