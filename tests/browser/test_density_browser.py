"""A full screen of work at 1280 × 800 (issue 19.8), measured in Chromium on the demo desk: 15
or more cases fully visible in the case list and in My work, each one line high, with unbroken
case keys and long titles cut (whole on focus); the manager's navigation on one row; the case
view's header, why, clocks, the review's text and its action buttons above the fold, with the
timeline folded below and still folded after an action swaps it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database
from integrity_desk.demo.seed import DEMO_PASSWORD, seed_demo
from integrity_desk.errors import DeskError
from integrity_desk.people.models import User
from integrity_desk.routing.service import check_may_work
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in

FOLD = 800
VIEWPORT = {"width": 1280, "height": FOLD}
MIN_ROWS = 15
MANAGER, SPECIALIST = "manager@desk.example.com", "specialist@desk.example.com"
LONG = ("A review that names a member of staff, quotes a private message and links to a page "
        "elsewhere, reported by the business and twice by other readers of the review")

ROWS = """() => {
  const rows = [...document.querySelectorAll('table.cases tbody tr[data-row]')];
  const box = e => e.getBoundingClientRect();
  const title = rows[0].querySelector('.title-text');
  return {
    rows: rows.length,
    visible: rows.filter(r => box(r).top >= 0 && box(r).bottom <= innerHeight).length,
    heights: [...new Set(rows.map(r => Math.round(box(r).height)))],
    line: parseFloat(getComputedStyle(title).lineHeight),
    keyLines: rows.map(r => r.querySelector('.case-key a').getClientRects().length),
    keysCut: rows.filter(r => { const k = r.querySelector('.case-key');
                               return k.scrollWidth > k.clientWidth; }).length,
    slaTitles: rows.map(r => r.querySelector('[data-sla]').getAttribute('title')),
    sideways: document.documentElement.scrollWidth > innerWidth,
  };
}"""
NAV = "() => [...document.querySelectorAll('.site-header nav li')].map(li => li.offsetTop)"
CUT = """(text) => [...document.querySelectorAll('.title-text')]
  .filter(t => t.textContent === text)
  .map(t => ({cut: t.scrollWidth > t.clientWidth, title: t.getAttribute('title'),
              height: t.getBoundingClientRect().height}))"""
BOTTOMS = """() => {
  const bottom = s => document.querySelector(s).getBoundingClientRect().bottom;
  return {
    header: bottom('#case-header'), why: bottom('#case-header .why'),
    clocks: bottom('#case-header .clocks'), subject: bottom('#case-subjects .review-text'),
    buttons: [...document.querySelectorAll('#case-actions button')]
      .filter(b => b.offsetParent !== null)
      .map(b => [b.textContent.trim(), b.getBoundingClientRect().bottom]),
    timeline: document.querySelector('#timeline-fold').getBoundingClientRect().top,
  };
}"""


def _demo_desk(db: Database) -> str:
    """The demo desk, with 20 open cases each for the demo manager and the demo specialist
    (the demo gives most of them to the admin), two with a title far too long for one line.
    Returns the key of a flag on a review that the specialist works, in progress."""
    seed_demo(db, cases=120)
    with db.session() as s:
        users = {u.email: u for u in s.scalars(select(User))}
        specialist = users[SPECIALIST]
        reviewed = select(CaseSubject.case_id).where(CaseSubject.subject_type == "review")
        workable = [c for c in s.scalars(select(Case).where(
            Case.is_open.is_(True), Case.legal_restricted.is_(False),
            Case.status == "in_progress", Case.id.in_(reviewed)).order_by(Case.id))
            if _may(s, specialist, c)]
        assert workable, "the demo has no case in progress the specialist may work"
        worked = workable[0]
        rest = s.scalars(select(Case).where(
            Case.is_open.is_(True), Case.legal_restricted.is_(False), Case.id != worked.id)
            .order_by(Case.id).limit(39)).all()
        assert len(rest) == 39
        for case in [worked, *rest[:19]]:
            case.assignee_id = specialist.id
        for case in rest[19:]:
            case.assignee_id = users[MANAGER].id
        rest[0].title = rest[19].title = LONG
        rest[0].tag_list = ["wave-7", "sockpuppet"]
        return worked.key


def _may(session: Any, user: User, case: Case) -> bool:
    try:
        check_may_work(session, user, case)
    except DeskError:
        return False
    return True


def _full_screen_of_cases(tab: Tab, base: str, path: str, *, long_title: bool = True) -> None:
    page = tab.page
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    m = page.evaluate(ROWS)
    assert m["rows"] >= MIN_ROWS, (path, m["rows"])
    assert m["visible"] >= MIN_ROWS, (path, m)
    # One line each: every row as high as the others, less than two lines of text.
    assert len(m["heights"]) == 1 and m["heights"][0] < 2 * m["line"], (path, m["heights"])
    assert set(m["keyLines"]) == {1} and m["keysCut"] == 0, path
    assert all(t and (t.startswith("Resolution") or t == "No SLA applies")
               for t in m["slaTitles"]), (path, m["slaTitles"])
    assert not m["sideways"], path
    tab.shot(path.strip("/").split("?")[0].replace("/", "-") or "work")
    if not long_title:
        return
    # A long title is cut, whole in its title attribute and in the page; whole on the focused
    # row, which may then grow.
    # (The first such row: a list that shows both people's cases has two.)
    cut = page.evaluate(CUT, LONG)[0]
    assert cut["cut"] and cut["title"] == LONG, path
    row = page.locator("tr[data-row]", has=page.get_by_text(LONG, exact=True)).first
    row.locator("a[data-row-link]").focus()
    opened = page.evaluate(CUT, LONG)[0]
    assert not opened["cut"] and opened["height"] > cut["height"], path


@pytest.mark.parametrize("email", [MANAGER, SPECIALIST])
def test_a_full_screen_of_cases_at_1280(live_server: Callable[..., str], tab: Tab,
                                         db: Database, email: str) -> None:
    _demo_desk(db)
    base = live_server()
    tab.page.set_viewport_size(VIEWPORT)
    tab.page.goto(f"{base}/login")
    assert _sign_in(tab, base, email, DEMO_PASSWORD) == 303
    tops = tab.page.evaluate(NAV)
    assert len(tops) >= (11 if email == MANAGER else 5) and len(set(tops)) == 1, tops
    _full_screen_of_cases(tab, base, "/")
    _full_screen_of_cases(tab, base, "/cases")
    # Filters set among the further ones fold away with the rest, named in their summary.
    _full_screen_of_cases(tab, base, "/cases?state=open&priority=P1&priority=P2&priority=P3"
                          "&priority=P4&status=triaged&status=assigned&status=in_progress",
                          long_title=False)
    expect(tab.page.locator(".more-filters > summary")).to_contain_text("2 set: Status")
    assert tab.csp_violations() == []


def test_the_case_view_above_the_fold_at_1280(live_server: Callable[..., str], tab: Tab,
                                              db: Database) -> None:
    key = _demo_desk(db)
    base = live_server()
    page = tab.page
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base}/login")
    assert _sign_in(tab, base, SPECIALIST, DEMO_PASSWORD) == 303
    page.goto(f"{base}/cases/{key}")
    page.wait_for_load_state("networkidle")
    m = page.evaluate(BOTTOMS)
    names = [name for name, _ in m["buttons"]]
    for wanted in ("Assign", "Wait on requester", "Escalate", "Release", "Send reply",
                   "Add comment"):
        assert wanted in names, names
    above = {k: m[k] for k in ("header", "why", "clocks", "subject")}
    assert all(bottom <= FOLD for bottom in above.values()), above
    assert all(bottom <= FOLD for _, bottom in m["buttons"]), m["buttons"]
    assert m["timeline"] >= m["subject"]
    assert page.evaluate("document.documentElement.scrollWidth > innerWidth") is False
    tab.shot("case")

    # The timeline folds, and stays folded when an action swaps it out of band.
    fold = page.locator("#timeline-fold")
    fold.locator("> summary").click()
    expect(page.locator("#case-timeline")).to_be_hidden()
    page.get_by_label("Comment", exact=True).fill("Checked the reviewer's other reviews.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#case-timeline")).to_contain_text("Checked the reviewer's other "
                                                           "reviews.")
    expect(page.locator("#case-timeline")).to_be_hidden()
    fold.locator("> summary").click()
    expect(page.locator("#case-timeline .event").first).to_contain_text("Checked the reviewer's")
    assert tab.csp_violations() == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_dense_pages_pass_the_scan(live_server: Callable[..., str], tab: Tab,
                                       db: Database, width: int) -> None:
    """axe on the demo desk's lists and a case, the history and timeline folds open and shut."""
    key = _demo_desk(db)
    base = live_server()
    axe.install(tab.page.context)
    tab.page.set_viewport_size({"width": width, "height": FOLD})
    tab.page.goto(f"{base}/login")
    assert _sign_in(tab, base, MANAGER, DEMO_PASSWORD) == 303
    for path in ("/", "/cases", f"/cases/{key}"):
        tab.page.goto(f"{base}{path}")
        tab.page.wait_for_load_state("networkidle")
        assert axe.scan(tab.page) == [], path
        assert not tab.page.evaluate("document.documentElement.scrollWidth > innerWidth"), path
    tab.page.locator("details.history > summary").first.click()
    tab.page.locator("#timeline-fold > summary").click()
    assert axe.scan(tab.page) == [], "folded"
