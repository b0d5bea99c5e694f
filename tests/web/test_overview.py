"""The queues page and the manager overview: every number is the right one and links to the
case list behind it; each role sees its own queues; the overview is the managers'."""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.metrics import service
from integrity_desk.metrics.domain import flow_window
from integrity_desk.metrics.models import MetricsRefresh
from integrity_desk.people.models import Team
from tests.conftest import Browser, Person
from tests.metrics.support import Desk, build_desk, set_case


@pytest.fixture
def desk(db: Database, client: Any, manager: Person, make_team: Callable[..., Team]) -> Desk:
    d = build_desk(db, client, manager, make_team)
    with db.session() as s:
        service.refresh(s, now=d.now)
    return d


def links(page: str) -> dict[str, str]:
    """aria-label → href of every number on the page."""
    found = re.findall(r'<a class="num[^"]*" href="([^"]+)" aria-label="([^"]+)">', page)
    return {htmllib.unescape(label): htmllib.unescape(href) for href, label in found}


def test_queues_page_links_every_number_to_its_list(sign_in: Callable[..., Browser],
                                                   desk: Desk, manager: Person) -> None:
    r = sign_in(manager).client.get("/queues")
    assert r.status_code == 200
    numbers = links(r.text)
    name = "Flags (tier 1)"
    assert numbers[f"7 open cases in {name}"] == "/cases?queue=flags&state=open"
    assert numbers[f"1 P0 cases in {name}"] == "/cases?queue=flags&state=open&priority=P0"
    assert numbers[f"1 P1 cases in {name}"] == "/cases?queue=flags&state=open&priority=P1"
    assert numbers[f"5 P2 cases in {name}"] == "/cases?queue=flags&state=open&priority=P2"
    assert numbers[f"0 P4 cases in {name}"] == "/cases?queue=flags&state=open&priority=P4"
    assert numbers[f"4 cases on track in {name}"] == "/cases?queue=flags&state=open&sla=on_track"
    assert numbers[f"1 cases at risk in {name}"] == "/cases?queue=flags&state=open&sla=at_risk"
    assert numbers[f"2 breached cases in {name}"] == "/cases?queue=flags&state=open&sla=breached"
    assert numbers[f"6 unassigned cases in {name}"] == "/cases?queue=flags&state=open&assignee=none"
    assert numbers["2 open cases in Legal (tier 3)"] == "/cases?queue=legal&state=open"
    # every number of every queue is a link: 4 queues × (open, 5 priorities, 4 states)
    assert len(numbers) == 4 * 10
    assert "Counts as of" in r.text and f'datetime="{desk.now.isoformat()}"' in r.text
    assert '<th scope="col">At risk</th>' in r.text


def test_an_agent_sees_their_teams_queue_without_counsels_cases(
        sign_in: Callable[..., Browser], desk: Desk,
        make_person: Callable[..., Person]) -> None:
    agent = make_person("agent", team=desk.vendor)
    page = sign_in(agent).client.get("/queues").text
    numbers = links(page)
    assert numbers["6 open cases in Flags (tier 1)"] == "/cases?queue=flags&state=open"
    assert not [label for label in numbers if "Legal" in label or "Specialist" in label]
    assert "your team&#39;s queues" in page or "your team's queues" in page


def test_counsel_sees_only_legal_cases_counted(sign_in: Callable[..., Browser], desk: Desk,
                                               make_person: Callable[..., Person]) -> None:
    numbers = links(sign_in(make_person("legal")).client.get("/queues").text)
    assert numbers["2 open cases in Legal (tier 3)"] == "/cases?queue=legal&state=open"
    assert "1 open cases in Flags (tier 1)" in numbers  # the legal-restricted flag


def test_an_agent_without_a_team_is_told_why_there_is_nothing(
        sign_in: Callable[..., Browser], desk: Desk,
        make_person: Callable[..., Person]) -> None:
    page = sign_in(make_person("agent")).client.get("/queues").text
    assert "You see no queues" in page and "not in a team" in page


def test_a_stale_snapshot_is_recomputed_by_the_page(
        sign_in: Callable[..., Browser], db: Database, desk: Desk, manager: Person) -> None:
    with db.session() as s:
        s.get(MetricsRefresh, service.SNAPSHOT).computed_at = desk.now - timedelta(hours=1)
    set_case(db, desk.keys["on_track"], status="closed", is_open=False, closed_at=desk.now)
    numbers = links(sign_in(manager).client.get("/queues").text)
    assert numbers["6 open cases in Flags (tier 1)"] == "/cases?queue=flags&state=open"
    with db.session() as s:
        assert s.scalar(select(MetricsRefresh.computed_at)) > desk.now - timedelta(minutes=1)


