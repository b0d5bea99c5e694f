"""The workspace page and the members API (both databases): what the page shows, adding and
dropping through the forms (without JavaScript and with htmx) and through the API, errors
that name the field, and a case the person may not read answering 404."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from tests.conftest import Browser, Person
from tests.investigations.test_members import investigation

HTMX = {"HX-Request": "true"}


def test_the_workspace_shows_members_graph_timeline_and_copies(
        db: Database, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = investigation(db)
    browser = sign_in(specialist)
    case_page = browser.client.get(f"/cases/{key}").text
    assert f'href="/cases/{key}/workspace"' in case_page
    r = browser.client.get(f"/cases/{key}/workspace")
    assert r.status_code == 200, r.text
    html = r.text
    assert "<h1>Workspace of" in html and 'id="workspace-members"' in html
    assert "b0" in html and "copied text" in html
    assert 'data-graph="[{' in html and "shop.example.com" in html
    assert 'data-volume="{' in html and '<tr class="burst"><th scope="row">2026-03-02' in html
    assert "<ins>" in html  # a copy's added words
    assert '/static/cytoscape.min.js' in html and "Add members" in html
    sorted_page = browser.client.get(f"/cases/{key}/workspace?sort=ref&page=9")
    assert sorted_page.status_code == 200


def test_forms_add_and_drop_with_a_reason_with_and_without_javascript(
        db: Database, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = investigation(db)
    browser = sign_in(specialist)
    c = browser.client
    r = c.post(f"/cases/{key}/workspace/members", data={
        "csrf_token": browser.csrf, "type": "review", "refs": "n3-0, n4-0",
        "reason": "Same wording"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{key}/workspace"
    r = c.post(f"/cases/{key}/workspace/drop", headers={**HTMX, "X-CSRF-Token": browser.csrf},
               data={"type": "review", "ref": "b1", "reason": "A real customer"})
    assert r.status_code == 200 and r.text.startswith("{#") is False
    assert 'id="workspace"' in r.text and "A real customer" in r.text
    assert "dropped the review b1 from the investigation" in r.text
    assert "added 2 reviews to the investigation" in r.text
    missing = c.post(f"/cases/{key}/workspace/drop", data={
        "csrf_token": browser.csrf, "type": "review", "ref": "b2", "reason": " "})
    assert missing.status_code == 422 and "Reason: this field is required." in missing.text
    unknown = c.post(f"/cases/{key}/workspace/members", headers={
        **HTMX, "X-CSRF-Token": browser.csrf}, data={"type": "review", "refs": "zz",
                                                     "reason": "why"})
    assert unknown.status_code == 422 and unknown.text.startswith("References: no review 'zz'")


def test_the_api_pages_members_and_changes_them(db: Database, client,
                                                 specialist: Person) -> None:
    key = investigation(db)
    h = specialist.headers
    first = client.get(f"/api/v1/cases/{key}/members?limit=10", headers=h)
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["items"]) == 10 and body["next_cursor"]
    seen = {(m["type"], m["ref"]) for m in body["items"]}
    cursor = body["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/cases/{key}/members?limit=50&cursor={cursor}",
                          headers=h).json()
        seen |= {(m["type"], m["ref"]) for m in page["items"]}
        cursor = page["next_cursor"]
    assert ("review", "b0") in seen and ("business", "shop.example.com") in seen
    added = client.post(f"/api/v1/cases/{key}/members", headers=h, json={
        "type": "review", "refs": ["n3-0"], "reason": "Same wording"})
    assert added.status_code == 200 and added.json() == {"case": key, "changed": 1}
    dropped = client.post(f"/api/v1/cases/{key}/members/drop", headers=h, json={
        "type": "review", "ref": "n3-0", "reason": "No"})
    assert dropped.json()["changed"] == 1
    bad = client.post(f"/api/v1/cases/{key}/members", headers=h, json={
        "type": "review", "refs": ["n3-0"]})
    assert bad.status_code == 422 and "reason" in bad.text
    wrong = client.get(f"/api/v1/cases/{key}/members?cursor=x:1", headers=h)
    assert wrong.status_code == 422 and "cursor" in wrong.text


def test_a_case_the_person_may_not_read_is_a_404(
        db: Database, client, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = investigation(db)
    with db.session() as session:
        session.scalars(select(Case)).one().legal_restricted = True
    assert client.get(f"/api/v1/cases/{key}/members", headers=specialist.headers
                      ).status_code == 404
    assert client.post(f"/api/v1/cases/{key}/members", headers=specialist.headers, json={
        "type": "review", "refs": ["n3-0"], "reason": "x"}).status_code == 404
    browser = sign_in(specialist)
    assert browser.client.get(f"/cases/{key}/workspace").status_code == 404

