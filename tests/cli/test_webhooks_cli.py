"""``idesk webhooks``: add (the secret once), list, dead letters and replay, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from integrity_desk.cli.main import app
from integrity_desk.db import Database
from integrity_desk.settings import get_settings
from integrity_desk.webhooks.models import WebhookDelivery, WebhookSubscription
from tests import factories as f


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("IDESK_DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_add_list_dead_and_replay(run, db: Database, client, manager) -> None:  # type: ignore[no-untyped-def]
    r = run("webhooks", "add", "CRM", "http://127.0.0.1:9/hooks", "--events",
            "case.created,case.closed")
    assert r.exit_code == 0, r.output
    secret = r.output.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    with db.session() as s:
        sub = s.scalars(select(WebhookSubscription)).one()
        assert secret not in sub.secret_ciphertext
    client.post("/api/v1/cases", json=f.flag("r1"), headers=manager.headers)
    with db.session() as s:
        s.execute(update(WebhookDelivery).values(status="dead", last_error="HTTP 500"))
    listed = run("webhooks", "list")
    assert listed.exit_code == 0 and "CRM" in listed.output
    with db.session() as s:
        delivery = s.scalars(select(WebhookDelivery)).one()
    dead = run("webhooks", "dead", str(sub.id))
    assert dead.exit_code == 0 and "HTTP 500" in dead.output
    assert f"│ {delivery.id} " in dead.output
    replayed = run("webhooks", "replay", str(sub.id))
    assert replayed.exit_code == 0 and "replayed 1" in replayed.output
    with db.session() as s:
        assert s.scalars(select(WebhookDelivery.status)).one() == "pending"


def test_bad_input_names_the_field_and_exits_non_zero(run) -> None:  # type: ignore[no-untyped-def]
    r = run("webhooks", "add", "CRM", "http://hooks.example.com/h", "--events", "case.created")
    assert r.exit_code == 2 and "url:" in r.output
    r = run("webhooks", "add", "CRM", "https://hooks.example.com/h", "--events", "nope")
    assert r.exit_code == 2 and "event_types:" in r.output
    r = run("webhooks", "replay", "999")
    assert r.exit_code == 2 and "subscription:" in r.output
