"""An agent in Chromium: My work shows the assigned case with its ticking countdown, `c` claims
the next case and opens it, j/k/Enter walk and open the case list, `?` lists the shortcuts,
and the list fits a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import update

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.routing.models import Queue
from tests import factories as f
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person

API = "/api/v1"


def _desk(client: Any, db: Database, make_team: Callable[..., Any],
          make_person: Callable[..., Person], manager: Person) -> tuple[Person, str, list[str]]:
    """A vendor agent working the flags queue: one case already theirs, three waiting."""
    vendor = make_team("Vendor A", kind="vendor")
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(team_id=vendor.id))
    agent = _with_password(db, make_person("agent", team=vendor))
    r = client.post(f"{API}/cases/batch", headers=manager.headers,
                    json={"items": [f.flag(ref=f"r{i}") for i in range(4)]})
    keys = [item["case"] for item in r.json()["items"]]
    assert client.post(f"{API}/cases/{keys[0]}/claim", headers=agent.headers).is_success
    return agent, keys[0], keys[1:]


def test_my_work_claim_next_and_the_keyboard(live_server: Callable[..., str], tab: Tab,
                                             db: Database, client: Any,
                                             make_team: Callable[..., Any],
                                             make_person: Callable[..., Person],
                                             manager: Person) -> None:
    agent, mine, waiting = _desk(client, db, make_team, make_person, manager)
    base = live_server()
    page = tab.page
    page.goto(f"{base}/")
    assert _sign_in(tab, base, agent.user.email) == 303
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    row = page.locator("tr[data-row]", has=page.get_by_role("link", name=mine, exact=True))
    expect(row).to_be_visible()
    clock = row.locator("time[data-countdown]")
    expect(clock).to_have_text(re.compile(r"^(\d+ d )?\d\d:\d\d:\d\d left$"))
    expect(row.locator("[data-sla-label]")).to_have_text("on track")
    # The clock ticks in the browser: pretend the due time was a minute ago.
    page.evaluate("""() => {
        const t = document.querySelector('time[data-countdown]');
        t.setAttribute('datetime', new Date(Date.now() - 61000).toISOString());
        window.deskClock.tick();
    }""")
    expect(clock).to_have_text(re.compile(r"^overdue by 00:01:0\d$"))
    expect(row.locator("[data-sla-label]")).to_have_text("breached")
    tab.shot("1-my-work")

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("row", name=re.compile("Claim the next case"))).to_be_visible()
    for key in ("j", "k", "Enter", "/", "?"):
        expect(dialog.locator("kbd", has_text=key).first).to_be_visible()
    tab.shot("2-shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("c")
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/cases/FLG-\d+$"))
    claimed = page.url.rsplit("/", 1)[1]
    assert claimed in waiting
    with db.session() as s:
        case = s.get(Case, int(claimed.split("-")[1]))
        assert (case.assignee_id, case.status) == (agent.user.id, "assigned")

    page.goto(f"{base}/cases?sort=created")
    links = page.locator("tr[data-row] a[data-row-link]")
    expect(links).to_have_count(4)
    page.keyboard.press("/")
    expect(page.locator("#search-q")).to_be_focused()
    page.keyboard.type("jk")  # typed into the search box: no row moves
    expect(page.locator("#search-q")).to_have_value("jk")
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("k")
    expect(links.nth(1)).to_be_focused()
    second = links.nth(1).inner_text()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/cases/{second}")
    assert tab.csp_violations() == []


def test_the_case_list_on_a_phone(live_server: Callable[..., str], tab: Tab, db: Database,
                                  client: Any, make_team: Callable[..., Any],
                                  make_person: Callable[..., Person], manager: Person) -> None:
    agent, _, _ = _desk(client, db, make_team, make_person, manager)
    base = live_server()
    page = tab.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login?next=%2Fcases")
    assert _sign_in(tab, base, agent.user.email) == 303
    expect(page).to_have_url(f"{base}/cases")
    expect(page.locator("tr[data-row]")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Select every case on this page").check()
    expect(page.locator("#selection-count")).to_have_text("4 cases selected.")
    tab.shot("cases-390")
    errors = [m for m in tab.console if m.startswith("error")]
    assert errors == [] and tab.csp_violations() == []


def test_a_refused_bulk_action_names_each_case_and_keeps_the_selection(
        live_server: Callable[..., str], tab: Tab, db: Database, client: Any,
        make_team: Callable[..., Any], make_person: Callable[..., Person],
        manager: Person) -> None:
    """Issue 19.3: releasing four cases of which three are nobody's is refused case by case;
    the agent goes back to the list with the four still ticked, or on with the one that may."""
    agent, mine, waiting = _desk(client, db, make_team, make_person, manager)
    base = live_server()
    page = tab.page
    page.goto(f"{base}/login?next=%2Fcases")
    assert _sign_in(tab, base, agent.user.email) == 303
    page.get_by_label("Select every case on this page").check()
    page.get_by_label("Action").select_option("release")
    page.get_by_label("Reason").fill("End of shift")
    page.get_by_role("button", name="Review the action").click()
    expect(page.get_by_role("heading", name="Nothing was changed")).to_be_visible()
    for key in waiting:
        expect(page.get_by_role("row", name=re.compile(key))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(f"^{mine} "))).to_have_count(0)
    tab.shot("bulk-refused")
    page.get_by_role("link", name="Back to the list with your 4 cases still selected").click()
    expect(page.locator("input[data-pick]:checked")).to_have_count(4)
    expect(page.locator("#selection-count")).to_have_text("4 cases selected.")
    # The kept selection works as it is: the same action again, then on with the one case.
    page.get_by_label("Action").select_option("release")
    page.get_by_label("Reason").fill("End of shift")
    page.get_by_role("button", name="Review the action").click()
    page.get_by_role("button", name="Release 1 case to their queues instead").click()
    expect(page.get_by_role("heading", name="Release 1 case to their queues?")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Yes, release 1 case")).click()
    expect(page.get_by_role("status")).to_have_text("Released 1 case to their queues.")
    with db.session() as s:
        assert s.get(Case, int(mine.split("-")[1])).assignee_id is None
    assert [m for m in tab.console if m.startswith("error")
            and "status of 409" not in m] == []
