"""A manager adds a webhook subscription in the console and reads its page: axe finds nothing
serious, at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from integrity_desk.db import Database
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import open_console
from tests.conftest import Person


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_subscribes_a_system(live_server: Callable[..., str], tab: Tab, db: Database,
                                       manager: Person, width: int) -> None:
    base = live_server()
    page = open_console(tab, base, db, manager, width=width)
    page.get_by_role("link", name="Webhooks").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    page.get_by_label("Name").fill("Data warehouse")
    page.get_by_label("URL").fill("http://127.0.0.1:9/hooks")
    page.get_by_label("case.created").check()
    page.get_by_label("case.closed").check()
    page.get_by_role("button", name="Add the subscription").click()
    page.wait_for_load_state()
    secret = page.get_by_role("textbox", name="Signing secret").input_value()
    assert secret.startswith("whsec_")
    assert axe.scan(page) == []
    page.get_by_role("link", name="To the subscription").click()
    page.wait_for_load_state()
    assert "case.closed, case.created" in page.locator("main").inner_text()  # sorted
    assert secret not in page.content()
    assert axe.scan(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    assert tab.csp_violations() == []
