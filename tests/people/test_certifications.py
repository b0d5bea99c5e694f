"""Certifications: granted, expiring, revoked, and read for many people at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.people import certifications
from integrity_desk.people.models import User
from tests.conftest import Person

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def test_grant_expire_revoke(db: Database, make_person: Callable[..., Person]) -> None:
    ann, bob = make_person("agent"), make_person("agent")
    with db.session() as s:
        a, b = s.get(User, ann.user.id), s.get(User, bob.user.id)
        certifications.grant(s, user=a, name="legal-queue", source="calibration",
                             source_ref="calibration:1", actor=SYSTEM, now=NOW)
        certifications.grant(s, user=b, name="legal-queue", source="manager", actor=SYSTEM,
                             now=NOW, expires_at=NOW + timedelta(days=30))
        certifications.grant(s, user=b, name="executive", source="manager", actor=SYSTEM,
                             now=NOW)
    with db.session() as s:
        assert certifications.held(s, [a.id, b.id], NOW + timedelta(days=1)) == {
            a.id: {"legal-queue"}, b.id: {"legal-queue", "executive"}}
        # Bob's legal grant has expired a month on; not yet granted a day before.
        assert certifications.held(s, [b.id], NOW + timedelta(days=31)) == {b.id: {"executive"}}
        assert certifications.held(s, [a.id], NOW - timedelta(days=1)) == {a.id: set()}
        assert certifications.revoke(s, user=s.get(User, a.id), name="legal-queue",
                                     reason="failed re-calibration", actor=SYSTEM,
                                     now=NOW + timedelta(days=2)) == 1
    with db.session() as s:
        assert certifications.held(s, [a.id], NOW + timedelta(days=3)) == {a.id: set()}
        assert [c.revoked_reason for c in certifications.history(s, s.get(User, a.id))] == [
            "failed re-calibration"]
        kinds = [(e.kind, json.loads(e.payload)["certification"]) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.chain_key == "people",
                                     AuditEvent.kind.like("certification.%"))
            .order_by(AuditEvent.seq))]
    assert kinds == [("certification.granted", "legal-queue"),
                     ("certification.granted", "legal-queue"),
                     ("certification.granted", "executive"),
                     ("certification.revoked", "legal-queue")]


def test_bad_grants_name_their_field(db: Database, make_person: Callable[..., Person]) -> None:
    ann = make_person("agent")
    with db.session() as s:
        user = s.get(User, ann.user.id)
        for kwargs, field in [({"name": "Legal Queue"}, "name"),
                              ({"source": "rumour"}, "source"),
                              ({"expires_at": NOW}, "expires_at")]:
            args = {"name": "legal", "source": "manager", **kwargs}
            with pytest.raises(InvalidInput) as err:
                certifications.grant(s, user=user, actor=SYSTEM, now=NOW, **args)
            assert err.value.field == field
        with pytest.raises(NotFound):
            certifications.revoke(s, user=user, name="legal", reason="x", actor=SYSTEM, now=NOW)
        with pytest.raises(InvalidInput):
            certifications.revoke(s, user=user, name="legal", reason=" ", actor=SYSTEM, now=NOW)
