"""axe-core finds no serious or critical accessibility violation on the console's pages,
at a desktop width and at a 390 px phone width."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from integrity_desk.db import Database
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person

PAGES = ["/", "/account"]


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_pass_the_accessibility_scan(live_server: Callable[..., str], tab: Tab,
                                           db: Database, make_person: Callable[..., Person],
                                           width: int) -> None:
    base = live_server()
    person = _with_password(db, make_person("manager"))
    axe.install(tab.page.context)
    tab.page.set_viewport_size({"width": width, "height": 900})
    tab.page.goto(f"{base}/login")
    assert axe.scan(tab.page) == [], "/login"
    _sign_in(tab, base, person.user.email)
    for path in PAGES:
        tab.page.goto(f"{base}{path}")
        assert axe.scan(tab.page) == [], path
    assert tab.csp_violations() == []


def test_the_scan_reports_a_violation(live_server: Callable[..., str], tab: Tab) -> None:
    """The scan above can fail: an unlabelled field and an image without text are reported."""
    base = live_server()
    axe.install(tab.page.context)
    tab.page.goto(f"{base}/login")
    tab.page.evaluate("""() => {
        const form = document.querySelector('form');
        form.append(document.createElement('input'));
        const img = document.createElement('img');
        img.src = 'data:,';
        document.querySelector('main').append(img);
    }""")
    found = axe.scan(tab.page)
    assert any(line.startswith("label ") for line in found), found
    assert any(line.startswith("image-alt ") for line in found), found
