"""In Chromium: a required checklist item blocks the decision in the console until it is
ticked; the decision panel's line on what blocks follows the ticks, and the form keeps what
was typed."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from playwright.sync_api import expect

from integrity_desk.db import Database
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.sops.test_sops_api import claimed_flag, publish


def test_a_required_item_blocks_the_decision_until_ticked(
        live_server: Callable[..., str], tab: Tab, db: Database, client: TestClient,
        make_person: Callable[..., Person]) -> None:
    base = live_server()
    manager = make_person("manager")
    specialist = _with_password(db, make_person("specialist"))
    publish(client, manager)
    key = claimed_flag(client, specialist)
    page = tab.page
    assert _sign_in(tab, base, specialist.user.email) == 303
    page.goto(f"{base}/cases/{key}")
    checklist = page.locator("#sop-checklist")
    panel = page.locator("#decision-panel")
    expect(checklist.get_by_role("heading", name="Checklist")).to_be_visible()
    expect(checklist.get_by_text("Open the reviewer's profile.")).to_be_visible()
    expect(checklist.locator(".badge-required")).to_have_count(2)
    expect(panel.locator("#checklist-block")).to_contain_text("required checklist items")
    page.get_by_label("Action on review:r1").select_option("remove_review")
    page.get_by_label("Facts and circumstances").fill(
        "The business found no order matching this review.")
    page.get_by_label("Reasoning: why the guideline applies").fill(
        "The text matches a template sold by a review broker.")
    with page.expect_response(lambda r: r.url.endswith(f"/cases/{key}/decision")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Record the decision").click()
    assert answer.value.status == 409
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Checked the reviewer's other reviews for the same pattern")
    expect(flash).to_contain_text("Compared the review with the business's order records")
    tab.shot("1-refused")

    for label in ("Checked the reviewer's other reviews for the same pattern",
                  "Compared the review with the business's order records"):
        with page.expect_response(lambda r: "/checklist/" in r.url) as ticked:
            checklist.get_by_label(label).check()
        assert ticked.value.status == 200
    expect(checklist.get_by_text("Every required item is done.")).to_be_visible()
    expect(panel.locator("#checklist-block")).to_be_hidden()
    # The half-filled decision form is still there: ticking did not reload the panel.
    expect(page.get_by_label("Facts and circumstances")).to_have_value(
        "The business found no order matching this review.")
    tab.shot("2-ticked")
    with page.expect_response(lambda r: r.url.endswith(f"/cases/{key}/decision")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Record the decision").click()
    assert answer.value.status == 200
    expect(panel.get_by_role("status")).to_contain_text("recorded")
    tab.shot("3-decided")
    assert tab.csp_violations() == []
    # The refusal is the only error the browser saw: its own note of the 409 answer.
    assert [m for m in tab.console if m.startswith("error")] == [
        "error: Failed to load resource: the server responded with a status of 409 (Conflict)"]
