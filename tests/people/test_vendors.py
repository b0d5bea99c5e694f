"""Teams and vendors: the service's rules (each refusal names its field) and the API's round
trips, on both databases."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.errors import Conflict, DeskError, InvalidInput
from integrity_desk.people import teams, vendors
from integrity_desk.people.models import VendorContract
from tests.conftest import Person

API = "/api/v1"
WEEKDAYS = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def _refused(call: Any, **kwargs: Any) -> DeskError:
    with pytest.raises(DeskError) as caught:
        call(**kwargs)
    return caught.value


def _kinds(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.kind).where(AuditEvent.chain_key == "config",
                                                            AuditEvent.kind.like("%vendor%")
                                                            | AuditEvent.kind.like("team.%"))
                              .order_by(AuditEvent.id)))


def test_a_vendor_team_has_its_vendor_and_an_internal_one_none(db: Database) -> None:
    with db.session() as s:
        vendors.create_vendor(s, actor=SYSTEM, name="Northwind", time_zone="America/Chicago")
        error = _refused(teams.create_team, session=s, actor=SYSTEM, name="NW", kind="vendor")
        assert isinstance(error, InvalidInput) and error.field == "vendor"
        error = _refused(teams.create_team, session=s, actor=SYSTEM, name="Desk",
                         kind="internal", vendor="Northwind")
        assert error.field == "vendor"
        error = _refused(teams.create_team, session=s, actor=SYSTEM, name="NW", kind="vendor",
                         vendor="Nobody")
        assert error.field == "vendor" and "Nobody" in error.message
        team = teams.create_team(s, actor=SYSTEM, name="NW", kind="vendor", vendor="Northwind")
        error = _refused(teams.create_team, session=s, actor=SYSTEM, name="NW")
        assert isinstance(error, Conflict) and error.field == "name"
        changed = teams.update_team(s, actor=SYSTEM, team_id=team.id,
                                    changes={"kind": "internal"})
        assert changed.vendor is None
        error = _refused(teams.update_team, session=s, actor=SYSTEM, team_id=team.id,
                         changes={"kind": "vendor"})
        assert error.field == "vendor"
    assert _kinds(db) == ["vendor.created", "team.created", "team.updated"]


@pytest.mark.parametrize(("coverage", "field", "says"), [
    ({"monday": [["08:00", "20:00"]]}, "coverage", "unknown day"),
    ({"mon": [["8:00", "20:00"]]}, "coverage.mon", "HH:MM"),
    ({"mon": [["20:00", "08:00"]]}, "coverage.mon", "start comes before"),
    ({"tue": [["08:00", "12:00"], ["11:00", "14:00"]]}, "coverage.tue", "overlap"),
    ({"wed": [["08:00"]]}, "coverage.wed", "[start, end]"),
    ({"thu": "08:00-20:00"}, "coverage.thu", "list"),
])
def test_coverage_is_a_weekly_pattern(db: Database, coverage: dict[str, Any], field: str,
                                      says: str) -> None:
    with db.session() as s:
        error = _refused(vendors.create_vendor, session=s, actor=SYSTEM, name="V",
                         coverage=coverage)
    assert isinstance(error, InvalidInput) and error.field == field and says in error.message


def test_vendor_fields_are_checked(db: Database) -> None:
    with db.session() as s:
        assert _refused(vendors.create_vendor, session=s, actor=SYSTEM, name="V",
                        time_zone="Mars/Olympus").field == "time_zone"
        assert _refused(vendors.create_vendor, session=s, actor=SYSTEM, name="V",
                        languages=["English"]).field == "languages"
        vendor = vendors.create_vendor(s, actor=SYSTEM, name="Atlas", languages=["pt", "de"],
                                       time_zone="Europe/Lisbon", coverage={
                                           "sat": [["12:00", "24:00"], ["00:00", "06:00"]]})
        assert vendor.languages == ["de", "pt"]
        assert vendor.coverage == {"sat": [["00:00", "06:00"], ["12:00", "24:00"]]}
        assert isinstance(_refused(vendors.create_vendor, session=s, actor=SYSTEM,
                                   name="atlas"), Conflict)
        vendors.update_vendor(s, actor=SYSTEM, vendor_id=vendor.id,
                              changes={"coverage": WEEKDAYS, "active": False})
        assert vendor.coverage == WEEKDAYS and vendor.active is False


def test_contracts_never_overlap(db: Database) -> None:
    jan, jul = date(2026, 1, 1), date(2026, 7, 1)
    with db.session() as s:
        vendor = vendors.create_vendor(s, actor=SYSTEM, name="Northwind")
        for name, value in (("qa_accuracy", 1.5), ("first_response_attainment", -0.1),
                            ("aht_minutes", 0)):
            error = _refused(vendors.set_contract, session=s, actor=SYSTEM,
                             vendor_id=vendor.id, starts_on=jan, targets={name: value})
            assert error.field == name
        assert _refused(vendors.set_contract, session=s, actor=SYSTEM, vendor_id=vendor.id,
                        starts_on=jan, ends_on=jan - timedelta(days=1)).field == "ends_on"
        assert _refused(vendors.set_contract, session=s, actor=SYSTEM, vendor_id=vendor.id,
                        starts_on=date(1, 1, 1)).field == "starts_on"
        first = vendors.set_contract(s, actor=SYSTEM, vendor_id=vendor.id, starts_on=jan,
                                     targets={"qa_accuracy": 0.97, "aht_minutes": 6})
        vendors.set_commitments(s, actor=SYSTEM, vendor_id=vendor.id,
                                commitments=[vendors.Commitment("flags", 1_000)])
        second = vendors.set_contract(s, actor=SYSTEM, vendor_id=vendor.id, starts_on=jul,
                                      targets={"qa_accuracy": 0.98})
        assert first.ends_on == date(2026, 6, 30) and second.ends_on is None
        assert [c.weekly_volume for c in second.commitments] == [1_000]  # carried over
        assert second.aht_minutes is None  # no target
        error = _refused(vendors.set_contract, session=s, actor=SYSTEM, vendor_id=vendor.id,
                         starts_on=date(2026, 3, 1))
        assert error.field == "starts_on" and "overlap" in error.message
        amended = vendors.set_contract(s, actor=SYSTEM, vendor_id=vendor.id, starts_on=jul,
                                       targets={"qa_accuracy": 0.99})
        assert amended.id == second.id and amended.qa_accuracy == 0.99
        assert vendors.contract_in_force(s, vendor.id, date(2026, 2, 1)).id == first.id
        assert vendors.contract_in_force(s, vendor.id, date(2027, 2, 1)).id == second.id
        assert vendors.contract_in_force(s, vendor.id, date(2025, 2, 1)) is None
        assert len(list(s.scalars(select(VendorContract)))) == 2


def test_commitments_need_a_contract_and_known_queues(db: Database) -> None:
    with db.session() as s:
        vendor = vendors.create_vendor(s, actor=SYSTEM, name="Atlas")
        assert _refused(vendors.set_commitments, session=s, actor=SYSTEM, vendor_id=vendor.id,
                        commitments=[]).field == "contract"
        vendors.set_contract(s, actor=SYSTEM, vendor_id=vendor.id, starts_on=date(2026, 1, 1))
        assert _refused(vendors.set_commitments, session=s, actor=SYSTEM, vendor_id=vendor.id,
                        commitments=[vendors.Commitment("nowhere", 5)]).field == "queue"
        assert _refused(vendors.set_commitments, session=s, actor=SYSTEM, vendor_id=vendor.id,
                        commitments=[vendors.Commitment("flags", 5),
                                     vendors.Commitment("flags", 6)]).field == "commitments"
    with db.session() as s:
        contract = vendors.set_commitments(s, actor=SYSTEM, vendor_id=vendor.id,
                                           commitments=[vendors.Commitment("flags", 5)])
        contract = vendors.set_commitments(s, actor=SYSTEM, vendor_id=vendor.id,
                                           commitments=[vendors.Commitment("flags", 7)])
        assert [c.weekly_volume for c in contract.commitments] == [7]
    with db.session() as s:
        payload = json.loads(s.scalars(select(AuditEvent.payload).where(
            AuditEvent.kind == "vendor.commitments_set").order_by(AuditEvent.id.desc())).first())
    assert payload["before"] == {"flags": 5} and payload["after"] == {"flags": 7}


def test_api_round_trip(client: TestClient, manager: Person, make_person: Any) -> None:
    h = manager.headers
    r = client.post(f"{API}/vendors", headers=h, json={
        "name": "Northwind", "languages": ["en"], "time_zone": "America/Chicago",
        "coverage": WEEKDAYS})
    assert r.status_code == 201, r.text
    vendor = r.json()
    assert vendor["contract"] is None and vendor["contracts"] == []
    r = client.post(f"{API}/vendors", headers=h, json={"name": "X", "coverage": {
        "mon": [["09:00", "08:00"]]}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "coverage.mon"
    r = client.post(f"{API}/teams", headers=h, json={"name": "NW", "kind": "vendor"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "vendor"
    r = client.post(f"{API}/teams", headers=h,
                    json={"name": "NW", "kind": "vendor", "vendor": "Northwind"})
    assert r.status_code == 201 and r.json()["vendor"] == "Northwind"
    team_id = r.json()["id"]
    r = client.patch(f"{API}/teams/{team_id}", headers=h, json={"name": "Northwind BPO"})
    assert r.status_code == 200 and r.json()["name"] == "Northwind BPO"
    url = f"{API}/vendors/{vendor['id']}"
    r = client.put(f"{url}/contract", headers=h, json={
        "starts_on": "2026-01-01", "first_response_attainment": 0.95, "aht_minutes": 6.5})
    assert r.status_code == 200, r.text
    r = client.put(f"{url}/contract", headers=h, json={"starts_on": "2026-01-01",
                                                       "qa_accuracy": 2})
    assert r.status_code == 422 and r.json()["error"]["field"] == "qa_accuracy"
    r = client.put(f"{url}/commitments", headers=h,
                   json={"commitments": [{"queue": "flags", "weekly_volume": 1200}]})
    assert r.status_code == 200, r.text
    r = client.patch(url, headers=h, json={"languages": ["en", "es"]})
    assert r.status_code == 200 and r.json()["languages"] == ["en", "es"]
    shown = client.get(url, headers=h).json()
    assert shown["teams"] == ["Northwind BPO"]
    assert shown["contract"]["first_response_attainment"] == 0.95
    assert shown["contract"]["qa_accuracy"] is None
    assert shown["contract"]["commitments"] == [{"queue": "flags", "weekly_volume": 1200}]
    assert len(shown["contracts"]) == 1 and shown["contracts"][0]["in_force"] is True
    assert [v["name"] for v in client.get(f"{API}/vendors", headers=h).json()] == ["Northwind"]
    agent = make_person("agent")
    assert client.get(f"{API}/vendors", headers=agent.headers).status_code == 403
    assert "Northwind BPO" in [t["name"] for t in
                               client.get(f"{API}/teams", headers=agent.headers).json()]
    assert client.get(f"{API}/vendors/999", headers=h).status_code == 404


def test_team_and_vendor_names_are_unique_whatever_their_case(db: Database) -> None:
    with db.session() as s:
        vendors.create_vendor(s, actor=SYSTEM, name="Atlas")
        teams.create_team(s, actor=SYSTEM, name="Desk")
        for call, kwargs in ((vendors.create_vendor, {"name": "ATLAS"}),
                             (teams.create_team, {"name": "desk "})):
            error = _refused(call, session=s, actor=SYSTEM, **kwargs)
            assert isinstance(error, Conflict) and error.field == "name"
