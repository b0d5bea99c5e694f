"""One decision over an investigation's members: the reviews its findings name are decided on
like its own subjects, each stated and snapshotted; a member a person dropped is not (issue
24 part 2)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.evidence.models import EvidenceSnapshot
from integrity_desk.subjects.models import Review
from tests import factories
from tests.conftest import Person
from tests.helpers import plant_finding

API = "/api/v1"


def test_a_decision_acts_on_the_members_the_findings_name(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = client.post(f"{API}/cases", headers=specialist.headers,
                      json=factories.investigation()).json()["case"]["key"]
    case_id = int(key.rsplit("-", 1)[1])
    plant_finding(db, case_id, ["camp0", "camp1", "camp2"], key="dup:camp")
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    r = client.post(f"{API}/cases/{key}/members/drop", headers=specialist.headers,
                    json={"type": "review", "ref": "camp2", "reason": "A genuine customer"})
    assert r.status_code in (200, 201), r.text

    def decide(refs: list[str]) -> object:
        return client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json={
            "guideline": "fake", "explanation": "One paid template.", "facts": "Copies.",
            "territorial_scope": ["DE"],
            "actions": [{"action": "remove_review", "subject": f"review:{ref}"}
                        for ref in refs]})

    refused = decide(["camp0", "camp2"])
    assert refused.status_code == 422 and "review:camp2 is not a subject" in refused.text
    decided = decide(["camp0", "camp1"])
    assert decided.status_code == 201, decided.text
    with db.session() as s:
        assert set(s.scalars(select(Review.status).where(
            Review.ref.in_(["camp0", "camp1"])))) == {"removed"}
        assert s.scalar(select(Review.status).where(Review.ref == "camp2")) == "published"
        assert sorted(s.scalars(select(DsaStatement.subject_ref).where(
            DsaStatement.case_id == case_id))) == ["review:camp0", "review:camp1"]
        decided_refs = sorted(s.scalars(select(EvidenceSnapshot.subject_ref).where(
            EvidenceSnapshot.case_id == case_id, EvidenceSnapshot.occasion == "decided")))
    assert decided_refs == ["review:camp0", "review:camp1"]
