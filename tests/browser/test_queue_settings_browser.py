"""A manager adds a queue, edits it, and deactivates and reactivates it in the console (the row
swapped by htmx): axe finds nothing serious, at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.people.models import Team
from integrity_desk.routing.models import Queue
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import open_console
from tests.conftest import Person


def _active(db: Database, slug: str) -> bool | None:
    with db.session() as s:
        return s.scalar(select(Queue.active).where(Queue.slug == slug))


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_configures_a_queue(live_server: Callable[..., str], tab: Tab, db: Database,
                                      manager: Person, width: int) -> None:
    with db.session() as s:
        s.add(Team(name="Northwind BPO", kind="vendor"))
    base = live_server()
    page = open_console(tab, base, db, manager, width=width)
    page.get_by_role("link", name="Queue settings").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    # A refused form first: the summary links to the field, which says what is wrong.
    page.get_by_label("Short name").fill("flags-de")
    page.get_by_label("Name", exact=True).fill("Flags, German")
    page.get_by_role("button", name="Add the queue").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("kinds:")
    assert axe.scan(page) == []
    page.get_by_label("Team").select_option("Northwind BPO")
    page.get_by_label("Flag", exact=True).check()
    page.get_by_label("Languages").fill("de")
    page.get_by_label("Position").fill("5")
    page.get_by_role("button", name="Add the queue").click()
    page.wait_for_load_state()
    row = page.locator("#queue-flags-de")
    assert "Northwind BPO" in row.inner_text()
    page.get_by_role("link", name="Flags, German").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    page.get_by_label("Position").fill("3")
    page.get_by_role("button", name="Save the queue").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Queue flags-de saved."
    row = page.locator("#queue-flags-de")
    row.get_by_role("button", name="Deactivate queue Flags, German").click()
    page.locator("#queue-flags-de").get_by_role(
        "button", name="Reactivate queue Flags, German").wait_for()
    assert _active(db, "flags-de") is False
    assert axe.scan(page) == []
    page.locator("#queue-flags-de").get_by_role(
        "button", name="Reactivate queue Flags, German").click()
    page.locator("#queue-flags-de").get_by_role(
        "button", name="Deactivate queue Flags, German").wait_for()
    assert _active(db, "flags-de") is True
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    assert tab.csp_violations() == []
