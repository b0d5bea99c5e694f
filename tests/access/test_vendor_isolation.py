"""A vendor-A agent cannot reach a vendor-B case by any route: not by key, list filter, search,
count, claim, timeline, requests or any action; the answer is the one for no case at all."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.conftest import Person
from tests.helpers import vendor_queues

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def desk(client, make_team, make_person, manager) -> dict[str, Any]:
    """Vendor A works English flags, vendor B German ones; one open case each."""
    teams = vendor_queues(client, make_team, manager)
    keys = {}
    for name, ref, language in (("a", "ra-1", "en"), ("b", "rb-1", "de")):
        body = f.flag(ref, language=language, reason=f"marker-{name} review is fake")
        body["review"]["language"] = language
        keys[name] = _ok(client.post(f"{API}/cases", json=body, headers=manager.headers),
                         201)["case"]["key"]
    _ok(client.post(f"{API}/cases", json=f.flag("rb-1", language="de"),
                    headers=manager.headers))  # a linked request on B's case
    return {"a": keys["a"], "b": keys["b"],
            "agent_a": make_person("agent", team=teams["Vendor A"]),
            "agent_b": make_person("agent", team=teams["Vendor B"])}


def _queue_of(client: Any, person: Person, key: str) -> str:
    return _ok(client.get(f"{API}/cases/{key}", headers=person.headers))["queue"]


def test_the_cases_are_where_the_test_says(client, desk, manager):
    assert _queue_of(client, manager, desk["a"]) == "flags-a"
    assert _queue_of(client, manager, desk["b"]) == "flags-b"
    assert _queue_of(client, desk["agent_b"], desk["b"]) == "flags-b"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "", None),
    ("GET", "/timeline", None),
    ("GET", "/requests", None),
    ("POST", "/claim", None),
    ("POST", "/release", {}),
    ("POST", "/transition", {"action": "start"}),
    ("POST", "/assign", {"assignee": "me@nowhere.example.com"}),
    ("POST", "/escalate", {"reason": "x"}),
    ("POST", "/comments", {"body": "x"}),
    ("PATCH", "", {"title": "x"}),
    ("POST", "/split", {"request_ids": [1], "reason": "x"}),
    ("POST", "/merge", {"into": "FLG-999999", "reason": "x"}),
])
def test_by_direct_key_another_vendors_case_does_not_exist(client, desk, method, path, body):
    agent = desk["agent_a"]
    r = client.request(method, f"{API}/cases/{desk['b']}{path}", json=body,
                       headers=agent.headers)
    assert r.status_code == 404, r.text
    assert r.json()["error"] == {"code": "not_found", "message": f"no case {desk['b']}",
                                 "field": "key"}
    # The same answer as for a case that does not exist at all.
    missing = client.request(method, f"{API}/cases/FLG-999999{path}", json=body,
                             headers=agent.headers)
    assert missing.status_code == 404


def test_merging_into_another_vendors_case_is_refused_as_unknown(client, desk):
    r = client.post(f"{API}/cases/{desk['a']}/merge", json={"into": desk["b"], "reason": "x"},
                    headers=desk["agent_a"].headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "into"
    assert r.json()["error"]["message"] == f"no case {desk['b']}"


@pytest.mark.parametrize("params", [
    {}, {"queue": "flags-b"}, {"queue": "flags-b", "open": "false"}, {"subject": "review:rb-1"},
    {"text": "marker-b"}, {"language": "de"}, {"kind": "flag"}, {"status": "triaged"},
    {"assignee": "none"}, {"sort": "-created"},
])
def test_no_list_filter_or_search_finds_another_vendors_case(client, desk, params):
    items = _ok(client.get(f"{API}/cases", params=params,
                           headers=desk["agent_a"].headers))["items"]
    assert desk["b"] not in [c["key"] for c in items]
    own = _ok(client.get(f"{API}/cases", params=params, headers=desk["agent_b"].headers))["items"]
    if "open" not in params:
        assert desk["b"] in [c["key"] for c in own]  # the filter itself does find it


def test_queue_counts_leave_another_vendor_out(client, desk, manager):
    queues = _ok(client.get(f"{API}/queues", headers=desk["agent_a"].headers))
    assert [(q["slug"], q["open_cases"]) for q in queues] == [("flags-a", 1)]
    everyone = {q["slug"]: q["open_cases"] for q in _ok(client.get(
        f"{API}/queues", headers=manager.headers))}
    assert (everyone["flags-a"], everyone["flags-b"]) == (1, 1)


def test_another_vendors_queue_cannot_be_claimed_from(client, desk):
    r = client.post(f"{API}/queues/flags-b/claim", headers=desk["agent_a"].headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "queue"
    mine = _ok(client.post(f"{API}/queues/flags-a/claim", headers=desk["agent_a"].headers))
    assert mine["case"] == desk["a"]


def test_agents_can_neither_reveal_nor_hold(client, desk):
    agent = desk["agent_a"]
    for key in (desk["a"], desk["b"]):
        assert client.post(f"{API}/cases/{key}/reveal", json={"reason": "curious"},
                           headers=agent.headers).status_code == 403
    assert client.get(f"{API}/legal-holds", headers=agent.headers).status_code == 403
