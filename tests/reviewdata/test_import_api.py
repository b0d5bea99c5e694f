"""POST /api/v1/imports/{kind}: the platform pushes NDJSON and hears back about every line."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from integrity_desk.subjects.models import Review

NDJSON = {"content-type": "application/x-ndjson"}


def _lines(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def _body(*records: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n"
                    for r in records)


def test_reviews_pushed_as_ndjson_are_answered_line_by_line(client, db, manager):
    body = _body(
        {"ref": "r1", "business": "shop.example.com", "reviewer": "u1", "rating": 5,
         "published_at": "2026-03-01"},
        b"{not json",
        {"ref": "r2", "business": "shop.example.com", "reviewer": "u2", "rating": 7},
        {"ref": "r3", "business": "shop.example.com", "reviewer": "u2", "rating": 1})
    response = client.post("/api/v1/imports/reviews", content=body,
                           headers={**manager.headers, **NDJSON})
    assert response.status_code == 200, response.text
    lines = _lines(response)
    assert lines[-1] == {"summary": {"kind": "reviews", "read": 4, "added": 2, "changed": 0,
                                     "unchanged": 0, "bad": 2}}
    by_line = {line["line"]: line for line in lines[:-1]}
    assert by_line[1] == {"line": 1, "key": "r1", "result": "added"}
    assert by_line[2]["result"] == "bad" and by_line[2]["field"] == "line"
    assert by_line[3] == {"line": 3, "result": "bad", "field": "rating",
                          "reason": "must be between 1 and 5"}
    assert by_line[4]["result"] == "added"
    again = _lines(client.post("/api/v1/imports/reviews", content=body,
                               headers={**manager.headers, **NDJSON}))
    assert {line["line"]: line.get("result") for line in again[:-1]} == {
        1: "unchanged", 2: "bad", 3: "bad", 4: "unchanged"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 2


def test_a_streamed_body_split_mid_line_is_read_whole(client, db, manager):
    records = [{"domain": f"b{i}.example.com", "name": f"Business {i}"} for i in range(300)]
    body = _body(*records)

    def chunks():
        for i in range(0, len(body), 1000):  # cuts lines in two
            yield body[i:i + 1000]

    response = client.post("/api/v1/imports/businesses", content=chunks(),
                           headers={**manager.headers, **NDJSON})
    lines = _lines(response)
    assert lines[-1]["summary"]["added"] == 300 and lines[-1]["summary"]["bad"] == 0
    assert sorted(line["line"] for line in lines[:-1]) == list(range(1, 301))


def test_the_body_must_be_ndjson_and_the_caller_a_lead(client, manager, specialist):
    refused = client.post("/api/v1/imports/reviews", content=b"{}",
                          headers={**manager.headers, "content-type": "text/csv"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "content-type"
    forbidden = client.post("/api/v1/imports/reviews", content=b"{}",
                            headers={**specialist.headers, **NDJSON})
    assert forbidden.status_code == 403
    unknown = client.post("/api/v1/imports/cases", content=b"{}",
                          headers={**manager.headers, **NDJSON})
    assert unknown.status_code == 422


def test_an_overlong_or_too_deep_line_is_refused_and_the_rest_land(client, db, manager,
                                                                    monkeypatch):
    from integrity_desk.reviewdata import api

    monkeypatch.setattr(api, "MAX_LINE_BYTES", 2_000)
    good = {"domain": "a.example.com"}
    long_line = json.dumps({"domain": "b.example.com", "name": "x" * 5_000}).encode()
    deep = b"[" * 100_000 + b"]" * 100_000

    def chunks():
        body = _body(good, long_line, deep, {"domain": "c.example.com"})
        for i in range(0, len(body), 700):
            yield body[i:i + 700]

    lines = _lines(client.post("/api/v1/imports/businesses", content=chunks(),
                               headers={**manager.headers, **NDJSON}))
    by_line = {line.get("line"): line for line in lines[:-1]}
    assert by_line[2]["reason"] == "longer than 2,000 bytes"
    assert by_line[3]["result"] == "bad"
    assert by_line[1]["result"] == by_line[4]["result"] == "added"
    assert lines[-1]["summary"]["read"] == 4 and lines[-1]["summary"]["bad"] == 2
