"""Deciding on members picked in the investigation workspace: the decide page's rows are the
picked members (findings' members included, others left out), and the form decides on them
(issue 24 part 2)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.subjects.models import Review
from tests import factories
from tests.conftest import Browser, Person
from tests.helpers import plant_finding

API = "/api/v1"


def test_decide_on_the_selected_members(client: TestClient, db: Database,
                                        specialist: Person,
                                        sign_in: Callable[..., Browser]) -> None:
    key = client.post(f"{API}/cases", headers=specialist.headers,
                      json=factories.investigation()).json()["case"]["key"]
    case_id = int(key.rsplit("-", 1)[1])
    plant_finding(db, case_id, ["pick0", "pick1", "pick2"], key="dup:pick", extra=["stranger"])
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    browser = sign_in(specialist)
    workspace = browser.client.get(f"/cases/{key}/workspace")
    assert workspace.status_code == 200
    assert 'name="subject" value="review:pick0"' in workspace.text
    assert "Decide on the selected members" in workspace.text
    page = browser.client.get(f"/cases/{key}/decide", params=[
        ("subject", "review:pick0"), ("subject", "review:pick1"), ("subject", "review:stranger"),
        ("subject", "nonsense")])
    assert page.status_code == 200
    rows = [ref for ref in ("review:pick0", "review:pick1", "review:pick2", "review:r9",
                            "review:stranger") if f'value="{ref}"' in page.text]
    assert rows == ["review:pick0", "review:pick1"]
    r = browser.client.post(f"/cases/{key}/decision", follow_redirects=False, data={
        "csrf_token": browser.csrf, "guideline": "fake", "outcome": "action",
        "subject.0": "review:pick0", "action.0": "remove_review",
        "subject.1": "review:pick1", "action.1": "remove_review", "scope": "EEA",
        "facts": "Three copies of one text.", "explanation": "Paid reviews."})
    assert r.status_code == 303, r.text
    with db.session() as s:
        assert dict(s.execute(select(Review.ref, Review.status).where(
            Review.ref.like("pick%"))).all()) == {
            "pick0": "removed", "pick1": "removed", "pick2": "published"}


def test_decide_on_all_members_by_kind(client: TestClient, db: Database, specialist: Person,
                                       sign_in: Callable[..., Browser]) -> None:
    """"Decide on all members": a row per kind of member stands for all of them; the decision
    covers the findings' members too, and the panel says how far it is."""
    key = client.post(f"{API}/cases", headers=specialist.headers,
                      json=factories.investigation()).json()["case"]["key"]
    case_id = int(key.rsplit("-", 1)[1])
    plant_finding(db, case_id, [f"every{n}" for n in range(5)], key="dup:every")
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    browser = sign_in(specialist)
    workspace = browser.client.get(f"/cases/{key}/workspace").text
    assert f'href="/cases/{key}/decide?members=all"' in workspace
    page = browser.client.get(f"/cases/{key}/decide", params={"members": "all"})
    assert page.status_code == 200
    assert "Every member review" in page.text
    assert 'value="members:review"' in page.text
    assert 'value="review:every0"' not in page.text  # one row for all, not one each
    assert "?members=all" in page.text  # kept when another guideline redraws the rows
    assert browser.client.get(f"/cases/{key}/decide",
                              params={"members": "some"}).status_code == 422
    r = browser.client.post(f"/cases/{key}/decision", headers={"HX-Request": "true"}, data={
        "csrf_token": browser.csrf, "guideline": "fake", "outcome": "action",
        "subject.0": "members:review", "action.0": "remove_review", "scope": "EEA",
        "facts": "Five copies of one text.", "explanation": "Paid reviews."})
    assert r.status_code == 200, r.text
    assert "and applied." in r.text  # a handful applies at once
    with db.session() as s:
        statuses = set(s.scalars(select(Review.status).where(Review.ref.like("every%"))))
    assert statuses == {"removed"}
