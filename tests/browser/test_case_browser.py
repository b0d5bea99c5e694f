"""An agent works a case in Chromium: opens it, reads the review, comments (the timeline shows
it without a reload), waits on the requester, resumes, escalates with a reason; the SLA clock
ticks; an agent of another vendor gets "no such case" for its URL. Screenshots at 1280 and
390 px wide."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from tests import factories as f
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def vendors(client: Any, db: Database, make_team: Callable[..., Any],
            make_person: Callable[..., Person], manager: Person) -> dict[str, Any]:
    keys = {}
    agents = {}
    for name, language in (("A", "en"), ("B", "de")):
        make_team(f"Vendor {name}", kind="vendor")
        _ok(client.post(f"{API}/queues", headers=manager.headers, json={
            "slug": f"flags-{name.lower()}", "name": f"Flags of vendor {name}",
            "team": f"Vendor {name}", "kinds": ["flag"], "tier": 1, "languages": [language],
            "position": 1}), 201)
        body = f.flag(f"r{name}", language=language)
        body["review"]["language"] = language
        body["review"]["text"] = f"Vendor {name} review: the staff were lovely, five stars"
        keys[name] = _ok(client.post(f"{API}/cases", json=body, headers=manager.headers),
                         201)["case"]["key"]
        with db.session() as s:
            from integrity_desk.people.models import Team
            team = s.scalar(select(Team).where(Team.name == f"Vendor {name}"))
        agents[name] = _with_password(db, make_person("agent", team=team,
                                                      languages=[language]))
    return {"keys": keys, "agents": agents}


def test_an_agent_works_a_case(live_server: Callable[..., str], tab: Tab, db: Database,
                               vendors: dict[str, Any]) -> None:
    base = live_server()
    key = vendors["keys"]["A"]
    assert _sign_in(tab, base, vendors["agents"]["A"].user.email) == 303
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/cases/{key}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".review-text")).to_contain_text("Vendor A review: the staff were lovely")
    # The resolution clock ticks in the browser.
    clock = page.locator("time[data-countdown]").last
    first = clock.text_content()
    # It ticks every second; a loaded machine may delay a tick, so wait for it (up to 5 s).
    expect(clock).not_to_have_text(first or "", timeout=5_000)
    tab.shot("1280-open")
    page.evaluate("window.__notReloaded = true")

    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#case-header")).to_contain_text("(you)")
    page.get_by_role("button", name="Start work").click()
    expect(page.locator("#case-header .status")).to_have_text("in progress")

    page.get_by_label("Comment").fill("No order found for this reviewer.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#case-timeline")).to_contain_text("No order found for this reviewer.")
    expect(page.get_by_label("Comment")).to_have_value("")

    page.get_by_label("Wait on the requester for").fill("Asked the business for the invoice")
    page.get_by_role("button", name="Wait on requester").click()
    expect(page.locator("#case-header .status")).to_have_text("waiting on requester")
    # paused with the time left frozen, and nothing in the header counts down (issue 19.2)
    expect(page.locator("#case-header [data-sla-label]").last).to_have_text(
        re.compile(r"^paused, .* left$"))
    expect(page.locator("#case-header time[data-countdown]")).to_have_count(0)
    expect(page.locator("#case-timeline")).to_contain_text("Asked the business for the invoice")

    # A refused action says why in the alert region (a form left over from an older page).
    page.evaluate("document.querySelector('form.action-resume').setAttribute('hx-post', "
                  "document.querySelector('form.action-resume').getAttribute('hx-post')"
                  ".replace('/resume', '/claim')); htmx.process(document.body)")
    page.get_by_role("button", name="Resume work").click()
    expect(page.locator("#flash")).to_contain_text("no longer waiting to be claimed")
    expect(page.locator("#case-header .status")).to_have_text("waiting on requester")
    # The refusal brought the actions as they are now: the tampered form is gone.
    expect(page.locator("form.action-resume")).to_have_attribute(
        "hx-post", f"/cases/{key}/resume")
    page.get_by_role("button", name="Resume work").click()
    expect(page.locator("#case-header .status")).to_have_text("in progress")
    page.evaluate("window.__notReloaded = true")

    # The timeline filter swaps in place.
    page.get_by_role("link", name="Comments").click()
    expect(page.locator("#case-timeline a[aria-current='true']")).to_have_text("Comments")
    expect(page.locator("#case-timeline")).not_to_contain_text("claimed the case")
    expect(page.locator("#case-timeline")).to_contain_text("No order found")

    page.set_viewport_size({"width": 390, "height": 844})
    tab.shot("390-working")
    page.set_viewport_size({"width": 1280, "height": 900})
    tab.shot("1280-working")

    page.get_by_label("Why it needs tier 2").fill("Looks like a paid review ring")
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_role("heading", name=f"{key} was escalated to the next tier")
           ).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    tab.shot("escalated")
    with db.session() as s:
        case = s.get(Case, int(key.split("-")[1]))
        assert case.tier == 2 and case.status == "triaged"
    assert tab.csp_violations() == []
    _no_console_errors_but_refusals(tab)


def _no_console_errors_but_refusals(tab: Tab) -> None:
    """Chromium itself notes a refused request's status in the console ("Failed to load
    resource: ... 409"); no script error may come with it (desk.js handles htmx's error)."""
    errors = [m for m in tab.console if m.startswith("error")]
    assert all(m.startswith("error: Failed to load resource: the server responded with a "
                            "status of 409") for m in errors), errors


