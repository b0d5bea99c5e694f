"""The Team page and the person page: a manager sees everyone's readiness and load and changes
a working profile, shifts and exceptions by forms (refused in the form's words); a person sees
their own page and sets their own availability, and nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.people.models import AvailabilityChange, ShiftException, User
from tests import factories as f
from tests.helpers import decide_no_action


def _user(db: Database, user_id: int) -> User:
    with db.session() as s:
        user = s.get(User, user_id)
        s.expunge(user)
        return user


def test_a_manager_reads_the_team_board_and_changes_a_profile(
        sign_in: Any, manager: Any, make_person: Any, make_team: Any, db: Database) -> None:
    team = make_team("Trust Ops")
    ana = make_person("specialist", team=team, email="ana@desk.example.com")
    browser = sign_in(manager)
    board = browser.client.get("/people")
    assert board.status_code == 200 and 'href="/people" aria-current="page"' in board.text
    assert f'href="/people/{ana.user.id}"' in board.text
    one_team = browser.client.get("/people", params={"team": "Trust Ops"})
    assert "ana@" not in one_team.text  # names, not addresses, on the board
    assert f'href="/people/{manager.user.id}"' not in one_team.text
    assert f'href="/people/{ana.user.id}"' in one_team.text
    assert browser.client.get("/people", params={"vendor": "Nobody"}).status_code == 422

    form = {"csrf_token": browser.csrf, "languages": "pt, es", "kinds": "flag, appeal",
            "skills": "fraud", "max_tier": "2", "capacity": "3", "time_zone": "Europe/Lisbon",
            "shift_pattern": "mon-sun 00:00-24:00", "team": "Trust Ops"}
    bad = browser.client.post(f"/people/{ana.user.id}", data=form | {"shift_pattern": "9 to 5"})
    assert bad.status_code == 422 and "mon-fri 09:00-17:00" in bad.text
    bad = browser.client.post(f"/people/{ana.user.id}", data=form | {"capacity": "0"})
    assert bad.status_code == 422 and "capacity" in bad.text.lower()
    assert _user(db, ana.user.id).capacity is None
    saved = browser.client.post(f"/people/{ana.user.id}", data=form, follow_redirects=True)
    assert saved.status_code == 200 and "Saved." in saved.text
    assert "mon-sun 00:00-24:00" in saved.text and "168 h a week" in saved.text
    user = _user(db, ana.user.id)
    assert (user.capacity, user.languages, user.time_zone) == (3, ["es", "pt"], "Europe/Lisbon")

    leave = browser.client.post(f"/people/{ana.user.id}/exceptions", data={
        "csrf_token": browser.csrf, "kind": "leave", "starts_at": "2030-08-01T09:00",
        "ends_at": "2030-08-15T09:00", "note": "summer"}, follow_redirects=True)
    assert leave.status_code == 200 and "summer" in leave.text
    with db.session() as s:
        exception = s.scalar(select(ShiftException))
        assert exception.starts_at.hour == 8  # 09:00 in Lisbon in summer is 08:00 UTC
        exception_id = exception.id
    bad = browser.client.post(f"/people/{ana.user.id}/exceptions", data={
        "csrf_token": browser.csrf, "kind": "leave", "starts_at": "soon", "ends_at": ""})
    assert bad.status_code == 422 and "2026-12-24 09:00" in bad.text
    gone = browser.client.post(f"/people/{ana.user.id}/exceptions/{exception_id}/cancel",
                               data={"csrf_token": browser.csrf}, follow_redirects=True)
    assert gone.status_code == 200 and "None coming." in gone.text


def test_the_board_counts_load_and_handled_work(sign_in: Any, manager: Any, client: Any,
                                               db: Database) -> None:
    created = client.post("/api/v1/cases", json=f.flag(), headers=manager.headers)
    key = created.json()["case"]["key"]
    assert client.post(f"/api/v1/cases/{key}/claim", headers=manager.headers).status_code == 200
    board = client.get("/api/v1/people", headers=manager.headers).json()
    mine = next(p for p in board if p["id"] == manager.user.id)
    assert (mine["in_hand"], mine["handled_today"]) == (1, 0)
    closed = client.post(f"/api/v1/cases/{key}/release", json={"reason": "Back."},
                         headers=manager.headers)
    assert closed.status_code == 200
    mine = next(p for p in client.get("/api/v1/people", headers=manager.headers).json()
                if p["id"] == manager.user.id)
    assert (mine["in_hand"], mine["handled_today"]) == (0, 0)  # a release is not handled
    assert client.post(f"/api/v1/cases/{key}/claim", headers=manager.headers).status_code == 200
    decided = decide_no_action(client, manager, key)
    assert decided.status_code in (200, 201), decided.text
    mine = next(p for p in client.get("/api/v1/people", headers=manager.headers).json()
                if p["id"] == manager.user.id)
    assert (mine["in_hand"], mine["handled_today"]) == (0, 1)
    page = sign_in(manager).client.get("/people")
    assert "<td>1</td>" in page.text


def test_a_person_sets_their_own_availability_and_sees_nobody_elses_page(
        sign_in: Any, make_person: Any, db: Database) -> None:
    agent, other = make_person("agent"), make_person("agent")
    browser = sign_in(agent)
    assert f'href="/people/{agent.user.id}"' in browser.client.get("/account").text
    page = browser.client.get(f"/people/{agent.user.id}")
    assert page.status_code == 200 and "Change the working profile" not in page.text
    away = browser.client.post(f"/people/{agent.user.id}/availability", data={
        "csrf_token": browser.csrf, "availability": "away", "reason": "lunch"},
        follow_redirects=True)
    assert away.status_code == 200 and "available → away (lunch)" in away.text
    assert _user(db, agent.user.id).availability == "away"
    assert browser.client.get(f"/people/{other.user.id}").status_code == 404
    refused = browser.client.post(f"/people/{other.user.id}/availability", data={
        "csrf_token": browser.csrf, "availability": "off"})
    assert refused.status_code == 404
    assert browser.client.get("/people").status_code == 403
    assert browser.client.post(f"/people/{agent.user.id}", data={
        "csrf_token": browser.csrf, "capacity": "99"}).status_code == 403
    with db.session() as s:
        assert s.scalar(select(AvailabilityChange.status)) == "away"


def test_the_vendors_page_shows_each_vendors_load(sign_in: Any, manager: Any, client: Any,
                                                  make_person: Any, db: Database) -> None:
    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.people import schedule, teams, vendors
    from integrity_desk.routing import manage

    with db.session() as s:
        vendors.create_vendor(s, actor=SYSTEM, name="Atlas")
        team = teams.create_team(s, actor=SYSTEM, name="Atlas team", kind="vendor",
                                 vendor="Atlas")
        manage.create_queue(s, actor=SYSTEM, slug="flags-atlas", name="Atlas", team=team.name,
                            kinds=["flag"], tier=1, position=1)
    people = [make_person("agent", team=team) for _ in range(3)]
    with db.session() as s:
        for n, p in enumerate(people):
            schedule.update_person(s, actor=SYSTEM, user=s.get(User, p.user.id),
                                   changes={"capacity": 4})
            if n == 2:
                schedule.set_availability(s, actor=SYSTEM, person=s.get(User, p.user.id),
                                          status="off", now=datetime.now(UTC))
    for ref in ("v1", "v2"):
        r = client.post("/api/v1/cases", json=f.flag(ref=ref), headers=manager.headers)
        assert r.status_code in (200, 201), r.text
    page = sign_in(manager).client.get("/vendors")
    assert page.status_code == 200
    row = page.text.split('href="/people?vendor=Atlas">Atlas</a></th>')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    # 3 people, all on shift (no shifts set), 2 ready (one off), 8 free places, 2 open cases
    assert cells[:4] == ["3", "3", "2", "8"]
    assert ">2</a>" in cells[4] and cells[5] == "100%"
