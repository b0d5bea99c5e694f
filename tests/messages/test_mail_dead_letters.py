"""Dead letters seen and sent again: the API (paged, on the cases one may read), the console's
outbox page, and ``idesk mail deliver / dead / replay`` — each replay delivered by the real
SMTP server of the test, and on the case's timeline."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cli.main import app as cli_app
from integrity_desk.db import Database
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import Settings, get_settings
from tests.conftest import Browser, Person
from tests.messages.conftest import make_cases, queue_letters
from tests.smtp_sink import Inbox

API = "/api/v1"


def _kill_two(db: Database, inbox: Inbox, deliver: Callable[..., dict[str, int]]
              ) -> list[int]:
    """Three letters, of which the server refuses two for good (550): two dead letters."""
    ids = queue_letters(db, make_cases(db, 3))
    with db.session() as s:
        for n, row in enumerate(s.scalars(select(OutboxMessage).where(
                OutboxMessage.id.in_(ids[:2])))):
            row.recipient = f"gone{n}@example.org"
            inbox.at_rcpt[row.recipient] = ["550 5.1.1 no such user"]
    assert deliver()["dead"] == 2
    return ids


def test_the_api_lists_dead_letters_and_replays_them(
        client: TestClient, db: Database, manager: Person, inbox: Inbox,
        deliver: Callable[..., dict[str, int]]) -> None:
    ids = _kill_two(db, inbox, deliver)
    r = client.get(f"{API}/messages", params={"status": "dead", "limit": 1},
                   headers=manager.headers)
    assert r.status_code == 200, r.text
    page = r.json()
    [item] = page["items"]
    assert (item["id"], item["status"], item["last_code"]) == (ids[1], "dead", 550)
    assert item["case_key"] and item["to"] != "gone1@example.org" and item["dead_at"]
    r = client.get(f"{API}/messages", params={"status": "dead", "cursor": page["next_cursor"]},
                   headers=manager.headers)
    assert [i["id"] for i in r.json()["items"]] == [ids[0]] and r.json()["next_cursor"] is None
    sent = client.get(f"{API}/messages", params={"status": "sent"}, headers=manager.headers)
    assert [i["id"] for i in sent.json()["items"]] == [ids[2]]
    bad = client.get(f"{API}/messages", params={"status": "lost"}, headers=manager.headers)
    assert bad.status_code == 422 and "status" in bad.text
    # Replaying what is not dead is refused, naming it; a dead one goes back to the queue.
    r = client.post(f"{API}/messages/{ids[2]}/replay", headers=manager.headers)
    assert r.status_code == 409 and "not dead" in r.text
    r = client.post(f"{API}/messages/{ids[0]}/replay", headers=manager.headers)
    assert r.status_code == 200 and (r.json()["status"], r.json()["attempts"]) == ("queued", 0)
    r = client.post(f"{API}/messages/replay", json={"message_ids": [ids[2]]},
                    headers=manager.headers)
    assert r.status_code == 422 and str(ids[2]) in r.text
    r = client.post(f"{API}/messages/replay", json={}, headers=manager.headers)
    assert r.json() == {"replayed": 1}
    assert deliver()["sent"] == 2  # the server takes them now
    assert {m["To"] for m in inbox.messages()} == {"ann@example.org", "gone0@example.org",
                                                   "gone1@example.org"}
    with db.session() as s:
        kinds = [e.kind for e in s.scalars(select(AuditEvent).where(
            AuditEvent.kind.like("message.%")).order_by(AuditEvent.id))
            if json.loads(e.payload).get("message_id") == ids[0]]
    assert kinds == ["message.queued", "message.dead", "message.replayed", "message.sent"]


def test_a_specialist_may_not_list_or_replay(client: TestClient, specialist: Person) -> None:
    assert client.get(f"{API}/messages", headers=specialist.headers).status_code == 403
    assert client.post(f"{API}/messages/replay", json={},
                       headers=specialist.headers).status_code == 403


def test_the_outbox_page_replays_one_or_all(
        db: Database, manager: Person, sign_in: Callable[..., Browser], inbox: Inbox,
        deliver: Callable[..., dict[str, int]]) -> None:
    ids = _kill_two(db, inbox, deliver)
    browser = sign_in(manager)
    page = browser.client.get("/outbox").text
    assert "dead (2)" in page and "550" in page and "no such user" in page
    assert f"Replay message {ids[0]}" in page and "gone0@example.org" not in page
    assert 'id="email-off"' in page  # the page's own app has no relay configured
    r = browser.client.post("/outbox/replay", data={"csrf_token": browser.csrf,
                                                    "message_id": str(ids[0])})
    assert r.status_code == 200 and "1 dead letter(s) queued again" in r.text
    r = browser.client.post("/outbox/replay", data={"csrf_token": browser.csrf})
    assert "1 dead letter(s) queued again" in r.text and "No dead letters." in r.text
    r = browser.client.post("/outbox/replay", data={"csrf_token": browser.csrf,
                                                    "message_id": str(ids[2])})
    assert r.status_code == 422 and "not dead letters you may replay" in r.text
    queued = browser.client.get("/outbox?status=queued").text
    assert "queued (2)" in queued
    assert deliver()["sent"] == 2


@pytest.fixture
def run(db: Database, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
        ) -> Iterator[Callable[..., object]]:
    monkeypatch.setenv("IDESK_DATABASE_URL", db.url)
    monkeypatch.setenv("IDESK_SECRET_KEY", "test-secret")
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("smtp_url", "mail_from", "mail_backoff_base_seconds",
                 "mail_backoff_cap_seconds"):
        monkeypatch.setenv(f"IDESK_{name.upper()}", str(getattr(mail_settings, name)))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli_app, list(args))
    get_settings.cache_clear()


def test_the_cli_delivers_lists_the_dead_and_replays(
        run: Callable[..., object], db: Database, inbox: Inbox) -> None:
    ids = queue_letters(db, make_cases(db, 2))
    with db.session() as s:
        s.get(OutboxMessage, ids[0]).recipient = "gone@example.org"
    inbox.at_rcpt["gone@example.org"] = ["554 5.7.1 rejected"]
    r = run("mail", "deliver")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert "smtp://127.0.0.1" in r.output and "idesk mail dead" in r.output  # type: ignore[attr-defined]
    r = run("mail", "dead")
    assert str(ids[0]) in r.output and "554" in r.output  # type: ignore[attr-defined]
    assert "gone@example.org" not in r.output  # type: ignore[attr-defined]
    r = run("mail", "replay")
    assert r.exit_code == 2 and "--all-dead" in r.output  # type: ignore[attr-defined]
    r = run("mail", "replay", str(ids[1]))
    assert r.exit_code == 2 and "not dead letters" in r.output  # type: ignore[attr-defined]
    r = run("mail", "replay", "--all-dead")
    assert r.exit_code == 0 and "replayed 1" in r.output  # type: ignore[attr-defined]
    assert "no dead letters" in run("mail", "dead").output  # type: ignore[attr-defined]
    run("mail", "deliver")
    assert len(inbox.received) == 2


def test_the_cli_says_email_is_off_without_a_relay(
        run: Callable[..., object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDESK_SMTP_URL", "")
    get_settings.cache_clear()
    r = run("mail", "deliver")
    assert r.exit_code == 2 and "e-mail is off" in r.output  # type: ignore[attr-defined]
    monkeypatch.setenv("IDESK_SMTP_URL", "smtp://relay.example.com?starttls=maybe")
    get_settings.cache_clear()
    r = run("mail", "deliver")
    assert r.exit_code == 2 and "IDESK_SMTP_URL: starttls is 1 or 0" in r.output  # type: ignore[attr-defined]
