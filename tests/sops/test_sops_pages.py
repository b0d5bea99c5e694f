"""The console's checklist and SOP pages: ticking through htmx (the decision panel's line on
what blocks follows out of band), the console's decide action refused with the gate's
message, the publish form, a version's Markdown rendered safely, the comparison table."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Browser, Person
from tests.sops.test_sops_api import claimed_flag, publish

HTMX = {"HX-Request": "true"}


def _post(browser: Browser, url: str, data: dict[str, Any] | None = None,
          htmx: bool = True) -> Any:
    headers = {**HTMX, "X-CSRF-Token": browser.csrf} if htmx else {}
    body = dict(data or {})
    if not htmx:
        body["csrf_token"] = browser.csrf
    return browser.client.post(url, data=body, headers=headers, follow_redirects=False)


REMOVAL = {"guideline": "fake", "outcome": "action", "subject.0": "review:r1",
           "action.0": "remove_review", "scope": "EEA",
           "facts": "The business found no order for this review.",
           "explanation": "The text matches a template used by a review seller."}


def test_the_checklist_blocks_the_consoles_decision_until_ticked(
        client: TestClient, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person) -> None:
    publish(client, manager)
    key = claimed_flag(client, specialist)
    browser = sign_in(specialist)
    page = browser.client.get(f"/cases/{key}").text
    assert f'hx-get="/cases/{key}/checklist"' in page
    html = unescape(browser.client.get(f"/cases/{key}/checklist", headers=HTMX).text)
    assert "Checked the reviewer's other reviews for the same pattern" in html
    assert "Open the reviewer's profile." in html  # help text
    assert html.count("badge-required") == 2
    assert "2 required items still to do before a decision." in html
    panel = unescape(browser.client.get(f"/cases/{key}/decision", headers=HTMX).text)
    assert 'id="checklist-block"' in panel and "required checklist items not done" in panel
    r = _post(browser, f"/cases/{key}/decision", REMOVAL)
    assert r.status_code == 409, r.text
    assert "SOP checklist: " in unescape(r.text) and "“Compared the review" in unescape(r.text)
    r = _post(browser, f"/cases/{key}/checklist/history", {"done": "1"})
    assert r.status_code == 200
    one = unescape(r.text)
    assert "1 required item still to do" in one and 'hx-swap-oob="true"' in one
    assert "Done by Specialist Person" in one
    r = _post(browser, f"/cases/{key}/checklist/evidence", {"done": "1", "note": "No order"})
    done = unescape(r.text)
    assert "Every required item is done." in done
    assert 'id="checklist-block" class="notice checklist-block" hx-swap-oob="true" hidden' in done
    r = _post(browser, f"/cases/{key}/checklist/evidence", {})  # unchecked: untick
    assert "1 required item still to do" in unescape(r.text)
    _post(browser, f"/cases/{key}/checklist/evidence", {"done": "1"})
    r = _post(browser, f"/cases/{key}/decision", REMOVAL)
    assert r.status_code == 200 and "recorded" in r.text
    r = _post(browser, f"/cases/{key}/checklist/nope", {"done": "1"})
    assert r.status_code == 404


def test_publishing_through_the_form_and_reading_the_version(
        client: TestClient, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person) -> None:
    browser = sign_in(manager)
    assert "Publish the first version" in browser.client.get("/sops").text
    form = browser.client.get("/sops/flag/publish")
    assert form.status_code == 200 and "Publish version 1" in form.text
    data = {"title": "Flags", "body": "# Steps\n\n<script>alert(1)</script>\n\n"
            "[bad](javascript:alert(1)) and **bold**", "change_note": "first",
            "key.0": "history", "text.0": "Checked the history", "help_text.0": "Profile",
            "required.0": "1", "key.1": "", "text.1": "", "help_text.1": ""}
    r = _post(browser, "/sops/flag/publish", data, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/sops/flag/versions/1"
    page = browser.client.get("/sops/flag/versions/1").text
    assert "<h1>Steps</h1>" in page and "<strong>bold</strong>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    again = browser.client.get("/sops/flag/publish").text
    assert 'value="history"' in again and "Publish version 2" in again
    bad = _post(browser, "/sops/flag/publish", {**data, "key.0": "Bad Key"}, htmx=False)
    assert bad.status_code == 422 and "lower-case" in bad.text
    r = browser.client.get("/sops/flag/compare?version=1")
    assert r.status_code == 200 and "Version 1 has no version before it" in r.text
    assert "no data" in r.text
    # A specialist reads SOPs but does not publish them.
    reader = sign_in(specialist)
    assert reader.client.get("/sops/flag/versions/1").status_code == 200
    assert reader.client.get("/sops/flag/publish").status_code == 403
    assert reader.client.get("/sops/nonsense/versions/1").status_code == 404


def test_ticks_read_in_words_on_the_case_timeline(
        client: TestClient, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person) -> None:
    publish(client, manager)
    key = claimed_flag(client, specialist)
    browser = sign_in(specialist)
    _post(browser, f"/cases/{key}/checklist/history", {"done": "1", "note": "Two alike"})
    _post(browser, f"/cases/{key}/checklist/history", {})
    page = unescape(browser.client.get(f"/cases/{key}").text)
    assert ("ticked “Checked the reviewer's other reviews for the same pattern” on the "
            "checklist (flag v1 SOP)") in page
    assert "unticked “Checked the reviewer's" in page and "Two alike" in page
