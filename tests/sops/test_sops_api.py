"""SOPs over the API: versions, the version in force by a case's opening, the checklist that
gates a decision (409 naming the items), ticks on the timeline, and who may do what."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"
EU = ["DE", "DK", "NL"]


def flag_sop(**over: Any) -> dict[str, Any]:
    return {"title": "Flags: fake-review reports",
            "body": "# Flag SOP\n\nWork the report **before** deciding.\n\n<script>x</script>",
            "change_note": "first playbook",
            "items": [
                {"key": "history", "text": "Checked the reviewer's other reviews for the "
                 "same pattern", "help_text": "Open the reviewer's profile.", "required": True},
                {"key": "evidence", "text": "Compared the review with the business's "
                 "order records", "required": True},
                {"key": "translate", "text": "Translated the review if needed"}],
            **over}


def publish(client: TestClient, person: Person, kind: str = "flag", **over: Any) -> Any:
    r = client.post(f"{API}/sops/{kind}", json=flag_sop(**over), headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def claimed_flag(client: TestClient, person: Person, ref: str = "r1") -> str:
    r = client.post(f"{API}/cases", json=f.flag(ref), headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    r = client.post(f"{API}/cases/{key}/claim", headers=person.headers)
    assert r.status_code == 200, r.text
    return key


def decide(client: TestClient, person: Person, key: str, ref: str = "r1") -> Any:
    return client.post(f"{API}/cases/{key}/decisions", json={
        "guideline": "fake", "explanation": "The text matches a known template.",
        "facts": "Reported by the business; no order found.", "territorial_scope": EU,
        "actions": [{"action": "remove_review", "subject": f"review:{ref}"}]},
        headers=person.headers)


def tick(client: TestClient, person: Person, key: str, item: str, done: bool = True,
         note: str | None = None) -> Any:
    return client.put(f"{API}/cases/{key}/checklist/{item}", json={"done": done, "note": note},
                      headers=person.headers)


def test_publishing_adds_versions_and_keeps_the_old_ones(client: TestClient,
                                                         manager: Person) -> None:
    v1 = publish(client, manager)
    assert (v1["version"], v1["is_current"], [i["key"] for i in v1["items"]]) == (
        1, True, ["history", "evidence", "translate"])
    assert v1["items"][0]["help_text"] == "Open the reviewer's profile."
    v2 = publish(client, manager, title="Flags v2", change_note="evidence now optional",
                 items=[{"key": "history", "text": "Checked history", "required": True}])
    assert v2["version"] == 2
    listed = client.get(f"{API}/sops", headers=manager.headers).json()
    assert [(s["kind"], s["version"]) for s in listed] == [("flag", 2)]
    versions = client.get(f"{API}/sops/flag/versions", headers=manager.headers).json()
    assert [(s["version"], s["is_current"]) for s in versions] == [(2, True), (1, False)]
    one = client.get(f"{API}/sops/flag/versions/1", headers=manager.headers).json()
    assert one["title"] == "Flags: fake-review reports" and len(one["items"]) == 3
    r = client.get(f"{API}/sops/flag/versions/9", headers=manager.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "version"


def test_bad_sops_name_their_field(client: TestClient, manager: Person) -> None:
    r = client.post(f"{API}/sops/nonsense", json=flag_sop(), headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind", r.text
    twice = flag_sop(items=[{"key": "a", "text": "One"}, {"key": "a", "text": "Two"}])
    r = client.post(f"{API}/sops/flag", json=twice, headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "items.1.key", r.text
    r = client.post(f"{API}/sops/flag", json=flag_sop(items=[]), headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "items", r.text
    r = client.get(f"{API}/sops/flag/compare?version=0", headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "version", r.text


def test_a_case_walks_the_version_in_force_when_it_was_opened(
        client: TestClient, db: Database, manager: Person, specialist: Person) -> None:
    before = claimed_flag(client, specialist, "r0")  # opened before any SOP: not gated
    publish(client, manager)
    old = claimed_flag(client, specialist, "r1")
    publish(client, manager, title="Flags v2", items=[
        {"key": "history", "text": "Checked history", "required": True},
        {"key": "legal", "text": "Legal ground stated for illegal content", "required": True}])
    new = claimed_flag(client, specialist, "r2")
    got = {k: client.get(f"{API}/cases/{k}/checklist", headers=specialist.headers).json()
           for k in (before, old, new)}
    assert got[before]["version"] is None and got[before]["blocking"] == []
    assert got[old]["version"] == 1 and got[old]["blocking"] == ["history", "evidence"]
    assert got[new]["version"] == 2 and got[new]["blocking"] == ["history", "legal"]
    assert decide(client, specialist, before, "r0").status_code == 201


def test_a_required_item_blocks_the_decision_until_ticked(
        client: TestClient, db: Database, manager: Person, specialist: Person) -> None:
    sop = publish(client, manager)
    key = claimed_flag(client, specialist)
    r = decide(client, specialist, key)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["field"] == "checklist" and error["missing"] == ["history", "evidence"]
    assert "Checked the reviewer's other reviews for the same pattern" in error["message"]
    assert "Compared the review with the business's order records" in error["message"]
    assert tick(client, specialist, key, "history").status_code == 200
    r = decide(client, specialist, key)
    assert r.status_code == 409 and r.json()["error"]["missing"] == ["evidence"]
    assert "other reviews" not in r.json()["error"]["message"]
    done = tick(client, specialist, key, "evidence", note="Order 4411 not found").json()
    assert done["blocking"] == [] and done["message"] is None
    r = decide(client, specialist, key)
    assert r.status_code == 201, r.text
    assert r.json()["sop_id"] == sop["id"]
    with db.session() as s:
        assert s.scalar(select(Decision.sop_id)) == sop["id"]


def test_ticks_and_unticks_go_on_the_timeline(client: TestClient, manager: Person,
                                              specialist: Person) -> None:
    publish(client, manager)
    key = claimed_flag(client, specialist)
    tick(client, specialist, key, "history", note="Three more like it")
    tick(client, specialist, key, "history")  # ticked already: nothing more recorded
    undone = tick(client, specialist, key, "history", done=False).json()
    item = undone["items"][0]
    assert (item["done"], item["undone_by_id"]) == (False, specialist.user.id)
    assert undone["blocking"] == ["history", "evidence"]
    events = client.get(f"{API}/cases/{key}/timeline", headers=specialist.headers).json()
    sop_events = [(e["kind"], e["payload"]["item"]) for e in events["items"]
                  if e["kind"].startswith("sop.")]
    assert sop_events == [("sop.item_ticked", "history"), ("sop.item_unticked", "history")]
    ticked = next(e for e in events["items"] if e["kind"] == "sop.item_ticked")
    assert ticked["payload"]["note"] == "Three more like it"
    r = tick(client, specialist, key, "nope")
    assert r.status_code == 404 and r.json()["error"]["field"] == "item"


def test_who_may_publish_tick_and_read(client: TestClient, make_person: Any, make_team: Any,
                                       manager: Person, specialist: Person) -> None:
    policy, viewer = make_person("policy"), make_person("viewer")
    assert client.post(f"{API}/sops/flag", json=flag_sop(),
                       headers=specialist.headers).status_code == 403
    publish(client, policy)
    key = claimed_flag(client, specialist)
    assert tick(client, viewer, key, "history").status_code == 403
    assert tick(client, policy, key, "history").status_code == 403
    # A vendor agent of another team may not even see the case: 404, no existence leak.
    agent = make_person("agent", team=make_team("Vendor A", kind="vendor"))
    assert client.get(f"{API}/cases/{key}/checklist",
                      headers=agent.headers).status_code in (403, 404)
    assert client.get(f"{API}/sops/flag/compare", headers=specialist.headers).status_code == 403
    assert client.get(f"{API}/sops/flag/compare", headers=viewer.headers).status_code == 200


def test_an_appeal_follows_the_appeal_kinds_sop(client: TestClient, manager: Person,
                                                specialist: Person) -> None:
    key = claimed_flag(client, specialist)
    assert decide(client, specialist, key).status_code == 201  # no flag SOP: not gated
    sop = publish(client, manager, "appeal", title="Appeals", items=[
        {"key": "heard", "text": "Read the appellant's statement and new evidence",
         "required": True}])
    r = client.post(f"{API}/cases", json=f.appeal(key), headers=manager.headers)
    assert r.status_code == 201, r.text
    appeal = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{appeal}/claim", headers=manager.headers).status_code == 200
    body = {"outcome": "upheld", "reasoning": "The review was rightly removed."}
    r = client.post(f"{API}/cases/{appeal}/appeal-outcome", json=body, headers=manager.headers)
    assert r.status_code == 409 and r.json()["error"]["missing"] == ["heard"], r.text
    assert tick(client, manager, appeal, "heard").status_code == 200
    r = client.post(f"{API}/cases/{appeal}/appeal-outcome", json=body, headers=manager.headers)
    assert r.status_code == 201, r.text
    assert r.json()["sop_id"] == sop["id"]


def test_a_closed_case_keeps_its_checklist_as_it_was(client: TestClient, manager: Person,
                                                     specialist: Person) -> None:
    publish(client, manager)
    key = claimed_flag(client, specialist)
    for item in ("history", "evidence"):
        assert tick(client, specialist, key, item).status_code == 200
    assert decide(client, specialist, key).status_code == 201
    r = client.post(f"{API}/cases/{key}/transition", json={"action": "close"},
                    headers=specialist.headers)
    assert r.status_code == 200, r.text
    r = tick(client, specialist, key, "history", done=False)
    assert r.status_code == 409 and r.json()["error"]["field"] == "status", r.text
    listed = client.get(f"{API}/cases/{key}/checklist", headers=specialist.headers).json()
    assert [i["done"] for i in listed["items"]] == [True, True, False]
