"""The console's request forms for CSMs and executives, and My requests: the business picked
from the data, the impact stated, the case through intake, and only one's own requests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.forms.models import InternalRequest
from integrity_desk.subjects.models import Business
from tests.conftest import Browser, Person
from tests.forms.conftest import field_errors


@pytest.fixture
def businesses(db: Database) -> None:
    with db.session() as s:
        s.add_all([
            Business(domain="shop.example.com", name="Shop Inc.", country="DE",
                     plan_tier="enterprise", csm_owner="Clara Holm", review_count=1200),
            Business(domain="shoes.example.org", name="Shoes & Co", country="FR",
                     plan_tier="premium", review_count=80),
            Business(domain="bakery.example.net", name="Bakery", plan_tier="free")])


@pytest.fixture
def csm(make_person: Callable[..., Person], sign_in: Callable[..., Browser]) -> Browser:
    return sign_in(make_person("viewer", email="clara@desk.example.com"))


def _csm_form(browser: Browser, **over: str) -> dict[str, str]:
    return {"csrf_token": browser.csrf, "kind": "csm_escalation",
            "business_domain": "shop.example.com", "customer_tier": "enterprise",
            "revenue_at_stake": "120,000", "needed_by": "2099-03-01",
            "description": "A wave of fake 1-star reviews before the renewal.",
            "reviews": "https://reviews.example.com/reviews/r1", **over}


def _raise(browser: Browser, **over: str) -> Any:
    return browser.client.post("/requests", data=_csm_form(browser, **over),
                               follow_redirects=False)


def test_the_picker_suggests_businesses_by_domain(businesses: None, csm: Browser) -> None:
    r = csm.client.get("/requests/businesses?q=Sho", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert re.findall(r"<strong>([^<]+)</strong>", r.text) == ["shoes.example.org",
                                                               "shop.example.com"]
    assert "enterprise" in r.text and "CSM Clara Holm" in r.text
    assert "No business" in csm.client.get("/requests/businesses?q=zz").text
    # LIKE's wildcards are text, not patterns.
    assert "<strong>" not in csm.client.get("/requests/businesses?q=%25o").text
    assert csm.client.get("/requests/businesses?q=s").text.strip() == ""  # too short yet


def test_choosing_a_business_fills_in_its_plan_tier(db: Database, businesses: None,
                                                     csm: Browser) -> None:
    with db.session() as s:
        shop = s.scalars(select(Business).where(Business.domain == "shop.example.com")).one()
    r = csm.client.get(f"/requests/businesses/{shop.id}")
    assert 'name="business_domain" value="shop.example.com"' in r.text
    assert "plan enterprise" in r.text
    assert csm.client.get("/requests/businesses/999999").status_code == 404
    page = csm.client.get("/requests/new?kind=csm_escalation")
    assert page.status_code == 200 and 'hx-get="/requests/businesses"' in page.text


def test_a_csm_raises_an_escalation(db: Database, businesses: None, csm: Browser) -> None:
    r = _raise(csm)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/requests?raised=CSM-")
    with db.session() as s:
        case = s.scalars(select(Case)).one()
        [request] = s.scalars(select(InternalRequest)).all()
    assert (case.kind, case.channel, case.customer_tier, case.revenue_at_stake) == (
        "csm_escalation", "form", "enterprise", 120_000)
    assert case.requester_contact == "clara@desk.example.com"
    assert case.details["needed_by"].startswith("2099-03-01")
    assert "request-form" in case.tag_list
    assert (request.case_id, request.outcome) == (case.id, "created")
    mine = csm.client.get(r.headers["location"])
    assert case.key in mine.text and "Received, waiting in its queue" in mine.text
    assert "Received and triaged" in mine.text


def test_an_executive_escalation(db: Database, businesses: None, csm: Browser) -> None:
    r = csm.client.post("/requests", data={
        "csrf_token": csm.csrf, "kind": "executive_escalation",
        "business_domain": "shoes.example.org", "executive_name": "Erik Boss",
        "executive_title": "CEO", "business_impact": "Press enquiry on Monday.",
        "description": "The CEO asks about a defamatory review."}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with db.session() as s:
        case = s.scalars(select(Case)).one()
    assert (case.kind, case.requester_name) == ("executive_escalation", "Erik Boss")
    assert case.details["business_impact"] == "Press enquiry on Monday."


@pytest.mark.parametrize("over, field", [
    ({"business_domain": ""}, "business"),
    ({"business_domain": "unknown.example.com"}, "business"),
    ({"revenue_at_stake": "a lot"}, "revenue_at_stake"),
    ({"customer_tier": "gold"}, "customer_tier"),
    ({"description": ""}, "description"),
    ({"needed_by": "2001-01-01"}, "needed_by"),
    ({"reviews": "not a link"}, "reviews"),
])
def test_bad_answers_are_refused_on_their_field(db: Database, businesses: None, csm: Browser,
                                                over: dict[str, str], field: str) -> None:
    r = _raise(csm, **over)
    assert r.status_code == 422
    assert field in field_errors(r.text), r.text
    with db.session() as s:
        assert s.scalars(select(Case)).first() is None


def test_my_requests_shows_only_my_own(db: Database, businesses: None, csm: Browser,
                                       make_person: Callable[..., Person],
                                       sign_in: Callable[..., Browser]) -> None:
    other = sign_in(make_person("viewer", email="oscar@desk.example.com"))
    assert _raise(csm).status_code == 303
    assert _raise(other, business_domain="bakery.example.net", customer_tier="free",
                  description="Another customer's problem entirely.").status_code == 303
    mine = csm.client.get("/requests").text
    theirs = other.client.get("/requests").text
    assert "shop.example.com" in mine and "bakery.example.net" not in mine
    assert "bakery.example.net" in theirs and "shop.example.com" not in theirs
    # A request about the same business joins the open case; both requesters follow it.
    r = _raise(other, description="The same wave, seen by another CSM.")
    assert "joined=1" in r.headers["location"]
    with db.session() as s:
        assert len(s.scalars(select(Case)).all()) == 2
    assert "shop.example.com" in other.client.get("/requests").text


def test_the_last_update_is_public_never_a_comment(client: Any, db: Database,
                                                   businesses: None, csm: Browser,
                                                   specialist: Person) -> None:
    _raise(csm)
    with db.session() as s:
        key = s.scalars(select(Case)).one().key
    r = client.post(f"/api/v1/cases/{key}/claim", headers=specialist.headers)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/cases/{key}/comments", headers=specialist.headers,
                    json={"body": "Internal: the CSM oversells this one."})
    assert r.status_code == 201, r.text
    page = csm.client.get("/requests").text
    assert "Assigned to a specialist" in page and "A specialist took it on" in page
    assert "oversells" not in page


def test_my_requests_pages_by_keyset(db: Database, businesses: None, csm: Browser) -> None:
    from integrity_desk.web.intake import request_routes

    for domain in ("shop.example.com", "shoes.example.org", "bakery.example.net"):
        assert _raise(csm, business_domain=domain, customer_tier="free").status_code == 303
    with db.session() as s:
        case_ids = list(s.scalars(select(InternalRequest.id).order_by(InternalRequest.id)))
    old = request_routes.PAGE_SIZE
    request_routes.PAGE_SIZE = 2
    try:
        first = csm.client.get("/requests").text
        cursor = re.search(r"/requests\?cursor=(\d+)", first)
        assert cursor and int(cursor.group(1)) == case_ids[1]
        second = csm.client.get(f"/requests?cursor={cursor.group(1)}").text
    finally:
        request_routes.PAGE_SIZE = old
    assert "bakery.example.net" in first and "shop.example.com" not in first
    assert "shop.example.com" in second and "cursor=" not in second
