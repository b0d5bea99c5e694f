"""GET /cases/{key}/timeline: a case's own events, filtered by category, paged by cursor."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def case_key(client, specialist) -> str:
    """A case with six events: created, claimed, started and three comments."""
    key = _ok(client.post(f"{API}/cases", json=f.flag(), headers=specialist.headers),
              201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{key}/claim", headers=specialist.headers))
    _ok(client.post(f"{API}/cases/{key}/transition", json={"action": "start"},
                    headers=specialist.headers))
    for n in range(3):
        _ok(client.post(f"{API}/cases/{key}/comments", json={"body": f"note {n}"},
                        headers=specialist.headers), 201)
    # Another case's events must never show up in this timeline.
    other = _ok(client.post(f"{API}/cases", json=f.flag(ref="r2"), headers=specialist.headers),
                201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{other}/comments", json={"body": "elsewhere"},
                    headers=specialist.headers), 201)
    return key


def _page(client: Any, person: Any, key: str, **params: Any) -> dict[str, Any]:
    return _ok(client.get(f"{API}/cases/{key}/timeline", params=params, headers=person.headers))


def test_timeline_lists_the_case_events_in_order(client, specialist, case_key):
    page = _page(client, specialist, case_key)
    items = page["items"]
    # Work beginning snapshots the case's subjects, on the record (evidence.service).
    assert [(e["kind"], e["category"]) for e in items] == [
        ("case.created", "intake"), ("case.claimed", "state"),
        ("case.status_changed", "state"), ("evidence.captured", "audit"),
        ("comment", "comment"), ("comment", "comment"), ("comment", "comment")]
    assert [e["seq"] for e in items] == [1, 2, 3, 4, 5, 6, 7]
    assert page["next_cursor"] is None
    assert items[2]["payload"]["before"] == "assigned"
    assert items[2]["payload"]["after"] == "in_progress"
    assert items[1]["actor"] == f"Specialist Person <{specialist.user.email}>"
    assert all(len(e["hash"]) == 64 for e in items)


def test_category_filter(client, specialist, case_key):
    comments = _page(client, specialist, case_key, category="comment")["items"]
    assert [e["payload"]["body"] for e in comments] == ["note 0", "note 1", "note 2"]
    both = _page(client, specialist, case_key, category=["intake", "state"])["items"]
    assert [e["kind"] for e in both] == ["case.created", "case.claimed", "case.status_changed"]
    assert _page(client, specialist, case_key, category="sla")["items"] == []


def test_unknown_category_is_refused(client, specialist, case_key):
    r = client.get(f"{API}/cases/{case_key}/timeline", params={"category": "gossip"},
                   headers=specialist.headers)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "category"


def test_cursor_pages_through_everything_once(client, specialist, case_key):
    everything = [e["id"] for e in _page(client, specialist, case_key)["items"]]
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = _page(client, specialist, case_key, **params)
        pages += 1
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert cursor == str(page["items"][-1]["id"])
    assert pages == 2
    assert seen == everything


def test_cursor_paging_with_a_filter(client, specialist, case_key):
    first = _page(client, specialist, case_key, category="comment", limit=2)
    assert [e["payload"]["body"] for e in first["items"]] == ["note 0", "note 1"]
    assert first["next_cursor"] is not None
    second = _page(client, specialist, case_key, category="comment", limit=2,
                   cursor=first["next_cursor"])
    assert [e["payload"]["body"] for e in second["items"]] == ["note 2"]
    assert second["next_cursor"] is None


def test_timeline_needs_a_token_and_a_known_case(client, specialist):
    assert client.get(f"{API}/cases/FLG-1/timeline").status_code == 401
    assert client.get(f"{API}/cases/FLG-999/timeline",
                      headers=specialist.headers).status_code == 404
