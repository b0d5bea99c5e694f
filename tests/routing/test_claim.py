"""Claiming: the most urgent case a person may work, exactly once, even under contention."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select, update

from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.people.service import actor_of
from integrity_desk.routing.models import Queue
from integrity_desk.routing.service import claim_next
from tests import factories as f


def _flags(client, person, n, prefix="r"):
    body = {"items": [f.flag(ref=f"{prefix}{i}") for i in range(n)]}
    r = client.post("/api/v1/cases/batch", json=body, headers=person.headers)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == n
    return [item["case"] for item in r.json()["items"]]


def test_claim_gives_most_urgent_case_first(client, db, specialist):
    keys = _flags(client, specialist, 3)
    # Make the last one the most urgent: P1 beats P4/P3 whatever its age.
    with db.session() as s:
        s.execute(update(Case).where(Case.id == int(keys[2].split("-")[1])).values(priority=1))
    got = client.post("/api/v1/queues/flags/claim", headers=specialist.headers).json()["case"]
    assert got == keys[2]
    detail = client.get(f"/api/v1/cases/{got}", headers=specialist.headers).json()
    assert detail["status"] == "assigned"
    assert detail["assignee"]["email"] == specialist.user.email
    timeline = client.get(f"/api/v1/cases/{got}/timeline", headers=specialist.headers).json()
    assert [e["kind"] for e in timeline["items"]][-1] == "case.claimed"


def test_claim_on_empty_queue_returns_null(client, specialist):
    r = client.post("/api/v1/queues/flags/claim", headers=specialist.headers)
    assert r.status_code == 200
    assert r.json() == {"case": None, "note": None}


def test_agent_claims_only_from_own_team_queue(client, db, make_team, make_person, specialist):
    vendor = make_team("Northwind BPO", kind="vendor")
    other = make_team("Atlas", kind="vendor")
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(team_id=vendor.id))
    _flags(client, specialist, 2)
    own = make_person("agent", team=vendor)
    foreign = make_person("agent", team=other)
    r = client.post("/api/v1/queues/flags/claim", headers=foreign.headers)
    assert r.status_code == 404  # another vendor's queue is not there for them
    assert r.json()["error"]["field"] == "queue"
    assert [q["slug"] for q in client.get("/api/v1/queues", headers=foreign.headers).json()] == []
    assert [q["slug"] for q in client.get("/api/v1/queues", headers=own.headers).json()] == [
        "flags"]
    assert client.post("/api/v1/queues/flags/claim", headers=own.headers).json()["case"]


def test_language_skills_limit_what_is_claimed(client, db, make_person, specialist):
    keys = _flags(client, specialist, 2)
    with db.session() as s:
        s.execute(update(Case).where(Case.id == int(keys[0].split("-")[1])).values(language="de"))
    english_only = make_person("specialist", languages=["en"])
    got = client.post("/api/v1/queues/flags/claim", headers=english_only.headers).json()["case"]
    assert got == keys[1]
    assert client.post("/api/v1/queues/flags/claim",
                       headers=english_only.headers).json()["case"] is None


def test_viewer_cannot_claim(client, make_person):
    viewer = make_person("viewer")
    r = client.post("/api/v1/queues/flags/claim", headers=viewer.headers)
    assert r.status_code == 403


def test_claiming_a_taken_case_conflicts(client, make_person, specialist):
    key = _flags(client, specialist, 1)[0]
    other = make_person("specialist")
    assert client.post(f"/api/v1/cases/{key}/claim", headers=specialist.headers).status_code == 200
    r = client.post(f"/api/v1/cases/{key}/claim", headers=other.headers)
    assert r.status_code == 409
    assert r.json()["error"]["current"] == "assigned"


def test_unknown_queue_is_404(client, specialist):
    r = client.post("/api/v1/queues/nope/claim", headers=specialist.headers)
    assert r.status_code == 404
    assert r.json()["error"]["field"] == "queue"


@pytest.mark.parametrize("claimers", [32])
def test_concurrent_claimers_never_share_a_case(db, client, make_person, specialist, claimers):
    """32 threads claim at once; every claimed case has exactly one owner."""
    if db.dialect != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; SQLite serialises writers")
    _flags(client, specialist, 200)
    people = [make_person("specialist") for _ in range(claimers)]
    with db.session() as s:
        queue = s.scalar(select(Queue).where(Queue.slug == "flags"))
    claimed: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(claimers)

    def work(person):
        try:
            barrier.wait()
            for _ in range(8):
                with db.session() as s:
                    user = s.merge(person.user)
                    won = claim_next(s, user=user, queue=queue, now=utcnow())
                    assert actor_of(user)
                if won is not None:
                    with lock:
                        claimed.append((won[0], person.user.id))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    counts = Counter(case_id for case_id, _ in claimed)
    assert len(claimed) == 200  # 32 × 8 = 256 attempts, 200 cases: every case claimed once
    assert max(counts.values()) == 1
    with db.session() as s:
        owners = dict(s.execute(select(Case.id, Case.assignee_id).where(Case.kind == "flag")).all())
    assert all(owners[case_id] == user_id for case_id, user_id in claimed)


def test_simultaneous_duplicates_open_one_case(db, client, specialist):
    """16 requests about one review at the same instant: one case, 15 linked requests."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.intake.schemas import FlagIn
    from integrity_desk.intake.service import Intake

    client.post("/api/v1/cases", json=f.flag(ref="seed"), headers=specialist.headers)
    payload = FlagIn.model_validate(f.flag(ref="same"))
    with db.session() as s:  # mirror the review first, as the platform sync would
        Intake(s, now=utcnow(), actor=SYSTEM).submit(FlagIn.model_validate(f.flag(ref="same")))
        s.execute(update(Case).values(is_open=False, status="closed"))
    barrier = threading.Barrier(16)
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def submit():
        try:
            barrier.wait()
            with db.session() as s:
                outcomes.append(Intake(s, now=utcnow(), actor=SYSTEM).submit(payload).created)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(outcomes) == [False] * 15 + [True]
    with db.session() as s:
        open_cases = s.scalars(select(Case).where(Case.is_open)).all()
    assert len(open_cases) == 1
    assert open_cases[0].linked_request_count == 15
