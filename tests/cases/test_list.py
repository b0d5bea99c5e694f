"""GET /api/v1/cases: filters, sorts, keyset pagination and a bounded number of statements."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import SORTS
from tests import factories as f
from tests.helpers import decide_no_action

API = "/api/v1"


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _id(key: str) -> int:
    return int(key.split("-")[1])


def _new(client: Any, person: Any, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _list(client: Any, person: Any, **params: Any) -> dict[str, Any]:
    r = client.get(f"{API}/cases", params=params, headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _keys(client: Any, person: Any, **params: Any) -> set[str]:
    return {c["key"] for c in _list(client, person, limit=200, **params)["items"]}


@dataclass
class Desk:
    flag_en: str
    flag_de: str
    csm: str
    exe: str
    inv: str
    legal: str

    @property
    def all(self) -> set[str]:
        return {self.flag_en, self.flag_de, self.csm, self.exe, self.inv, self.legal}


@pytest.fixture
def desk(client, db, manager, specialist) -> Desk:
    flag_en = _new(client, specialist, f.flag("r1"))
    flag_de = _new(client, specialist, f.flag(
        "r2", category="harmful_illegal", tags=["wave-7"],
        review={"ref": "r2", "text": "Schlecht", "language": "de",
                "business_domain": "other.example.com"}))
    csm = _new(client, specialist, f.csm("shop.example.com"))
    exe = _new(client, specialist, f.executive("other.example.com"))
    inv = _new(client, specialist, f.investigation())
    legal = _new(client, manager, f.legal())
    assert client.post(f"{API}/cases/{flag_en}/claim", headers=specialist.headers).is_success
    assert client.post(f"{API}/cases/{csm}/assign", json={"assignee": manager.user.email},
                       headers=manager.headers).is_success
    now = datetime.now(UTC)
    with db.session() as s:
        # exe: inside its at-risk window; flag_de: past its resolution due time.
        s.execute(update(Case).where(Case.id == _id(exe)).values(
            resolution_at_risk_at=now - timedelta(minutes=5),
            resolution_due_at=now + timedelta(hours=1)))
        s.execute(update(Case).where(Case.id == _id(flag_de)).values(
            resolution_at_risk_at=now - timedelta(hours=3),
            resolution_due_at=now - timedelta(hours=1)))
    return Desk(flag_en, flag_de, csm, exe, inv, legal)


def test_filters(client, manager, specialist, desk):
    d = desk
    assert _keys(client, manager) == d.all
    assert _keys(client, manager, status="assigned") == {d.flag_en, d.csm}
    assert _keys(client, manager, status=["assigned", "triaged"]) == d.all
    assert _keys(client, manager, kind="flag") == {d.flag_en, d.flag_de}
    assert _keys(client, manager, kind=["csm_escalation", "legal_notice"]) == {d.csm, d.legal}
    assert _keys(client, manager, queue="specialists") == {d.csm, d.exe, d.inv}
    assert _keys(client, manager, queue="legal") == {d.legal}
    assert _keys(client, manager, queue="nowhere") == set()
    assert _keys(client, manager, assignee="me") == {d.csm}
    assert _keys(client, specialist, assignee="me") == {d.flag_en}
    assert _keys(client, manager, assignee=specialist.user.email) == {d.flag_en}
    assert _keys(client, manager, assignee="none") == d.all - {d.flag_en, d.csm}
    assert _keys(client, manager, at_risk="true") == {d.exe}
    assert d.exe not in _keys(client, manager, at_risk="false")
    assert _keys(client, manager, breached="true") == {d.flag_de}
    assert _keys(client, manager, breached="false") == d.all - {d.flag_de}
    assert _keys(client, manager, subject="review:r1") == {d.flag_en}
    assert _keys(client, manager, subject="review:r77") == {d.legal}
    assert _keys(client, manager, subject="business:shop.example.com") == {d.csm, d.inv}
    assert _keys(client, manager, subject="business:nobody.example.com") == set()
    assert _keys(client, manager, text="RING") == {d.inv}
    assert _keys(client, manager, text="fake 1-star") == {d.csm}  # in the description
    assert _keys(client, manager, tag="wave-7") == {d.flag_de}
    assert _keys(client, manager, language="de") == {d.flag_de}
    assert _keys(client, manager, kind="flag", status="triaged") == {d.flag_de}

    items = _list(client, manager, limit=200)["items"]
    by_priority: dict[str, set[str]] = {}
    for c in items:
        by_priority.setdefault(c["priority"], set()).add(c["key"])
    assert by_priority["P1"] == {desk.csm, desk.legal}   # 65 and 80
    assert by_priority["P2"] == {desk.flag_de, desk.exe}  # 50 and 60
    for priority in ("P0", "P1", "P2", "P3", "P4"):
        assert _keys(client, manager, priority=priority) == by_priority.get(priority, set())
    assert _keys(client, manager, priority=["p1", "P2"]) == by_priority["P1"] | by_priority["P2"]


def test_list_items_sorts_and_visibility(client, manager, specialist, desk):
    items = {c["key"]: c for c in _list(client, manager, limit=200)["items"]}
    assert items[desk.flag_de]["sla"]["resolution"]["state"] == "breached"
    assert items[desk.exe]["sla"]["resolution"]["state"] == "at_risk"
    assert items[desk.csm]["sla"]["resolution"]["state"] == "on_track"
    assert [s["ref"] for s in items[desk.inv]["subjects"]] == ["shop.example.com", "r9", "u9"]
    assert items[desk.flag_de]["tags"] == ["wave-7"]
    assert items[desk.csm]["assignee"]["email"] == manager.user.email
    # A specialist does not see legal notices.
    assert _keys(client, specialist) == desk.all - {desk.legal}
    assert _keys(client, specialist, kind="legal_notice") == set()

    by_priority = _list(client, manager, sort="priority", limit=200)["items"]
    ranks = [(int(c["priority"][1]), _t(c["sla"]["resolution"]["due_at"])) for c in by_priority]
    assert ranks == sorted(ranks)
    newest = _list(client, manager, sort="-created", limit=200)["items"]
    order = [(_t(c["created_at"]), c["id"]) for c in newest]
    assert order == sorted(order, reverse=True)
    assert newest[0]["key"] == desk.legal  # created last
    oldest = _list(client, manager, sort="created", limit=200)["items"]
    assert [c["key"] for c in oldest] == [c["key"] for c in reversed(newest)]


BAD_PARAMS = [
    ({"status": "pending"}, "status"),
    ({"kind": "complaint"}, "kind"),
    ({"priority": "P9"}, "priority"),
    ({"sort": "size"}, "sort"),
    ({"subject": "shop"}, "subject"),
    ({"subject": "planet:earth"}, "subject"),
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
]


def test_bad_list_parameters(client, manager):
    for params, field in BAD_PARAMS:
        r = client.get(f"{API}/cases", params=params, headers=manager.headers)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["error"]["field"] == field, params


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_keyset_pagination_walks_every_case_once(client, manager, specialist):
    # Batches share created_at and due times: ties the id must break.
    for refs in (["a1", "a2", "a3", "a4"], ["b1", "b2", "b3"]):
        body = {"items": [f.flag(r) for r in refs]}
        assert client.post(f"{API}/cases/batch", json=body, headers=specialist.headers).is_success
    _new(client, specialist, f.flag("c1", category="harmful_illegal"))
    _new(client, specialist, f.csm())
    _new(client, specialist, f.executive())
    _new(client, manager, f.legal())
    for sort in SORTS:
        expected = [c["key"] for c in _list(client, manager, sort=sort, limit=200)["items"]]
        assert len(expected) == 11
        walked: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = _list(client, manager, **params)
            assert len(page["items"]) <= 3
            walked += [c["key"] for c in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
            assert pages < 10, sort
        assert walked == expected, sort
        assert pages == 4, sort


BAD_CURSORS = [
    "not-a-cursor!!",
    _cursor([1, 2]),                                          # priority sort takes three values
    _cursor({"priority": 1}),
    _cursor([1, "yesterday", 5]),                             # not a time
    _cursor(["urgent", "2026-01-01T00:00:00+00:00", 5]),      # not a priority
    _cursor([1, "2026-01-01T00:00:00+00:00", "five"]),        # not an id
    _cursor([1, "2026-01-01T00:00:00", 5]),                   # a time without its zone
    _cursor([True, "2026-01-01T00:00:00+00:00", 5]),
]


def test_bad_cursor_is_invalid(client, manager, specialist):
    _new(client, specialist, f.flag())
    for cursor in BAD_CURSORS:
        r = client.get(f"{API}/cases", params={"cursor": cursor}, headers=manager.headers)
        assert r.status_code == 422, (cursor, r.text)
        assert r.json()["error"]["field"] == "cursor"


def test_listing_a_page_takes_at_most_three_statements(client, db, specialist):
    """Queries, that is: SQLite's explicit BEGIN IMMEDIATE (PostgreSQL's BEGIN is implicit in
    the driver) is transaction control, not a statement that reads anything."""
    items = [f.flag(f"q{i}", review={"ref": f"q{i}", "business_domain": f"b{i % 5}.example.com"})
             for i in range(45)]
    assert client.post(f"{API}/cases/batch", json={"items": items},
                       headers=specialist.headers).json()["created"] == 45
    for i in range(5):
        _new(client, specialist, f.investigation(
            title=f"Ring {i}", business_domains=[f"b{i}.example.com"],
            reviews=[{"ref": f"q{i}"}], reviewer_refs=[f"u{i}"]))
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = _list(client, specialist, limit=50)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(page["items"]) == 50
    assert sum(len(c["subjects"]) for c in page["items"]) == 45 + 5 * 3
    assert len(statements) <= 3, "\n\n".join(statements)


def test_a_queue_lists_its_open_cases_unless_asked_otherwise(client, manager, specialist):
    open_key = _new(client, specialist, f.flag("qo1"))
    closed_key = _new(client, specialist, f.flag("qo2"))
    assert client.post(f"{API}/cases/{closed_key}/claim",
                       headers=specialist.headers).status_code == 200
    assert decide_no_action(client, specialist, closed_key).status_code == 201
    r = client.post(f"{API}/cases/{closed_key}/transition", json={"action": "close"},
                    headers=specialist.headers)
    assert r.status_code == 200, r.text
    keys = lambda **p: {c["key"] for c in _list(client, manager, queue="flags", **p)["items"]}  # noqa: E731
    assert keys() == {open_key}
    assert keys(open="false") == {closed_key}
    assert keys(status="closed") == {closed_key}
