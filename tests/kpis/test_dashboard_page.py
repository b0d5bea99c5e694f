"""The manager's dashboard: vendors side by side, the funnel, the charts' tables; every link
is a filter the case list reads; stakeholders read it without a person's name; agents not."""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import update

from integrity_desk.db import Database
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.web.cases.list_routes import SINGLE
from tests.conftest import Browser, Person
from tests.kpis.test_funnel import build_week

LIST_FILTERS = set(SINGLE) | {"status", "kind", "priority"}


@pytest.fixture
def people(db: Database, make_person: Callable[..., Person],
           make_team: Callable[..., Team]) -> tuple[Person, Person]:
    squad = make_team("Acme Squad", kind="vendor")
    decider, colleague = make_person("manager", team=squad), make_person("manager")
    with db.session() as s:
        acme = Vendor(name="Acme")
        s.add(acme)
        s.flush()
        s.execute(update(Team).where(Team.id == squad.id).values(vendor_id=acme.id))
        s.execute(update(User).where(User.id == decider.user.id).values(name="Dora Decider"))
        s.execute(update(User).where(User.id == colleague.user.id)
                  .values(name="Colm Colleague"))
    build_week(db, decider, colleague)
    return decider, colleague


def hrefs(page: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_a_manager_sees_vendors_funnel_charts_and_people(
        sign_in: Callable[..., Browser], people: tuple[Person, Person]) -> None:
    decider, _ = people
    browser = sign_in(decider)
    r = browser.client.get("/dashboard", params={"period": "2026-W49"})
    assert r.status_code == 200, r.text
    page = r.text
    assert "Dashboard: 2026-W49" in page
    vendors = page.split('id="vendors"')[1].split("</table>")[0]
    assert "Acme" in vendors and "Whole desk" in vendors
    assert "no data" in vendors  # QA accuracy
    assert 'title="no decision was QA-reviewed"' in vendors
    funnel = page.split('id="funnel-source"')[1].split("</table>")[0]
    assert "Consumer" in funnel and "Trusted flagger" in funnel
    total = funnel.split("<tfoot>")[1]
    cells = re.findall(r"<td>(?:<span[^>]*>)?([^<]+)", total)
    assert cells[:11] == ["6", "5", "83.3 %", "4", "80.0 %", "3", "75.0 %", "3", "100.0 %",
                          "1", "33.3 %"]
    assert 'title="5 of 6"' in total
    assert 'id="funnel-category"' in page and "Fake review" in page
    assert 'id="trend-table"' in page and 'id="flow-table"' in page
    data = json.loads(htmllib.unescape(re.search(
        r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.S)[1]))
    # Cases opened per day, appeals too: n1; n2; d1 and n1's appeal; t1; n4 and t1's appeal.
    assert data["flow"]["inflow"] == [1, 1, 2, 1, 2, 0, 0]
    assert len(data["trend"]["starts"]) == 12 and data["trend"]["starts"][-1] == "2026-11-30"
    people_table = page.split('id="people"')[1].split("</table>")[0]
    assert "Dora Decider" in people_table
    assert "/cases?opened_on=2026-11-30" in hrefs(page)
    # The week's totals open the week's lists, past week or not.
    assert "/cases?opened_since=2026-11-30&opened_before=2026-12-07" in hrefs(page)
    assert "/cases?closed_since=2026-11-30&closed_before=2026-12-07" in hrefs(page)
    assert "/cases?vendor=Acme&state=open" in hrefs(page)
    assert "/dashboard?period=2026-W48" in hrefs(page)
    assert "/dashboard?period=2026-11" in hrefs(page)


def test_every_case_list_link_is_a_filter_the_list_reads(
        sign_in: Callable[..., Browser], people: tuple[Person, Person]) -> None:
    browser = sign_in(people[0])
    seen = 0
    for period in ("2026-W49", None, "2026-12"):
        page = browser.client.get("/dashboard", params={"period": period} if period else {})
        assert page.status_code == 200, page.text
        for href in hrefs(page.text):
            if not href.startswith("/cases?"):
                continue
            params = dict(parse_qsl(urlsplit(href).query))
            assert set(params) <= LIST_FILTERS, href
            assert browser.client.get(href).status_code == 200, href
            seen += 1
    assert seen > 7


def test_a_stakeholder_reads_it_without_any_person(
        sign_in: Callable[..., Browser], make_person: Callable[..., Person],
        people: tuple[Person, Person]) -> None:
    viewer = make_person("viewer")
    r = sign_in(viewer).client.get("/dashboard", params={"period": "2026-W49"})
    assert r.status_code == 200, r.text
    page = r.text
    assert 'id="vendors"' in page and 'id="funnel-source"' in page
    assert 'id="people"' not in page and "By person" not in page
    for person in people:
        assert person.user.email not in page
    for name in ("Dora Decider", "Colm Colleague", "Rob Reviewer", "Shop Owner",
                 "Tara Flagger", "owner@shop.example.com", "rob@mail.example.com"):
        assert name not in page
    assert 'method="post"' not in page.split('<main')[-1]


def test_an_agent_may_not_and_a_bad_period_is_named(
        sign_in: Callable[..., Browser], make_person: Callable[..., Person],
        manager: Person) -> None:
    r = sign_in(make_person("agent")).client.get("/dashboard")
    assert r.status_code == 403
    r = sign_in(manager).client.get("/dashboard", params={"period": "2026-W60"})
    assert r.status_code == 422
    assert "not a period" in r.text
