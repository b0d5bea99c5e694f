"""The public forms and the request forms, filled in by a real browser (Debian's Chromium):
each language at least once, errors naming the field in the page's language, the rate limit,
the axe scan on every page at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.forms.tokens import appeal_token
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import Settings
from integrity_desk.subjects.models import Business
from tests.browser import axe
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, Tab  # noqa: F401
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide

LIVE_SECRET = "browser-test-secret"  # the live server's key (tests/browser/conftest.py)


def send_german_notice(page: Any, *urls: str) -> None:
    """A private person's notice, filled in and sent in German as a person would."""
    page.get_by_label("Eine Privatperson").check()
    page.get_by_label("Ihr Name *").fill("Anna Beispiel")
    page.get_by_label("Ihre E-Mail-Adresse *").fill("anna@mail.example.org")
    page.get_by_label("Adressen (URLs) des Inhalts *").fill("\n".join(urls))
    page.get_by_label("Was stimmt damit nicht?").select_option("harmful_illegal")
    page.get_by_label("Gegen welches Gesetz oder Recht verstößt er? *").fill(
        "Bedrohung, § 241 StGB")
    page.get_by_label("Erklären Sie, warum der Inhalt rechtswidrig ist *").fill(
        "Die Bewertung droht dem Inhaber mit Gewalt.")
    page.get_by_label("Ich bin in gutem Glauben").check()
    page.get_by_role("button", name="Meldung senden").click()
    page.wait_for_load_state()


def _clean(tab: Tab) -> None:
    assert axe.scan(tab.page) == [], tab.page.url
    overflow = tab.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{tab.page.url} scrolls sideways"
    assert tab.csp_violations() == []
    # A refused form answers 4xx on purpose (the page itself says why); nothing else may err.
    assert [m for m in tab.console if m.startswith("error")
            and "responded with a status of 4" not in m] == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_person_reports_reviews_in_german(live_server: Callable[..., str], db: Database,
                                            browser_in: Callable[..., Tab], width: int) -> None:
    base = live_server()
    tab = browser_in("de-DE", width)
    page = tab.page
    page.goto(f"{base}/notice")
    assert page.locator("h1").inner_text() == "Rechtswidrige Inhalte melden"
    assert page.locator("html").get_attribute("lang") == "de"
    _clean(tab)
    # Sent empty: every error in German, on its field and in the summary, focusable.
    page.get_by_role("button", name="Meldung senden").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Bitte korrigieren Sie diese Angaben" in summary.inner_text()
    assert page.locator("#name-error").inner_text().startswith("Geben Sie Ihren Namen an")
    assert page.locator("#good_faith-error").inner_text().startswith("Eine Meldung braucht")
    assert page.get_by_label("Ihr Name *").get_attribute("aria-invalid") == "true"
    _clean(tab)
    tab.shot("errors")
    send_german_notice(page, "https://reviews.example.com/reviews/b1",
                       "https://reviews.example.com/reviews/b2")
    assert page.locator("h1").inner_text() == "Wir haben Ihre Meldung erhalten"
    assert page.locator(".reference").all_inner_texts() == ["FLG-1", "FLG-2"]
    _clean(tab)
    tab.shot("received")
    with db.session() as s:
        assert [c.channel for c in s.scalars(select(Case))] == ["form", "form"]
        [receipt] = s.scalars(select(OutboxMessage)).all()
    assert receipt.language == "de"


