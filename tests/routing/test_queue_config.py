"""Queues configured over the API: bounded fields, a team always, edits and deactivation
audited, and a deactivated queue gets no new case."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.routing.manage import MAX_POSITION
from integrity_desk.routing.models import Queue
from integrity_desk.routing.service import claim_next_of_mine
from tests import factories as f

API = "/api/v1"


def _queue(**over):
    return {"slug": "flags-de", "name": "Flags, German", "team": "Northwind BPO",
            "kinds": ["flag"], "tier": 1, "languages": ["de"], "position": 5, **over}


def _config_events(db):
    with db.session() as s:
        return [(e.kind, json.loads(e.payload)) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.chain_key == "config",
                                     AuditEvent.kind.like("queue.%"))
            .order_by(AuditEvent.id))]


def _case_queue(db, key):
    with db.session() as s:
        return s.scalar(select(Queue.slug).join(Case, Case.queue_id == Queue.id)
                        .where(Case.id == int(key.split("-")[1])))


@pytest.fixture
def vendor(make_team):
    return make_team("Northwind BPO", kind="vendor")


@pytest.mark.parametrize(("over", "field"), [
    ({"position": -1}, "position"),
    ({"position": MAX_POSITION + 1}, "position"),
    ({"position": 2**64}, "position"),
    ({"tier": 4}, "tier"),
    ({"kinds": []}, "kinds"),
    ({"kinds": ["rumour"]}, "kinds.0"),
    ({"team": None}, "team"),
    ({"team": "Nobody"}, "team"),
    ({"slug": "Bad Slug"}, "slug"),
])
def test_bad_queues_are_refused(client, manager, vendor, over, field):
    r = client.post(f"{API}/queues", json=_queue(**over), headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert "flags-de" not in [q["slug"] for q in client.get(
        f"{API}/queues?include_inactive=true", headers=manager.headers).json()]


def test_a_queue_without_a_team_cannot_be_created(client, manager):
    body = _queue()
    del body["team"]
    r = client.post(f"{API}/queues", json=body, headers=manager.headers)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "team"


def test_a_created_queue_takes_its_cases_and_is_audited(client, db, manager, vendor):
    r = client.post(f"{API}/queues", json=_queue(), headers=manager.headers)
    assert r.status_code == 201, r.text
    assert r.json()["team"] == "Northwind BPO" and r.json()["active"] is True
    key = client.post(f"{API}/cases", json=f.flag("r-de", review={**f.flag()["review"],
                                                                   "language": "de"}),
                      headers=manager.headers).json()["case"]["key"]
    assert _case_queue(db, key) == "flags-de"
    assert [k for k, _ in _config_events(db)] == ["queue.created"]


def test_a_queue_is_edited_with_before_and_after(client, db, manager, vendor, make_team):
    client.post(f"{API}/queues", json=_queue(), headers=manager.headers)
    make_team("Atlas", kind="vendor")
    r = client.patch(f"{API}/queues/flags-de", json={"team": "Atlas", "position": 0,
                                                     "languages": ["de", "at"]},
                     headers=manager.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["team"], r.json()["position"], r.json()["languages"]) == (
        "Atlas", 0, ["de", "at"])
    kind, payload = _config_events(db)[-1]
    assert kind == "queue.changed"
    assert payload["before"]["team"] == "Northwind BPO" and payload["after"]["team"] == "Atlas"
    assert payload["before"]["position"] == 5 and payload["after"]["position"] == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"team": None}, "team"),
    ({"position": -5}, "position"),
    ({"position": 2**70}, "position"),
    ({"kinds": []}, "kinds"),
    ({"slug": "renamed"}, "slug"),
    ({"active": False}, "active"),
])
def test_bad_edits_are_refused_and_change_nothing(client, db, manager, vendor, body, field):
    client.post(f"{API}/queues", json=_queue(), headers=manager.headers)
    r = client.patch(f"{API}/queues/flags-de", json=body, headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    with db.session() as s:
        queue = s.scalar(select(Queue).where(Queue.slug == "flags-de"))
        assert (queue.team.name, queue.position, queue.active) == ("Northwind BPO", 5, True)


def test_editing_an_unknown_queue_is_404(client, manager):
    r = client.patch(f"{API}/queues/nowhere", json={"position": 1}, headers=manager.headers)
    assert r.status_code == 404


def test_a_deactivated_queue_gets_no_new_cases(client, db, manager, vendor):
    client.post(f"{API}/queues", json=_queue(languages=[], position=1), headers=manager.headers)
    r = client.post(f"{API}/queues/flags-de/deactivate", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    key = client.post(f"{API}/cases", json=f.flag("r-after"),
                      headers=manager.headers).json()["case"]["key"]
    assert _case_queue(db, key) == "flags"  # the next queue that takes flags
    listed = [q["slug"] for q in client.get(f"{API}/queues", headers=manager.headers).json()]
    assert "flags-de" not in listed
    everything = client.get(f"{API}/queues?include_inactive=true",
                            headers=manager.headers).json()
    assert [q["active"] for q in everything if q["slug"] == "flags-de"] == [False]
    r = client.post(f"{API}/queues/flags-de/reactivate", headers=manager.headers)
    assert r.status_code == 200 and r.json()["active"] is True
    key = client.post(f"{API}/cases", json=f.flag("r-back"),
                      headers=manager.headers).json()["case"]["key"]
    assert _case_queue(db, key) == "flags-de"
    assert [k for k, _ in _config_events(db)] == [
        "queue.created", "queue.deactivated", "queue.reactivated"]


def test_a_queue_with_open_cases_is_not_deactivated(client, db, manager, vendor):
    client.post(f"{API}/queues", json=_queue(languages=[], position=1), headers=manager.headers)
    client.post(f"{API}/cases", json=f.flag("r-open"), headers=manager.headers)
    r = client.post(f"{API}/queues/flags-de/deactivate", headers=manager.headers)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["open_cases"] == 1
    assert r.json()["error"]["field"] == "queue"
    with db.session() as s:
        assert s.scalar(select(Queue.active).where(Queue.slug == "flags-de")) is True
    assert [k for k, _ in _config_events(db)] == ["queue.created"]


def test_the_last_queue_of_a_kind_is_not_deactivated(client, db, manager):
    # "legal" is the only default queue that takes legal notices.
    r = client.post(f"{API}/queues/legal/deactivate", headers=manager.headers)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["kinds"] == ["legal_notice"]
    with db.session() as s:
        assert s.scalar(select(Queue.active).where(Queue.slug == "legal")) is True


def test_a_queue_without_a_team_is_reactivated_only_once_given_one(client, db, manager, vendor):
    # The default queues of a fresh desk have no team; "management" overlaps "specialists".
    assert client.post(f"{API}/queues/management/deactivate",
                       headers=manager.headers).status_code == 200
    r = client.post(f"{API}/queues/management/reactivate", headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "team"
    client.patch(f"{API}/queues/management", json={"team": "Northwind BPO"},
                 headers=manager.headers)
    r = client.post(f"{API}/queues/management/reactivate", headers=manager.headers)
    assert r.status_code == 200 and r.json()["active"] is True


def test_only_managers_configure_queues(client, db, make_person, vendor):
    agent = make_person("agent", team=vendor)
    specialist = make_person("specialist")
    for person in (agent, specialist):
        assert client.post(f"{API}/queues", json=_queue(),
                           headers=person.headers).status_code == 403
        assert client.patch(f"{API}/queues/flags", json={"position": 1},
                            headers=person.headers).status_code == 403
        assert client.post(f"{API}/queues/flags/deactivate",
                           headers=person.headers).status_code == 403
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(active=False))
    assert client.post(f"{API}/queues/flags/reactivate",
                       headers=specialist.headers).status_code == 403


def test_a_case_left_in_an_inactive_queue_is_still_claimed(client, db, manager, specialist):
    """An intake that routed by the configuration read just before a deactivation committed
    can land a case in the inactive queue: "claim next" still finds it."""
    key = client.post(f"{API}/cases", json=f.flag("r-late"),
                      headers=manager.headers).json()["case"]["key"]
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(active=False))
    with db.session() as s:
        user = s.get(User, specialist.user.id)
        claimed = claim_next_of_mine(s, user=user, actor=actor_of(user), now=utcnow())
    assert claimed is not None and claimed[0] == int(key.split("-")[1])
