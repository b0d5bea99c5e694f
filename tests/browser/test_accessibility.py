"""axe-core finds no serious or critical accessibility violation on the console's pages, at a
desktop width and at a 390 px phone width; no page scrolls sideways, logs an error or ships
more than 300 KB of assets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrity_desk.db import Database
from tests import factories as f
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.sops.test_sops_api import publish

PAGES = ["/", "/cases", "/cases?sla=breached", "/queues", "/overview", "/search?q=shop",
         "/cases/{key}", "/cases/{key}/decide", "/flaggers", "/messages/held", "/outbox",
         "/account", "/dashboard", "/reports", "/sops", "/sops/flag/versions/1",
         "/sops/flag/publish", "/sops/flag/compare?version=1", "/staffing"]

# What a page loads besides itself and its data: scripts, stylesheets, images, fonts.
ASSET_BYTES = """() => performance.getEntriesByType('resource')
    .filter(e => ['script', 'link', 'css', 'img', 'font'].includes(e.initiatorType))
    .reduce((sum, e) => sum + e.decodedBodySize, 0)"""


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_pass_the_accessibility_scan(live_server: Callable[..., str], tab: Tab,
                                           db: Database, client: Any, manager: Person,
                                           width: int) -> None:
    """Every page of the console, as a manager (who sees them all), with a case to show (and
    its SOP checklist)."""
    publish(client, manager)
    r = client.post("/api/v1/cases/batch", headers=manager.headers,
                    json={"items": [f.flag(ref="r1"), f.flag(ref="r2")]})
    key = r.json()["items"][0]["case"]
    base = live_server()
    person = _with_password(db, manager)
    axe.install(tab.page.context)
    tab.page.set_viewport_size({"width": width, "height": 900})
    tab.page.goto(f"{base}/login")
    assert axe.scan(tab.page) == [], "/login"
    _sign_in(tab, base, person.user.email)
    for path in PAGES:
        response = tab.page.goto(f"{base}{path.format(key=key)}")
        assert response is not None and response.status == 200, path
        tab.page.wait_for_load_state("networkidle")  # the panels htmx loads after the page
        assert axe.scan(tab.page) == [], path
        assets = tab.page.evaluate(ASSET_BYTES)
        assert 0 < assets <= 300 * 1024, f"{path} ships {assets} bytes of assets"
        overflow = tab.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} scrolls sideways at {width} px"
    assert tab.csp_violations() == []
    assert [m for m in tab.console if m.startswith("error")] == []


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