def test_a_refused_claim_names_who_was_first_and_the_page_shows_it(
        live_server: Callable[..., str], tab: Tab, client: Any, db: Database,
        vendors: dict[str, Any], manager: Person) -> None:
    """The agent's page is stale: a manager gave the case to someone else meanwhile. Claim is
    refused with that person's name, and the header and actions show the truth (19.3)."""
    base = live_server()
    key = vendors["keys"]["A"]
    agent = vendors["agents"]["A"]
    assert _sign_in(tab, base, agent.user.email) == 303
    page = tab.page
    page.goto(f"{base}/cases/{key}")
    _ok(client.post(f"{API}/cases/{key}/assign", headers=manager.headers,
                    json={"assignee": manager.user.email}))
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#flash")).to_contain_text(manager.user.name)
    expect(page.locator("#flash")).to_be_visible()
    expect(page.locator("#case-header .status")).to_have_text("assigned")
    expect(page.locator("#case-header")).to_contain_text(manager.user.name)
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)
    expect(page.locator("#case-timeline")).to_contain_text("assigned the case")
    tab.shot("refused-claim")
    _no_console_errors_but_refusals(tab)
    assert not any("htmx" in m for m in tab.console), tab.console


def test_after_a_merge_the_address_bar_shows_the_surviving_case(
        live_server: Callable[..., str], tab: Tab, client: Any, db: Database,
        manager: Person) -> None:
    """Issue 19.4: merging answers HX-Redirect to the case that remains; the browser follows
    it, so the URL, the heading and a reload are all that case."""
    base = live_server()
    keys = [_ok(client.post(f"{API}/cases", json=f.flag(f"merge-{n}"), headers=manager.headers),
                201)["case"]["key"] for n in (1, 2)]
    assert _sign_in(tab, base, _with_password(db, manager).user.email) == 303
    page = tab.page
    page.goto(f"{base}/cases/{keys[0]}")
    page.get_by_text("Merge into another case").click()
    page.get_by_label("Key of the case that remains").fill(keys[1])
    page.get_by_label("Why they are the same matter").fill("The same review, flagged twice")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page).to_have_url(f"{base}/cases/{keys[1]}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("review merge-2")
    expect(page.locator("#case-header")).to_contain_text(keys[1])
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("review merge-2")
    with db.session() as s:
        assert s.get(Case, int(keys[0].split("-")[1])).status == "merged"
    assert [m for m in tab.console if m.startswith("error")] == []


def test_another_vendors_agent_sees_no_such_case(live_server: Callable[..., str], tab: Tab,
                                                 vendors: dict[str, Any]) -> None:
    base = live_server()
    assert _sign_in(tab, base, vendors["agents"]["B"].user.email) == 303
    page = tab.page
    response = page.goto(f"{base}/cases/{vendors['keys']['A']}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="No such case")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Vendor A review")
    tab.shot("not-found")
    # Their own case opens, at phone width too.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/cases/{vendors['keys']['B']}")
    expect(page.locator(".review-text")).to_contain_text("Vendor B review")
    tab.shot("390-case")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    # The browser logs the 404 of the page itself; nothing else may go wrong.
    errors = [m for m in tab.console if m.startswith("error")]
    assert errors == ["error: Failed to load resource: the server responded with a status of "
                      "404 (Not Found)"], errors
    assert tab.csp_violations() == []
