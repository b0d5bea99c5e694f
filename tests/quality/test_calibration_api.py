"""Calibration exercises over the API: a manager builds one from a decided case and a
synthetic item, members answer blind, closing certifies who passed, and a queue that
requires the certification then gives them work. Refusals name their field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.routing.settings import change_routing_settings
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _decided_case(client: TestClient, person: Person, ref: str) -> str:
    r = client.post(f"{API}/cases", json=f.flag(ref), headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    r = client.post(f"{API}/cases/{key}/decisions", headers=person.headers, json={
        "guideline": "fake", "explanation": "The text matches a known template.",
        "facts": "Reported by the business; no order found.", "territorial_scope": ["DE"],
        "actions": [{"action": "remove_review", "subject": f"review:{ref}"}]})
    assert r.status_code == 201, r.text
    return key


def _exercise(client: TestClient, manager: Person, members: list[Person], key: str,
              **over: Any) -> tuple[int, list[int]]:
    r = client.post(f"{API}/calibrations", headers=manager.headers, json={
        "title": "Fake reviews, week 49", "instructions": "Decide as you would on shift.",
        "min_alpha": 0.6, "min_agreement": 0.9, "certification": "flags-ready",
        "valid_days": 180, **over})
    assert r.status_code == 201, r.text
    ex = r.json()["exercise"]["id"]
    r = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers,
                    json={"case": key})
    assert r.status_code == 201, r.text
    assert r.json()["reference"] == "remove_review · fake"
    assert r.json()["reference_from"] == "decision"
    r = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers, json={
        "title": "A glowing review from the owner's cousin", "text": "Best bakery ever!!",
        "reference_action": "keep"})
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/calibrations/{ex}/invitations", headers=manager.headers,
                    json={"user_ids": [m.user.id for m in members]})
    assert r.status_code == 200, r.text
    items = [i["id"] for i in r.json()["items"]]
    return ex, items


def _answer(client: TestClient, person: Person, ex: int, item: int, action: str,
            guideline: str | None = None) -> Any:
    return client.put(f"{API}/calibrations/{ex}/items/{item}/answer", headers=person.headers,
                      json={"action": action, "guideline": guideline})


def test_members_answer_blind_until_the_exercise_closes(
        client: TestClient, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben, stranger = make_person("agent"), make_person("specialist"), make_person("agent")
    key = _decided_case(client, manager, "r1")
    ex, (case_item, synthetic) = _exercise(client, manager, [ana, ben], key)
    # A draft is the manager's business: not even the invited see it.
    assert client.get(f"{API}/calibrations/{ex}/mine", headers=ana.headers).status_code == 404
    assert client.get(f"{API}/calibrations/mine", headers=ana.headers).json() == []
    assert client.post(f"{API}/calibrations/{ex}/open", headers=manager.headers
                       ).status_code == 200
    assert [e["id"] for e in client.get(f"{API}/calibrations/mine",
                                        headers=ana.headers).json()] == [ex]

    assert _answer(client, ana, ex, case_item, "keep").status_code == 200
    r = _answer(client, ana, ex, synthetic, "remove_review", "fake")
    assert r.status_code == 200, r.text
    mine = client.get(f"{API}/calibrations/{ex}/mine", headers=ben.headers)
    assert mine.status_code == 200
    body = mine.json()
    # Ben sees the items' content, no answer (Ana's are not his), no reference, no case.
    assert [i["action"] for i in body["items"]] == [None, None]
    assert body["mine"] is None and body["group"] is None and body["references"] is None
    assert key not in mine.text and "reference" not in body["items"][0]
    assert "case_id" not in body["items"][0]
    # Nor the review's reference, which the desk's search would lead from to the case.
    assert "r1" not in json.dumps(body["items"][0])
    assert body["items"][0]["content"]["subjects"][0]["name"] == "review 1"
    assert body["items"][1]["content"]["text"] == "Best bakery ever!!"
    # Ana sees her own answers.
    own = client.get(f"{API}/calibrations/{ex}/mine", headers=ana.headers).json()
    assert [(i["action"], i["guideline"]) for i in own["items"]] == [
        ("keep", None), ("remove_review", "fake")]
    # The manager's routes stay closed to members; the uninvited get a 404.
    for path in (f"/calibrations/{ex}", f"/calibrations/{ex}/results"):
        assert client.get(f"{API}{path}", headers=ana.headers).status_code == 403
    assert client.get(f"{API}/calibrations/{ex}/mine", headers=stranger.headers
                      ).status_code == 404
    r = _answer(client, stranger, ex, case_item, "keep")
    assert r.status_code == 404 and r.json()["error"]["field"] == "exercise_id"
    # Results before close: a conflict naming the status.
    r = client.get(f"{API}/calibrations/{ex}/results", headers=manager.headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "status"

    assert client.post(f"{API}/calibrations/{ex}/close", headers=manager.headers
                       ).status_code == 200
    after = client.get(f"{API}/calibrations/{ex}/mine", headers=ben.headers).json()
    assert after["mine"]["reason"] == "answered no item" and not after["mine"]["passed"]
    assert set(after["group"]) == {"alpha", "alpha_action", "alpha_guideline",
                                   "per_guideline", "raters"}
    assert after["references"] == {str(case_item): "remove_review · fake",
                                   str(synthetic): "keep · no guideline"}
    assert "pairs" not in after["group"] and "people" not in after["group"]
    assert _answer(client, ben, ex, case_item, "keep").status_code == 409


def test_passing_certifies_and_the_queue_that_requires_it_then_gives_work(
        client: TestClient, db: Database, manager: Person,
        make_person: Callable[..., Person]) -> None:
    ana, ben = make_person("specialist"), make_person("specialist")
    key = _decided_case(client, manager, "r1")
    ex, (case_item, synthetic) = _exercise(client, manager, [ana, ben], key, min_alpha=0.4)
    third = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers, json={
        "title": "A short, plain review", "text": "Good coffee, slow service.",
        "reference_action": "keep"}).json()["id"]
    client.post(f"{API}/calibrations/{ex}/open", headers=manager.headers)
    # Both agree on the case and the third item; they split on the synthetic one.
    for person in (ana, ben):
        assert _answer(client, person, ex, case_item, "remove_review", "fake"
                       ).status_code == 200
        assert _answer(client, person, ex, third, "keep").status_code == 200
    assert _answer(client, ana, ex, synthetic, "keep").status_code == 200
    assert _answer(client, ben, ex, synthetic, "remove_review", "fake").status_code == 200
    r = client.post(f"{API}/calibrations/{ex}/submit", headers=ana.headers)
    assert r.status_code == 200 and r.json()["submitted_at"]

    with db.session() as s:
        change_routing_settings(s, actor=SYSTEM, slug="flags",
                                changes={"required_certifications": ["flags-ready"]},
                                note="calibrated people only")
    r = client.post(f"{API}/cases", json=f.flag("r2"), headers=manager.headers)
    new_case = r.json()["case"]["key"]
    assert client.post(f"{API}/queues/flags/claim", headers=ana.headers).status_code == 403

    r = client.post(f"{API}/calibrations/{ex}/close", headers=manager.headers)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    # Worked by hand: o_RR = o_KK = 2, o_RK = o_KR = 1, n_R = n_K = 3, n = 6:
    # alpha = 1 − (2/6) ÷ (2·3·3/30) = 0.444, above the bar of 0.4.
    assert results["alpha"]["value"] == 0.4444
    people = {p["user_id"]: p for p in results["people"]}
    assert people[ana.user.id]["agreement"]["value"] == 1.0
    assert people[ben.user.id]["agreement"]["value"] == 0.6667
    assert [people[ana.user.id]["passed"], people[ben.user.id]["passed"]] == [True, False]
    assert results["disagreed"][0]["item_id"] == synthetic
    assert len(results["disagreed"]) == 1 and len(results["pairs"]) == 1
    assert client.post(f"{API}/queues/flags/claim", headers=ana.headers
                       ).json()["case"] == new_case
    assert client.post(f"{API}/queues/flags/claim", headers=ben.headers).status_code == 403
    # Stored: reading the results again gives the same figures.
    again = client.get(f"{API}/calibrations/{ex}/results", headers=manager.headers).json()
    assert again == results


def test_bad_input_names_its_field(client: TestClient, manager: Person,
                                   make_person: Callable[..., Person]) -> None:
    ana = make_person("agent")
    for body, field in [({"title": ""}, "title"),
                        ({"title": "x", "min_alpha": 2}, "min_alpha"),
                        ({"title": "x", "certification": "Not A Name"}, "certification"),
                        ({"title": "x", "guidelines": ["nope"]}, "guidelines"),
                        ({"title": "x", "colour": "red"}, "colour")]:
        r = client.post(f"{API}/calibrations", headers=manager.headers, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    ex = client.post(f"{API}/calibrations", headers=manager.headers,
                     json={"title": "x"}).json()["exercise"]["id"]
    r = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers,
                    json={"case": "FLG-999999"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "key"
    undecided = client.post(f"{API}/cases", json=f.flag("r9"), headers=manager.headers
                            ).json()["case"]["key"]
    r = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers,
                    json={"case": undecided})
    assert r.status_code == 422 and r.json()["error"]["field"] == "case"
    legal = client.post(f"{API}/cases", json=f.legal(), headers=manager.headers)
    assert legal.status_code == 201, legal.text
    r = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers,
                    json={"case": legal.json()["case"]["key"]})
    assert r.status_code == 422 and "legal-restricted" in r.json()["error"]["message"]
    r = client.post(f"{API}/calibrations/{ex}/items", headers=manager.headers,
                    json={"title": "t", "text": "x", "reference_action": "obliterate"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reference_action"
    r = client.post(f"{API}/calibrations/{ex}/open", headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "items"
    r = client.post(f"{API}/calibrations/{ex}/invitations", headers=manager.headers,
                    json={"user_ids": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "user_ids"
    r = client.patch(f"{API}/calibrations/{ex}", headers=manager.headers,
                     json={"min_agreement": None})
    assert r.status_code == 422
    r = client.patch(f"{API}/calibrations/{ex}", headers=manager.headers,
                     json={"title": "Renamed", "valid_days": 30, "instructions": None})
    assert r.status_code == 200 and r.json()["exercise"]["title"] == "Renamed"
    assert ana  # invited nowhere: nothing listed
    assert client.get(f"{API}/calibrations/mine", headers=ana.headers).json() == []
