"""The harm shield in the console: hidden by default (not on the page at all), revealed per
item by a POST that works without scripts and with htmx, recorded on the timeline; the
per-person setting and today's count on the account page; the managers' table."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.subjects.models import Review
from tests import factories as f
from tests.conftest import Browser, Person

HTMX = {"HX-Request": "true"}
THREAT = "Terrible service. I know where he lives and I will kill you, Marco."


def _flag(client: TestClient, person: Person, ref: str = "r1", text: str = THREAT,
          **over: object) -> str:
    body = f.flag(ref=ref, **over)
    body["review"] = {**body["review"], "text": text}
    r = client.post("/api/v1/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _review_id(db, ref: str = "r1") -> int:
    with db.session() as s:
        return int(s.scalar(select(Review.id).where(Review.ref == ref)))


def test_harmful_review_text_is_not_on_the_page_until_revealed(
        client: TestClient, db, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = _flag(client, specialist)
    browser = sign_in(specialist)
    html = browser.client.get(f"/cases/{key}").text
    assert "I will kill you" not in html  # not blurred text: no text at all
    assert "Hidden: threat of violence" in html
    assert "harmful content: threat of violence" in html  # the header says so at once
    item = f"review:{_review_id(db)}"
    assert f'name="item" value="{item}"' in html
    # Without scripts: the case page again, with that one item shown.
    page = browser.client.post(f"/cases/{key}/harm/reveal",
                               data={"item": item, "csrf_token": browser.csrf})
    assert page.status_code == 200
    assert "I will kill you" in page.text
    assert "revealed hidden content (review r1: threat of violence)" in page.text
    # The next load hides it again.
    assert "I will kill you" not in browser.client.get(f"/cases/{key}").text
    account = browser.client.get("/account").text
    assert re.search(r"seen today \(UTC\): <strong>1</strong> of a daily limit of 20", account)


def test_htmx_reveal_swaps_in_the_item_and_the_timeline(
        client: TestClient, db, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = _flag(client, specialist)
    browser = sign_in(specialist)
    item = f"review:{_review_id(db)}"
    r = browser.client.post(f"/cases/{key}/harm/reveal", data={"item": item},
                            headers={**HTMX, "X-CSRF-Token": browser.csrf})
    assert r.status_code == 200
    assert f'id="harm-review-{_review_id(db)}"' in r.text and "I will kill you" in r.text
    assert 'hx-swap-oob' in r.text and "revealed hidden content" in r.text
    refused = browser.client.post(f"/cases/{key}/harm/reveal", data={"item": "review:x"},
                                  headers={**HTMX, "X-CSRF-Token": browser.csrf})
    assert refused.status_code == 422


def test_with_the_blur_off_text_shows_and_counts(
        client: TestClient, db, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = _flag(client, specialist)
    browser = sign_in(specialist)
    saved = browser.client.post("/account/blur-harm", data={"csrf_token": browser.csrf})
    assert saved.status_code == 200 and "shown to you, and each item counts" in saved.text
    assert 'id="blur-harm" name="blur" value="on">' in saved.text  # unticked
    html = browser.client.get(f"/cases/{key}").text
    assert "I will kill you" in html and "Contains threat of violence." in html
    browser.client.get(f"/cases/{key}")  # seen again the same day: still one item
    account = browser.client.get("/account").text
    assert re.search(r"seen today \(UTC\): <strong>1</strong>", account)
    on = browser.client.post("/account/blur-harm",
                             data={"blur": "on", "csrf_token": browser.csrf})
    assert "blurred until you reveal it" in on.text


def test_lists_and_search_hide_a_harmful_title(
        client: TestClient, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = _flag(client, specialist, title="Heil Hitler, gas the jews", text="ok")
    browser = sign_in(specialist)
    listing = browser.client.get("/cases").text
    assert key in listing and "gas the jews" not in listing
    assert "Hidden: hate speech" in listing
    found = browser.client.get(f"/search?q={key}", follow_redirects=True).text
    assert "gas the jews" not in found
    case = browser.client.get(f"/cases/{key}").text
    assert f"{key}: title hidden" in case and "gas the jews" not in case


def test_managers_see_everyones_count_others_only_their_own(
        client: TestClient, db, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person) -> None:
    key = _flag(client, specialist)
    me = sign_in(specialist)
    me.client.post(f"/cases/{key}/harm/reveal",
                   data={"item": f"review:{_review_id(db)}", "csrf_token": me.csrf})
    assert "Your people today" not in me.client.get("/account").text
    boss = sign_in(manager).client.get("/account").text
    assert "Your people today" in boss
    row = re.search(r"<th scope=\"row\">Specialist Person</th><td>[^<]*</td><td>1</td><td>1</td>"
                    r"<td>on</td><td>no</td>", boss)
    assert row, boss


def test_my_work_says_when_the_cap_is_reached(
        client: TestClient, db, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person) -> None:
    r = client.put("/api/v1/triage/rules", headers=manager.headers, json={"rules": [
        *client.get("/api/v1/triage/rules", headers=manager.headers).json()["rules"],
        {"name": "harm-cap", "factor": "harm_exposure_cap", "params": {"items": 1}}]})
    assert r.status_code == 200, r.text
    key = _flag(client, specialist)
    browser = sign_in(specialist)
    browser.client.post(f"/cases/{key}/harm/reveal",
                        data={"item": f"review:{_review_id(db)}", "csrf_token": browser.csrf})
    work = browser.client.get("/").text
    assert "You have seen 1 harmful item today, the daily limit is 1" in work
