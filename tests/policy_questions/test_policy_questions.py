"""Policy questions: raised from a case, answered by Policy with a new guideline version,
counted per guideline; each refused where the rules say so; on the case's timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions.models import Guideline
from integrity_desk.policy_questions.models import PolicyQuestion
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _case(client: Any, person: Person, ref: str = "pq1") -> str:
    r = client.post(f"{API}/cases", headers=person.headers, json=f.flag(ref))
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def test_a_question_answered_with_a_new_guideline_version(
        db: Database, client: Any, make_person: Callable[..., Person]) -> None:
    sam, priya = make_person("specialist"), make_person("policy")
    key = _case(client, sam)
    asked = client.post(f"{API}/cases/{key}/policy-questions", headers=sam.headers, json={
        "reason": "unclear", "guideline": "fake",
        "question": "Does a review of a pop-up stall count as a real experience?"})
    assert asked.status_code == 201, asked.text
    q = asked.json()
    assert (q["case"], q["status"], q["overdue"]) == (key, "open", False)
    assert q["due_at"] > q["raised_at"]
    # Policy's list shows it; another specialist sees nothing of it.
    other = make_person("specialist")
    assert [x["id"] for x in client.get(f"{API}/policy-questions?status=open",
                                        headers=priya.headers).json()["items"]] == [q["id"]]
    assert client.get(f"{API}/policy-questions", headers=other.headers).json()["items"] == []
    assert client.get(f"{API}/policy-questions/{q['id']}",
                      headers=other.headers).status_code == 404
    assert client.post(f"{API}/policy-questions/{q['id']}/answer", headers=sam.headers,
                       json={"answer": "x"}).status_code == 403
    answered = client.post(f"{API}/policy-questions/{q['id']}/answer", headers=priya.headers,
                           json={"answer": "Yes: a stall is a business visit.",
                                 "new_guideline_text": "Reviews must describe a real "
                                 "experience, including at markets and pop-up stalls."})
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["status"] == "answered" and body["answered_by"] == priya.user.name
    with db.session() as s:
        version = s.get(Guideline, body["guideline_version_id"])
        assert version and (version.code, version.version, version.is_current) == (
            "fake", 2, True)
        assert version.change_note == f"answers policy question {q['id']}"
        kinds = [e.kind for e in s.scalars(select(AuditEvent).where(
            AuditEvent.kind.like("policy_question.%")).order_by(AuditEvent.id))]
    assert kinds == ["policy_question.raised", "policy_question.answered"]
    again = client.post(f"{API}/policy-questions/{q['id']}/answer", headers=priya.headers,
                        json={"answer": "Again."})
    assert again.status_code == 409
    mine = client.get(f"{API}/policy-questions", headers=sam.headers).json()["items"]
    assert mine[0]["answer"] == "Yes: a stall is a business visit."


def test_bad_questions_are_refused_by_field(client: Any,
                                            make_person: Callable[..., Person]) -> None:
    sam = make_person("specialist")
    key = _case(client, sam)
    for body, field in [({"reason": "unclear", "question": "Which?"}, "guideline"),
                        ({"reason": "unclear", "guideline": "nope", "question": "x"},
                         "guideline"),
                        ({"reason": "gap", "question": "  "}, "question")]:
        r = client.post(f"{API}/cases/{key}/policy-questions", headers=sam.headers, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
    assert client.post(f"{API}/cases/{key}/policy-questions",
                       headers=make_person("viewer").headers,
                       json={"reason": "gap", "question": "x"}).status_code == 403


def test_counts_per_guideline_show_where_guidance_is_weakest(
        db: Database, client: Any, make_person: Callable[..., Person]) -> None:
    sam, priya = make_person("specialist"), make_person("policy")
    key = _case(client, sam)
    for guideline, reason in [("fake", "unclear"), ("fake", "new_pattern"),
                              ("incentivised", "unclear"), (None, "gap")]:
        body = {"reason": reason, "question": "?", "guideline": guideline}
        assert client.post(f"{API}/cases/{key}/policy-questions", headers=sam.headers,
                           json=body).status_code == 201
    with db.session() as s:  # one of the fake questions is long overdue
        first = s.scalar(select(PolicyQuestion).order_by(PolicyQuestion.id))
        first.due_at = utcnow() - timedelta(hours=1)
    counts = client.get(f"{API}/policy-questions/per-guideline",
                        headers=priya.headers).json()
    assert [(c["guideline"], c["raised"], c["open"], c["overdue"]) for c in counts] == [
        ("fake", 2, 2, 1), (None, 1, 1, 0), ("incentivised", 1, 1, 0)]
    listed = client.get(f"{API}/policy-questions?status=open", headers=priya.headers).json()
    assert listed["items"][0]["overdue"] is True  # soonest due first
    assert client.get(f"{API}/policy-questions/per-guideline",
                      headers=sam.headers).status_code == 403


def test_an_answer_links_a_version_published_since_the_question(
        db: Database, client: Any, make_person: Callable[..., Person]) -> None:
    sam, priya = make_person("specialist"), make_person("policy")
    key = _case(client, sam)
    q = client.post(f"{API}/cases/{key}/policy-questions", headers=sam.headers, json={
        "reason": "unclear", "guideline": "fake", "question": "Stalls?"}).json()
    old = client.post(f"{API}/policy-questions/{q['id']}/answer", headers=priya.headers,
                      json={"answer": "See version 1.", "linked_version": 1})
    assert old.status_code == 422 and old.json()["error"]["field"] == "linked_version"
    both = client.post(f"{API}/policy-questions/{q['id']}/answer", headers=priya.headers,
                       json={"answer": "x", "linked_version": 2, "new_guideline_text": "y"})
    assert both.status_code == 422 and both.json()["error"]["field"] == "linked_version"
    saved = client.put(f"{API}/guidelines/fake", headers=priya.headers,
                       json={"text": "Stalls count.", "change_note": "stalls"})
    assert saved.status_code == 200, saved.text
    linked = client.post(f"{API}/policy-questions/{q['id']}/answer", headers=priya.headers,
                         json={"answer": "See version 2.", "linked_version": 2})
    assert linked.status_code == 200, linked.text
    with db.session() as s:
        version = s.get(Guideline, linked.json()["guideline_version_id"])
        assert version and (version.code, version.version) == ("fake", 2)
