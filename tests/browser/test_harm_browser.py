"""A specialist opens a case about a threatening review in Chromium: the text is hidden behind
a blurred placeholder that says why (and is not in the page for a screen reader either),
Reveal swaps it in without a reload, the timeline says so at once; the account page counts it.
No console errors, no CSP violations, axe clean before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from integrity_desk.db import Database
from tests import factories as f
from tests.browser import axe
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person

THREAT = "Awful place. I know where he lives and I will kill you, Marco."


def test_a_harmful_review_is_hidden_until_revealed(
        live_server: Callable[..., str], browser_in: Callable[..., Any], client: Any,
        db: Database, specialist: Person) -> None:
    body = f.flag("r1")
    body["review"]["text"] = THREAT
    r = client.post("/api/v1/cases", json=body, headers=specialist.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    base = live_server()
    tab = browser_in("en-GB", 1280)
    page = tab.page
    assert _sign_in(tab, base, _with_password(db, specialist).user.email) == 303
    page.goto(f"{base}/cases/{key}")
    shield = page.locator(".review-text .harm-shield")
    expect(shield).to_contain_text("Hidden: threat of violence")
    expect(page.locator(".review-text")).not_to_contain_text("I will kill you")
    assert "I will kill you" not in page.content()  # nothing for a screen reader to read
    blur = shield.locator(".harm-veil").evaluate("e => getComputedStyle(e).filter")
    assert blur.startswith("blur(")
    assert axe.scan(page) == []
    tab.shot("hidden")
    page.evaluate("window.__notReloaded = true")

    shield.get_by_role("button", name="Reveal").click()
    expect(page.locator(".review-text")).to_contain_text("I will kill you, Marco")
    expect(page.locator(".review-text")).to_contain_text("Revealed: threat of violence")
    expect(page.locator("#case-timeline")).to_contain_text(
        "revealed hidden content (review r1: threat of violence)")
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped it in
    assert axe.scan(page) == []
    tab.shot("revealed")

    page.goto(f"{base}/account")
    expect(page.locator("#harm-today")).to_contain_text("1 of a daily limit of 20")
    expect(page.get_by_label("Blur harmful content", exact=False)).to_be_checked()
    assert axe.scan(page) == []
    assert [m for m in tab.console if m.startswith("error")] == []
    assert tab.csp_violations() == []
