"""The case view's evidence card: counts, snapshot now, and the bundle download (issue 24)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from fastapi.testclient import TestClient

from integrity_desk.evidence.verify import verify_bytes
from tests import factories
from tests.conftest import Browser, Person

API = "/api/v1"


def test_the_card_snapshots_and_downloads_a_bundle_that_verifies(
        client: TestClient, specialist: Person, sign_in: Callable[..., Browser]) -> None:
    key = client.post(f"{API}/cases", headers=specialist.headers,
                      json=factories.investigation()).json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    browser = sign_in(specialist)
    card = browser.client.get(f"/cases/{key}/evidence")
    assert card.status_code == 200 and "No snapshot yet" in card.text
    assert 'id="evidence"' in browser.client.get(f"/cases/{key}").text
    r = browser.client.post(f"/cases/{key}/evidence/snapshots",
                            data={"csrf_token": browser.csrf}, headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert "3 new snapshots" in r.text and "3 snapshots" in r.text  # business, review, account
    r = browser.client.post(f"/cases/{key}/evidence/bundle", data={"csrf_token": browser.csrf})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert verify_bytes(r.content).ok
    card = browser.client.get(f"/cases/{key}/evidence")
    assert hashlib.sha256(r.content).hexdigest()[:16] in card.text


def test_the_card_offers_only_what_the_role_may_do(
        client: TestClient, specialist: Person, make_person: Callable[..., Person],
        sign_in: Callable[..., Browser]) -> None:
    key = client.post(f"{API}/cases", headers=specialist.headers,
                      json=factories.investigation()).json()["case"]["key"]
    viewer = sign_in(make_person("viewer"))
    card = viewer.client.get(f"/cases/{key}/evidence")
    assert card.status_code == 200
    assert "Download evidence bundle" not in card.text and "Snapshot subjects" not in card.text
    refused = viewer.client.post(f"/cases/{key}/evidence/bundle",
                                 data={"csrf_token": viewer.csrf})
    assert refused.status_code == 403


def test_the_timeline_says_what_evidence_was_kept_and_exported() -> None:
    from datetime import UTC, datetime

    from integrity_desk.audit.timeline import TimelineEvent
    from integrity_desk.web.cases.views import event_view

    def words(kind: str, payload: dict[str, object]) -> str:
        return event_view(TimelineEvent(1, kind, "audit", "A Person", datetime.now(UTC),
                                        payload)).summary

    assert words("evidence.captured", {"occasion": "examined", "snapshots": 3}) == (
        "kept 3 evidence snapshots of the subjects as examined")
    assert words("evidence.captured", {"occasion": "decided", "snapshots": 1,
                                       "decision_id": 7}) == (
        "kept 1 evidence snapshot of what decision 7 acts on")
    assert words("evidence.exported", {"sha256": "ab" * 32}) == (
        "exported the evidence bundle (SHA-256 abababababababab…)")