def test_a_law_firm_switches_to_french_and_hits_the_rate_limit(
        live_server: Callable[..., str], db: Database, browser_in: Callable[..., Tab]) -> None:
    base = live_server(public_form_rate_limit="1/hour")
    tab = browser_in("en-GB")
    page = tab.page
    page.goto(f"{base}/notice")
    assert page.locator("h1").inner_text() == "Report illegal content"
    page.get_by_role("link", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Signaler un contenu illégal"
    _clean(tab)

    def fill() -> None:
        page.get_by_label("Un cabinet d'avocats").check()
        page.get_by_label("Votre nom *").fill("Me Jeanne Avocat")
        page.get_by_label("Votre adresse e-mail *").fill("jeanne@avocats.example.fr")
        page.get_by_label("Organisation").fill("Avocat & Associés")
        page.get_by_label("Adresses (URL) du contenu *").fill(
            "https://reviews.example.com/reviews/f1")
        page.get_by_label("Quelle loi ou quel droit enfreint-il ? *").fill(
            "Article 29 de la loi du 29 juillet 1881 (diffamation)")
        page.get_by_label("Expliquez pourquoi le contenu est illégal *").fill(
            "L'avis impute à notre cliente des faits faux et précis.")
        page.get_by_label("Type de notification juridique").select_option("defamation")
        page.get_by_label("Pays dont le droit s'applique").select_option("FR")
        page.get_by_label("Délai légal").fill("2099-06-30")
        page.get_by_label("Je crois de bonne foi").check()
        page.get_by_role("button", name="Envoyer la notification").click()
        page.wait_for_load_state()

    fill()
    assert page.locator("h1").inner_text() == "Nous avons reçu votre notification"
    _clean(tab)
    page.goto(f"{base}/notice")  # the switch is remembered
    assert page.locator("h1").inner_text() == "Signaler un contenu illégal"
    fill()
    assert page.locator("h1").inner_text() == "Trop d'envois"
    with db.session() as s:
        [case] = s.scalars(select(Case)).all()
    assert (case.kind, case.language) == ("legal_notice", "fr")


def test_the_notifier_appeals_in_english(live_server: Callable[..., str], db: Database,
                                         client: Any, specialist: Person,
                                         browser_in: Callable[..., Tab]) -> None:
    key = _claimed_flag(client, specialist)
    decision = _decide(client, specialist, key,
                       [{"action": "remove_review", "subject": "review:r1"}]).json()
    token = appeal_token(decision_id=decision["id"], case_id=int(key.split("-")[1]),
                         role="notifier", informed_at=datetime.now(UTC),
                         settings=Settings(secret_key=LIVE_SECRET))
    base = live_server()
    tab = browser_in("en-US", 390)
    page = tab.page
    page.goto(f"{base}/appeal?t={token}x")  # one character more: a forged link
    assert page.locator("h1").inner_text() == "This appeal link cannot be used"
    page.goto(f"{base}/appeal?t={token}")
    assert page.locator("h1").inner_text() == "Appeal our decision"
    assert key in page.locator("main").inner_text()
    _clean(tab)
    page.get_by_label("Your name *").fill("Shop Owner")
    page.get_by_label("Your e-mail address *").fill("owner@shop.example.com")
    page.get_by_label("Why is our decision wrong? *").fill("short")
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_load_state()
    assert page.locator("#grounds-error").inner_text().startswith("Tell us why")
    _clean(tab)
    page.get_by_label("Why is our decision wrong? *").fill(
        "The review was removed although it describes a real visit; here is the receipt.")
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "We received your appeal"
    _clean(tab)
    with db.session() as s:
        appeal = s.scalars(select(Case).where(Case.kind == "appeal")).one()
    assert page.locator(".reference").inner_text() == appeal.key
    assert appeal.requester_type == "notifier"


def test_a_csm_raises_a_request_and_follows_it(live_server: Callable[..., str], db: Database,
                                               make_person: Callable[..., Person],
                                               browser_in: Callable[..., Tab]) -> None:
    with db.session() as s:
        s.add(Business(domain="shop.example.com", name="Shop Inc.", country="DE",
                       plan_tier="enterprise", review_count=1200))
    person = _with_password(db, make_person("viewer", email="clara@desk.example.com"))
    base = live_server()
    tab = browser_in("en-GB")
    page = tab.page
    page.goto(f"{base}/login")
    _sign_in(tab, base, person.user.email)
    page.get_by_role("link", name="My requests").click()
    page.wait_for_load_state()
    assert page.locator("#no-requests").is_visible()
    _clean(tab)
    page.get_by_role("link", name="New CSM escalation").click()
    page.wait_for_load_state()
    _clean(tab)
    page.get_by_label("Business (type its domain) *").press_sequentially("shop.ex", delay=40)
    suggestion = page.get_by_role("button", name="shop.example.com")
    suggestion.click()
    page.locator("#business-chosen").wait_for()
    assert "plan enterprise" in page.locator("#business-chosen").inner_text()
    assert page.get_by_label("Customer tier *").input_value() == "enterprise"
    page.get_by_label("Revenue at stake (EUR per year) *").fill("250000")
    page.get_by_label("What is happening, and what do you need? *").fill(
        "Fifty 1-star reviews in two days from new accounts, before the renewal.")
    _clean(tab)
    page.get_by_role("button", name="Raise the request").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My requests"
    assert "Your request is CSM-" in page.locator("#raised").inner_text()
    row = page.locator("table.requests tbody tr")
    assert row.count() == 1 and "Received, waiting in its queue" in row.inner_text()
    _clean(tab)
    with db.session() as s:
        case = s.scalars(select(Case)).one()
    assert (case.kind, case.revenue_at_stake, case.customer_tier) == (
        "csm_escalation", 250_000, "enterprise")
