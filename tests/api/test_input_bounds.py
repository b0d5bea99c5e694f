"""No input answers 500, and SQLite answers as PostgreSQL does: integers beyond 64 bits, NUL
characters and deep nesting are refused with 422 in the standard format, naming the field."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from integrity_desk.api.app import create_app
from integrity_desk.api.hardening import (
    MAX_JSON_DEPTH,
    InputGuard,
    InputRefused,
    check_json,
    check_json_bytes,
)
from integrity_desk.db import Database
from integrity_desk.settings import Settings
from tests import factories
from tests.conftest import Person
from tests.helpers import api_routes

HUGE = 2**64 + 1


def _refused(r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == field, error


def test_an_integer_beyond_64_bits_in_a_body_names_its_field(
        client: TestClient, manager: Person) -> None:
    policy = {"kind": "flag", "priority": 2, "first_response_minutes": HUGE,
              "resolution_minutes": HUGE}
    _refused(client.put("/api/v1/sla/policies", json=policy, headers=manager.headers),
             "first_response_minutes")
    queue = {"slug": "big", "name": "Big", "kinds": ["flag"], "position": HUGE}
    _refused(client.post("/api/v1/queues", json=queue, headers=manager.headers), "position")
    # Nested, the path says where.
    calendar = {"name": "c", "hours": {"mon": [["09:00", "17:00"], HUGE]}}
    _refused(client.put("/api/v1/sla/calendars", json=calendar, headers=manager.headers),
             "hours.mon.1")
    r = client.post("/api/v1/cases", json=factories.csm(revenue_at_stake=HUGE),
                    headers=manager.headers)
    _refused(r, "revenue_at_stake")
    assert client.get("/api/v1/cases", headers=manager.headers).json()["items"] == []


def test_a_float_that_would_overflow_an_integer_is_refused(
        client: TestClient, manager: Person) -> None:
    policy = {"kind": "flag", "priority": 2, "first_response_minutes": 1e300,
              "resolution_minutes": 60}
    _refused(client.put("/api/v1/sla/policies", json=policy, headers=manager.headers),
             "first_response_minutes")
    body = b'{"kind": "flag", "priority": 2, "first_response_minutes": NaN}'
    r = client.put("/api/v1/sla/policies", content=body, headers={
        **manager.headers, "content-type": "application/json"})
    _refused(r, "first_response_minutes")


@pytest.mark.parametrize("path", [
    "/api/v1/webhooks?cursor={n}",
    "/api/v1/cases?priority={n}",
    "/api/v1/cases/FLAG-{n}",
    "/api/v1/cases/FLAG-{n}/timeline",
])
def test_an_integer_beyond_64_bits_in_a_query_or_path_is_refused(
        client: TestClient, manager: Person, path: str) -> None:
    r = client.get(path.format(n=HUGE), headers=manager.headers)
    assert r.status_code in (404, 422), r.text  # a key that names no case may be 404
    assert r.status_code != 500
    if r.status_code == 422:
        assert r.json()["error"]["field"]


def test_a_forgotten_integer_query_parameter_is_still_bounded(
        client: TestClient, manager: Person) -> None:
    # The timeline route takes `cursor: int | None` without bounds of its own.
    key = client.post("/api/v1/cases", json=factories.flag("r1"),
                      headers=manager.headers).json()["case"]["key"]
    timeline = f"/api/v1/cases/{key}/timeline"
    _refused(client.get(f"{timeline}?cursor={HUGE}", headers=manager.headers), "cursor")
    _refused(client.get(f"{timeline}?cursor=-{HUGE}", headers=manager.headers), "cursor")
    assert client.get(f"{timeline}?cursor=5", headers=manager.headers).status_code == 200


def test_a_case_list_cursor_with_a_huge_integer_is_refused(
        client: TestClient, manager: Person) -> None:
    client.post("/api/v1/cases", json=factories.flag("r1"), headers=manager.headers)
    client.post("/api/v1/cases", json=factories.flag("r2"), headers=manager.headers)
    page = client.get("/api/v1/cases?limit=1", headers=manager.headers).json()
    assert page["next_cursor"]
    raw = json.loads(base64.urlsafe_b64decode(page["next_cursor"] + "=="))
    forged = [HUGE if isinstance(v, int) else v for v in raw]
    cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    _refused(client.get(f"/api/v1/cases?cursor={cursor}", headers=manager.headers), "cursor")


def test_nul_is_refused_in_bodies_queries_and_paths_on_both_databases(
        client: TestClient, manager: Person) -> None:
    r = client.post("/api/v1/cases", json=factories.flag("r\x00nul"), headers=manager.headers)
    _refused(r, "review.ref")
    _refused(client.get("/api/v1/cases?queue=fl%00ags", headers=manager.headers), "queue")
    _refused(client.get("/api/v1/search?q=a%00b", headers=manager.headers), "q")
    _refused(client.post("/api/v1/queues/fl%00ags/claim", headers=manager.headers), "path")
    queue = {"slug": "nul", "name": "N\x00", "kinds": ["flag"], "team": None}
    _refused(client.post("/api/v1/queues", json=queue, headers=manager.headers), "name")
    # A NUL in a key is as unstorable as one in a value.
    calendar = {"name": "c", "hours": {"mon\x00": [["09:00", "17:00"]]}}
    _refused(client.put("/api/v1/sla/calendars", json=calendar, headers=manager.headers),
             "hours")
    assert client.get("/api/v1/cases", headers=manager.headers).json()["items"] == []


def test_deeply_nested_json_answers_in_the_standard_format(
        client: TestClient, manager: Person) -> None:
    deep: Any = "x"
    for _ in range(MAX_JSON_DEPTH + 5):
        deep = {"k": deep}
    r = client.post("/api/v1/cases", json=factories.flag("r-deep", extra=deep),
                    headers=manager.headers)
    _refused(r, "extra." + ".".join(["k"] * (MAX_JSON_DEPTH - 1)))
    # Deeper than the parser itself can go: still the format, the field is the body.
    body = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/api/v1/cases", content=body, headers={
        **manager.headers, "content-type": "application/json"})
    assert r.status_code in (413, 422), r.text
    assert r.json()["error"]["field"] == "body"


def test_a_streamed_body_over_the_limit_still_answers_413_through_the_guard(
        db: Database, manager: Person) -> None:
    app = create_app(db, Settings(secret_key="test-secret", max_body_bytes=2_000))

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit trips while reading
        yield b'{"kind": "flag", "reason": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/v1/cases", content=chunks(), headers={
            **manager.headers, "content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["field"] == "body"


def test_ordinary_bodies_pass_untouched(client: TestClient, manager: Person) -> None:
    r = client.post("/api/v1/cases", json=factories.csm(revenue_at_stake=10**9),
                    headers=manager.headers)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(("value", "field"), [
    ({"a": [1, 2, {"b": 2**63}]}, "a.2.b"),
    ({"a": -(2**63) - 1}, "a"),
    ([{"s": "ok"}, {"s": "n\x00"}], "1.s"),
    ({"f": float("inf")}, "f"),
])
def test_check_json_names_the_first_bad_value(value: Any, field: str) -> None:
    with pytest.raises(InputRefused) as refused:
        check_json(value)
    assert refused.value.field == field


def test_check_json_accepts_the_edges_of_the_range() -> None:
    check_json({"a": [2**63 - 1, -(2**63), 1.5e18, "text", None, True]})
    check_json_bytes(b'{"not json')  # left to the route to say so


def _integer_params(route: APIRoute) -> tuple[set[str], set[str]]:
    pending, query, path = [route.dependant], set(), set()
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        for names, params in ((query, dependant.query_params), (path, dependant.path_params)):
            names.update(p.alias for p in params if "int" in repr(p.field_info.annotation))
    return query, path


def test_every_route_that_takes_an_integer_refuses_one_beyond_64_bits(
        app: Any, client: TestClient, make_person: Any) -> None:
    """Every API route, found from the app itself so a new one is covered without a line here:
    each integer query and path parameter at 2**64 + 1 answers 422 naming it, never a 500."""
    admin = make_person("admin")
    checked = 0
    for full_path, route in api_routes(app.routes):
        if not full_path.startswith("/api/"):
            continue
        query, path = _integer_params(route)
        if not (query or path):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m, ints=path: str(HUGE) if m.group(1) in ints
                     else "FLAG-1", full_path)
        for method in route.methods:
            r = client.request(method, url, params={name: HUGE for name in query},
                               headers=admin.headers)
            assert r.status_code == 422, (method, url, r.text)
            assert r.json()["error"]["field"] in query | path, (method, url, r.text)
            checked += 1
    assert checked >= 5  # the cursors, limits and ids of the lists at least


def test_the_byte_scan_measures_nesting_as_the_parser_does() -> None:
    """Brackets and escaped quotes inside strings do not count; a body whose text hides deep
    nesting behind closing brackets is still caught."""
    deep: Any = 1
    for _ in range(MAX_JSON_DEPTH + 2):
        deep = [deep]
    hidden = json.dumps({"text": "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] \\\" ]]", "v": deep})
    with pytest.raises(InputRefused) as refused:
        check_json_bytes(hidden.encode())
    assert refused.value.field.startswith("v.0.0")
    shallow = json.dumps({"text": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\\\", "v": [[1]]})
    check_json_bytes(shallow.encode())  # deep only in its text: passes


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    """A route that answers 200 with the body it was given."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_a_batch_route_judges_its_items_itself_but_not_its_envelope() -> None:
    """Items of a batch are answered in their place by the route (a NUL in one is that item's
    error, the others land); the guard still checks the rest of the envelope."""
    c = TestClient(InputGuard(_echo, item_lists={"/api/v1/batch": "items"}))  # no lifespan
    items = {"items": [{"ok": 1}, {"reason": "n\x00", "n": HUGE}]}
    r = c.post("/api/v1/batch", json=items)
    assert r.status_code == 200 and r.json() == items  # passed on untouched
    r = c.post("/api/v1/batch", json={**items, "note": "n\x00"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "note"
    r = c.post("/api/v1/other", json=items)
    assert r.status_code == 422 and r.json()["error"]["field"] == "items.1.reason"


def test_the_byte_scan_tells_the_batch_route_when_it_cleared_the_whole_body() -> None:
    """True only when nothing suspect is anywhere in the body, items included: the batch route
    then skips its own per-item check; otherwise each item is checked in its place."""
    clean = json.dumps({"items": [{"kind": "flag", "reason": "fine", "rating": 5}]}).encode()
    assert check_json_bytes(clean, items="items") is True
    with_nul = json.dumps({"items": [{"reason": "a\x00b"}]}).encode()
    assert check_json_bytes(with_nul, items="items") is False  # left to the route, per item
    huge = json.dumps({"items": [{"rating": 2**70}]}).encode()
    assert check_json_bytes(huge, items="items") is False
