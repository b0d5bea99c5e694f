"""Schemathesis over the SOP routes with an SOP and a case to hit: no 5xx, no answer that
breaks its documented schema (the desk-wide run covers them too, with nothing published)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from integrity_desk.db import Database
from tests import factories
from tests.api.test_schemathesis import _app, _failures, _modes
from tests.conftest import Person
from tests.sops.test_sops_api import publish


def test_the_sop_routes_hold_up_to_generated_requests(
        db: Database, make_person: Callable[..., Person]) -> None:
    app = _app(db)
    admin = make_person("admin")
    with TestClient(app) as c:
        publish(c, admin)
        assert c.post("/api/v1/cases", json=factories.flag("r1"),
                      headers=admin.headers).status_code < 300
    failures = [f for path in ("/api/v1/sops", "/api/v1/cases/{key}/checklist")
                for f in _failures(app, admin, _modes("admin"), path)]
    assert not failures, "\n\n".join(failures)
