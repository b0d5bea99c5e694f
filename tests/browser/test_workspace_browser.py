"""A specialist works an investigation's workspace in Chromium: the graph and the chart are
drawn (no Content-Security-Policy complaint), a member is added with a reason and one dropped
with a reason through the htmx forms, without a reload, and both changes are on the timeline
of the workspace and of the case view."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from integrity_desk.api.deps import actor_of
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions import applying, service
from integrity_desk.evidence.verify import against_desk, verify_bytes
from integrity_desk.jobs.worker import Worker
from integrity_desk.people.models import User
from integrity_desk.settings import Settings
from integrity_desk.subjects.models import Review
from tests.browser.conftest import Tab
from tests.browser.test_signin_browser import _sign_in, _with_password
from tests.conftest import Person
from tests.investigations.test_members import investigation


def test_a_specialist_adds_and_drops_members(live_server: Callable[..., str], tab: Tab,
                                             db: Database, specialist: Person) -> None:
    key = investigation(db)
    base = live_server()
    assert _sign_in(tab, base, _with_password(db, specialist).user.email) == 303
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/cases/{key}")
    page.get_by_role("link", name="Open the investigation workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Workspace of {key}")
    expect(page.locator("#workspace-graph canvas").first).to_be_attached()  # Cytoscape drew
    expect(page.locator("#volume-chart canvas")).to_have_count(1)  # uPlot drew
    expect(page.locator("#graph-list button[data-node]").first).to_be_visible()
    page.locator("#graph-list button[data-node]").first.focus()
    page.keyboard.press("Enter")
    tab.shot("1280-open")
    page.evaluate("window.__notReloaded = true")

    form = page.locator("#add-member")
    form.get_by_label("Kind").select_option("review")
    form.get_by_label("References").fill("n3-0")
    form.get_by_label("Reason").fill("Same wording as the burst")
    form.get_by_role("button", name="Add").click()
    expect(page.locator("#workspace-members")).to_contain_text("Same wording as the burst")
    # The new workspace's drawings are drawn again.
    expect(page.locator("#workspace-graph canvas").first).to_be_attached()
    expect(page.locator("#volume-chart canvas")).to_have_count(1)

    drop = page.locator("#drop-member")
    drop.get_by_label("Reference").fill("b1")
    drop.get_by_label("Reason").fill("A real customer of the shop")
    drop.get_by_role("button", name="Drop").click()
    expect(page.locator("#workspace-dropped")).to_contain_text("A real customer of the shop")
    timeline = page.locator("#case-timeline")
    expect(timeline).to_contain_text("added 1 review to the investigation")
    expect(timeline).to_contain_text("dropped the review b1 from the investigation")
    assert page.evaluate("window.__notReloaded") is True
    tab.shot("1280-changed")

    page.goto(f"{base}/cases/{key}")
    expect(page.locator("#case-timeline")).to_contain_text(
        "dropped the review b1 from the investigation")
    assert tab.csp_violations() == []


def _claimed_workspace(live_server: Callable[..., str], tab: Tab, db: Database,
                       specialist: Person) -> tuple[str, str]:
    """An investigation the specialist has claimed, its workspace open in the tab: (key,
    base URL)."""
    key = investigation(db)
    with db.session() as s:
        case = s.scalars(select(Case).where(Case.id == int(key.split("-")[1]))).one()
        user = s.get(User, specialist.user.id)
        cases.claim(s, case, user=user, actor=actor_of(user), now=utcnow())
    base = live_server()
    assert _sign_in(tab, base, _with_password(db, specialist).user.email) == 303
    tab.page.set_viewport_size({"width": 1280, "height": 900})
    tab.page.goto(f"{base}/cases/{key}/workspace")
    return key, base


def test_a_specialist_decides_on_picked_members_and_takes_the_evidence_bundle(
        live_server: Callable[..., str], tab: Tab, db: Database, specialist: Person) -> None:
    """Issue 24's whole walk: pick members in the workspace, decide on them in one decision,
    then download the evidence bundle from the case view and verify it."""
    key, base = _claimed_workspace(live_server, tab, db, specialist)
    page = tab.page
    page.get_by_label("Select review b0", exact=True).check()
    page.get_by_label("Select review b1", exact=True).check()
    page.get_by_role("button", name="Decide on the selected members").click()
    expect(page).to_have_url(f"{base}/cases/{key}/decide?subject=review%3Ab0&subject=review%3Ab1")
    expect(page.locator('input[name="subject.0"]')).to_have_value("review:b0")
    expect(page.locator('input[name="subject.1"]')).to_have_value("review:b1")
    expect(page.locator('input[name="subject.2"]')).to_have_count(0)
    # Another guideline draws the rows again: still the picked members, and only them.
    page.locator("#guideline").select_option("incentivised")
    expect(page.locator("#guideline-parts")).to_contain_text("No paid or incentivised")
    expect(page.locator('input[name="subject.1"]')).to_have_value("review:b1")
    expect(page.locator('input[name="subject.2"]')).to_have_count(0)
    page.locator("#guideline").select_option("fake")
    expect(page.locator("#guideline-parts")).to_contain_text("genuine experience")
    page.locator("#action-0").select_option("remove_review")
    page.locator("#action-1").select_option("remove_review")
    page.get_by_label("Facts and circumstances").fill("Thirty copies of one text in a day.")
    page.get_by_label("Reasoning: why the guideline applies").fill("A paid campaign.")
    page.get_by_role("button", name="Record the decision").click()
    # Decided: the panel lists the decision and offers no second one.
    expect(page.locator("#decision-form")).to_have_count(0)
    expect(page.locator("#decision-panel")).to_contain_text("review:b1")
    with db.session() as s:
        assert set(s.scalars(select(Review.status).where(Review.ref.in_(["b0", "b1"])))) == {
            "removed"}
    tab.shot("1280-decided")

    page.goto(f"{base}/cases/{key}")
    button = page.get_by_role("button", name="Download evidence bundle (ZIP)")
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    report = verify_bytes(data)
    with db.session() as s:
        against_desk(s, report)
    assert report.ok, report.checks
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any("-decided-review-b0" in n for n in names)
    assert tab.csp_violations() == []


def test_a_decision_on_every_member_is_followed_chunk_by_chunk(
        live_server: Callable[..., str], tab: Tab, db: Database, specialist: Person,
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """"Decide on all members": one row per kind of member; the decision is bigger than one
    transaction takes (thresholds lowered here), so the panel shows its progress and follows
    the worker's chunks by itself until it is applied."""
    monkeypatch.setattr(service, "AT_ONCE", 10)
    monkeypatch.setattr(applying, "CHUNK", 10)
    key, base = _claimed_workspace(live_server, tab, db, specialist)
    page = tab.page
    page.get_by_role("link", name="Decide on all members").click()
    expect(page).to_have_url(f"{base}/cases/{key}/decide?members=all")
    expect(page.locator("#decision-form")).to_contain_text("Every member review")
    page.get_by_label("Action on every member review").select_option("remove_review")
    page.get_by_label("Facts and circumstances").fill("Thirty copies of one text in a day.")
    page.get_by_label("Reasoning: why the guideline applies").fill("A paid campaign.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision-panel")).to_contain_text("being applied")
    expect(page.locator("#decision-panel progress")).to_have_count(1)
    tab.shot("1280-applying")
    worker = Worker(db, settings)
    while worker.run_once(utcnow()) is not None:
        pass
    # No reload: the panel asks again every 3 s and shows the decision applied.
    expect(page.locator("#decision-panel progress")).to_have_count(0, timeout=10_000)
    expect(page.locator("#decision-panel .badge-applied").first).to_be_visible()
    with db.session() as s:
        case = s.scalars(select(Case).where(Case.id == int(key.split("-")[1]))).one()
        assert case.status == "decided"
    assert tab.csp_violations() == []
