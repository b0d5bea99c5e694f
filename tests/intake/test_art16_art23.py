"""Intake as DSA Art. 16 and Art. 23 read: a legal notice carries its sender's e-mail (unless
it concerns child sexual abuse), a deadline in the past is refused, and a suspended notifier's
flags and trusted-flagger notices are refused like its legal notices — singly, and in a batch
in their place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from integrity_desk.db import Database, utcnow
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.misuse.models import MisuseMeasure
from tests import factories as f

API = "/api/v1"
SUSPENDED = "owner@shop.example.com"  # the reporter of tests.factories.flag


def _post(client: Any, person: Any, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/cases", json=body, headers=person.headers)


def _error(r: Any, status: int, field: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field, r.json()
    return r.json()["error"]


def _suspend(db: Database, key: str, *, days: int = 30) -> None:
    now = utcnow()
    with db.session() as s:  # as misuse.service.impose records one (DSA Art. 23(2))
        s.add(MisuseMeasure(party_type="notifier", party_key=key, bucket="unfounded_notices",
                            measure="suspension", manifest_count=9, total_count=10,
                            reason="Manifestly unfounded notices.", starts_at=now,
                            ends_at=now + timedelta(days=days)))


def test_a_legal_notice_needs_the_senders_email(client, manager) -> None:
    body = f.legal()
    del body["sender"]["email"]
    error = _error(_post(client, manager, body), 422, "sender.email")
    assert "16(2)(c)" in error["message"]


def test_a_csam_legal_notice_may_leave_out_the_email(client, manager) -> None:
    body = f.legal(csam=True)
    del body["sender"]["email"]
    r = _post(client, manager, body)
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    assert case["category"] == "harmful_illegal" and "csam" in case["tags"]


@pytest.mark.parametrize("deadline", [
    datetime.now(UTC) - timedelta(minutes=5), datetime(2001, 1, 1, tzinfo=UTC)])
def test_a_deadline_in_the_past_is_refused(client, manager, deadline: datetime) -> None:
    r = _post(client, manager, f.legal(deadline=deadline.isoformat()))
    assert "past" in _error(r, 422, "deadline")["message"]


def test_a_suspended_notifiers_flag_is_refused(client, db, manager) -> None:
    _suspend(db, SUSPENDED)
    r = _post(client, manager, f.flag("s1"))
    assert "DSA Art. 23" in _error(r, 403, "reporter.email")["message"]
    other = f.flag("s1", reporter={"name": "Ann", "email": "ann@mail.example.org"})
    assert _post(client, manager, other).status_code == 201


def test_a_suspended_notifiers_trusted_flagger_notice_is_refused(client, db, manager) -> None:
    with db.session() as s:
        s.add(TrustedFlagger(name="Consumer Watch Europe", country="DE",
                             coordinator="Bundesnetzagentur", areas=["fake"], active=True))
    _suspend(db, "tara@cwe.example.org")
    r = _post(client, manager, f.trusted_flagger())
    _error(r, 403, "contact.email")


def test_an_ended_suspension_refuses_nothing(client, db, manager) -> None:
    now = utcnow()
    with db.session() as s:
        s.add(MisuseMeasure(party_type="notifier", party_key=SUSPENDED,
                            bucket="unfounded_notices", measure="suspension", manifest_count=9,
                            total_count=10, reason="Old.", starts_at=now - timedelta(days=40),
                            ends_at=now - timedelta(days=10)))
    assert _post(client, manager, f.flag("s2")).status_code == 201


def test_in_a_batch_the_suspended_senders_flags_are_refused_in_their_place(
        client, db, manager) -> None:
    _suspend(db, SUSPENDED)
    items = [f.flag("b1", reporter={"name": "Ann", "email": "ann@mail.example.org"}),
             f.flag("b2"),  # the suspended sender
             f.flag("b3", category="made_up"),  # invalid on its own account
             f.flag("b4", reporter={"name": "Shop", "email": SUSPENDED.upper()}),
             f.flag("b5", reporter_type="automated_detector", reporter=None)]
    r = client.post(f"{API}/cases/batch", json={"items": items}, headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["linked"], body["invalid"], body["refused"]) == (2, 0, 1, 2)
    answers = body["items"]
    assert [a["status"] for a in answers] == [
        "created", "refused", "invalid", "refused", "created"]
    for a in (answers[1], answers[3]):
        [error] = a["errors"]
        assert error["field"] == "reporter.email" and "DSA Art. 23" in error["message"]
        assert "receipt" not in a and "case" not in a
