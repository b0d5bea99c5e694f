"""My work, claim next, the case list with every filter and keyset paging, and bulk actions:
confirmed first, then all or nothing, each case through its service and its timeline."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from integrity_desk.audit.models import AuditEvent as Event
from integrity_desk.cases.models import Case, CaseTag
from integrity_desk.db import Database
from integrity_desk.routing.models import Queue, WorkInterval
from integrity_desk.web.cases import list_routes
from integrity_desk.web.render import countdown
from tests import factories as f
from tests.conftest import Browser, Person

API = "/api/v1"
HTMX = {"HX-Request": "true"}
ROW_KEY = re.compile(r'data-row-link href="/cases/([A-Z]+-\d+)"')


def _id(key: str) -> int:
    return int(key.split("-")[1])


def _new(client: Any, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _flags(client: Any, person: Person, n: int, prefix: str = "r") -> list[str]:
    r = client.post(f"{API}/cases/batch", headers=person.headers,
                    json={"items": [f.flag(ref=f"{prefix}{i}") for i in range(n)]})
    assert r.status_code == 200, r.text
    return [item["case"] for item in r.json()["items"]]


def _set(db: Database, key: str, **values: Any) -> None:
    with db.session() as s:
        s.execute(update(Case).where(Case.id == _id(key)).values(**values))


def _rows(html: str) -> list[str]:
    return ROW_KEY.findall(html)


def _keys(browser: Browser, **params: Any) -> list[str]:
    r = browser.client.get("/cases", params=params)
    assert r.status_code == 200, r.text
    return _rows(r.text)


def test_countdown_text_matches_what_clock_js_writes() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert countdown(now + timedelta(days=2, hours=3, minutes=5), now) == "2 d 03:05:00 left"
    assert countdown(now + timedelta(hours=3, minutes=20, seconds=30), now) == "03:20:30 left"
    assert countdown(now + timedelta(seconds=59), now) == "00:00:59 left"
    assert countdown(now - timedelta(minutes=25), now) == "overdue by 00:25:00"
    assert countdown(None, now) == "–"


# --- My work -----------------------------------------------------------------------------


def test_my_work_lists_my_open_cases_most_urgent_first_with_their_clocks(
        client, db, sign_in: Callable[..., Browser], specialist: Person) -> None:
    a, b, c, _d, mine_closed = _flags(client, specialist, 5)
    now = datetime.now(UTC)
    for key in (a, b, c, mine_closed):
        assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).is_success
    _set(db, a, priority=3, resolution_due_at=now + timedelta(hours=5),
         resolution_at_risk_at=now + timedelta(hours=4))
    _set(db, b, priority=1, resolution_due_at=now - timedelta(minutes=90),
         resolution_at_risk_at=now - timedelta(hours=2))
    _set(db, c, priority=3, resolution_due_at=now + timedelta(hours=1),
         resolution_at_risk_at=now - timedelta(minutes=5))
    _set(db, mine_closed, status="closed", is_open=False, closed_at=now)
    page = sign_in(specialist).client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "<h1>My work</h1>" in html and f"Signed in as {specialist.user.name}" in html
    assert _rows(html) == [b, c, a]  # P1 first; then the P3 due sooner; d is nobody's
    assert html.count("<time data-countdown") == 3
    assert 'data-key="c"' in html and 'data-key-label="Claim the next case"' in html
    # A list's clock is short: the state as a word or a mark (its word for screen readers), the
    # time to the minute, the whole sentence in the cell's title.
    assert "data-sla-label data-compact>breached</span>" in html
    for state, mark in (("at risk", "▲"), ("on track", "●")):
        assert (f'<span aria-hidden="true">{mark}</span>'
                f'<span class="visually-hidden">{state}</span>') in html
    assert re.search(r'>1 h (29|30) m<span class="visually-hidden"> overdue</span></time>', html)
    assert re.search(r">4 h (59 m|58 m)?<span class=\"visually-hidden\"> left</span>", html)
    assert re.search(r'title="Resolution breached: overdue by 01:(29|30):\d\d; due ', html)
    assert "/static/clock.js" in html and "/static/keys.js" in html


def test_a_paused_clock_does_not_tick(client, db, sign_in, specialist) -> None:
    (key,) = _flags(client, specialist, 1)
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).is_success
    for action, reason in (("start", None), ("wait_on_requester", "asked for the receipt")):
        assert client.post(f"{API}/cases/{key}/transition", headers=specialist.headers,
                           json={"action": action, "reason": reason}).is_success
    html = sign_in(specialist).client.get("/").text
    assert _rows(html) == [key]
    assert "data-sla-label>paused, " in html and "<time data-countdown" not in html


def test_my_work_is_empty_and_readers_get_no_claim_button(sign_in, make_person) -> None:
    html = sign_in(make_person("viewer")).client.get("/").text
    assert "You have no open cases assigned to you." in html
    assert 'data-key="c"' not in html and "/claim-next" not in html


# --- Claim next ----------------------------------------------------------------------------


def test_claim_next_takes_the_most_urgent_case_of_my_queues(client, db, sign_in,
                                                            specialist) -> None:
    flags = _flags(client, specialist, 3)
    csm = _new(client, specialist, f.csm())
    _set(db, flags[1], priority=0)  # the most urgent, in the flags queue
    browser = sign_in(specialist)
    r = browser.client.post("/claim-next", data={"csrf_token": browser.csrf},
                            follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{flags[1]}"
    with db.session() as s:
        case = s.get(Case, _id(flags[1]))
        assert (case.status, case.assignee_id) == ("assigned", specialist.user.id)
        event = s.scalar(select(Event).where(Event.case_id == case.id,
                                             Event.kind == "case.claimed"))
        assert event is not None and json.loads(event.payload)["queue"] == "flags"
        work = s.scalars(select(WorkInterval).where(WorkInterval.case_id == case.id)).all()
        assert [(w.user_id, w.start_reason, w.ended_at) for w in work] == [
            (specialist.user.id, "claimed", None)]
    # htmx is told where to go instead
    r = browser.client.post("/claim-next", headers={**HTMX, "X-CSRF-Token": browser.csrf})
    assert r.headers["hx-redirect"].startswith("/cases/")
    claimed = r.headers["hx-redirect"].removeprefix("/cases/")
    assert claimed in {*flags, csm} - {flags[1]}
    assert "/cases/" + flags[1] in browser.client.get("/").text


def test_claim_next_with_nothing_waiting_says_so(sign_in, specialist) -> None:
    browser = sign_in(specialist)
    r = browser.client.post("/claim-next", data={"csrf_token": browser.csrf},
                            follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?nothing=1"
    page = browser.client.get(r.headers["location"])
    assert page.status_code == 200 and "Nothing is waiting in your queues" in page.text


def test_claim_next_is_for_people_who_work_cases(sign_in, make_person) -> None:
    viewer = sign_in(make_person("viewer"))
    r = viewer.client.post("/claim-next", data={"csrf_token": viewer.csrf})
    assert r.status_code == 403 and "case.work" in r.text


# --- The case list -------------------------------------------------------------------------


@pytest.fixture
def desk(client, db, manager, specialist) -> dict[str, str]:
    """Six cases in known states (as tests/cases/test_list.py builds them, plus dates)."""
    keys = {
        "flag_en": _new(client, specialist, f.flag("r1")),
        "flag_de": _new(client, specialist, f.flag(
            "r2", category="harmful_illegal", tags=["wave-7"],
            review={"ref": "r2", "text": "Schlecht", "language": "de",
                    "business_domain": "other.example.com"})),
        "csm": _new(client, specialist, f.csm("shop.example.com")),
        "exe": _new(client, specialist, f.executive("other.example.com")),
        "inv": _new(client, specialist, f.investigation()),
        "legal": _new(client, manager, f.legal()),
    }
    assert client.post(f"{API}/cases/{keys['flag_en']}/claim",
                       headers=specialist.headers).is_success
    assert client.post(f"{API}/cases/{keys['csm']}/assign", json={
        "assignee": manager.user.email}, headers=manager.headers).is_success
    now = datetime.now(UTC)
    _set(db, keys["exe"], resolution_at_risk_at=now - timedelta(minutes=5),
         resolution_due_at=now + timedelta(hours=1))
    _set(db, keys["flag_de"], resolution_at_risk_at=now - timedelta(hours=3),
         resolution_due_at=datetime(2026, 3, 4, 15, tzinfo=UTC),
         created_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    _set(db, keys["inv"], status="closed", is_open=False,
         closed_at=datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    return keys


def test_the_list_filters_as_the_contract_says(desk, sign_in, manager, specialist) -> None:
    d = desk
    m = sign_in(manager)
    every = set(d.values())
    assert set(_keys(m)) == every
    assert set(_keys(m, status="assigned")) == {d["flag_en"], d["csm"]}
    assert set(_keys(m, status=["assigned", "closed"])) == {d["flag_en"], d["csm"], d["inv"]}
    assert set(_keys(m, kind="flag")) == {d["flag_en"], d["flag_de"]}
    assert set(_keys(m, kind=["csm_escalation", "legal_notice"])) == {d["csm"], d["legal"]}
    assert set(_keys(m, queue="specialists")) == {d["csm"], d["exe"]}  # open ones
    assert set(_keys(m, queue="legal")) == {d["legal"]}
    assert set(_keys(m, assignee="me")) == {d["csm"]}
    assert set(_keys(m, assignee=str(specialist.user.id))) == {d["flag_en"]}
    assert set(_keys(m, assignee="none")) == every - {d["flag_en"], d["csm"]}
    assert set(_keys(m, sla="at_risk")) == {d["exe"]}
    assert set(_keys(m, sla="breached")) == {d["flag_de"]}
    assert set(_keys(m, language="de")) == {d["flag_de"]}
    assert set(_keys(m, tag="wave-7")) == {d["flag_de"]}
    assert set(_keys(m, opened_on="2026-03-01")) == {d["flag_de"]}
    assert _keys(m, opened_on="2026-03-02") == []
    assert set(_keys(m, closed_on="2026-03-02")) == {d["inv"]}
    assert _keys(m, closed_on="2026-03-03") == []
    assert set(_keys(m, breached_on="2026-03-04")) == {d["flag_de"]}
    # A period of days: from the first on, the last excluded (the dashboard's week or month).
    assert set(_keys(m, opened_since="2026-03-01", opened_before="2026-03-02")) == {
        d["flag_de"]}
    assert _keys(m, opened_since="2026-02-01", opened_before="2026-03-01") == []
    assert set(_keys(m, closed_since="2026-03-02", closed_before="2026-03-03")) == {d["inv"]}
    assert _keys(m, closed_since="2026-03-01", closed_before="2026-03-02") == []
    # The day filters show back what was asked, each in its own field.
    days = {"opened_on": "2026-03-01", "closed_on": "2026-03-02", "breached_on": "2026-03-04",
            "opened_since": "2026-02-01", "closed_since": "2026-02-02",
            "opened_before": "2026-04-01", "closed_before": "2026-04-02"}
    page = m.client.get("/cases", params=days).text
    for name, day in days.items():
        assert f'name="{name}" type="date" value="{day}"' in page, name
    assert _keys(m, breached_on="2026-03-05") == []
    assert set(_keys(m, kind="flag", status="triaged", priority=["P0", "P1", "P2", "P3",
                                                                  "P4"])) == {d["flag_de"]}
    newest = _keys(m, sort="-created")
    assert newest[0] == d["legal"] and newest[-1] == d["flag_de"]
    assert _keys(m, sort="created")[0] == d["flag_de"]
    # A specialist does not see legal notices, whatever the filter.
    s = sign_in(specialist)
    assert set(_keys(s)) == every - {d["legal"]}
    assert _keys(s, kind="legal_notice") == []
    assert _keys(s, assignee="me") == [d["flag_en"]]


def test_the_form_keeps_the_filters_and_says_when_nothing_matches(desk, sign_in,
                                                                  manager) -> None:
    html = sign_in(manager).client.get("/cases", params={
        "queue": "legal", "status": "closed", "priority": "P2", "sort": "due",
        "opened_on": "2026-01-01"}).text
    assert "No case matches these filters." in html
    assert '<option value="legal" selected>' in html
    assert 'id="f-status-closed" name="status" value="closed" checked' in html
    assert 'id="f-prio-P2" name="priority" value="P2" checked' in html
    assert '<option value="due" selected>' in html
    assert 'name="opened_on" type="date" value="2026-01-01"' in html
    for control in ("f-queue", "f-assignee", "f-sla", "f-sort", "f-language", "f-tag",
                    "f-opened", "f-closed", "f-breached", "f-status-new", "f-kind-flag",
                    "f-prio-P0"):
        assert f'<label for="{control}">' in html, control
    # The further filters stay folded (the list stays in view) and say which are set; they
    # unfold when one of them is wrong.
    assert '<details class="more-filters">' in html
    assert ("More filters (3 set: Opened on 2026-01-01; Status closed; Priority P2)</summary>"
            in html)
    assert '<a href="/cases">Clear the filters</a></div>' in html
    wrong = sign_in(manager).client.get("/cases", params={"opened_on": "2026-13-01"}).text
    assert '<details class="more-filters" open>' in wrong


@pytest.mark.parametrize(("name", "value"), [
    ("status", "sleeping"), ("kind", "rumour"), ("priority", "P9"), ("queue", "nowhere"),
    ("assignee", "someone"), ("sla", "late"), ("language", "english"), ("tag", "two words"),
    ("sort", "random"), ("cursor", "not-a-cursor"), ("opened_on", "2026-13-01"),
    ("closed_on", "yesterday"), ("breached_on", "20260304"),
])
def test_a_bad_filter_value_is_a_422_naming_the_field(sign_in, manager, name, value) -> None:
    r = sign_in(manager).client.get("/cases", params={name: value})
    assert r.status_code == 422
    assert f"({name}):" in r.text and 'id="filter-error"' in r.text
    marked = ('class="invalid" aria-describedby="filter-error"'
              if name in ("status", "kind", "priority") else 'aria-invalid="true"')
    assert marked in r.text or name == "cursor"


def test_keyset_pages_walk_every_case_once(client, sign_in, specialist, monkeypatch) -> None:
    monkeypatch.setattr(list_routes, "PAGE_SIZE", 2)
    keys = _flags(client, specialist, 5)
    browser = sign_in(specialist)
    seen: list[str] = []
    url: str | None = "/cases?kind=flag&sort=created"
    pages = 0
    while url:
        html = browser.client.get(url).text
        seen += _rows(html)
        found = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "kind=flag" in url and "sort=created" in url and "cursor=" in url
        pages += 1
    assert seen == keys and pages == 3
    assert "First page" in html


def test_a_vendor_agent_sees_only_the_own_teams_cases(client, db, sign_in, make_team,
                                                     make_person, manager) -> None:
    vendor_a, vendor_b = make_team("Vendor A", kind="vendor"), make_team("Vendor B",
                                                                         kind="vendor")
    for slug, team, language in (("flags-a", "Vendor A", "en"), ("flags-b", "Vendor B", "de")):
        assert client.post(f"{API}/queues", headers=manager.headers, json={
            "slug": slug, "name": slug, "team": team, "kinds": ["flag"], "tier": 1,
            "languages": [language], "position": 1}).status_code == 201
    keys = {}
    for name, language in (("a", "en"), ("b", "de")):
        body = f.flag(f"r{name}", language=language)
        body["review"]["language"] = language
        keys[name] = _new(client, manager, body)
    agent_a = make_person("agent", team=vendor_a, languages=["en"])
    make_person("agent", team=vendor_b)
    browser = sign_in(agent_a)
    html = browser.client.get("/cases").text
    assert _rows(html) == [keys["a"]]
    assert "flags-b" not in html and "Vendor B" not in html  # not in the queue or people lists
    assert browser.client.get("/cases", params={"queue": "flags-b"}).status_code == 422
    assert _keys(browser, kind="flag", status="triaged") == [keys["a"]]
    r = browser.client.post("/claim-next", data={"csrf_token": browser.csrf},
                            follow_redirects=False)
    assert r.headers["location"] == f"/cases/{keys['a']}"
    assert _rows(browser.client.get("/").text) == [keys["a"]]
    # Another vendor's case by key, in a bulk selection: as if there were no such case.
    r = browser.client.post("/cases/bulk", data={
        "csrf_token": browser.csrf, "action": "tag", "tag": "x", "key": [keys["b"]]})
    assert r.status_code == 409 and "no such case" in r.text
    with db.session() as s:
        assert s.scalar(select(Queue.team_id).where(Queue.slug == "flags-a")) == vendor_a.id


# --- Bulk actions --------------------------------------------------------------------------


def _bulk(browser: Browser, keys: list[str], **fields: Any) -> Any:
    return browser.client.post("/cases/bulk", data={
        "csrf_token": browser.csrf, "key": keys, "back": "/cases?kind=flag", **fields})


def test_bulk_assign_asks_first_then_assigns_every_case(client, db, sign_in, manager,
                                                       specialist) -> None:
    keys = _flags(client, manager, 3)
    browser = sign_in(manager)
    html = browser.client.get("/cases").text
    for key in keys:
        assert f'<label for="pick-{key}" class="visually-hidden">Select {key}</label>' in html
    assert f'<option value="{specialist.user.id}">' in html  # in the bulk bar's people
    ask = _bulk(browser, keys, action="assign", assignee=str(specialist.user.id))
    assert ask.status_code == 200
    assert f"Assign 3 cases to {specialist.user.name}?" in ask.text
    assert all(f'<input type="hidden" name="key" value="{k}">' in ask.text for k in keys)
    assert 'name="confirm" value="yes"' in ask.text and 'href="/cases?kind=flag"' in ask.text
    with db.session() as s:  # asking changed nothing
        assert s.scalars(select(Case.assignee_id)).all() == [None] * 3
    done = _bulk(browser, keys, action="assign", assignee=str(specialist.user.id),
                 confirm="yes")
    assert done.status_code == 200 and f"Assigned 3 cases to {specialist.user.name}" in done.text
    with db.session() as s:
        assert set(s.scalars(select(Case.assignee_id))) == {specialist.user.id}
        events = s.scalars(select(Event).where(Event.kind == "case.assigned")).all()
        assert sorted(e.case_id for e in events) == sorted(_id(k) for k in keys)
        assert {e.actor_id for e in events} == {manager.user.id}
        work = s.scalars(select(WorkInterval)).all()  # each case's interval opens
        assert sorted((w.case_id, w.user_id, w.start_reason, w.ended_at) for w in work) == [
            (_id(k), specialist.user.id, "assigned", None) for k in sorted(keys, key=_id)]


def test_bulk_release_and_tag(client, db, sign_in, specialist) -> None:
    keys = _flags(client, specialist, 2)
    for key in keys:
        assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).is_success
    browser = sign_in(specialist)
    no_reason = _bulk(browser, keys, action="release", confirm="yes")
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    done = _bulk(browser, keys, action="release", reason="end of shift", confirm="yes")
    assert "Released 2 cases to their queues" in done.text
    tagged = _bulk(browser, keys, action="tag", tag="wave-9", confirm="yes")
    assert "Tagged 2 cases with “wave-9”" in tagged.text
    with db.session() as s:
        assert set(s.scalars(select(Case.status))) == {"triaged"}
        assert set(s.scalars(select(Case.assignee_id))) == {None}
        assert {(w.start_reason, w.end_reason) for w in s.scalars(select(WorkInterval))} == {
            ("claimed", "released")}
        assert sorted(s.scalars(select(CaseTag.case_id).where(CaseTag.tag == "wave-9"))) == [
            _id(k) for k in keys]
        assert {c.tag_list[-1] for c in s.scalars(select(Case))} == {"wave-9"}
    assert set(_keys(browser, tag="wave-9")) == set(keys)


def test_bulk_is_all_or_nothing_and_names_each_refusal(client, db, sign_in, manager,
                                                      specialist) -> None:
    flags = _flags(client, manager, 2)
    legal = _new(client, manager, f.legal())  # a specialist may not work legal notices
    browser = sign_in(manager)
    keys = [*flags, legal, "FLG-999999"]
    for confirm in ("", "yes"):
        r = _bulk(browser, keys, action="assign", assignee=str(specialist.user.id),
                  confirm=confirm)
        assert r.status_code == 409 and "Nothing was changed" in r.text
        assert f"<th scope=\"row\">{legal}</th>" in r.text and "LGL-3 is a tier 3 case; " in r.text
        assert "<th scope=\"row\">FLG-999999</th><td>no such case</td>" in r.text
        assert f'<th scope="row">{flags[0]}</th>' not in r.text
    with db.session() as s:
        assert s.scalars(select(Case.assignee_id)).all() == [None] * 3
        assert s.scalar(select(Event.id).where(Event.kind == "case.assigned")) is None
    # The selection is kept (issue 19.3): back to the list with every case still ticked ...
    kept = re.search(r'href="([^"]*pick=[^"]*)"', r.text)
    assert kept is not None and "still selected" in r.text
    back = browser.client.get(html.unescape(kept.group(1))).text
    for key in flags:  # (the legal notice is not in this list of flags)
        assert f'value="{key}" id="pick-{key}" data-pick checked>' in back
    assert "pick=" not in back.split('id="bulk-form"')[1].split('name="back"')[1][:200]
    # ... or on with the cases that did not refuse, through the usual confirmation.
    assert f"Assign 2 cases to {specialist.user.name} instead" in r.text
    rest = dict(re.findall(r'name="(action|assignee)" value="([^"]*)"', r.text))
    rest_keys = re.findall(r'<input type="hidden" name="key" value="([^"]*)">', r.text)
    assert rest_keys == flags and rest == {"action": "assign",
                                           "assignee": str(specialist.user.id)}
    ask = _bulk(browser, rest_keys, **rest)
    assert ask.status_code == 200 and f"Assign 2 cases to {specialist.user.name}?" in ask.text


@pytest.mark.parametrize(("fields", "field"), [
    ({"action": "delete"}, "action"),
    ({"action": "assign"}, "assignee"),
    ({"action": "assign", "assignee": "999999"}, "assignee"),
    ({"action": "tag", "tag": "no spaces please"}, "tag"),
])
def test_a_bad_bulk_request_names_the_field(client, sign_in, manager, fields, field) -> None:
    keys = _flags(client, manager, 1)
    r = _bulk(sign_in(manager), keys, **fields)
    assert r.status_code == 422 and f"{field}:" in r.text


def test_the_selection_is_capped(sign_in, manager) -> None:
    browser = sign_in(manager)
    too_many = [f"FLG-{i}" for i in range(1, 202)]
    r = _bulk(browser, too_many, action="tag", tag="x")
    assert r.status_code == 422 and "at most 200" in r.text
    assert _bulk(browser, [], action="tag", tag="x").status_code == 422


def test_readers_get_no_bulk_bar_and_may_not_post_one(client, sign_in, make_person,
                                                     manager) -> None:
    keys = _flags(client, manager, 1)
    viewer = sign_in(make_person("viewer"))
    html = viewer.client.get("/cases").text
    assert _rows(html) == keys and "/cases/bulk" not in html and "data-pick" not in html
    r = _bulk(viewer, keys, action="tag", tag="x", confirm="yes")
    assert r.status_code == 403
