"""Search in Chromium: type into the header's box, press Enter, read the results with the
matched words marked, open one; a case key goes straight to its case; the page fits a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from integrity_desk.db import Database
from integrity_desk.people.models import User
from integrity_desk.people.passwords import hash_password
from tests import factories as f
from tests.browser.conftest import Tab
from tests.conftest import PASSWORD, Person

API = "/api/v1"


def _open(client: Any, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _sign_in(tab: Tab, base: str, db: Database, person: Person) -> None:
    with db.session() as s:
        s.get(User, person.user.id).password_hash = hash_password(PASSWORD)
    page = tab.page
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(person.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _errors(tab: Tab) -> list[str]:
    return [m for m in tab.console if m.startswith("error")]


def test_search_from_the_header_and_open_a_result(
        live_server: Callable[..., str], tab: Tab, db: Database, client: Any,
        manager: Person) -> None:
    ring = _open(client, manager, f.investigation(
        title="Hotel Aurora review ring", description="Fresh accounts praise the hotel; "
        "call +45 12 34 56 78 for the owner.", reviews=[{"ref": "r-aurora-1"}]))
    other = _open(client, manager, f.csm("dentist.example.com", title="Dentist near the hotel",
                                         description="Asks about the hotel next door."))
    _open(client, manager, f.flag("r-bakery-9", title="Bakery refund complaint"))
    base = live_server()
    _sign_in(tab, base, db, manager)
    page = tab.page

    box = page.get_by_role("searchbox", name="Search cases")
    page.keyboard.press("Escape")
    box.focus()
    box.fill("hotel ring")
    box.press("Enter")
    expect(page).to_have_url(f"{base}/search?q=hotel+ring")
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    expect(box).to_have_value("hotel ring")
    results = page.locator("[data-row]")
    expect(results).to_have_count(1)
    expect(results.first.locator("mark").first).to_have_text("Hotel")
    expect(results.first).to_contain_text("investigation")
    expect(results.first).not_to_contain_text("12 34 56 78")
    tab.shot("1-results")

    box.fill("hotel")
    box.press("Enter")
    expect(page.locator("[data-row]")).to_have_count(2)
    assert page.locator("[data-row] a[data-row-link]").first.get_attribute(
        "href") in (f"/cases/{ring}", f"/cases/{other}")
    assert _errors(tab) == [] and tab.csp_violations() == []

    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    tab.shot("2-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    link = page.locator(f'a[data-row-link][href="/cases/{ring}"]')
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")  # the case view is helper CASE's; the link leads there
    expect(page).to_have_url(f"{base}/cases/{ring}")


def test_a_case_key_opens_the_case(live_server: Callable[..., str], tab: Tab, db: Database,
                                   client: Any, manager: Person) -> None:
    key = _open(client, manager, f.flag("r-bakery-9", title="Bakery refund complaint"))
    base = live_server()
    _sign_in(tab, base, db, manager)
    page = tab.page
    box = page.get_by_role("searchbox", name="Search cases")
    box.fill(key.lower())
    box.press("Enter")
    expect(page).to_have_url(f"{base}/cases/{key}")
    page.goto(f"{base}/search?q=")
    expect(page.get_by_role("alert").filter(has_text="The search (q) cannot be run")
           ).to_be_visible()
