"""GET/PUT /triage/rules: everyone reads, managers replace the set (audited), cases follow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import verify
from integrity_desk.triage.defaults import DEFAULT_RULES
from tests import factories as f

API = "/api/v1"
THRESHOLDS = {"name": "thresholds", "factor": "priority_thresholds",
              "params": {"P0": 90, "P1": 65, "P2": 40, "P3": 20}}


def _rules(client: Any, person: Any) -> list[dict[str, Any]]:
    r = client.get(f"{API}/triage/rules", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()["rules"]


def _put(client: Any, person: Any, rules: list[dict[str, Any]]) -> Any:
    return client.put(f"{API}/triage/rules", json={"rules": rules}, headers=person.headers)


def _config_events(db: Any) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.chain_key == "config")
                              .order_by(AuditEvent.seq)))


def test_anyone_reads_the_default_rules_in_order(client, make_person):
    viewer = make_person("viewer")
    rules = _rules(client, viewer)
    assert [(r["name"], r["factor"]) for r in rules] == [
        (r["name"], r["factor"]) for r in DEFAULT_RULES]
    assert rules[0]["params"]["points"]["legal_notice"] == 40
    assert all(r["active"] for r in rules)


def test_only_managers_replace_rules(client, specialist):
    r = _put(client, specialist, [THRESHOLDS])
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert len(_rules(client, specialist)) == len(DEFAULT_RULES)


def test_replacing_rules_is_audited_and_applies_to_new_cases(client, db, manager, specialist,
                                                            settings):
    before = client.post(f"{API}/cases", json=f.flag(ref="r1"), headers=specialist.headers)
    assert before.status_code == 201
    old = before.json()["case"]
    new_rules = [{"name": "kind-only", "factor": "kind", "params": {"points": {"flag": 77}}},
                 THRESHOLDS]
    r = _put(client, manager, new_rules)
    assert r.status_code == 200, r.text
    assert [x["name"] for x in r.json()["rules"]] == ["kind-only", "thresholds"]
    assert [x["name"] for x in _rules(client, specialist)] == ["kind-only", "thresholds"]

    events = _config_events(db)
    assert [e.kind for e in events] == ["triage.rules_changed"]
    assert events[0].category == "audit"
    assert events[0].actor_id == manager.user.id
    payload = json.loads(events[0].payload)
    assert [x["name"] for x in payload["before"]] == [x["name"] for x in DEFAULT_RULES]
    assert payload["after"][0]["params"] == {"points": {"flag": 77}}

    after = client.post(f"{API}/cases", json=f.flag(ref="r2"), headers=specialist.headers)
    assert after.status_code == 201, after.text
    case = after.json()["case"]
    assert (case["priority_score"], case["priority"]) == (77, "P1")
    detail = client.get(f"{API}/cases/{case['key']}", headers=specialist.headers).json()
    assert detail["priority_reasons"] == [
        {"rule": "kind-only", "factor": "kind", "points": 77, "why": "case kind flag"}]
    # Cases triaged earlier keep their score.
    kept = client.get(f"{API}/cases/{old['key']}", headers=specialist.headers).json()
    assert kept["priority_score"] == old["priority_score"] != 77
    with db.session() as s:
        assert verify(s, secret=settings.secret_key).ok


def test_inactive_rules_are_kept_but_not_scored(client, manager, specialist):
    rules = [{"name": "kind", "factor": "kind", "params": {"points": {"flag": 30}}},
             {"name": "harm", "factor": "harm_severity", "params": {"points": {"fake": 50}},
              "active": False},
             THRESHOLDS]
    assert _put(client, manager, rules).status_code == 200
    assert [r["active"] for r in _rules(client, manager)] == [True, False, True]
    case = client.post(f"{API}/cases", json=f.flag(), headers=specialist.headers).json()["case"]
    assert (case["priority_score"], case["priority"]) == (30, "P3")


@pytest.mark.parametrize(("rules", "field", "message"), [
    ([THRESHOLDS, {"name": "x", "factor": "astrology", "params": {}}], "rules.1.params",
     "unknown factor 'astrology'"),
    ([{**THRESHOLDS, "params": {"P0": 10, "P1": 65, "P2": 40, "P3": 20}}], "rules.0.params",
     "P0 ≥ P1 ≥ P2 ≥ P3"),
    ([THRESHOLDS, THRESHOLDS, {"name": "rev", "factor": "revenue_at_stake",
                               "params": {"bands": [[1000]]}}], "rules", "unique"),
    ([THRESHOLDS, {"name": "rev", "factor": "revenue_at_stake",
                   "params": {"bands": [[1000]]}}], "rules.1.params", "bands must be a list"),
    ([{"name": "kind", "factor": "kind", "params": {"points": 10}}], "rules.0.params",
     "points must be a mapping"),
])
def test_bad_rule_sets_are_refused_and_change_nothing(client, db, manager, rules, field,
                                                      message):
    r = _put(client, manager, rules)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field
    assert message in error["message"]
    assert [x["name"] for x in _rules(client, manager)] == [x["name"] for x in DEFAULT_RULES]
    assert _config_events(db) == []


@pytest.mark.parametrize(("body", "field"), [
    ({"rules": []}, "rules"),
    ({"rules": [{**THRESHOLDS, "weight": 3}]}, "rules.0.weight"),
    ({"rules": [{**THRESHOLDS, "name": ""}]}, "rules.0.name"),
])
def test_malformed_bodies_are_refused(client, manager, body, field):
    r = client.put(f"{API}/triage/rules", json=body, headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_a_refused_rule_never_breaks_intake(client, manager, specialist):
    """Bands with a non-numeric threshold used to pass and then crash every intake."""
    bad = [{"name": "rev", "factor": "revenue_at_stake", "params": {"bands": [["lots", 5]]}}]
    assert _put(client, manager, bad).status_code == 422
    r = client.post(f"{API}/cases", json=f.csm(), headers=specialist.headers)
    assert r.status_code == 201, r.text
