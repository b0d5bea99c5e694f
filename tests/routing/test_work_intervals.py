"""Work intervals: every change of who holds a case closes and opens the right interval, with the
team the person had then; at most one is open a case, even under a claim race; a period's
intervals come clipped to it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.errors import Conflict
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.people.service import actor_of
from integrity_desk.routing import intervals
from integrity_desk.routing.models import WorkInterval
from tests import factories as f
from tests.helpers import decide_no_action, vendor_queues

API = "/api/v1"


def _new(client: Any, person: Any, ref: str = "r1") -> str:
    r = client.post(f"{API}/cases", json=f.flag(ref=ref), headers=person.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["case"]["key"]


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _work(client: Any, person: Any, key: str) -> list[tuple[str, str | None, str, str | None]]:
    items = _ok(client.get(f"{API}/cases/{key}/work", headers=person.headers))["items"]
    return [(i["user"], i["team"], i["start_reason"], i["end_reason"]) for i in items]


def _rows(db: Any, key: str) -> list[WorkInterval]:
    with db.session() as s:
        return list(s.scalars(select(WorkInterval).where(
            WorkInterval.case_id == int(key.split("-")[1])).order_by(WorkInterval.id)))


def test_claim_release_reassign_and_decide_open_and_close_intervals(
        client, db, make_person, make_team, specialist, manager):
    team = make_team("Trust Ops")
    other = make_person("specialist", team=team)
    me, you = specialist.user.email, other.user.email
    key = _new(client, specialist)
    assert _work(client, specialist, key) == []

    _ok(client.post(f"{API}/cases/{key}/claim", headers=specialist.headers))
    _ok(client.post(f"{API}/cases/{key}/release", json={"reason": "Lunch."},
                    headers=specialist.headers))
    _ok(client.post(f"{API}/cases/{key}/claim", headers=other.headers))
    _ok(client.post(f"{API}/cases/{key}/assign", json={"assignee": me, "reason": "Cover."},
                    headers=manager.headers))
    # Assigning it to the one who holds it is no hand-over.
    _ok(client.post(f"{API}/cases/{key}/assign", json={"assignee": me},
                    headers=manager.headers))
    _ok(client.post(f"{API}/cases/{key}/transition", json={"action": "start"},
                    headers=specialist.headers))
    assert decide_no_action(client, specialist, key).status_code == 201
    _ok(client.post(f"{API}/cases/{key}/transition", json={"action": "close"},
                    headers=specialist.headers))

    assert _work(client, specialist, key) == [
        (me, None, "claimed", "released"),
        (you, "Trust Ops", "claimed", "reassigned"),
        (me, None, "assigned", "decided"),
    ]
    rows = _rows(db, key)
    assert all(r.ended_at is not None and r.ended_at >= r.started_at for r in rows)
    # Back to back: each hand-over ends one interval when the next begins.
    assert rows[1].ended_at == rows[2].started_at


def test_only_who_may_read_the_case_reads_its_work(client, make_person, manager, make_team):
    teams = vendor_queues(client, make_team, manager)
    body = f.flag("ra", language="en")
    body["review"]["language"] = "en"
    r = client.post(f"{API}/cases", json=body, headers=manager.headers)
    assert r.status_code in (200, 201), r.text
    key = r.json()["case"]["key"]
    mine = make_person("agent", team=teams["Vendor A"], languages=["en"])
    theirs = make_person("agent", team=teams["Vendor B"])
    _ok(client.post(f"{API}/cases/{key}/claim", headers=mine.headers))
    assert _work(client, mine, key) == [(mine.user.email, "Vendor A", "claimed", None)]
    r = client.get(f"{API}/cases/{key}/work", headers=theirs.headers)
    assert r.status_code == 404  # another vendor's case is not there for them


def test_escalate_and_merge_end_the_holders_interval(client, db, specialist, manager):
    key = _new(client, specialist, "r1")
    _ok(client.post(f"{API}/cases/{key}/claim", headers=specialist.headers))
    _ok(client.post(f"{API}/cases/{key}/escalate", json={"reason": "Needs tier 2."},
                    headers=specialist.headers))
    assert [(r.start_reason, r.end_reason) for r in _rows(db, key)] == [
        ("claimed", "escalated")]

    dup, into = _new(client, specialist, "r2"), _new(client, specialist, "r3")
    _ok(client.post(f"{API}/cases/{dup}/claim", headers=specialist.headers))
    _ok(client.post(f"{API}/cases/{dup}/merge", json={"into": into, "reason": "Same review."},
                    headers=specialist.headers))
    assert [(r.start_reason, r.end_reason) for r in _rows(db, dup)] == [("claimed", "merged")]


def test_the_queue_claim_opens_an_interval(client, db, specialist):
    key = _new(client, specialist)
    got = _ok(client.post(f"{API}/queues/flags/claim", headers=specialist.headers))["case"]
    assert got == key
    [row] = _rows(db, key)
    assert (row.user_id, row.start_reason, row.ended_at) == (specialist.user.id, "claimed", None)


def test_an_assigned_decided_case_opens_nothing_until_revised(client, db, specialist, manager,
                                                              make_person):
    key = _new(client, specialist)
    _ok(client.post(f"{API}/cases/{key}/claim", headers=specialist.headers))
    assert decide_no_action(client, specialist, key).status_code == 201
    other = make_person("specialist")
    _ok(client.post(f"{API}/cases/{key}/assign", json={"assignee": other.user.email},
                    headers=manager.headers))
    assert [r.end_reason for r in _rows(db, key)] == ["decided"]
    with db.session() as s:
        case = s.get(Case, int(key.split("-")[1]))
        cases.transition(s, case, action="revise", actor_user=None,
                         actor=actor_of(s.get(User, manager.user.id)),
                         now=datetime.now(UTC), reason="Wrong guideline.")
    rows = _rows(db, key)
    assert [(r.user_id, r.start_reason, r.end_reason) for r in rows] == [
        (specialist.user.id, "claimed", "decided"), (other.user.id, "revised", None)]


def test_the_team_is_the_team_at_the_time(client, db, make_person, make_team, manager):
    old, new = make_team("Vendor A", "vendor"), make_team("Vendor B", "vendor")
    person = make_person("specialist", team=old)
    key = _new(client, manager)
    _ok(client.post(f"{API}/cases/{key}/claim", headers=person.headers))
    with db.session() as s:
        s.execute(update(User).where(User.id == person.user.id).values(team_id=new.id))
    assert _work(client, manager, key) == [(person.user.email, "Vendor A", "claimed", None)]
    with db.session() as s:
        later = datetime.now(UTC) + timedelta(seconds=1)
        start = later - timedelta(hours=1)
        assert [c.team_id for c in intervals.intervals_in(
            s, start=start, end=later, team_ids=[old.id], now=later)] == [old.id]
        assert intervals.intervals_in(s, start=start, end=later, team_ids=[new.id],
                                      now=later) == []


def test_intervals_in_clips_to_the_half_open_period(db, make_person, specialist):
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    h = timedelta(hours=1)
    with db.session() as s:
        user = s.get(User, specialist.user.id)
        ids = [s.execute(insert(Case).values(
            kind="flag", channel="api", title=f"c{i}", status="triaged", tier=1, priority=3,
            requester_type="business").returning(Case.id)).scalar_one() for i in range(4)]
        spans = [(t - 2 * h, t + h), (t + h, t + 2 * h), (t + 3 * h, None), (t - 3 * h, t)]
        for case_id, (start, end) in zip(ids, spans, strict=True):
            intervals.hand_over(s, case_id, user, now=start, start_reason="claimed")
            if end is not None:
                intervals.hand_over(s, case_id, None, now=end, end_reason="released")
    with db.session() as s:
        got = intervals.intervals_in(s, start=t, end=t + 4 * h, now=t + 10 * h,
                                     user_ids=[specialist.user.id])
        # The one that ended exactly at the start is outside [start, end).
        assert [(c.case_id, c.started_at, c.ended_at, c.open) for c in got] == [
            (ids[0], t, t + h, False), (ids[1], t + h, t + 2 * h, False),
            (ids[2], t + 3 * h, t + 4 * h, True)]
        assert sum(c.seconds for c in got) == 3 * 3600
        # An open interval runs until now, never into the future.
        [open_one] = intervals.intervals_in(s, start=t + 3 * h, end=t + 9 * h,
                                            now=t + 5 * h)
        assert open_one.ended_at == t + 5 * h
        assert intervals.intervals_in(s, start=t, end=t + h, user_ids=[-1], now=t + 9 * h) == []


def test_a_case_has_at_most_one_open_interval(db, specialist):
    with db.session() as s:
        user = s.get(User, specialist.user.id)
        case_id = s.execute(insert(Case).values(
            kind="flag", channel="api", title="c", status="triaged", tier=1, priority=3,
            requester_type="business").returning(Case.id)).scalar_one()
        intervals.hand_over(s, case_id, user, now=datetime.now(UTC), start_reason="claimed")
    with pytest.raises(IntegrityError), db.session() as s:
        intervals.hand_over(s, case_id, s.get(User, specialist.user.id),
                            now=datetime.now(UTC), start_reason="claimed")


def test_a_claim_race_opens_one_interval(db, client, make_person, specialist):
    if db.dialect != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; SQLite serialises writers")
    key = _new(client, specialist)
    people = [make_person("specialist") for _ in range(8)]
    barrier = threading.Barrier(len(people))
    won: list[int] = []
    errors: list[BaseException] = []

    def work(person: Any) -> None:
        try:
            barrier.wait()
            with db.session() as s:
                user = s.get(User, person.user.id)
                case = s.get(Case, int(key.split("-")[1]))
                cases.claim(s, case, user=user, actor=actor_of(user), now=datetime.now(UTC))
            won.append(person.user.id)
        except Conflict:
            pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1
    [row] = _rows(db, key)
    assert (row.user_id, row.ended_at) == (won[0], None)


def test_the_vendor_is_the_vendor_at_the_time(client, db, make_person, make_team, manager):
    """A team moved to another vendor leaves its past work with the vendor it was with."""
    with db.session() as s:
        first, second = Vendor(name="Northwind"), Vendor(name="Atlas")
        s.add_all([first, second])
        s.flush()
        first_id, second_id = first.id, second.id
    team = make_team("Vendor crew", "vendor")
    with db.session() as s:
        s.execute(update(Team).where(Team.id == team.id).values(vendor_id=first_id))
    person = make_person("specialist", team=team)
    key = _new(client, manager)
    _ok(client.post(f"{API}/cases/{key}/claim", headers=person.headers))
    with db.session() as s:
        s.execute(update(Team).where(Team.id == team.id).values(vendor_id=second_id))
    items = _ok(client.get(f"{API}/cases/{key}/work", headers=manager.headers))["items"]
    assert [(i["team"], i["vendor"]) for i in items] == [("Vendor crew", "Northwind")]
    with db.session() as s:
        later = datetime.now(UTC) + timedelta(seconds=1)
        start = later - timedelta(hours=1)
        assert [c.vendor_id for c in intervals.intervals_in(
            s, start=start, end=later, vendor_ids=[first_id], now=later)] == [first_id]
        assert intervals.intervals_in(s, start=start, end=later, vendor_ids=[second_id],
                                      now=later) == []
