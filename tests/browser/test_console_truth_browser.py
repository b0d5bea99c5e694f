"""Issue 19's "truth" points in Chromium, on the demo desk a manager and a specialist know: every
number of the overview and the queues page opens a list of exactly that many cases (1); a
finished or paused case never ticks, in the list or the case view (2); a case's further
requests show in full (5); searching a reviewer finds the cases about their reviews (6); and
the pages speak in words, not codes (7)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from integrity_desk.cases.models import Case, CaseRequest, CaseSubject
from integrity_desk.db import Database, utcnow
from integrity_desk.demo.seed import DEMO_PASSWORD, seed_demo
from integrity_desk.metrics import service as metrics
from integrity_desk.subjects.models import Review, Reviewer
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in

MANAGER = "manager@desk.example.com"
NUMBERS = ("() => [...document.querySelectorAll('a.num')]"
           ".map(a => [a.getAttribute('aria-label'), a.getAttribute('href')])")
CODES = re.compile(r"\b(harmful_illegal|personal_information|csm_escalation|"
                   r"executive_escalation|trusted_flagger_notice|legal_notice|in_progress|"
                   r"waiting_on_requester|waiting_on_legal|review_pressure)\b")


@pytest.fixture
def demo(db: Database) -> Database:
    seed_demo(db, cases=150)
    with db.session() as s:
        metrics.refresh(s, now=utcnow())
    return db


def _listed(tab: Tab, base: str, href: str) -> int:
    """The cases the list behind a number shows, over all its pages, as a person pages."""
    page = tab.page
    page.goto(f"{base}{href}")
    keys: list[str] = []
    while True:
        keys += page.locator("tr[data-row] .case-key a").all_text_contents()
        more = page.locator("a[rel=next]")
        if more.count() == 0:
            break
        more.click()
        page.wait_for_load_state()
    assert len(keys) == len(set(keys)), href
    return len(keys)


@pytest.mark.parametrize("path", ["/overview", "/queues"])
def test_every_number_opens_a_list_of_that_many_cases(
        live_server: Callable[..., str], tab: Tab, demo: Database, path: str) -> None:
    base = live_server()
    assert _sign_in(tab, base, MANAGER, DEMO_PASSWORD) == 303
    tab.page.goto(f"{base}{path}")
    numbers = tab.page.evaluate(NUMBERS)
    assert len(numbers) > (30 if path == "/overview" else 10), numbers
    wrong = {}
    for label, href in numbers:
        shown = int(label.split(" ")[0].replace(",", ""))
        if (listed := _listed(tab, base, href)) != shown:
            wrong[label] = (href, listed)
    assert wrong == {}
    assert [m for m in tab.console if m.startswith("error")] == []


def test_clocks_stop_links_show_searches_find_and_words_not_codes(
        live_server: Callable[..., str], tab: Tab, demo: Database) -> None:
    base = live_server()
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 800})
    assert _sign_in(tab, base, MANAGER, DEMO_PASSWORD) == 303

    # (2) Finished cases: their outcome, nothing counting down.
    page.goto(f"{base}/cases?state=closed")
    rows = page.locator("tr[data-row]")
    assert rows.count() > 5
    expect(page.locator("tr[data-row] time[data-countdown]")).to_have_count(0)
    outcomes = set(page.locator("tr[data-row] [data-sla-label]").all_text_contents())
    assert outcomes and all(o == "met" or o.startswith("breached by") or o == "no SLA"
                            for o in outcomes), outcomes
    # Paused cases: "paused" with the time left, frozen, in the list and the case view.
    page.goto(f"{base}/cases?status=waiting_on_requester")
    paused = page.locator("tr[data-row] [data-sla-label]")
    assert paused.count() > 0
    assert all(t.startswith("paused") for t in paused.all_text_contents())
    expect(page.locator("tr[data-row] time[data-countdown]")).to_have_count(0)
    key = page.locator("tr[data-row] .case-key a").first.text_content() or ""
    page.goto(f"{base}/cases/{key}")
    expect(page.locator("#case-header [data-sla-label]").last).to_have_text(
        re.compile(r"^paused, "))
    expect(page.locator("#case-header time[data-countdown]")).to_have_count(0)

    with demo.session() as s:
        # (5) A case that further requests joined.
        linked = s.scalar(select(Case).where(Case.linked_request_count > 0, Case.is_open)
                          .order_by(Case.id).limit(1))
        assert linked is not None
        linked_key, linked_n = linked.key, linked.linked_request_count
        first_request = s.scalar(select(CaseRequest).where(CaseRequest.case_id == linked.id)
                                 .order_by(CaseRequest.id.desc()).limit(1))
        assert first_request is not None
        newest_type = first_request.requester_type.replace("_", " ").capitalize()
        newest_at = first_request.received_at.strftime("%Y-%m-%dT%H:%M")
        # (6) A reviewer whose review is the subject of a case (the reviewer is not one).
        about = s.execute(
            select(Reviewer.ref, CaseSubject.case_id).join(Review, Review.reviewer_id
                                                           == Reviewer.id)
            .join(CaseSubject, (CaseSubject.subject_type == "review")
                  & (CaseSubject.subject_id == Review.id))
            .order_by(CaseSubject.case_id).limit(1)).one()
        about_key = s.get(Case, about.case_id).key
    page.goto(f"{base}/cases/{linked_key}")
    card = page.get_by_role("region", name=f"Further requests ({linked_n})")
    expect(card).to_be_visible()
    expect(card.locator("ol.linked-requests > li")).to_have_count(min(linked_n, 20))
    newest = card.locator("ol.linked-requests > li").first
    expect(newest).to_contain_text(newest_type)  # who sent it, in words
    expect(newest.locator("time")).to_have_attribute(
        "datetime", re.compile("^" + newest_at))  # and when
    tab.shot("linked")

    page.get_by_role("searchbox", name="Search cases").fill(about.ref)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("link", name=re.compile(f"^{about_key} "))).to_be_visible()
    expect(page.get_by_text(f"matched a review by reviewer {about.ref}").first).to_be_visible()
    tab.shot("search-reviewer")

    # (7) Words, not codes, in the lists and the case view.
    for path in ("/cases", "/", f"/cases/{about_key}", f"/cases/{linked_key}"):
        page.goto(f"{base}{path}")
        found = CODES.findall(page.locator("main").inner_text())
        assert found == [], (path, found)
    assert [m for m in tab.console if m.startswith("error")] == []
