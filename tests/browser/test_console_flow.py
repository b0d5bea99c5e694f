"""The moderator's whole loop in Chromium, keyboard first: sign in, claim next from My work,
read the review, comment, wait on the requester, resume, escalate with a reason — every step
in place, no console error, and the case view passes the accessibility scan on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_lists_browser import _desk
from tests.browser.test_signin_browser import _sign_in
from tests.conftest import Person


def test_an_agent_claims_next_and_works_the_case_to_escalation(
        live_server: Callable[..., str], tab: Tab, db: Database, client: Any,
        make_team: Callable[..., Any], make_person: Callable[..., Person],
        manager: Person) -> None:
    agent, _, waiting = _desk(client, db, make_team, make_person, manager)
    base = live_server()
    page = tab.page
    axe.install(page.context)
    assert _sign_in(tab, base, agent.user.email) == 303
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()

    page.keyboard.press("c")
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/cases/FLG-\d+$"))
    key = page.url.rsplit("/", 1)[1]
    assert key in waiting
    expect(page.locator("#case-header")).to_contain_text(key)
    expect(page.locator(".review-text").first).not_to_be_empty()
    expect(page.locator("#case-header")).to_contain_text("(you)")
    assert axe.scan(page) == []
    page.evaluate("window.__notReloaded = true")

    page.get_by_role("button", name="Start work").click()
    expect(page.locator("#case-header .status")).to_have_text("in progress")
    page.get_by_label("Comment").fill("Reviewer has no order with this business.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#case-timeline")).to_contain_text("no order with this business")

    page.get_by_label("Wait on the requester for").fill("Asked the flagger for evidence")
    page.get_by_role("button", name="Wait on requester").click()
    expect(page.locator("#case-header .status")).to_have_text("waiting on requester")
    page.get_by_role("button", name="Resume work").click()
    expect(page.locator("#case-header .status")).to_have_text("in progress")

    # `e` goes to the escalation: its reason is required, so the browser asks for it first.
    page.locator("h1").click()
    page.keyboard.press("e")
    reason = page.get_by_label(re.compile("Why it needs tier 2"))
    expect(reason).to_be_focused()
    reason.fill("Same text as three other reviews this week: looks like a ring")
    reason.press("Enter")
    expect(page.get_by_role("heading", name=f"{key} was escalated to the next tier")
           ).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    tab.shot("escalated")

    with db.session() as s:
        case = s.get(Case, int(key.split("-")[1]))
        assert (case.tier, case.status, case.assignee_id) == (2, "triaged", None)
        kinds = [e.kind for e in s.query(AuditEvent).filter(AuditEvent.case_id == case.id)
                 .order_by(AuditEvent.id)]
    for step in ("case.claimed", "comment", "case.escalated"):
        assert step in kinds, kinds
    assert [m for m in tab.console if m.startswith("error")] == []
    assert tab.csp_violations() == []
