"""Evidence: snapshots when work begins and when a decision is made, their immutability in the
database itself, and the bundle — exported over the API, verified offline and against the
desk, and refused when anything in it was changed (issue 24)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database, utcnow
from integrity_desk.evidence.domain import digest
from integrity_desk.evidence.models import EvidenceSnapshot
from integrity_desk.evidence.verify import against_desk, verify_bytes
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.subjects.models import Review
from tests import factories
from tests.conftest import Person
from tests.helpers import plant_finding

API = "/api/v1"


def _investigation(client: TestClient, person: Person) -> str:
    r = client.post(f"{API}/cases", headers=person.headers, json=factories.investigation(
        reviews=[{"ref": f"ev{n}", "business_domain": "shop.example.com",
                  "reviewer_ref": f"evu{n}", "text": f"Great shop number {n}!"}
                 for n in range(3)]))
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _start(client: TestClient, person: Person, key: str) -> None:
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    r = client.post(f"{API}/cases/{key}/transition", headers=person.headers,
                    json={"action": "start"})
    assert r.status_code == 200, r.text


def _decide(client: TestClient, person: Person, key: str) -> dict[str, Any]:
    r = client.post(f"{API}/cases/{key}/decisions", headers=person.headers, json={
        "guideline": "fake", "explanation": "The reviews follow one paid template.",
        "facts": "Same template, same day.", "territorial_scope": ["DE"],
        "actions": [{"action": "remove_review", "subject": "review:ev0"},
                    {"action": "remove_review", "subject": "review:ev1"}]})
    assert r.status_code == 201, r.text
    return r.json()


def _snapshots(db: Database, case_id: int) -> list[EvidenceSnapshot]:
    with db.session() as s:
        return list(s.scalars(select(EvidenceSnapshot).where(
            EvidenceSnapshot.case_id == case_id).order_by(EvidenceSnapshot.id)))


def _case_id(key: str) -> int:
    return int(key.rsplit("-", 1)[1])


def test_work_beginning_and_a_decision_each_snapshot_what_they_saw(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _investigation(client, specialist)
    case_id = _case_id(key)
    assert _snapshots(db, case_id) == []  # intake alone examines nothing
    _start(client, specialist, key)
    examined = _snapshots(db, case_id)
    subjects = {s.subject_ref for s in examined}
    assert {"review:ev0", "review:ev1", "review:ev2", "business:shop.example.com"} <= subjects
    assert {s.occasion for s in examined} == {"examined"}
    for snap in examined:
        assert snap.sha256 == hashlib.sha256(snap.content.encode()).hexdigest()
        assert snap.taken_by_id == specialist.user.id
    first = next(s for s in examined if s.subject_ref == "review:ev0")
    form = json.loads(first.content)
    assert form["text"] == "Great shop number 0!"
    assert form["business"]["domain"] == "shop.example.com"
    assert form["reviewer"]["ref"] == "evu0"
    decision = _decide(client, specialist, key)
    decided = [s for s in _snapshots(db, case_id) if s.occasion == "decided"]
    assert sorted(s.subject_ref for s in decided) == ["review:ev0", "review:ev1"]
    assert {s.decision_id for s in decided} == {decision["id"]}
    # The state it acted on: published, not yet removed.
    assert {json.loads(s.content)["status"] for s in decided} == {"published"}
    # Each batch is tied into the hash chain by the digest of its snapshots' hashes.
    with db.session() as s:
        events = [json.loads(p) for p in s.scalars(select(AuditEvent.payload).where(
            AuditEvent.case_id == case_id, AuditEvent.kind == "evidence.captured")
            .order_by(AuditEvent.id))]
    assert [e["occasion"] for e in events] == ["examined", "decided"]
    assert events[0]["digest"] == digest(s.sha256 for s in examined)
    assert events[1]["digest"] == digest(s.sha256 for s in decided)


def test_a_snapshot_on_demand_takes_only_what_changed(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _investigation(client, specialist)
    _start(client, specialist, key)
    r = client.post(f"{API}/cases/{key}/evidence/snapshots", headers=specialist.headers)
    assert r.status_code == 201 and r.json() == {"snapshots": 0}
    with db.session() as s:
        s.execute(update(Review).where(Review.ref == "ev2").values(text="Edited afterwards"))
    r = client.post(f"{API}/cases/{key}/evidence/snapshots", headers=specialist.headers)
    assert r.json() == {"snapshots": 1}
    r = client.get(f"{API}/cases/{key}/evidence/snapshots", headers=specialist.headers,
                   params={"limit": 200})
    items = r.json()["items"]
    ev2 = [i["content"]["text"] for i in items if i["subject"] == "review:ev2"]
    assert ev2 == ["Great shop number 2!", "Edited afterwards"]


def test_snapshots_name_the_signals_and_the_bundle_carries_their_evidence(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _investigation(client, specialist)
    now = utcnow()
    with db.session() as s:
        review_id = s.scalar(select(Review.id).where(Review.ref == "ev0"))
        signal = Signal(kind="duplicates", key="dup:ev0", score=0.8,
                        explanation="3 reviews share one text.",
                        evidence={"texts": ["Great shop"]}, first_seen_at=now, last_seen_at=now)
        s.add(signal)
        s.flush()
        s.add(SignalSubject(signal_id=signal.id, subject_type="review", subject_id=review_id))
    _start(client, specialist, key)
    snap = next(s for s in _snapshots(db, _case_id(key)) if s.subject_ref == "review:ev0")
    assert json.loads(snap.content)["signals"] == [{
        "id": signal.id, "kind": "duplicates", "key": "dup:ev0", "strength": 0.8,
        "explanation": "3 reviews share one text."}]
    r = client.post(f"{API}/cases/{key}/evidence/bundle", headers=specialist.headers)
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    signals = json.loads(archive.read("signals.json"))
    assert signals[0]["evidence"] == {"texts": ["Great shop"]}
    assert signals[0]["subjects"] == ["review:ev0"]


@pytest.mark.parametrize("statement", [
    "UPDATE evidence_snapshots SET content = '{}'", "DELETE FROM evidence_snapshots"])
def test_the_database_refuses_to_change_or_delete_a_snapshot(
        client: TestClient, db: Database, specialist: Person, statement: str) -> None:
    key = _investigation(client, specialist)
    _start(client, specialist, key)
    with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
        s.execute(text(statement))
    assert len(_snapshots(db, _case_id(key))) >= 4


def test_a_bundle_verifies_and_its_hash_is_on_the_timeline(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _investigation(client, specialist)
    _start(client, specialist, key)
    _decide(client, specialist, key)
    r = client.post(f"{API}/cases/{key}/evidence/bundle", headers=specialist.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert "attachment" in r.headers["content-disposition"]
    sha = hashlib.sha256(r.content).hexdigest()
    assert r.headers["x-evidence-sha256"] == sha
    report = verify_bytes(r.content)
    with db.session() as s:
        against_desk(s, report)
    assert report.ok, report.checks
    assert {c.name for c in report.checks} == {
        "bundle", "files", "snapshots", "attachments", "timeline", "recorded", "desk timeline"}
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["case"] == key
    assert len(manifest["snapshots"]) == len(_snapshots(db, _case_id(key)))
    summary = json.loads(archive.read("case.json"))
    assert summary["decisions"][0]["actions"][0]["subject"] == "review:ev0"
    statements = archive.read("statements.jsonl").decode().splitlines()
    assert len(statements) == 2  # one statement of reasons per removed review
    with db.session() as s:
        exported = json.loads(s.scalars(select(AuditEvent.payload).where(
            AuditEvent.case_id == _case_id(key), AuditEvent.kind == "evidence.exported")).one())
    assert exported["sha256"] == sha and exported["snapshots"] == len(manifest["snapshots"])


def _rezip(data: bytes, change: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, change.get(name, source.read(name)))
    return out.getvalue()


def test_a_changed_bundle_does_not_verify(client: TestClient, db: Database,
                                          specialist: Person) -> None:
    key = _investigation(client, specialist)
    _start(client, specialist, key)
    data = client.post(f"{API}/cases/{key}/evidence/bundle", headers=specialist.headers).content
    archive = zipfile.ZipFile(io.BytesIO(data))
    snapshot = next(n for n in archive.namelist() if "-review-" in n)
    forged = archive.read(snapshot).replace(b"Great shop", b"Awful shop")
    failed = {c.name for c in verify_bytes(_rezip(data, {snapshot: forged})).checks if not c.ok}
    assert failed == {"files", "snapshots"}
    # A forger who also fixes the manifest still cannot match the snapshot's recorded hash.
    manifest = json.loads(archive.read("manifest.json"))
    manifest["files"][snapshot] = {"sha256": hashlib.sha256(forged).hexdigest(),
                                   "size": len(forged)}
    again = _rezip(data, {snapshot: forged, "manifest.json": json.dumps(manifest).encode()})
    assert {c.name for c in verify_bytes(again).checks if not c.ok} == {"snapshots"}
    # Rewriting the timeline breaks its chain.
    lines = archive.read("timeline.jsonl").decode().splitlines()
    event = json.loads(lines[0])
    event["actor_label"] = "someone else"
    lines[0] = json.dumps(event)
    timeline = ("\n".join(lines) + "\n").encode()
    manifest = json.loads(archive.read("manifest.json"))
    manifest["files"]["timeline.jsonl"] = {"sha256": hashlib.sha256(timeline).hexdigest(),
                                           "size": len(timeline)}
    report = verify_bytes(_rezip(data, {"timeline.jsonl": timeline,
                                        "manifest.json": json.dumps(manifest).encode()}))
    assert {c.name for c in report.checks if not c.ok} == {"timeline"}
    # A bundle the desk did not export (any byte differs) is not on its timeline.
    with db.session() as s:
        against_desk(s, report)
    assert not next(c for c in report.checks if c.name == "recorded").ok
    assert not verify_bytes(b"not a zip").ok


def test_who_may_export_and_see_evidence(client: TestClient, specialist: Person,
                                         make_person: Any) -> None:
    key = _investigation(client, specialist)
    agent = make_person("agent")
    r = client.post(f"{API}/cases/{key}/evidence/bundle", headers=agent.headers)
    assert r.status_code in (403, 404)
    viewer = make_person("viewer")
    assert client.post(f"{API}/cases/{key}/evidence/bundle",
                       headers=viewer.headers).status_code == 403
    assert client.post(f"{API}/cases/{key}/evidence/snapshots",
                       headers=viewer.headers).status_code == 403
    counsel = make_person("legal")
    # Counsel may export, but only the cases counsel may read (legal matters): 404 otherwise.
    assert client.post(f"{API}/cases/{key}/evidence/bundle",
                       headers=counsel.headers).status_code == 404
    assert client.get(f"{API}/cases/INV-99999/evidence/snapshots",
                      headers=specialist.headers).status_code == 404


def test_the_findings_members_and_added_members_are_snapshotted_too(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _investigation(client, specialist)
    case_id = _case_id(key)
    # A finding the case holds names a review that is no subject of it.
    plant_finding(db, case_id, ["ring1"], key="ring:ev", kind="ring", extra=["late1"])
    _start(client, specialist, key)
    assert "review:ring1" in {s.subject_ref for s in _snapshots(db, case_id)}
    r = client.post(f"{API}/cases/{key}/members", headers=specialist.headers,
                    json={"type": "review", "refs": ["late1"], "reason": "Same template"})
    assert r.status_code in (200, 201), r.text
    added = [s for s in _snapshots(db, case_id) if s.subject_ref == "review:late1"]
    assert [s.occasion for s in added] == ["examined"]
