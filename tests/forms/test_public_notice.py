"""The public DSA Art. 16 notice form: languages, checks in the page's language, intake, the
receipt in the outbox, anonymous CSRF and the rate limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.api.app import create_app
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import Settings
from tests.forms.conftest import (
    consumer_notice,
    field_errors,
    form_token,
    h1,
    law_firm_notice,
    references,
    send,
)


def _cases(db: Database) -> list[Case]:
    with db.session() as s:
        return list(s.scalars(select(Case).order_by(Case.id)))


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("headers, query, expected", [
    ({"accept-language": "de-AT,de;q=0.9,en;q=0.5"}, "", "Rechtswidrige Inhalte melden"),
    ({"accept-language": "fr-FR,fr;q=0.8"}, "", "Signaler un contenu illégal"),
    ({"accept-language": "pl,ja;q=0.5"}, "", "Report illegal content"),
    ({"accept-language": "de"}, "?lang=fr", "Signaler un contenu illégal"),
])
def test_the_language_follows_the_switch_then_the_browser(
        client: TestClient, headers: dict[str, str], query: str, expected: str) -> None:
    r = client.get(f"/notice{query}", headers=headers)
    assert r.status_code == 200 and h1(r.text) == expected
    assert r.headers["cache-control"] == "no-store"


def test_the_switch_is_remembered(client: TestClient) -> None:
    r = client.get("/notice?lang=de")
    assert 'lang="de"' in r.text and 'href="/notice?lang=fr"' in r.text
    assert h1(client.get("/notice").text) == "Rechtswidrige Inhalte melden"


def test_a_person_reports_two_reviews(client: TestClient, db: Database) -> None:
    r = send(client, "/notice", consumer_notice(), lang="fr")
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert h1(page.text) == "Nous avons reçu votre notification"
    assert references(page.text) == ["FLG-1", "FLG-2"]
    cases = _cases(db)
    assert [(c.kind, c.channel, c.requester_type, c.category) for c in cases] == [
        ("flag", "form", "consumer", "harmful_illegal")] * 2
    assert all("art16" in c.tag_list for c in cases)
    assert "§ 241 StGB" in cases[0].description and "threatens" in cases[0].description
    [receipt] = _outbox(db)
    assert (receipt.kind, receipt.recipient, receipt.language) == (
        "receipt", "ana@mail.example.org", "fr")
    assert "FLG-1, FLG-2" in receipt.subject and receipt.subject.startswith("Accusé")


def test_a_second_notice_about_the_same_review_joins_its_case(client: TestClient,
                                                            db: Database) -> None:
    send(client, "/notice", consumer_notice())
    r = send(client, "/notice", consumer_notice(
        urls="https://reviews.example.com/reviews/r1", email="other@mail.example.org"))
    assert r.status_code == 303
    assert references(client.get(r.headers["location"]).text) == ["FLG-1"]
    cases = _cases(db)
    assert len(cases) == 2 and cases[0].linked_request_count == 1
    assert [m.recipient for m in _outbox(db)] == ["ana@mail.example.org",
                                                   "other@mail.example.org"]


def test_a_law_firm_sends_one_legal_notice_with_every_url(client: TestClient,
                                                          db: Database) -> None:
    r = send(client, "/notice", law_firm_notice(), lang="de")
    assert r.status_code == 303, r.text
    [case] = _cases(db)
    assert (case.kind, case.channel, case.requester_type, case.legal_restricted) == (
        "legal_notice", "form", "law_firm", True)
    assert case.details["urls"] == ["https://reviews.example.com/reviews/r7",
                                    "https://elsewhere.example.net/copy-of-r7"]
    assert case.details["good_faith_statement"] is True
    assert case.legal_deadline is not None and case.legal_deadline.year == 2099
    [receipt] = _outbox(db)
    assert receipt.language == "de" and receipt.subject.startswith("Eingangsbestätigung")


def test_a_csam_report_may_leave_out_name_and_address(client: TestClient,
                                                      db: Database) -> None:
    r = send(client, "/notice", consumer_notice(name="", email="", csam="yes",
                                                category=""))
    assert r.status_code == 303, r.text
    cases = _cases(db)
    assert {(c.category, c.requester_name, c.requester_contact) for c in cases} == {
        ("harmful_illegal", None, None)}
    assert all("csam" in c.tag_list for c in cases)
    assert _outbox(db) == []  # nobody to confirm to


def test_errors_name_each_field_in_the_pages_language_and_store_nothing(
        client: TestClient, db: Database) -> None:
    r = send(client, "/notice", consumer_notice(
        name="", email="not-an-address", urls="https://elsewhere.example.net/x",
        explanation="", good_faith=""), lang="de")
    assert r.status_code == 422
    errors = field_errors(r.text)
    assert errors == {
        "name": "Geben Sie Ihren Namen an (nur Meldungen von Darstellungen sexuellen "
                "Kindesmissbrauchs können ohne ihn gesendet werden).",
        "email": "Dies ist keine gültige E-Mail-Adresse.",
        "urls": "Zeile 1 ist nicht die Adresse einer Bewertung auf unserer Plattform.",
        "explanation": "Erklären Sie, warum der Inhalt rechtswidrig ist (mindestens ein Satz).",
        "good_faith": "Eine Meldung braucht Ihre Erklärung, dass sie richtig und vollständig "
                      "ist."}
    # The summary links each error to its field; the field points at its error.
    assert 'href="#email"' in r.text and 'aria-describedby="email-hint email-error"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'value="not-an-address"' in r.text  # what was typed stays
    assert _cases(db) == [] and _outbox(db) == []


def test_a_legal_sender_must_give_the_legal_elements(client: TestClient, db: Database) -> None:
    r = send(client, "/notice", law_firm_notice(organisation="", notice_type="",
                                                jurisdiction="US", deadline="2001-01-01",
                                                email=""), lang="fr")
    assert r.status_code == 422
    assert set(field_errors(r.text)) == {"organisation", "notice_type", "jurisdiction",
                                         "deadline", "email"}
    assert field_errors(r.text)["deadline"] == "Le délai ne peut pas être dans le passé."
    assert _cases(db) == []


def test_a_legal_csam_notice_may_leave_out_name_and_address(client: TestClient,
                                                            db: Database) -> None:
    """Art. 16(2)(c) exempts child sexual abuse material whoever sends it; the form and the
    API's legal notice agree (a law firm names only its firm)."""
    r = send(client, "/notice", law_firm_notice(csam="yes", name="", email=""))
    assert r.status_code == 303, r.text
    [case] = _cases(db)
    assert (case.kind, case.requester_name, case.requester_contact, case.category) == (
        "legal_notice", "Counsel & Co", None, "harmful_illegal")
    assert "csam" in case.tag_list and case.details["csam"] is True
    r = send(client, "/notice", law_firm_notice(email=""))  # without csam, the e-mail is due
    assert r.status_code == 422 and "email" in field_errors(r.text)


