"""A decision over more subjects than one transaction takes is recorded whole, applied by the
worker in resumable chunks with its progress in view, and concluded once (issue 24, part 2).

The thresholds are lowered here (``AT_ONCE`` 25, ``CHUNK`` 10) so a few dozen subjects walk
every step the 5,000-member campaign does; bench/decide_chunks.py measures the real sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions import applying, members, service
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.jobs.models import Job
from integrity_desk.jobs.worker import Worker
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.precedents.models import Precedent
from integrity_desk.subjects.models import Review, Reviewer
from tests.conftest import Person

API = "/api/v1"
REVIEWS, REVIEWERS = 60, 6


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "AT_ONCE", 25)
    monkeypatch.setattr(applying, "CHUNK", 10)


@pytest.fixture
def worker(db: Database, settings: Any) -> Worker:
    return Worker(db, settings)


def _investigation(client: TestClient, person: Person, prefix: str) -> str:
    r = client.post(f"{API}/cases", headers=person.headers, json={
        "kind": "investigation", "title": "Review ring", "description": "One paid template.",
        "business_domains": [f"{prefix}.example.com"],
        "reviews": [{"ref": f"{prefix}{n}", "business_domain": f"{prefix}.example.com",
                     "reviewer_ref": f"{prefix}u{n % REVIEWERS}"} for n in range(REVIEWS)]})
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def _decision(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"guideline": "fake", "explanation": "The reviews follow one paid template.",
            "facts": "Same template and payment trail.", "territorial_scope": ["DE", "NL"],
            "actions": list(actions)}


def _drain(worker: Worker, *, limit: int = 50) -> list[str]:
    ran = []
    for _ in range(limit):
        kind = worker.run_once(utcnow() + timedelta(hours=2))  # past any retry back-off
        if kind is None:
            return ran
        ran.append(kind)
    raise AssertionError(f"the worker never ran dry: {ran}")


def _only_apply_jobs(db: Database) -> None:
    """The periodic jobs a worker schedules are not what these tests are about."""
    with db.session() as s:
        s.execute(update(Job).where(Job.kind != applying.JOB, Job.status == "queued")
                  .values(status="done"))


def _kinds(db: Database, case_id: int) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.seq)))


def test_every_member_is_decided_in_chunks_with_progress_and_concluded_once(
        client: TestClient, db: Database, specialist: Person, worker: Worker) -> None:
    key = _investigation(client, specialist, "ch")
    case_id = int(key.rsplit("-", 1)[1])
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "remove_review", "subject": "members:review"}))
    assert r.status_code == 201, r.text
    decision = r.json()
    assert decision["status"] == "applying"
    assert decision["progress"] == {"applied": 0, "total": REVIEWS}
    with db.session() as s:  # recorded whole, nothing changed yet
        assert set(s.scalars(select(Review.status).where(Review.ref.like("ch%")))) == {
            "published"}
    # A second decision waits until this one is applied.
    again = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers,
                        json=_decision({"action": "remove_review", "subject": "review:ch1"}))
    assert again.status_code == 409 and "being applied" in again.text

    _only_apply_jobs(db)
    assert worker.run_once(utcnow()) == applying.JOB  # one chunk
    out = client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json()[0]
    assert out["status"] == "applying" and out["progress"] == {"applied": 10, "total": REVIEWS}
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Review).where(
            Review.ref.like("ch%"), Review.status == "removed")) == 10
        assert s.scalar(select(func.count()).select_from(DsaStatement).where(
            DsaStatement.case_id == case_id)) == 10
    assert client.get(f"{API}/cases/{key}", headers=specialist.headers).json()[
        "status"] == "in_progress"

    _only_apply_jobs(db)
    assert set(_drain(worker)) == {applying.JOB}
    out = client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json()[0]
    assert out["status"] == "applied" and out["progress"] == {"applied": REVIEWS,
                                                              "total": REVIEWS}
    assert client.get(f"{API}/cases/{key}", headers=specialist.headers).json()[
        "status"] == "decided"
    with db.session() as s:
        assert set(s.scalars(select(Review.status).where(Review.ref.like("ch%")))) == {
            "removed"}
        puids = list(s.scalars(select(DsaStatement.puid).where(DsaStatement.case_id == case_id)))
        assert len(puids) == len(set(puids)) == REVIEWS
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind == "statement_of_reasons")) == REVIEWS
        assert s.scalar(select(func.count()).select_from(Precedent).where(
            Precedent.case_id == case_id)) == 1
    kinds = _kinds(db, case_id)
    assert kinds.count("decision.chunk_applied") == REVIEWS // 10
    assert kinds.count("decision.applied") == 1  # the webhook: once, at the end
    assert kinds.index("decision.applied") > max(
        i for i, k in enumerate(kinds) if k == "decision.chunk_applied")


def test_a_chunk_keeps_a_subjects_actions_together_and_four_eyes_come_first(
        client: TestClient, db: Database, specialist: Person, worker: Worker,
        make_person: Callable[..., Person]) -> None:
    key = _investigation(client, specialist, "cj")
    case_id = int(key.rsplit("-", 1)[1])
    r = client.post(f"{API}/cases/{key}/members", headers=specialist.headers, json={
        "type": "reviewer", "refs": [f"cju{n}" for n in range(REVIEWERS)],
        "reason": "They wrote the ring's reviews."})
    assert r.status_code in (200, 201), r.text
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "warn_reviewer", "subject": "members:reviewer"},
        {"action": "remove_review", "subject": "members:review"},
        {"action": "suspend_reviewer", "subject": "members:reviewer", "duration_days": 30}))
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "awaiting_approval"  # a suspension needs a second person
    assert d["progress"]["total"] == REVIEWS + 2 * REVIEWERS
    second = make_person("specialist")
    r = client.post(f"{API}/decisions/{d['id']}/approve", json={"note": "agreed"},
                    headers=second.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "applying"
    _only_apply_jobs(db)
    assert worker.run_once(utcnow()) == applying.JOB
    with db.session() as s:
        # The first ten actions name the six reviewers' warnings: their suspensions, far
        # later in the decision, came along so each reviewer has one statement for both.
        assert set(s.scalars(select(Reviewer.status).where(Reviewer.ref.like("cju%")))) == {
            "suspended"}
        refs = list(s.scalars(select(DsaStatement.subject_ref).where(
            DsaStatement.case_id == case_id)))
        assert sorted(r for r in refs if r.startswith("reviewer:")) == [
            f"reviewer:cju{n}" for n in range(REVIEWERS)]
        assert len([r for r in refs if r.startswith("review:")]) == 10 - REVIEWERS
    _only_apply_jobs(db)
    _drain(worker)
    with db.session() as s:
        refs = list(s.scalars(select(DsaStatement.subject_ref).where(
            DsaStatement.case_id == case_id)))
    assert len(refs) == len(set(refs)) == REVIEWS + REVIEWERS


def test_a_chunk_that_fails_is_not_half_applied_and_the_next_run_resumes_it(
        client: TestClient, db: Database, specialist: Person, worker: Worker,
        monkeypatch: pytest.MonkeyPatch) -> None:
    key = _investigation(client, specialist, "cf")
    case_id = int(key.rsplit("-", 1)[1])
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "remove_review", "subject": "members:review"}))
    decision_id = r.json()["id"]
    _only_apply_jobs(db)
    worker.run_once(utcnow())
    calls = {"n": 0}
    real = applying.apply_consequences

    def fails_once(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        real(*args, **kwargs)  # the subjects changed and the statements issued …
        if calls["n"] == 1:
            raise RuntimeError("the worker stopped")  # … and then the transaction is lost

    monkeypatch.setattr(applying, "apply_consequences", fails_once)
    worker.run_once(utcnow())
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Review).where(
            Review.ref.like("cf%"), Review.status == "removed")) == 10
        assert s.scalar(select(func.count()).select_from(DsaStatement).where(
            DsaStatement.case_id == case_id)) == 10
        job = s.scalars(select(Job).where(Job.kind == applying.JOB)
                        .order_by(Job.id.desc())).first()
        assert job is not None and job.status == "queued" and "stopped" in job.last_error
    _drain(worker)
    out = client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json()[0]
    assert out["id"] == decision_id and out["status"] == "applied"
    with db.session() as s:
        puids = list(s.scalars(select(DsaStatement.puid).where(DsaStatement.case_id == case_id)))
    assert len(puids) == len(set(puids)) == REVIEWS


def test_a_stopped_decision_says_so_and_resumes_where_it_stopped(
        client: TestClient, db: Database, specialist: Person, worker: Worker,
        sign_in: Callable[..., Any]) -> None:
    key = _investigation(client, specialist, "cs")
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "remove_review", "subject": "members:review"}))
    decision_id = r.json()["id"]
    _only_apply_jobs(db)
    worker.run_once(utcnow())
    with db.session() as s:  # its job gave up (a cause someone has to mend)
        s.execute(update(Job).where(Job.kind == applying.JOB, Job.status == "queued")
                  .values(status="failed", last_error="RuntimeError: disk full"))
    browser = sign_in(specialist)
    html = browser.client.get(f"/cases/{key}/decision").text
    assert "Applied to 10 of 60 subjects" in html
    assert "Applying stopped: RuntimeError: disk full" in html
    assert f"Resume applying decision {decision_id}" in html
    assert 'hx-trigger="every 3s"' not in html  # nothing moves: no polling
    r = browser.client.post(f"/cases/{key}/decision/{decision_id}/resume",
                            data={"csrf_token": browser.csrf}, headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert "goes on being applied from where it stopped" in r.text
    assert 'hx-trigger="every 3s"' in r.text  # the panel follows it again
    _drain(worker)
    out = client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json()[0]
    assert out["status"] == "applied"
    # Resuming what is applied is refused, naming why.
    r = client.post(f"{API}/decisions/{decision_id}/resume", headers=specialist.headers)
    assert r.status_code == 409 and "applied" in r.text


def test_every_member_lines_refuse_what_cannot_be_done(
        client: TestClient, specialist: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _investigation(client, specialist, "ce")
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "remove_review", "subject": "members:reviews"}))
    assert r.status_code == 422 and "subject" in r.text
    monkeypatch.setattr(members, "MAX_ACTIONS", 50)
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "remove_review", "subject": "members:review"}))
    assert r.status_code == 422, r.text
    body = r.json()
    assert "at most 50" in r.text and "actions" in str(body)
    monkeypatch.setattr(members, "MAX_ACTIONS", 20_000)
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json=_decision(
        {"action": "remove_review", "subject": "members:review"},
        {"action": "remove_review", "subject": "review:ce3"}))
    assert r.status_code == 422 and "twice" in r.text  # the expansion is checked like a list


def test_the_decided_webhook_of_a_chunked_decision_names_its_actions() -> None:
    from integrity_desk.webhooks.domain import event_data

    assert event_data("decision.applied", {"decision_id": 7, "in_chunks": True, "effects": [],
                                           "actions": ["remove_review", "warn_reviewer"]}) == {
        "decision_id": 7, "actions": ["remove_review", "warn_reviewer"]}
    assert event_data("decision.applied", {"decision_id": 8, "effects": [
        {"action": "remove_review"}]}) == {"decision_id": 8, "actions": ["remove_review"]}
