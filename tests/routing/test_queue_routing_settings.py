"""A queue's routing settings are versions: version 1 on creation, each change the next version
with its note, audited on the config chain, and the cached snapshot reloads with them; over the
API, and on the queue's console page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.configuration.service import desk_config
from integrity_desk.db import Database
from integrity_desk.errors import InvalidInput
from integrity_desk.routing import manage
from integrity_desk.routing.models import QueueRoutingVersion
from integrity_desk.routing.settings import (
    change_routing_settings,
    routing_settings,
    settings_history,
)
from tests.conftest import Person

API = "/api/v1"


def test_every_queue_starts_at_version_1_with_the_defaults(db: Database, make_team: Any
                                                           ) -> None:
    make_team("Trust")
    with db.session() as s:
        manage.create_queue(s, actor=SYSTEM, slug="trust-legal", name="Trust, legal",
                            team="Trust", kinds=["flag"])
    with db.session() as s:
        for slug in ("flags", "trust-legal"):  # a default queue and a new one
            current = routing_settings(s, slug)
            assert (current.version, current.mode, current.required_certifications,
                    current.quality_weight, current.ageing_per_hour, current.affinity) == (
                1, "pull", (), 0.5, 0.25, True)


def test_a_change_is_the_next_version_with_its_note_and_audit(db: Database) -> None:
    with db.session() as s:
        v1 = desk_config(s).queues.by_slug["flags"].settings
        after = change_routing_settings(
            s, actor=SYSTEM, slug="flags", note="Legal training is now mandatory",
            changes={"required_certifications": ["dsa-legal"], "ageing_per_hour": 1})
        assert after.version == 2 and after.required_certifications == ("dsa-legal",)
    with db.session() as s:
        history = settings_history(s, "flags")
        assert [(v.settings.version, v.note) for v in history] == [
            (2, "Legal training is now mandatory"), (1, None)]
        assert history[0].settings.ageing_per_hour == 1.0
        assert history[0].settings.mode == "pull"  # what was not named stays
        event = s.scalar(select(AuditEvent).where(AuditEvent.kind == "queue.routing_changed"))
        assert event is not None and event.chain_key == "config"
        payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
        assert payload["version"] == 2 and payload["slug"] == "flags"
        assert payload["before"]["required_certifications"] == []
        assert payload["after"]["required_certifications"] == ["dsa-legal"]
        assert payload["note"] == "Legal training is now mandatory"
        # The trigger bumped the configuration version: the snapshot has the new settings.
        now = desk_config(s).queues.by_slug["flags"]
        assert now.settings.version == 2 and now.requirements.certifications == ("dsa-legal",)
        assert v1.version == 1
        # A change that changes nothing adds no version.
        change_routing_settings(s, actor=SYSTEM, slug="flags", note="again",
                                changes={"ageing_per_hour": 1.0})
        assert s.scalar(select(QueueRoutingVersion.version).order_by(
            QueueRoutingVersion.version.desc()).limit(1)) == 2


@pytest.mark.parametrize(("changes", "note", "field"), [
    ({"mode": "shove"}, "why", "mode"),
    ({"quality_weight": 1.5}, "why", "quality_weight"),
    ({"quality_weight": "lots"}, "why", "quality_weight"),
    ({"ageing_per_hour": -1}, "why", "ageing_per_hour"),
    ({"ageing_per_hour": float("nan")}, "why", "ageing_per_hour"),
    ({"affinity": "yes"}, "why", "affinity"),
    ({"required_certifications": ["DSA Legal"]}, "why", "required_certifications"),
    ({"colour": "red"}, "why", "colour"),
    ({"mode": "push"}, "  ", "change_note"),
])
def test_a_refusal_names_the_field(db: Database, changes: dict[str, Any], note: str,
                                   field: str) -> None:
    with db.session() as s, pytest.raises(InvalidInput) as refused:
        change_routing_settings(s, actor=SYSTEM, slug="flags", changes=changes, note=note)
    assert refused.value.field == field


def test_managers_read_and_change_the_settings_over_the_api(
        client: Any, manager: Person, specialist: Person) -> None:
    r = client.get(f"{API}/queues/flags/routing", headers=manager.headers)
    assert r.status_code == 200
    assert r.json()["in_force"]["version"] == 1
    r = client.put(f"{API}/queues/flags/routing", headers=manager.headers,
                   json={"mode": "push", "quality_weight": 0.8,
                         "change_note": "Vendors' QA differs a lot"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["in_force"]["version"] == 2 and body["in_force"]["mode"] == "push"
    assert body["in_force"]["changed_by"] == manager.user.email
    assert [v["version"] for v in body["history"]] == [2, 1]
    r = client.put(f"{API}/queues/flags/routing", headers=manager.headers,
                   json={"ageing_per_hour": 99, "change_note": "faster"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "ageing_per_hour"
    r = client.put(f"{API}/queues/flags/routing", headers=manager.headers,
                   json={"mode": "pull"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "change_note"
    assert client.put(f"{API}/queues/flags/routing", headers=specialist.headers,
                      json={"mode": "pull", "change_note": "x"}).status_code == 403
    assert client.get(f"{API}/queues/nope/routing", headers=manager.headers).status_code == 404


def test_the_queue_page_shows_and_changes_the_settings(sign_in: Any, manager: Person,
                                                       db: Database) -> None:
    browser = sign_in(manager)
    page = browser.client.get("/queue-settings/flags")
    assert page.status_code == 200
    assert "Routing settings" in page.text and "Version 1 in force" in page.text
    form = {"csrf_token": browser.csrf, "mode": "pull", "required_certifications":
            "dsa-legal, de-native", "quality_weight": "0.5", "ageing_per_hour": "0.5",
            "affinity": "yes", "change_note": ""}
    refused = browser.client.post("/queue-settings/flags/routing", data=form)
    assert refused.status_code == 422
    assert "say why the settings change" in refused.text
    assert 'value="dsa-legal, de-native"' in refused.text  # what was typed stays
    saved = browser.client.post("/queue-settings/flags/routing",
                                data={**form, "change_note": "German flags need natives"},
                                follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = browser.client.get(saved.headers["location"])
    assert "Version 2 in force" in page.text and "German flags need natives" in page.text
    with db.session() as s:
        current = routing_settings(s, "flags")
        assert current.required_certifications == ("de-native", "dsa-legal")
        assert current.ageing_per_hour == 0.5 and current.affinity is True
    bad = browser.client.post("/queue-settings/flags/routing",
                              data={**form, "quality_weight": "2", "change_note": "x"})
    assert bad.status_code == 422 and "Quality weight" in bad.text
