"""A specialist works an investigation's workspace in Chromium: the graph and the chart are
drawn (no Content-Security-Policy complaint), a member is added with a reason and one dropped
with a reason through the htmx forms, without a reload, and both changes are on the timeline
of the workspace and of the case view."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from integrity_desk.db import Database
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.investigations.test_members import investigation


def test_a_specialist_adds_and_drops_members(live_server: Callable[..., str], tab: Tab,
                                             db: Database, specialist: Person) -> None:
    key = investigation(db)
    base = live_server()
    assert _sign_in(tab, base, _with_password(db, specialist).user.email) == 303
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/cases/{key}")
    page.get_by_role("link", name="Open the investigation workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Workspace of {key}")
    expect(page.locator("#workspace-graph canvas").first).to_be_attached()  # Cytoscape drew
    expect(page.locator("#volume-chart canvas")).to_have_count(1)  # uPlot drew
    expect(page.locator("#graph-list button[data-node]").first).to_be_visible()
    page.locator("#graph-list button[data-node]").first.focus()
    page.keyboard.press("Enter")
    tab.shot("1280-open")
    page.evaluate("window.__notReloaded = true")

    form = page.locator("#add-member")
    form.get_by_label("Kind").select_option("review")
    form.get_by_label("References").fill("n3-0")
    form.get_by_label("Reason").fill("Same wording as the burst")
    form.get_by_role("button", name="Add").click()
    expect(page.locator("#workspace-members")).to_contain_text("Same wording as the burst")
    # The new workspace's drawings are drawn again.
    expect(page.locator("#workspace-graph canvas").first).to_be_attached()
    expect(page.locator("#volume-chart canvas")).to_have_count(1)

    drop = page.locator("#drop-member")
    drop.get_by_label("Reference").fill("b1")
    drop.get_by_label("Reason").fill("A real customer of the shop")
    drop.get_by_role("button", name="Drop").click()
    expect(page.locator("#workspace-dropped")).to_contain_text("A real customer of the shop")
    timeline = page.locator("#case-timeline")
    expect(timeline).to_contain_text("added 1 review to the investigation")
    expect(timeline).to_contain_text("dropped the review b1 from the investigation")
    assert page.evaluate("window.__notReloaded") is True
    tab.shot("1280-changed")

    page.goto(f"{base}/cases/{key}")
    expect(page.locator("#case-timeline")).to_contain_text(
        "dropped the review b1 from the investigation")
    assert tab.csp_violations() == []
