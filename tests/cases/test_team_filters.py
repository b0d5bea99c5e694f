"""The case list's team and vendor filters (issue 20), through the API and the console: a case is
a team's when a member holds it, or, held by nobody, when it waits in a queue the team works; a
vendor's when it is one of the vendor's teams'. The filters narrow what a person may read, never
widen it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, update

from integrity_desk.db import Database
from integrity_desk.people.models import Team, Vendor
from integrity_desk.routing.models import Queue
from tests import factories as f
from tests.conftest import Browser, Person
from tests.metrics.support import API, new_case, set_case


@dataclass
class Desk:
    """Vendor One works flags (team One-A) and specialists (team One-B); Vendor Two works legal
    (team Two); the internal team works management."""

    keys: dict[str, str]
    agent_a: Person
    agent_two: Person


def _team(db: Database, make_team: Callable[..., Team], name: str, *, vendor: str | None,
          queue: str) -> Team:
    team = make_team(name, kind="vendor" if vendor else "internal")
    with db.session() as s:
        if vendor:
            found = s.scalar(select(Vendor.id).where(Vendor.name == vendor))
            if found is None:
                new = Vendor(name=vendor)
                s.add(new)
                s.flush()
                found = new.id
            s.execute(update(Team).where(Team.id == team.id).values(vendor_id=found))
        s.execute(update(Queue).where(Queue.slug == queue).values(team_id=team.id))
    return team


def _put(db: Database, key: str, queue: str, holder: Person | None) -> None:
    with db.session() as s:
        queue_id = s.scalar(select(Queue.id).where(Queue.slug == queue))
    set_case(db, key, queue_id=queue_id, assignee_id=holder.user.id if holder else None)


@pytest.fixture
def desk(db: Database, client: Any, manager: Person, make_team: Callable[..., Team],
         make_person: Callable[..., Person]) -> Desk:
    one_a = _team(db, make_team, "One-A", vendor="Vendor One", queue="flags")
    one_b = _team(db, make_team, "One-B", vendor="Vendor One", queue="specialists")
    two = _team(db, make_team, "Two", vendor="Vendor Two", queue="legal")
    internal = _team(db, make_team, "Internal", vendor=None, queue="management")
    agent_a = make_person("agent", team=one_a)
    agent_b = make_person("agent", team=one_b)
    agent_two = make_person("agent", team=two)
    specialist = make_person("specialist", team=internal)
    placed = {
        # name: (queue, holder)
        "waits_one_a": ("flags", None),
        "held_by_one_a_elsewhere": ("management", agent_a),  # held: the holder's team's
        "held_by_internal_in_flags": ("flags", specialist),  # not One-A's, though in flags
        "waits_one_b": ("specialists", None),
        "held_by_one_b": ("specialists", agent_b),
        "waits_two": ("legal", None),
        "waits_internal": ("management", None),
    }
    keys = {}
    for n, (name, (queue, holder)) in enumerate(placed.items()):
        keys[name] = new_case(client, manager, f.flag(f"tf{n}"))
        _put(db, keys[name], queue, holder)
    return Desk(keys, agent_a, agent_two)


def _names(client: Any, person: Person, desk: Desk, **params: str) -> set[str]:
    r = client.get(f"{API}/cases", params={"limit": 200, **params}, headers=person.headers)
    assert r.status_code == 200, r.text
    by_key = {v: k for k, v in desk.keys.items()}
    return {by_key[c["key"]] for c in r.json()["items"] if c["key"] in by_key}


def test_a_team_has_what_its_members_hold_and_its_queues_hold_unheld(client, manager, desk):
    assert _names(client, manager, desk, team="One-A") == {
        "waits_one_a", "held_by_one_a_elsewhere"}
    assert _names(client, manager, desk, team="Internal") == {
        "held_by_internal_in_flags", "waits_internal"}
    assert _names(client, manager, desk, team="One-B") == {"waits_one_b", "held_by_one_b"}


def test_a_vendor_has_the_work_of_all_its_teams(client, manager, desk):
    assert _names(client, manager, desk, vendor="Vendor One") == {
        "waits_one_a", "held_by_one_a_elsewhere", "waits_one_b", "held_by_one_b"}
    assert _names(client, manager, desk, vendor="Vendor Two") == {"waits_two"}
    # Both filters at once: the cases of that team of that vendor.
    assert _names(client, manager, desk, vendor="Vendor One", team="One-B") == {
        "waits_one_b", "held_by_one_b"}
    assert _names(client, manager, desk, vendor="Vendor Two", team="One-B") == set()


@pytest.mark.parametrize("field", ["team", "vendor"])
def test_an_unknown_name_is_refused_naming_the_field(client, manager, desk, field):
    r = client.get(f"{API}/cases", params={field: "Nobody"}, headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_the_filters_never_widen_what_a_vendor_agent_reads(client, desk):
    # Another vendor's or team's work: nothing, not their cases.
    assert _names(client, desk.agent_two, desk, vendor="Vendor One") == set()
    assert _names(client, desk.agent_two, desk, team="One-A") == set()
    assert _names(client, desk.agent_two, desk, vendor="Vendor Two") == {"waits_two"}
    # Their own vendor's other team works queues they do not see: still not theirs to read,
    # nor a case of their own team's member sitting in a queue outside their team's.
    assert _names(client, desk.agent_a, desk, vendor="Vendor One") == {"waits_one_a"}


def test_the_console_offers_and_applies_the_filters(desk, manager, sign_in: Callable[..., Browser]):
    browser = sign_in(manager).client
    page = browser.get("/cases", params={"vendor": "Vendor One", "team": "One-A"})
    assert page.status_code == 200, page.text
    html = page.text
    assert '<option value="One-A" selected>' in html
    assert '<option value="Vendor One" selected>' in html
    assert '<option value="Two">' in html and '<option value="Vendor Two">' in html
    shown = {name for name, key in desk.keys.items() if f">{key}<" in html}
    assert shown == {"waits_one_a", "held_by_one_a_elsewhere"}
    # Kept in the address: the bulk bar comes back to the same filtered list.
    assert 'name="back" value="/cases?vendor=Vendor+One&amp;team=One-A"' in html
    bad = browser.get("/cases", params={"team": "Nobody"})
    assert bad.status_code == 422
    assert "Team (team)" in bad.text


def test_a_vendor_agent_is_offered_only_their_own_team_and_vendor(
        desk, sign_in: Callable[..., Browser]):
    browser = sign_in(desk.agent_two).client
    html = browser.get("/cases").text
    assert '<option value="Two">' in html and '<option value="Vendor Two">' in html
    assert "One-A" not in html and "Vendor One" not in html
    refused = browser.get("/cases", params={"vendor": "Vendor One"})
    assert refused.status_code == 422
    assert "Vendor (vendor)" in refused.text
