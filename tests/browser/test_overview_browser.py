"""A manager opens the overview in Chromium: the flow chart is drawn (and its numbers are in a
table), and a backlog number leads to the list of its cases. The queues page at phone width."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from integrity_desk.db import Database
from integrity_desk.metrics import service
from integrity_desk.people.models import Team, User
from integrity_desk.people.passwords import hash_password
from tests.browser.conftest import Tab
from tests.conftest import PASSWORD, Person
from tests.metrics.support import build_desk


def _sign_in(tab: Tab, base: str, db: Database, person: Person, target: str) -> None:
    with db.session() as s:
        s.get(User, person.user.id).password_hash = hash_password(PASSWORD)
    page = tab.page
    page.goto(f"{base}{target}")
    page.get_by_label("E-mail address").fill(person.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{target}")


def _errors(tab: Tab) -> list[str]:
    return [m for m in tab.console if m.startswith("error")]


def test_manager_reads_the_overview_and_follows_a_number(
        live_server: Callable[..., str], tab: Tab, db: Database, client: Any,
        manager: Person, make_team: Callable[..., Team]) -> None:
    desk = build_desk(db, client, manager, make_team)
    with db.session() as s:
        service.refresh(s, now=desk.now)
    base = live_server()
    page = tab.page
    tab.page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(tab, base, db, manager, "/overview")
    expect(page.get_by_role("heading", name="Manager overview", level=1)).to_be_visible()
    expect(page.locator("#flow-chart canvas")).to_have_count(1)  # uPlot drew the chart
    expect(page.locator("#flow-chart .u-legend")).to_contain_text("Opened")
    expect(page.get_by_role("table", name="Cases opened and closed per day (UTC); each "
                                          "number opens its list")).to_be_visible()
    expect(page.locator("#flow-table tbody tr")).to_have_count(14)
    expect(page.get_by_role("heading", name="At risk: due soonest")).to_be_visible()
    tab.shot("1-overview")
    assert _errors(tab) == [] and tab.csp_violations() == []
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the chart follows
    width = "document.querySelector('#flow-chart canvas').clientWidth"
    for _ in range(50):  # the chart redraws 100 ms after the last resize
        if page.evaluate(width) <= 370:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(width) <= 370
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tab.shot("1-overview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    number = page.get_by_role("link", name="5 P2 cases in Flags (tier 1)").first
    number.focus()
    expect(number).to_be_focused()
    with page.expect_navigation() as nav:
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/cases?queue=flags&state=open&priority=P2")
    response = nav.value
    if response is not None and response.status == 200:  # the list is another slice's page
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    tab.shot("2-followed")


def test_queues_page_at_phone_width(live_server: Callable[..., str], tab: Tab, db: Database,
                                    client: Any, manager: Person,
                                    make_team: Callable[..., Team],
                                    make_person: Callable[..., Person]) -> None:
    desk = build_desk(db, client, manager, make_team)
    with db.session() as s:
        service.refresh(s, now=desk.now)
    agent = make_person("agent", team=desk.vendor)
    base = live_server()
    tab.page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(tab, base, db, agent, "/queues")
    page = tab.page
    expect(page.get_by_role("heading", name="Queues", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="6 open cases in Flags (tier 1)")).to_be_visible()
    expect(page.locator("#queue-counts tbody tr")).to_have_count(1)
    # the table scrolls inside its region; the page itself does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tab.shot("1-queues-phone")
    assert _errors(tab) == [] and tab.csp_violations() == []
