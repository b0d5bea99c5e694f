"""POST /api/v1/cases/batch: up to 1,000 flags, each answered on its own."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f

API = "/api/v1"


def _batch(client: Any, person: Any, items: list[Any]) -> Any:
    return client.post(f"{API}/cases/batch", json={"items": items}, headers=person.headers)


def test_mixed_batch_is_answered_per_item(client, specialist):
    items = [
        f.flag("r1"),
        f.flag("r2", category="made_up"),                   # invalid category
        f.flag("r3"),
        f.csm(),                                            # not a flag
        {k: v for k, v in f.flag("r4").items() if k != "review"},  # no review
        f.flag("r5", review={"ref": "r5", "rating": 7}),    # rating out of range
    ]
    r = _batch(client, specialist, items)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["linked"], body["invalid"]) == (2, 0, 4)
    answers = body["items"]
    assert [a["index"] for a in answers] == list(range(6))
    assert [a["status"] for a in answers] == [
        "created", "invalid", "created", "invalid", "invalid", "invalid"]
    assert answers[0]["case"].startswith("FLG-") and answers[2]["case"].startswith("FLG-")
    assert answers[0]["case"] != answers[2]["case"]
    assert "case" not in answers[1]
    fields = {i: [e["field"] for e in answers[i]["errors"]] for i in (1, 3, 4, 5)}
    assert fields[1] == ["category"]
    assert "kind" in fields[3]
    assert fields[4] == ["review"]
    assert fields[5] == ["review.rating"]
    assert all(e["message"] for i in fields for e in answers[i]["errors"])
    # Only the valid items became cases, on the reviews they named.
    listed = client.get(f"{API}/cases", headers=specialist.headers).json()["items"]
    assert sorted(c["subjects"][0]["ref"] for c in listed) == ["r1", "r3"]


def test_duplicates_within_a_batch_join_one_case(client, specialist):
    items = [f.flag("r1"), f.flag("r2"), f.flag("r1", reporter_type="consumer"),
             f.flag("r1", reporter_type="automated_detector", reporter=None)]
    body = _batch(client, specialist, items).json()
    assert (body["created"], body["linked"], body["invalid"]) == (2, 2, 0)
    statuses = [(a["status"], a["case"]) for a in body["items"]]
    key = statuses[0][1]
    assert statuses == [("created", key), ("created", statuses[1][1]), ("linked", key),
                        ("linked", key)]
    detail = client.get(f"{API}/cases/{key}", headers=specialist.headers).json()
    assert detail["linked_requests"] == 2
    requests = client.get(f"{API}/cases/{key}/requests", headers=specialist.headers).json()
    assert [q["requester_type"] for q in requests["items"]] == ["consumer", "automated_detector"]
    timeline = client.get(f"{API}/cases/{key}/timeline", headers=specialist.headers).json()
    assert [e["kind"] for e in timeline["items"]] == [
        "case.created", "request.linked", "request.linked"]


def test_batch_flags_join_cases_opened_earlier(client, specialist):
    first = client.post(f"{API}/cases", json=f.flag("r1"), headers=specialist.headers).json()
    body = _batch(client, specialist, [f.flag("r1"), f.flag("r9")]).json()
    assert (body["created"], body["linked"]) == (1, 1)
    assert body["items"][0] == {"index": 0, "status": "linked", "case": first["case"]["key"],
                                "receipt": body["items"][0]["receipt"]}
    assert body["items"][0]["receipt"].startswith("RCPT-")
    detail = client.get(f"{API}/cases/{first['case']['key']}", headers=specialist.headers).json()
    assert detail["linked_requests"] == 1


def test_batch_cases_are_triaged_and_queued_like_single_flags(client, specialist):
    body = _batch(client, specialist, [f.flag("r1", category="harmful_illegal"),
                                       f.flag("r2", tags=["wave-7"])]).json()
    keys = [a["case"] for a in body["items"]]
    one = client.get(f"{API}/cases/{keys[0]}", headers=specialist.headers).json()
    two = client.get(f"{API}/cases/{keys[1]}", headers=specialist.headers).json()
    assert (one["queue"], one["tier"], one["priority"], one["priority_score"]) == (
        "flags", 1, "P2", 50)
    assert sum(r["points"] for r in one["priority_reasons"]) == 50
    assert one["sla"]["resolution"]["due_at"] is not None
    assert two["tags"] == ["wave-7"]


def test_batch_of_only_invalid_items(client, specialist):
    body = _batch(client, specialist, [{"kind": "flag"}, {}]).json()
    assert (body["created"], body["linked"], body["invalid"]) == (0, 0, 2)
    assert client.get(f"{API}/cases", headers=specialist.headers).json()["items"] == []


def test_batch_over_the_limit_is_refused_whole(client, specialist):
    items = [f.flag(f"r{i}") for i in range(1001)]
    r = _batch(client, specialist, items)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "items"
    assert client.get(f"{API}/cases", headers=specialist.headers).json()["items"] == []


def test_empty_batch_is_refused(client, specialist):
    r = _batch(client, specialist, [])
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "items"


def test_a_large_batch_takes_the_bulk_path_with_duplicates_and_open_cases(client, db,
                                                                          specialist, settings):
    """More flags than COPY_MIN_ROWS: on PostgreSQL cases, reviews, businesses and reviewers go
    in through COPY and a staging table, subjects, tags, requests and events straight by COPY.
    Duplicates within the batch and flags on already open cases must still join one case."""
    from sqlalchemy import func, select

    from integrity_desk.audit.models import AuditEvent
    from integrity_desk.audit.service import verify
    from integrity_desk.bulk import COPY_MIN_ROWS
    from integrity_desk.cases.models import Case, CaseRequest, CaseTag
    from integrity_desk.subjects.models import Business, Review, Reviewer

    open_before = client.post(f"{API}/cases", json=f.flag("r0"), headers=specialist.headers)
    first = _batch(client, specialist, [f.flag(f"a{i}") for i in range(COPY_MIN_ROWS)]).json()
    assert (first["created"], first["linked"]) == (COPY_MIN_ROWS, 0)
    size = 3 * COPY_MIN_ROWS
    items = [f.flag(f"b{i}", tags=["wave-9"], review={
        "ref": f"b{i}", "text": "Paid for this", "rating": 5, "language": "de",
        "business_domain": f"shop{i % 7}.example.com", "reviewer_ref": f"new-u{i % 11}"})
        for i in range(size)]
    items[5] = f.flag("b1", reporter_type="consumer")           # duplicate within the batch
    items[6] = f.flag("r0")                                      # the case opened singly
    items[7] = f.flag("a3")                                      # a case of the first batch
    body = _batch(client, specialist, items).json()
    assert (body["created"], body["linked"], body["invalid"]) == (size - 3, 3, 0)
    answers = body["items"]
    assert answers[5] == {"index": 5, "status": "linked", "case": answers[1]["case"],
                          "receipt": answers[5]["receipt"]}
    assert len({a["receipt"] for a in answers}) == size  # one reference per request
    assert answers[6]["case"] == open_before.json()["case"]["key"]
    assert answers[7]["case"] == first["items"][3]["case"]
    assert len({a["case"] for a in answers}) == size - 3 + 2  # and the two opened before
    one = client.get(f"{API}/cases/{answers[0]['case']}", headers=specialist.headers).json()
    assert (one["queue"], one["language"], one["tags"]) == ("flags", "de", ["wave-9"])
    assert one["subjects"][0]["ref"] == "b0"
    assert one["subjects"][0]["label"] == "Paid for this"
    assert one["sla"]["resolution"]["due_at"] is not None
    linked = client.get(f"{API}/cases/{answers[1]['case']}", headers=specialist.headers).json()
    assert linked["linked_requests"] == 1
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1 + COPY_MIN_ROWS + size - 3
        assert s.scalar(select(func.count()).select_from(CaseRequest)) == 3
        assert s.scalar(select(func.count()).select_from(CaseTag)) == size - 3
        assert s.scalar(select(func.count()).where(Review.ref.like("b%"))) == size - 3
        assert s.scalar(select(func.count()).where(Business.domain.like("shop_.example.com"))
                        ) == 7
        assert s.scalar(select(func.count()).where(Reviewer.ref.like("new-u%"))) == 11
        # One case.created or request.linked event per flag, on chains that verify.
        assert s.scalar(select(func.count()).where(AuditEvent.case_id.is_not(None))
                        ) == 1 + COPY_MIN_ROWS + size
        result = verify(s, secret=settings.secret_key)
    assert result.ok, result.problem


def test_malformed_items_are_answered_in_their_place_and_the_rest_land(client, specialist):
    nul_reason = f.flag("r3", reason="fake\x00review")
    nul_key = f.flag("r4")
    nul_key["review"]["x\x00"] = "y"
    huge = f.flag("r6", review={"ref": "r6", "rating": 2**64 + 1})
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    nested = f.flag("r7", tags=deep)
    items = [f.flag("r1"), "a string", 42, None, ["a", "list"], nul_reason, nul_key,
             f.flag("r5", category="made_up"), huge, nested, f.flag("r2")]
    r = _batch(client, specialist, items)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["linked"], body["invalid"]) == (2, 0, 9)
    answers = body["items"]
    assert [a["status"] for a in answers] == ["created"] + ["invalid"] * 9 + ["created"]
    for i in (1, 2, 3, 4):
        assert answers[i]["errors"] == [
            {"field": "item", "message": "must be an object: a flag, as for POST /cases"}]
        assert "receipt" not in answers[i] and "case" not in answers[i]
    assert answers[5]["errors"] == [{"field": "reason", "message": "holds a NUL character"}]
    assert answers[6]["errors"] == [{"field": "review",
                                     "message": "a key holds a NUL character"}]
    assert [e["field"] for e in answers[7]["errors"]] == ["category"]
    assert answers[8]["errors"] == [{"field": "review.rating",
                                     "message": "integer outside the signed 64-bit range"}]
    assert answers[9]["errors"][0]["field"].startswith("tags.0.0")
    assert "nested deeper" in answers[9]["errors"][0]["message"]
    listed = client.get(f"{API}/cases", headers=specialist.headers).json()["items"]
    assert sorted(c["subjects"][0]["ref"] for c in listed) == ["r1", "r2"]


@pytest.mark.parametrize("envelope", [
    {"items": "not a list"}, {"items": []}, {"items": [f.flag("r1")], "extra": 1}, [f.flag("r1")],
    {"items": [f.flag(f"r{i}") for i in range(1001)]},
])
def test_only_a_malformed_envelope_refuses_the_whole_batch(client, specialist, envelope):
    r = client.post(f"{API}/cases/batch", json=envelope, headers=specialist.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid" and r.json()["error"]["field"]
    assert client.get(f"{API}/cases", headers=specialist.headers).json()["items"] == []
