"""The public notice form in Debian's Chromium, ending where the person's part ends: with the
confirmation of receipt in their mailbox. A real SMTP server (aiosmtpd) receives what the
outbox's delivery sends through smtplib; nothing in between is mocked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from integrity_desk.config import Settings
from integrity_desk.db import Database
from integrity_desk.messages import addresses
from integrity_desk.messages.delivery import deliver_due
from tests.browser.conftest import Tab
from tests.browser.test_forms_browser import LIVE_SECRET, _clean
from tests.messages.conftest import Inbox, free_port


@pytest.fixture
def mailbox() -> Iterator[Inbox]:
    box = Inbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.mark.parametrize("width", [1280])
def test_the_notice_form_ends_with_a_confirmation_in_the_persons_mailbox(
        live_server: Callable[..., str], db: Database, browser_in: Callable[..., Tab],
        mailbox: Inbox, width: int) -> None:
    relay = {"smtp_url": f"smtp://127.0.0.1:{mailbox.port}",
             "mail_from": "Trust & Safety <desk@desk.example>",
             "mail_reply_address": "replies@desk.example"}
    base = live_server(**relay)
    tab = browser_in("de-DE", width)
    page = tab.page
    page.goto(f"{base}/notice")
    assert "E-Mail-Versand" not in page.content()  # mail is on: no warning
    page.get_by_label("Eine Privatperson").check()
    page.get_by_label("Ihr Name *").fill("Anna Beispiel")
    page.get_by_label("Ihre E-Mail-Adresse *").fill("anna@mail.example.org")
    page.get_by_label("Adressen (URLs) des Inhalts *").fill(
        "https://reviews.example.com/reviews/m1")
    page.get_by_label("Was stimmt damit nicht?").select_option("harmful_illegal")
    page.get_by_label("Gegen welches Gesetz oder Recht verstößt er? *").fill(
        "Bedrohung, § 241 StGB")
    page.get_by_label("Erklären Sie, warum der Inhalt rechtswidrig ist *").fill(
        "Die Bewertung droht dem Inhaber mit Gewalt.")
    page.get_by_label("Ich bin in gutem Glauben").check()
    page.get_by_role("button", name="Meldung senden").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Wir haben Ihre Meldung erhalten"
    assert "Wir senden Ihnen eine Bestätigung" in page.content()
    [key] = page.locator(".reference").all_inner_texts()
    _clean(tab)

    # The worker's delivery run, as `idesk worker` runs it.
    settings = Settings(secret_key=LIVE_SECRET, **relay)
    with db.session() as session:
        done = deliver_due(session, settings=settings, budget=20)
    assert done["sent"] == 1, done
    [mail] = mailbox.messages()
    assert mail["To"] == "anna@mail.example.org"
    assert key in mail["Subject"] and mail["Subject"].startswith("Eingangsbestätigung")
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Content-Language"] == "de"
    body: Any = mail.get_body(preferencelist=("plain",))
    assert "wir bestätigen den Eingang Ihrer Meldung" in body.get_content()
    case_id = int(key.split("-")[1])
    assert addresses.case_from_address(mail["Reply-To"], LIVE_SECRET) == case_id
