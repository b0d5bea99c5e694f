"""QA over HTTP on the scorecard's week: a reviewer takes and judges, the person reads the
verdict and disputes, a lead settles; each refused where the rules say so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from integrity_desk.db import Database
from integrity_desk.people.models import User
from integrity_desk.quality.models import QaForm, QaItem
from tests.conftest import Person
from tests.quality.test_qa_flow import desk  # noqa: F401  (the fixture)

API = "/api/v1/qa"


def test_a_reviewer_takes_and_judges_blind(client: Any, desk: dict[str, Any],  # noqa: F811
                                          db: Database) -> None:
    quinn, ben, mia = desk["quinn"], desk["ben"], desk["mia"]
    queue = client.get(f"{API}/queue", headers=quinn.headers).json()["items"]
    assert len(queue) == 4 and all(i["person"] is None for i in queue)  # judged blind
    taken = client.post(f"{API}/queue/next", headers=quinn.headers)
    assert taken.status_code == 200, taken.text
    item = taken.json()
    assert item["status"] == "in_review"
    wrong = client.post(f"{API}/items/{item['id']}/review", headers=quinn.headers,
                        json={"findings": [{"category": "no_such_error"}]})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "findings[0].category"
    judged = client.post(f"{API}/items/{item['id']}/review", headers=quinn.headers,
                         json={"findings": [{"category": "missing_legal_step",
                                             "note": "No legal ground."}],
                               "feedback": "State the law."})
    assert judged.status_code == 200, judged.text
    assert (judged.json()["correct"], judged.json()["verdict"]) == (
        False, "critical error: missing_legal_step")
    with db.session() as s:
        decider = s.scalar(select(QaItem.person_id).where(QaItem.id == item["id"]))
        cy = next(u for u in s.scalars(select(User).where(User.role == "specialist"))
                  if u.id not in (ben.user.id, quinn.user.id))
    seen = client.get(f"{API}/items/{item['id']}", headers=mia.headers).json()
    assert seen["person"] == "Specialist Person" and seen["reviewer"] == quinn.user.name
    if decider == ben.user.id:
        mine = client.get(f"{API}/mine", headers=ben.headers).json()
        assert mine["accuracy"]["reviewed"] == 1 and mine["accuracy"]["value"] == 0.0
        assert mine["items"][0]["feedback"] == "State the law."
    else:
        assert decider == cy.id
        assert client.get(f"{API}/mine", headers=ben.headers).json()["items"] == []


def test_the_person_disputes_and_a_lead_settles(client: Any, desk: dict[str, Any],  # noqa: F811
                                                make_person: Callable[..., Person]) -> None:
    quinn, ben, mia = desk["quinn"], desk["ben"], desk["mia"]
    ids = []
    while (r := client.post(f"{API}/queue/next", headers=quinn.headers)).status_code == 200:
        ids.append(r.json()["id"])
        assert client.post(f"{API}/items/{ids[-1]}/review", headers=quinn.headers,
                           json={"findings": [{"category": "wrong_action"}]}).status_code == 200
    assert r.status_code == 204 and len(ids) == 4
    mine = client.get(f"{API}/mine", headers=ben.headers).json()
    assert [i["person"] for i in mine["items"]] == [ben.user.name] * 2
    own = mine["items"][0]["id"]
    others = [i for i in ids if i not in {x["id"] for x in mine["items"]}]
    # Someone else's item: not Ben's to dispute.
    assert client.post(f"{API}/items/{others[0]}/dispute", headers=ben.headers,
                       json={"reason": "x"}).status_code == 403
    agent = make_person("agent")
    assert client.get(f"{API}/items/{own}", headers=agent.headers).status_code == 404
    assert client.get(f"{API}/queue", headers=agent.headers).status_code == 403
    disputed = client.post(f"{API}/items/{own}/dispute", headers=ben.headers,
                           json={"reason": "The review stays within 4.2."})
    assert disputed.status_code == 200 and disputed.json()["status"] == "disputed"
    assert client.post(f"{API}/items/{own}/settle", headers=ben.headers,
                       json={"settlement": "upheld", "note": "x"}).status_code == 403
    listed = client.get(f"{API}/disputes", headers=mia.headers).json()["items"]
    assert [i["id"] for i in listed] == [own]
    settled = client.post(f"{API}/items/{own}/settle", headers=mia.headers,
                          json={"settlement": "changed", "note": "4.2 applies.",
                                "findings": []})
    assert settled.status_code == 200, settled.text
    assert (settled.json()["correct"], settled.json()["settlement"]) == (True, "changed")
    mine = client.get(f"{API}/mine", headers=ben.headers).json()
    assert (mine["accuracy"]["reviewed"], mine["accuracy"]["correct"]) == (2, 1)


def test_plans_and_forms_for_qa_managers(client: Any, desk: dict[str, Any],  # noqa: F811
                                         db: Database) -> None:
    quinn, mia = desk["quinn"], desk["mia"]
    assert client.get(f"{API}/plans", headers=quinn.headers).status_code == 403
    bad = client.post(f"{API}/plans", headers=mia.headers,
                      json={"name": "Harm", "rule": "category", "categories": ["gore"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "categories"
    made = client.post(f"{API}/plans", headers=mia.headers,
                       json={"name": "Harm", "rule": "category",
                             "categories": ["harmful_illegal"]})
    assert made.status_code == 201, made.text
    paused = client.patch(f"{API}/plans/{made.json()['id']}", headers=mia.headers,
                          json={"active": False})
    assert paused.json()["active"] is False
    assert [p["name"] for p in client.get(f"{API}/plans", headers=mia.headers).json()] == [
        "All of Acme", "Harm"]
    form = client.get(f"{API}/forms/current", params={"kind": "flag"},
                      headers=quinn.headers).json()
    assert form["version"] == 1 and form["kind"] is None and form["pass_mark"] == 80
    with db.session() as s:  # reading the built-in default stores nothing
        assert form["id"] is None and s.scalar(select(func.count()).select_from(QaForm)) == 0
    new = client.post(f"{API}/forms", headers=mia.headers, json={
        "kind": "flag", "pass_mark": 90, "change_note": "Flags are simple: fewer errors.",
        "categories": [{"code": "wrong_action", "label": "Wrong action",
                        "severity": "critical"},
                       {"code": "tone", "label": "Tone", "severity": "minor"}]})
    assert new.status_code == 201, new.text
    assert client.get(f"{API}/forms/current", params={"kind": "flag"},
                      headers=quinn.headers).json()["pass_mark"] == 90
    assert client.post(f"{API}/draw", headers=mia.headers).json() == {
        "summary": "nothing to draw from 0 decision(s)"}
