"""The public notice form in Debian's Chromium, ending where the person's part ends: with the
confirmation of receipt in their inbox. A real SMTP server (aiosmtpd) receives what the
outbox's delivery sends through smtplib; nothing in between is mocked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrity_desk.db import Database
from integrity_desk.messages import addresses
from integrity_desk.messages.delivery import deliver_due
from integrity_desk.settings import Settings
from tests.browser.conftest import Tab
from tests.browser.test_forms_browser import LIVE_SECRET, _clean, send_german_notice
from tests.smtp_sink import Inbox


@pytest.mark.parametrize("width", [1280])
def test_the_notice_form_ends_with_a_confirmation_in_the_persons_mailbox(
        live_server: Callable[..., str], db: Database, browser_in: Callable[..., Tab],
        inbox: Inbox, width: int) -> None:
    relay = {"smtp_url": f"smtp://127.0.0.1:{inbox.port}",
             "mail_from": "Trust & Safety <desk@desk.example>",
             "mail_reply_address": "replies@desk.example"}
    base = live_server(**relay)
    tab = browser_in("de-DE", width)
    page = tab.page
    page.goto(f"{base}/notice")
    assert "E-Mail-Versand" not in page.content()  # mail is on: no warning
    send_german_notice(page, "https://reviews.example.com/reviews/m1")
    assert page.locator("h1").inner_text() == "Wir haben Ihre Meldung erhalten"
    assert "Wir senden Ihnen eine Bestätigung" in page.content()
    [key] = page.locator(".reference").all_inner_texts()
    _clean(tab)

    # The worker's delivery run, as `idesk worker` runs it.
    settings = Settings(secret_key=LIVE_SECRET, **relay)
    with db.session() as session:
        done = deliver_due(session, settings=settings, budget=20)
    assert done["sent"] == 1, done
    [mail] = inbox.messages()
    assert mail["To"] == "anna@mail.example.org"
    assert key in mail["Subject"] and mail["Subject"].startswith("Eingangsbestätigung")
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Content-Language"] == "de"
    body: Any = mail.get_body(preferencelist=("plain",))
    assert "wir bestätigen den Eingang Ihrer Meldung" in body.get_content()
    case_id = int(key.split("-")[1])
    assert addresses.case_from_address(mail["Reply-To"], LIVE_SECRET) == case_id
