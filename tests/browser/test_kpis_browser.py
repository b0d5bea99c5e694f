"""A manager reads the hand-built week 2026-W13 (tests/kpis/test_figures.py) in Chromium: the
dashboard's and a vendor scorecard's charts are drawn, their tables hold the numbers, axe finds
nothing serious, nothing scrolls sideways at phone width, nothing logs an error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from integrity_desk.db import Database
from integrity_desk.people.models import Team
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import open_console
from tests.conftest import Person
from tests.kpis.test_figures import _week


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_and_scorecard_of_a_week(live_server: Callable[..., str], tab: Tab,
                                           db: Database, make_person: Callable[..., Person],
                                           make_team: Callable[..., Team], width: int) -> None:
    week = _week(db, make_person, make_team)
    base = live_server()
    manager = make_person("manager")
    page = open_console(tab, base, db, manager, width=width)
    for path, charts in (("/dashboard?period=2026-W13", ("#trend-chart", "#flow-chart")),
                         (f"/vendors/{week['acme']}/scorecard?week=2026-W13",
                          ("#trend-chart",))):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        for chart in charts:
            expect(page.locator(f"{chart} canvas")).to_have_count(1)  # uPlot drew it
        assert axe.scan(page) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} scrolls sideways at {width} px"
        tab.shot(path.strip("/").split("?")[0].replace("/", "-"))
    page.goto(f"{base}/dashboard?period=2026-W13")
    expect(page.get_by_role("cell", name="Acme").or_(
        page.get_by_role("rowheader", name="Acme"))).to_be_visible()
    assert tab.csp_violations() == []
    assert [m for m in tab.console if m.startswith("error")] == []


