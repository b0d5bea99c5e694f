"""The public appeal form (DSA Art. 20), reached by the signed link a decision notice carries:
forged, expired, superseded and late links are refused; a good one opens an appeal case."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pytest import MonkeyPatch
from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.forms.tokens import appeal_token
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import get_settings
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide
from tests.forms.conftest import field_errors, h1, references, send


def _decided(client: TestClient, person: Person) -> tuple[str, int]:
    key = _claimed_flag(client, person)
    r = _decide(client, person, key, [{"action": "remove_review", "subject": "review:r1"}])
    assert r.status_code == 201, r.text
    return key, r.json()["id"]


def _link(db: Database, kind: str) -> str:
    """The appeal link of the message of this kind the decision queued."""
    with db.session() as s:
        body = s.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == kind)).one()
    found = re.search(r"(/appeal\?t=\S+)", body)
    assert found, body
    return found.group(1)


def _appeal(client: TestClient, link: str, lang: str = "en", *, page: str | None = None,
            **over: str) -> object:
    data = {"t": link.split("t=", 1)[1], "name": "Ana Notifier", "email": "ana@mail.example.org",
            "grounds": "The review is a genuine threat and should stay removed? No: it was "
                       "satire, and the shop owner knows it.", **over}
    return send(client, "/appeal", data, lang=lang, page=page or f"{link}&lang={lang}")


def test_the_notifier_appeals_from_the_decision_notice(client: TestClient, db: Database,
                                                       specialist: Person) -> None:
    key, decision_id = _decided(client, specialist)
    link = _link(db, "decision_notice")
    page = client.get(f"{link}&lang=de")
    assert page.status_code == 200 and h1(page.text) == "Widerspruch gegen unsere Entscheidung"
    assert key in page.text
    r = _appeal(client, link, lang="de")
    assert r.status_code == 303, r.text
    done = client.get(r.headers["location"])
    assert h1(done.text) == "Wir haben Ihren Widerspruch erhalten"
    [appeal_key] = references(done.text)
    with db.session() as s:
        appeal = s.scalars(select(Case).where(Case.kind == "appeal")).one()
        receipt = s.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == appeal.id, OutboxMessage.kind == "receipt")).one()
    assert appeal.key == appeal_key
    assert (appeal.channel, appeal.requester_type, appeal.requester_contact) == (
        "form", "notifier", "ana@mail.example.org")
    assert appeal.details["contested_decision_id"] == decision_id
    assert (receipt.recipient, receipt.language) == ("ana@mail.example.org", "de")


def test_the_person_affected_appeals_from_the_statement_of_reasons(
        client: TestClient, db: Database, specialist: Person) -> None:
    _decided(client, specialist)
    r = _appeal(client, _link(db, "statement_of_reasons"), lang="fr",
                name="Rob Reviewer", email="rob@mail.example.com")
    assert r.status_code == 303, r.text
    with db.session() as s:
        appeal = s.scalars(select(Case).where(Case.kind == "appeal")).one()
    assert appeal.requester_type == "reviewer"


def test_a_second_appeal_on_the_same_decision_joins_the_open_one(
        client: TestClient, db: Database, specialist: Person) -> None:
    _decided(client, specialist)
    link = _link(db, "decision_notice")
    first = client.get(_appeal(client, link).headers["location"])
    second = client.get(_appeal(client, link, email="b@mail.example.org").headers["location"])
    assert references(first.text) == references(second.text)
    with db.session() as s:
        receipts = s.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.kind == "receipt")).all()
    assert sorted(receipts) == ["ana@mail.example.org", "b@mail.example.org"]


def test_the_answers_are_checked_in_the_pages_language(client: TestClient, db: Database,
                                                       specialist: Person) -> None:
    _decided(client, specialist)
    r = _appeal(client, _link(db, "decision_notice"), lang="fr", name="", email="x@",
                grounds="no")
    assert r.status_code == 422
    assert field_errors(r.text) == {
        "name": "Indiquez votre nom.", "email": "Cette adresse e-mail n'est pas valide.",
        "grounds": "Dites-nous pourquoi la décision est erronée (au moins une phrase)."}
    with db.session() as s:
        assert s.scalars(select(Case).where(Case.kind == "appeal")).first() is None


def test_a_forged_link_is_refused(client: TestClient, db: Database, specialist: Person) -> None:
    _, decision_id = _decided(client, specialist)
    link = _link(db, "decision_notice")
    token = link.split("t=", 1)[1]
    # Another decision id with the same signature, a flipped character, and no token at all.
    forged = appeal_token(decision_id=decision_id, case_id=1, role="notifier",
                          informed_at=datetime.now(UTC)).rsplit(".", 1)[0] + "." + \
        token.rsplit(".", 1)[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (forged, flipped, "", "garbage"):
        r = client.get(f"/appeal?t={bad}&lang=de")
        assert r.status_code == 400, bad
        assert "ungültig" in r.text
    r = _appeal(client, f"/appeal?t={flipped}", page="/notice")  # a form token from any page
    assert r.status_code == 400
    with db.session() as s:
        assert s.scalars(select(Case).where(Case.kind == "appeal")).first() is None


def test_an_expired_link_is_refused(client: TestClient, db: Database, specialist: Person,
                                    monkeypatch: MonkeyPatch) -> None:
    key, decision_id = _decided(client, specialist)
    days = get_settings().appeal_link_days
    signed_long_ago = int(datetime.now(UTC).timestamp()) - (days + 1) * 86_400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_long_ago)
    token = appeal_token(decision_id=decision_id, case_id=int(key.split("-")[1]),
                         role="notifier", informed_at=datetime.now(UTC))
    monkeypatch.undo()
    r = client.get(f"/appeal?t={token}")
    assert r.status_code == 410 and "This appeal link has expired." in r.text


def test_a_link_out_of_the_six_month_window_is_refused(client: TestClient, db: Database,
                                                       specialist: Person) -> None:
    key, decision_id = _decided(client, specialist)
    informed = datetime.now(UTC) - timedelta(days=200)
    token = appeal_token(decision_id=decision_id, case_id=int(key.split("-")[1]),
                         role="notifier", informed_at=informed)
    r = client.get(f"/appeal?t={token}&lang=fr")
    assert r.status_code == 410
    assert "Le délai de recours a pris fin le" in r.text
    r = _appeal(client, f"/appeal?t={token}", page="/notice")
    assert r.status_code == 410


def test_a_link_to_a_superseded_decision_is_refused(client: TestClient, db: Database,
                                                    specialist: Person) -> None:
    key, decision_id = _decided(client, specialist)
    token = appeal_token(decision_id=decision_id, case_id=int(key.split("-")[1]),
                         role="notifier", informed_at=datetime.now(UTC))
    with db.session() as s:  # a newer decision on the same case
        from integrity_desk.decisions.models import Decision

        old = s.get(Decision, decision_id)
        s.add(Decision(case_id=old.case_id, kind="decision", outcome="no_action",
                       ground=old.ground, explanation="Revised.", facts="Revised.",
                       automated_detection=False, automated_decision="not_automated",
                       territorial_scope=[], source_type=old.source_type, status="applied",
                       decided_by_id=old.decided_by_id, decided_at=datetime.now(UTC)))
    r = client.get(f"/appeal?t={token}")
    assert r.status_code == 400 and "newer decision" in r.text
