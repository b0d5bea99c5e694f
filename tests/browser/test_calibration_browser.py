"""A member answers a calibration exercise blind in the console, and the manager closes it and
reads the results: axe finds nothing serious on any of the pages, and nothing breaks the CSP."""

from __future__ import annotations

from collections.abc import Callable

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database, utcnow
from integrity_desk.people.models import User
from integrity_desk.quality import calibration, calibration_answers
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import open_console
from tests.conftest import Person


def _open_exercise(db: Database, manager: Person, ana: Person, ben: Person) -> int:
    now = utcnow()
    with db.session() as s:
        ex = calibration.create(s, user=s.get(User, manager.user.id), actor=SYSTEM, now=now,
                                title="Fake or genuine", min_alpha=0.5, min_agreement=0.5,
                                certification="fake-ready")
        items = [calibration.add_synthetic(
            s, exercise=ex, title=title, text=text, actor=SYSTEM, now=now,
            reference_action=action, reference_guideline=guideline)
            for title, text, action, guideline in [
                ("Five stars, no order", "Amazing!!! Best shop ever, buy here.",
                 "remove_review", "fake"),
                ("A late delivery", "Parcel came a week late; support was kind.", "keep", None)]]
        calibration.invite(s, exercise=ex, user_ids=[ana.user.id, ben.user.id], actor=SYSTEM,
                           now=now)
        calibration.open_exercise(s, exercise=ex, actor=SYSTEM, now=now)
        bob = s.get(User, ben.user.id)
        for item, action, guideline in [(items[0], "remove_review", "fake"),
                                        (items[1], "keep", None)]:
            calibration_answers.answer(s, exercise=ex, user=bob, item_id=item.id,
                                       action=action, guideline=guideline, note=None,
                                       actor=SYSTEM, now=now)
        return ex.id


def test_a_member_answers_blind_and_the_manager_reads_the_results(
        live_server: Callable[..., str], tab: Tab, browser_in: Callable[..., Tab],
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben = make_person("agent"), make_person("specialist")
    ex = _open_exercise(db, manager, ana, ben)
    base = live_server()

    page = open_console(tab, base, db, ana, width=1280)
    page.get_by_role("link", name="My calibrations").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    page.get_by_role("link", name="Fake or genuine").click()
    page.wait_for_load_state()
    assert axe.scan(page) == []
    content = page.content()
    assert "Amazing!!!" in content and "remove_review · fake" not in content
    selects = page.get_by_label("Action")
    selects.nth(0).select_option("remove_review")
    page.get_by_label("Guideline").nth(0).select_option("fake")
    selects.nth(1).select_option("keep")
    page.get_by_role("button", name="Save and submit (final)").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").first.inner_text().startswith("Your answers are saved")
    assert "handed your answers in" in page.content()
    assert axe.scan(page) == []

    lead = browser_in(width=1280)
    boss = open_console(lead, base, db, manager, width=1280)
    boss.get_by_role("link", name="Team", exact=True).click()
    boss.wait_for_load_state()
    boss.get_by_role("link", name="Calibration exercises").click()
    boss.wait_for_load_state()
    assert axe.scan(boss) == []
    boss.get_by_role("link", name="Fake or genuine").click()
    boss.wait_for_load_state()
    assert "2 of 2" in boss.content()
    assert axe.scan(boss) == []
    boss.get_by_role("button", name="Close and compute the results").click()
    boss.wait_for_load_state()
    assert boss.url.endswith(f"/calibrations/{ex}/results")
    assert "1.000" in boss.locator("#alpha").inner_text()
    assert "reliable" in boss.locator("#alpha").inner_text()
    assert boss.get_by_role("heading", name="Cohen's kappa per pair").is_visible()
    assert boss.content().count("Passed") == 2
    assert axe.scan(boss) == []
    assert tab.csp_violations() == [] and lead.csp_violations() == []

    page.reload()
    assert "Your result" in page.content() and "fake-ready" in page.content()
