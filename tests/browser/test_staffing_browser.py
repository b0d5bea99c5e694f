"""A manager reads the staffing plan in Chromium: the chart of people needed against people
on shift is drawn (no Content-Security-Policy complaint), a what-if redraws the plan, another
queue is charted, and the CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from integrity_desk.db import Database
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.staffing.conftest import desk  # noqa: F401  (the fixture: a vendor and its history)


def test_a_manager_plans_with_a_what_if(live_server: Callable[..., str], tab: Tab,
                                        db: Database, desk: dict[str, Any],  # noqa: F811
                                        manager: Person) -> None:
    base = live_server()
    assert _sign_in(tab, base, _with_password(db, manager).user.email) == 303
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/dashboard")
    page.get_by_role("link", name="Staffing plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staffing plan")
    expect(page.locator("#plan-chart canvas").first).to_be_attached()  # uPlot drew
    expect(page.locator("#plan-queues")).to_contain_text("Acme BPO")
    page.get_by_label("Volume change (%)").fill("50")
    page.get_by_role("button", name="Plan").click()
    expect(page.locator("main")).to_contain_text("volume +50 %")
    page.get_by_role("link", name="Acme flags").click()
    expect(page.get_by_role("heading", level=2, name="Acme flags: people needed")).to_be_visible()
    days = page.locator("#plan-days tbody tr").count()
    assert days in (14, 15)  # two weeks from the next whole hour
    tab.shot("1280-staffing")
    with page.expect_download() as download:
        page.get_by_role("link", name="Every hour as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("hour_utc,vendor,team,queue") and "acme-flags" in text
    assert tab.csp_violations() == []
