"""A specialist decides a flag in Chromium: opens the decision panel, chooses a guideline (the
sanctions ladder follows it), records a removal that needs four eyes; a manager approves it and
the statement of reasons appears. Also the panel on a 390 px phone."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.subjects.models import Review
from tests import factories as f
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag

API = "/api/v1"


def _review_status(db: Database, ref: str) -> str:
    with db.session() as s:
        return s.scalars(select(Review.status).where(Review.ref == ref)).one()


def test_a_removal_is_decided_approved_and_explained(
        live_server: Callable[..., str], tab: Tab, db: Database, client: TestClient,
        make_person: Callable[..., Person]) -> None:
    base = live_server()
    specialist = _with_password(db, make_person("specialist"))
    manager = _with_password(db, make_person("manager"))
    assert client.put(f"{API}/approval-rules", json={"action": "remove_review",
                                                     "requires_approval": True},
                      headers=manager.headers).status_code == 200
    key = _claimed_flag(client, specialist)
    page = tab.page

    assert _sign_in(tab, base, specialist.user.email) == 303
    page.goto(f"{base}/cases/{key}/decide")
    panel = page.locator("#decision-panel")
    expect(panel.get_by_role("heading", name="Decide")).to_be_visible()
    expect(panel.get_by_text("No decision on this case yet.")).to_be_visible()
    guideline = page.get_by_label("Guideline", exact=True)
    # Another guideline: the ladder follows it (htmx swaps the guideline's part in place).
    with page.expect_response(lambda r: "/decision?guideline=review_pressure" in r.url):
        guideline.select_option("review_pressure")
    expect(panel.get_by_text("warn the business", exact=False).first).to_be_visible()
    with page.expect_response(lambda r: "/decision?guideline=fake" in r.url):
        guideline.select_option("fake")
    expect(panel.get_by_text("offence 1 under this guideline — warn the reviewer")
           ).to_be_visible()
    page.get_by_label("Action on review:r1").select_option("remove_review")
    page.get_by_label("Facts and circumstances").fill(
        "The business found no order matching this review.")
    page.get_by_label("Reasoning: why the guideline applies").fill(
        "The text matches a template sold by a review broker.")
    tab.shot("1-decision-form")
    with page.expect_response(lambda r: r.url.endswith(f"/cases/{key}/decision")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Record the decision").click()
    assert answer.value.status == 200
    expect(panel.get_by_role("status")).to_contain_text("waits for a second person")
    expect(panel.locator(".badge-awaiting_approval")).to_have_text("awaiting approval")
    expect(panel.get_by_role("button", name="Approve")).to_have_count(0)
    assert _review_status(db, "r1") == "published"
    tab.shot("2-awaiting-approval")
    page.get_by_role("button", name="Sign out").click()

    assert _sign_in(tab, base, manager.user.email) == 303
    page.goto(f"{base}/cases/{key}/decide")
    page.get_by_label("Note on decision").fill("Checked the order history: agreed.")
    with page.expect_response(lambda r: r.url.endswith("/approve")) as answer:
        page.get_by_role("button", name="Approve").click()
    assert answer.value.status == 200
    expect(panel.get_by_role("status")).to_contain_text("approved and applied")
    expect(panel.get_by_role("heading", name="Statement of reasons")).to_be_visible()
    with db.session() as s:
        puid = s.scalars(select(DsaStatement.puid)).one()
    expect(panel.get_by_text(puid)).to_be_visible()
    expect(panel.get_by_text("status: published → removed")).to_be_visible()
    panel.get_by_text("Art. 17 message on").click()
    expect(panel.locator("details.art17 pre")).to_contain_text("Internal complaint")
    assert _review_status(db, "r1") == "removed"
    tab.shot("3-approved-with-statement")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(panel.get_by_role("heading", name="Statement of reasons")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # nothing forces a sideways scroll on a phone
    tab.shot("4-phone")
    assert tab.csp_violations() == []
    assert [m for m in tab.console if m.startswith("error")] == []


def test_the_original_decider_is_refused_on_the_appeal(
        live_server: Callable[..., str], tab: Tab, db: Database, client: TestClient,
        make_person: Callable[..., Person]) -> None:
    base = live_server()
    specialist = _with_password(db, make_person("specialist"))
    original = _claimed_flag(client, specialist)
    r = client.post(f"{API}/cases/{original}/decisions", headers=specialist.headers, json={
        "guideline": "fake", "explanation": "Template text.", "facts": "No order found.",
        "territorial_scope": ["DE"], "actions": [{"action": "remove_review",
                                                  "subject": "review:r1"}]})
    assert r.status_code == 201, r.text
    appeal = client.post(f"{API}/cases", json=f.appeal(original), headers=specialist.headers)
    key = appeal.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    assert _sign_in(tab, base, specialist.user.email) == 303
    tab.page.goto(f"{base}/cases/{key}/decide")
    panel = tab.page.locator("#decision-panel")
    expect(panel.get_by_role("heading", name=f"Appeal against {original}")).to_be_visible()
    expect(panel.locator("#appeal-refusal")).to_contain_text("you may not decide this appeal")
    expect(panel.locator("#appeal-form")).to_have_count(0)
    tab.shot("appeal-refused")
    assert tab.csp_violations() == []