@pytest.mark.parametrize("urls, line", [
    ("https://reviews.example.com/reviews/r1\nftp://reviews.example.com/reviews/r2", 2),
    ("reviews.example.com/reviews/r1", 1)])
def test_every_url_is_checked(client: TestClient, urls: str, line: int) -> None:
    r = send(client, "/notice", consumer_notice(urls=urls))
    assert field_errors(r.text)["urls"].startswith(f"Line {line} is not a web address")


def test_a_post_without_the_form_token_is_refused(client: TestClient, db: Database) -> None:
    r = client.post("/notice", data=consumer_notice(), follow_redirects=False)
    assert r.status_code == 403 and h1(r.text) == "This form has expired"
    # A token from another browser's page does not match this browser's cookie either.
    other = TestClient(client.app)
    token = form_token(other.get("/notice").text)
    r = client.post("/notice", data={**consumer_notice(), "form_token": token})
    assert r.status_code == 403
    assert _cases(db) == []


def test_the_rate_limit_answers_in_the_pages_language(db: Database) -> None:
    app = create_app(db, Settings(secret_key="test-secret", public_form_rate_limit="2/hour"))
    with TestClient(app) as client:
        for n in range(2):
            r = send(client, "/notice", consumer_notice(
                urls=f"https://reviews.example.com/reviews/rl{n}"), lang="de")
            assert r.status_code == 303
        r = send(client, "/notice", consumer_notice(), lang="de")
        assert r.status_code == 429
        assert h1(r.text) == "Zu viele Übermittlungen"
        assert int(r.headers["retry-after"]) > 0
    assert len(_cases(db)) == 2


