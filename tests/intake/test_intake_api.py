"""Intake over POST /api/v1/cases: every kind, its validation, and dedupe into open cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from integrity_desk.dsa.models import TrustedFlagger
from tests import factories as f
from tests.helpers import decide_no_action

API = "/api/v1"


def _post(client: Any, person: Any, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/cases", json=body, headers=person.headers)


def _created(client: Any, person: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = _post(client, person, body)
    assert r.status_code == 201, r.text
    assert r.json()["outcome"] == "created"
    return r.json()["case"]


def _invalid(r: Any, field: str) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == field, error
    return error


def _detail(client: Any, person: Any, key: str) -> dict[str, Any]:
    r = client.get(f"{API}/cases/{key}", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _decided_flag(client: Any, person: Any, ref: str = "r1") -> str:
    key = _created(client, person, f.flag(ref))["key"]
    h = person.headers
    assert client.post(f"{API}/cases/{key}/claim", headers=h).status_code == 200
    r = decide_no_action(client, person, key)
    assert r.status_code == 201, r.text
    return key


def _add_flagger(db: Any, name: str = "Consumer Watch Europe", *, areas: list[str] | None = None,
                 active: bool = True) -> None:
    with db.session() as s:
        s.add(TrustedFlagger(name=name, country="DE", coordinator="Bundesnetzagentur",
                             areas=["fake"] if areas is None else areas, active=active))


# -- every kind ---------------------------------------------------------------------------------

KINDS = [
    # factory, key prefix, tier, queue, priority, score (fresh database: no earlier cases)
    (f.flag, "FLG", 1, "flags", "P3", 20),                       # kind 10 + fake 10
    (f.csm, "CSM", 2, "specialists", "P1", 65),                  # 30 + enterprise 20 + €120k 15
    (f.executive, "EXE", 2, "specialists", "P2", 60),            # 50 + executive requester 10
    (f.legal, "LGL", 3, "legal", "P1", 80),                      # 40 + law firm 10 + 72 h 30
    (f.investigation, "INV", 2, "specialists", "P3", 30),        # 30
]


@pytest.mark.parametrize(("factory", "prefix", "tier", "queue", "priority", "score"), KINDS,
                         ids=[k[1] for k in KINDS])
def test_intake_of_each_kind(client, manager, factory, prefix, tier, queue, priority, score):
    case = _created(client, manager, factory())
    assert case["key"] == f"{prefix}-{case['id']}"
    assert case["status"] == "triaged"
    assert (case["tier"], case["queue"], case["priority"], case["priority_score"]) == (
        tier, queue, priority, score)
    detail = _detail(client, manager, case["key"])
    reasons = detail["priority_reasons"]
    assert reasons and sum(r["points"] for r in reasons) == detail["priority_score"] == score
    assert all(r["why"] for r in reasons)
    sla = detail["sla"]
    created = _t(detail["created_at"])
    first, resolution = _t(sla["first_response"]["due_at"]), _t(sla["resolution"]["due_at"])
    assert created < first <= resolution
    assert _t(sla["resolution"]["at_risk_at"]) < resolution
    assert sla["resolution"]["state"] == "on_track"


def test_flag_sla_follows_policy_for_its_priority(client, specialist):
    case = _created(client, specialist, f.flag())
    created = _t(case["created_at"])
    # P3 flag: base 8 h / 48 h at P2, times 1.5; the default desk runs 24/7.
    assert _t(case["sla"]["first_response"]["due_at"]) - created == timedelta(hours=12)
    assert _t(case["sla"]["resolution"]["due_at"]) - created == timedelta(hours=72)
    assert case["subjects"] == [{"type": "review", "id": case["subjects"][0]["id"], "ref": "r1",
                                 "role": "primary", "label": "Best ever!!!",
                                 "extra": {"rating": 5, "language": "en",
                                           "status": "published"}}]
    assert case["language"] == "en"  # taken from the review


def test_legal_notice_is_restricted_and_due_by_its_deadline(client, manager, specialist):
    deadline = datetime.now(UTC) + timedelta(hours=2)
    case = _created(client, manager, f.legal(deadline=deadline.isoformat()))
    assert case["legal_restricted"] is True
    assert case["priority"] == "P0"  # 40 + 10 + deadline within 24 h 50
    assert _t(case["legal_deadline"]) == deadline
    # P0 legal target is 9 h; the letter's 2 h deadline wins.
    assert _t(case["sla"]["resolution"]["due_at"]) == deadline
    assert _t(case["sla"]["resolution"]["at_risk_at"]) <= deadline
    assert [s["ref"] for s in case["subjects"]] == ["r77"]  # found in the URL
    # A specialist may not even see that it exists.
    assert client.get(f"{API}/cases/{case['key']}", headers=specialist.headers).status_code == 404


def test_legal_notice_with_a_far_deadline_still_due_before_it(client, manager):
    deadline = datetime.now(UTC) + timedelta(days=30)
    case = _created(client, manager, f.legal(deadline=deadline.isoformat()))
    assert _t(case["sla"]["resolution"]["due_at"]) <= deadline
    assert case["priority"] == "P2"  # 40 + 10, no deadline points


def test_trusted_flagger_notice_within_its_area(client, db, manager):
    _add_flagger(db)
    case = _created(client, manager, f.trusted_flagger("consumer watch europe"))
    assert case["key"].startswith("TFN-")
    assert (case["tier"], case["queue"]) == (2, "specialists")
    detail = _detail(client, manager, case["key"])
    reasons = {r["rule"]: r["points"] for r in detail["priority_reasons"]}
    assert reasons == {"kind": 35, "harm": 10, "trusted-flagger": 30}
    assert detail["priority_score"] == 75 and detail["priority"] == "P1"
    assert detail["requester"]["organisation"] == "Consumer Watch Europe"
    assert detail["details"]["within_area"] is True


def test_trusted_flagger_notice_outside_its_area_gets_no_bonus(client, db, manager):
    _add_flagger(db, areas=["fake"])
    case = _created(client, manager, f.trusted_flagger(category="advertising_spam"))
    detail = _detail(client, manager, case["key"])
    reasons = {r["rule"]: r["points"] for r in detail["priority_reasons"]}
    assert "trusted-flagger" not in reasons
    assert detail["priority_score"] == sum(reasons.values()) == 40  # 35 + spam 5
    assert detail["details"]["within_area"] is False


@pytest.mark.parametrize("active", [True, False], ids=["unknown", "inactive"])
def test_trusted_flagger_without_status_is_refused(client, db, manager, active):
    if not active:
        _add_flagger(db, active=False)
    r = _post(client, manager, f.trusted_flagger())
    _invalid(r, "trusted_flagger")


def test_trusted_flagger_notice_needs_a_review(client, db, manager):
    _add_flagger(db)
    r = _post(client, manager, f.trusted_flagger(reviews=[], urls=[]))
    _invalid(r, "reviews")


def test_trusted_flagger_notice_finds_reviews_by_url(client, db, manager):
    _add_flagger(db)
    case = _created(client, manager, f.trusted_flagger(
        reviews=[], urls=["https://reviews.example.com/reviews/abc12"]))
    assert [s["ref"] for s in case["subjects"]] == ["abc12"]


def test_appeal_against_a_decided_case(client, manager):
    contested = _decided_flag(client, manager)
    case = _created(client, manager, f.appeal(contested))
    assert case["key"].startswith("APL-")
    assert (case["tier"], case["queue"]) == (2, "specialists")
    detail = _detail(client, manager, case["key"])
    assert detail["details"]["contested_case"] == contested
    assert detail["category"] == "fake"  # inherited from the decision
    assert [s["ref"] for s in detail["subjects"]] == ["r1"]
    assert sum(r["points"] for r in detail["priority_reasons"]) == detail["priority_score"]


# -- validation ---------------------------------------------------------------------------------

def _without(body: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != name}


@pytest.mark.parametrize(("body", "field"), [
    (_without(f.legal(), "good_faith_statement"), "good_faith_statement"),
    (f.legal(good_faith_statement=False), "good_faith_statement"),
    (_without(f.legal(), "urls"), "urls"),
    (f.legal(urls=[]), "urls"),
    (f.legal(urls=["not a url"]), "urls.0"),
    (f.legal(jurisdiction="Germany"), "jurisdiction"),
    (f.legal(jurisdiction="de"), "jurisdiction"),
    (f.legal(deadline="2030-01-01T10:00:00"), "deadline"),
    (_without(f.csm(), "business_domain"), "business_domain"),
    (f.csm(business_domain="not a domain"), "business_domain"),
    (f.csm(revenue_at_stake=-1), "revenue_at_stake"),
    (_without(f.executive(), "business_impact"), "business_impact"),
    (f.executive(business_impact="   "), "business_impact"),
    (f.flag(category="made_up"), "category"),
    (f.flag(unknown_field=1), "unknown_field"),
    (f.csm(notes="extra"), "notes"),
    (f.flag(review={"ref": "r1", "rating": 9}), "review.rating"),
    (f.investigation(title="ab"), "title"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_invalid_requests_name_the_field(client, manager, body, field):
    r = _post(client, manager, body)
    _invalid(r, field)


def test_invalid_request_creates_nothing(client, manager):
    _invalid(_post(client, manager, f.legal(good_faith_statement=False)), "good_faith_statement")
    assert client.get(f"{API}/cases", headers=manager.headers).json()["items"] == []


def test_appeal_against_an_undecided_case_is_refused(client, manager):
    key = _created(client, manager, f.flag())["key"]
    error = _invalid(_post(client, manager, f.appeal(key)), "contested_case")
    assert key in error["message"]


@pytest.mark.parametrize("contested", ["FLG-999", "CSM-1", "nonsense", "FLG-²", "9" * 25])
def test_appeal_against_an_unknown_case_is_refused(client, manager, contested):
    _decided_flag(client, manager)  # FLG-1 exists and is decided, but is no CSM-1
    _invalid(_post(client, manager, f.appeal(contested)), "contested_case")


def _backdate(db: Any, key: str, days: int, *, sent_days: int | None = None) -> None:
    """Move the contested decision (and, optionally, a letter about it) into the past."""
    from sqlalchemy import update

    from integrity_desk.cases.domain import parse_case_key
    from integrity_desk.decisions.models import Decision
    from integrity_desk.messages.domain import decision_notice_key
    from integrity_desk.messages.models import OutboxMessage

    case_id = parse_case_key(key)[1]
    now = datetime.now(UTC)
    with db.session() as s:
        decision = s.query(Decision).filter_by(case_id=case_id).one()
        decision.decided_at = now - timedelta(days=days)
        if sent_days is not None:
            s.execute(update(OutboxMessage).where(
                OutboxMessage.idempotency_key == decision_notice_key(decision.id))
                .values(status="sent", sent_at=now - timedelta(days=sent_days)))


def test_appeal_window_runs_six_months_from_the_desks_record(client, db, manager):
    contested = _decided_flag(client, manager)
    _backdate(db, contested, 186)
    error = _invalid(_post(client, manager, f.appeal(contested)), "contested_case")
    assert "window closed" in error["message"]
    # The notifier's letter went out 170 days ago: the window runs from when it was sent.
    _backdate(db, contested, 186, sent_days=170)
    assert _created(client, manager, f.appeal(contested))["key"].startswith("APL-")


def test_appeal_window_is_open_within_six_months_of_the_decision(client, db, manager):
    contested = _decided_flag(client, manager)
    _backdate(db, contested, 150)
    key = _created(client, manager, f.appeal(contested))["key"]
    informed = datetime.fromisoformat(_detail(client, manager, key)["details"]["informed_at"])
    assert abs((datetime.now(UTC) - informed) - timedelta(days=150)) < timedelta(minutes=1)


@pytest.mark.parametrize("informed_at", [
    datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1),
    (datetime.now(UTC) - timedelta(days=1)).replace(tzinfo=None)])
def test_a_date_of_being_informed_in_the_request_is_refused(client, manager, informed_at):
    contested = _decided_flag(client, manager)
    body = f.appeal(contested, informed_at=informed_at.isoformat())
    error = _invalid(_post(client, manager, body), "informed_at")
    assert "leave it out" in error["message"]


def test_an_appeal_after_the_appeal_was_decided_is_refused_with_the_reason(
        client, manager, make_person):
    contested = _decided_flag(client, manager)
    appeal = _created(client, manager, f.appeal(contested))["key"]
    colleague = make_person("manager")
    assert client.post(f"{API}/cases/{appeal}/claim", headers=colleague.headers
                       ).status_code == 200
    r = client.post(f"{API}/cases/{appeal}/appeal-outcome", headers=colleague.headers,
                    json={"outcome": "upheld", "reasoning": "The decision stands."})
    assert r.status_code == 201, r.text
    again = _post(client, manager, f.appeal(contested, appellant_type="business"))
    error = _invalid(again, "contested_case")
    assert "was decided on" in error["message"] and "Art. 21" in error["message"]
    assert appeal not in error["message"]
    linked = _detail(client, manager, appeal)["linked_requests"]
    assert linked == 0  # it did not silently join the decided appeal


# -- dedupe -------------------------------------------------------------------------------------

def test_second_flag_on_the_same_review_joins_the_open_case(client, specialist, manager):
    first = _created(client, specialist, f.flag())
    body = f.flag(reporter_type="consumer", reporter={"name": "Cara Consumer",
                                                      "email": "cara@mail.example.com"})
    r = _post(client, manager, body)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "linked"
    assert r.json()["case"]["key"] == first["key"]
    assert r.json()["case"]["linked_requests"] == 1
    assert _detail(client, specialist, first["key"])["linked_requests"] == 1
    requests = client.get(f"{API}/cases/{first['key']}/requests",
                          headers=specialist.headers).json()["items"]
    assert [(q["requester_type"], q["requester_name"], q["requester_contact"])
            for q in requests] == [("consumer", "C. C.", "c***@m***.com")]  # masked
    timeline = client.get(f"{API}/cases/{first['key']}/timeline",
                          headers=specialist.headers).json()["items"]
    assert [e["kind"] for e in timeline] == ["case.created", "request.linked"]
    assert timeline[1]["payload"]["requester_type"] == "consumer"
    assert len(client.get(f"{API}/cases", headers=manager.headers).json()["items"]) == 1


def test_flag_on_another_review_opens_its_own_case(client, specialist):
    a = _created(client, specialist, f.flag("r1"))
    b = _created(client, specialist, f.flag("r2"))
    assert a["key"] != b["key"]


def test_after_the_case_is_closed_a_new_flag_opens_a_new_case(client, specialist):
    key = _decided_flag(client, specialist)
    r = client.post(f"{API}/cases/{key}/transition", json={"action": "close"},
                    headers=specialist.headers)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    again = _created(client, specialist, f.flag())
    assert again["key"] != key
    assert _detail(client, specialist, key)["linked_requests"] == 0
    # The new case knows there was an earlier one about the same review.
    reasons = {r["rule"]: r["points"]
               for r in _detail(client, specialist, again["key"])["priority_reasons"]}
    assert reasons["repeat-subject"] == 5


def test_legal_notices_never_dedupe(client, manager):
    a = _created(client, manager, f.legal())
    b = _created(client, manager, f.legal())
    assert a["key"] != b["key"]
    assert a["linked_requests"] == b["linked_requests"] == 0


def test_escalations_dedupe_by_business(client, manager):
    a = _created(client, manager, f.csm("shop.example.com"))
    r = _post(client, manager, f.csm("SHOP.example.com", revenue_at_stake=5))
    assert r.status_code == 200 and r.json()["outcome"] == "linked"
    assert r.json()["case"]["key"] == a["key"]
    other = _created(client, manager, f.csm("other.example.com"))
    assert other["key"] != a["key"]