def test_overview_numbers_and_lists_link_to_their_cases(
        sign_in: Callable[..., Browser], desk: Desk, manager: Person) -> None:
    r = sign_in(manager).client.get("/overview")
    assert r.status_code == 200
    page = r.text
    numbers = links(page)
    assert numbers["5 P2 cases in Flags (tier 1)"] == "/cases?queue=flags&state=open&priority=P2"
    assert numbers["10 open cases in all queues"] == "/cases?state=open"
    # P1: the at-risk flag, both legal notices and the CSM escalation
    assert numbers["4 P1 cases in all queues"] == "/cases?priority=P1&state=open"
    day = desk.now.date().isoformat()
    # the breached flag and the restricted one were due an hour ago (today, unless just past 0h)
    breaches = 2 if (desk.now - timedelta(hours=1)).date() == desk.now.date() else 0
    assert numbers[f"{breaches} breaches today"] == f"/cases?breached_on={day}"
    days = flow_window(desk.now)
    assert numbers[f"11 cases opened on {day}"] == f"/cases?opened_on={day}"
    assert numbers[f"1 cases closed on {day}"] == f"/cases?closed_on={day}"
    first = days[0].isoformat()
    assert numbers[f"0 cases opened on {first}"] == f"/cases?opened_on={first}"
    # the at-risk list and today's breaches link to the cases themselves
    assert f'href="/cases/{desk.keys["at_risk"]}"' in page
    if breaches:
        assert f'href="/cases/{desk.keys["breached"]}"' in page
    assert f'href="/cases/{desk.keys["closed"]}"' not in page.split('id="oldest-heading"')[1]
    # the chart's data, in a JSON block, and the same numbers in the table
    block = re.search(r'<script type="application/json" id="flow-data">(.*?)</script>', page,
                      re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["days"] == [d.isoformat() for d in days]
    assert data["opened"][-1] == 11 and data["closed"][-1] == 1 and len(data["opened"]) == 14
    assert '<div id="flow-chart"' in page and 'id="flow-table"' in page
    assert '<script src="/static/uPlot.iife.min.js" defer></script>' in page


@pytest.mark.parametrize("role", ["agent", "specialist", "legal", "viewer"])
def test_overview_is_for_managers(sign_in: Callable[..., Browser], desk: Desk,
                                  make_person: Callable[..., Person], role: str) -> None:
    person = make_person(role, team=desk.vendor if role == "agent" else None)
    r = sign_in(person).client.get("/overview")
    assert r.status_code == 403 and "overview.read" in r.text and "manager" in r.text


def test_overview_assets_stay_under_300_kb(client: Any) -> None:
    assets = ["/static/htmx.min.js", "/static/desk.js", "/static/desk.css",
              "/static/uPlot.iife.min.js", "/static/uPlot.min.css", "/static/charts.js",
              "/static/overview.js",
              "/static/overview.css"]
    sizes = [len(client.get(a).content) for a in assets]
    assert all(sizes) and sum(sizes) < 300 * 1024 - 40 * 1024  # room left for keys.js & co.


ROW = re.compile(r'<th scope="row" class="case-key"><a data-row-link href="/cases/([^"]+)">')


def _listed(client: Any, href: str) -> int:
    """How many cases the list behind a number shows, over all its pages."""
    seen: list[str] = []
    url: str | None = href
    while url:
        r = client.get(url)
        assert r.status_code == 200, (href, r.text[:500])
        seen += ROW.findall(r.text)
        more = re.search(r'<a href="([^"]+)" rel="next">', r.text)
        url = htmllib.unescape(more.group(1)) if more else None
    assert len(seen) == len(set(seen)), href  # no case twice across pages
    return len(seen)


@pytest.mark.parametrize("role, path", [("manager", "/overview"), ("manager", "/queues"),
                                        ("admin", "/overview"), ("agent", "/queues"),
                                        ("legal", "/queues")])
def test_every_number_opens_a_list_of_exactly_that_many_cases(
        sign_in: Callable[..., Browser], desk: Desk, make_person: Callable[..., Person],
        role: str, path: str) -> None:
    """The issue's own finding: "207 open" opened 279 cases (closed and merged among them)
    and "P0 20" opened 25. Every number of the page, followed as a person would."""
    person = make_person(role, team=desk.vendor if role == "agent" else None)
    browser = sign_in(person)
    numbers = links(browser.client.get(path).text)
    assert numbers
    wrong = {}
    for label, href in numbers.items():
        shown = int(label.split(" ")[0].replace(",", ""))
        listed = _listed(browser.client, href)
        if listed != shown:
            wrong[label] = (href, listed)
    assert wrong == {}


def test_on_the_demo_desk_every_overview_number_opens_its_cases(
        sign_in: Callable[..., Browser], db: Database, make_person: Callable[..., Person]) -> None:
    """The same on the demo desk the issue was found on: merged, closed, paused, decided,
    legal and vendor cases, a fortnight of flow."""
    from integrity_desk.db import utcnow
    from integrity_desk.demo.seed import seed_demo

    seed_demo(db, cases=150)
    with db.session() as s:
        service.refresh(s, now=utcnow())
    browser = sign_in(make_person("manager"))
    numbers = links(browser.client.get("/overview").text)
    assert len(numbers) > 30
    wrong = {label: (href, listed) for label, href in numbers.items()
             if (listed := _listed(browser.client, href)) != int(label.split(" ")[0]
                                                                 .replace(",", ""))}
    assert wrong == {}
