"""A manager opens the Outbox from the menu, reads the dead letters and replays one: axe finds
nothing serious, at desktop and phone widths, and the page says plainly when e-mail is off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update

from integrity_desk.db import Database, utcnow
from integrity_desk.messages.models import OutboxMessage
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import open_console
from tests.conftest import Person
from tests.messages.conftest import make_cases, queue_letters


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_replays_a_dead_letter(live_server: Callable[..., str], tab: Tab,
                                         db: Database, manager: Person, width: int) -> None:
    ids = queue_letters(db, make_cases(db, 2))
    with db.session() as s:
        s.execute(update(OutboxMessage).values(
            status="dead", attempts=1, last_code=550, dead_at=utcnow(),
            last_error="550 5.1.1 <ann@example.org>: no such user"))
    base = live_server()  # no relay configured: e-mail is off
    page = open_console(tab, base, db, manager, width=width)
    if width < 600 and page.get_by_role("link", name="Outbox").is_hidden():
        page.goto(f"{base}/outbox")
    else:
        page.get_by_role("link", name="Outbox").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "E-mail is off" in main and "no such user" in main
    assert "ann@example.org" not in page.content()  # masked
    assert axe.scan(page) == []
    page.get_by_role("button", name=f"Replay message {ids[0]}").click()
    page.wait_for_load_state()
    assert "1 dead letter(s) queued again" in page.locator("main").inner_text()
    assert axe.scan(page) == []
    page.get_by_role("link", name="queued (1)").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(
        e => e.getBoundingClientRect().right > window.innerWidth).map(
        e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right).slice(0, 8)""")
    assert not overflow, wide
    assert tab.csp_violations() == []