def test_a_suspended_notifier_is_told_why(client: TestClient, db: Database) -> None:
    from datetime import timedelta

    from integrity_desk.db import utcnow
    from integrity_desk.misuse.models import MisuseMeasure

    now = utcnow()
    with db.session() as s:  # as the misuse slice records one (DSA Art. 23(2))
        s.add(MisuseMeasure(party_type="notifier", party_key="jane@law.example.com",
                            bucket="unfounded_notices", measure="suspension", manifest_count=9,
                            total_count=10, reason="Manifestly unfounded notices.",
                            starts_at=now, ends_at=now + timedelta(days=30)))
    r = send(client, "/notice", law_firm_notice())
    assert r.status_code == 403
    assert "DSA Art. 23" in field_errors(r.text)["email"]
    assert _cases(db) == []


def test_a_suspended_notifiers_flags_are_refused_too(client: TestClient, db: Database) -> None:
    """Art. 23(2) covers every notice of the sender, not only legal ones."""
    from datetime import timedelta

    from integrity_desk.db import utcnow
    from integrity_desk.misuse.models import MisuseMeasure

    now = utcnow()
    with db.session() as s:
        s.add(MisuseMeasure(party_type="notifier", party_key="ana@mail.example.org",
                            bucket="unfounded_notices", measure="suspension", manifest_count=9,
                            total_count=10, reason="Manifestly unfounded notices.",
                            starts_at=now, ends_at=now + timedelta(days=30)))
    r = send(client, "/notice", consumer_notice())
    assert r.status_code == 403
    assert "DSA Art. 23" in field_errors(r.text)["email"]
    assert _cases(db) == []


def test_the_confirmation_page_needs_its_signed_reference(client: TestClient) -> None:
    r = client.get("/forms/received?r=eyJrIjoibm90aWNlIiwiYyI6WyJGTEctMSJdfQ.forged")
    assert r.status_code == 404


def test_every_message_is_translated() -> None:
    from babel.messages.pofile import read_po

    from integrity_desk.i18n import LANGUAGES, LOCALE

    ids = None
    for lang in LANGUAGES:
        if lang == "en":
            continue
        with (LOCALE / lang / "LC_MESSAGES" / "public.po").open("rb") as po:
            catalog = read_po(po)
        untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        assert untranslated == [], (lang, untranslated)
        found = {m.id for m in catalog if m.id}
        assert ids is None or found == ids, "the catalogues hold different messages"
        ids = found


@pytest.mark.parametrize("over, field", [
    ({"urls": "https://"}, "urls"),
    ({"organisation": "x" * 201}, "organisation"),
    ({"email": "a" * 250 + "@example.com"}, "email"),
])
def test_what_intake_would_refuse_is_refused_on_its_field(client: TestClient, db: Database,
                                                          over: dict[str, str],
                                                          field: str) -> None:
    r = send(client, "/notice", law_firm_notice(**over))
    assert r.status_code == 422, r.text
    assert field in field_errors(r.text)
    assert _cases(db) == []


@pytest.mark.parametrize("smtp_url, lang, promised, warned", [
    ("", "en", None, "E-mail is switched off at this desk"),
    ("", "de", None, "Der E-Mail-Versand ist bei uns"),
    ("smtp://127.0.0.1:2525", "en", "We are sending a confirmation to your e-mail address.",
     None),
    ("smtp://127.0.0.1:2525", "fr", "Nous vous envoyons une confirmation", None),
])
def test_the_forms_say_plainly_whether_e_mail_goes_out(
        db: Database, smtp_url: str, lang: str, promised: str | None,
        warned: str | None) -> None:
    """With no relay nothing claims a confirmation was sent, and the form says so before the
    person relies on it; with a relay the confirmation page says it is on its way."""
    with TestClient(create_app(db, Settings(secret_key="test-secret", smtp_url=smtp_url))) as c:
        form = c.get(f"/notice?lang={lang}").text
        r = send(c, "/notice", consumer_notice(), lang=lang)
        assert r.status_code == 303, r.text
        received = c.get(r.headers["location"]).text
    for page in (form, received):
        assert (warned in page) if warned else ("E-mail is switched off" not in page
                                                 and "E-Mail-Versand" not in page)
    if promised:
        assert promised in received
    else:
        assert "confirmation to your" not in received and "Bestätigung an Ihre" not in received
    assert len(_outbox(db)) == 1  # the receipt is queued either way, for when mail is on
