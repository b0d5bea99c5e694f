"""A manager adds a vendor, its team, sets the vendor's contract and weekly commitments in the
console: axe finds nothing serious, at desktop and phone widths, and nothing breaks the CSP."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from integrity_desk.db import Database
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import open_console
from tests.conftest import Person


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_sets_up_a_vendor(live_server: Callable[..., str], tab: Tab, db: Database,
                                    manager: Person, width: int) -> None:
    base = live_server()
    page = open_console(tab, base, db, manager, width=width)
    page.get_by_role("link", name="Vendors").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    page.get_by_label("Name", exact=True).fill("Atlas")
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_label("Monday").fill("20:00-08:00")
    page.get_by_role("button", name="Add the vendor").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("coverage.mon")
    assert axe.scan(page) == []
    page.get_by_label("Monday").fill("08:00-20:00")
    page.get_by_role("button", name="Add the vendor").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Vendor Atlas").is_visible()
    assert axe.scan(page) == []
    page.get_by_label("Starts on").fill("2026-01-01")
    page.get_by_label("QA accuracy").fill("0.97")
    page.get_by_role("button", name="Set the contract").click()
    page.wait_for_load_state()
    assert "(in force)" in page.content()
    page.get_by_label("flags", exact=False).first.fill("1200")
    page.get_by_role("button", name="Save the commitments").click()
    page.wait_for_load_state()
    assert "1,200" in page.content()
    assert axe.scan(page) == []
    page.get_by_role("link", name="Teams").click()
    page.wait_for_load_state()
    page.get_by_label("Name", exact=True).fill("Atlas Moderation")
    page.get_by_label("Kind").select_option("vendor")
    page.get_by_label("Vendor", exact=True).select_option("Atlas")
    page.get_by_role("button", name="Add the team").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Team Atlas Moderation added."
    assert axe.scan(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    assert tab.csp_violations() == []
