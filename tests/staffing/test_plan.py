"""The staffing plan on a real database: arrivals from the desk's history, the handling time
and target from the vendor's contract, people on shift by the same rules routing uses (leave
included), Erlang C per hour, closed hours carried to the calendar's opening, the what-if, and
the plan through the API, the console and its CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from integrity_desk.db import Database
from integrity_desk.people.models import Team
from integrity_desk.sla.models import SlaCalendar
from integrity_desk.staffing import erlang
from integrity_desk.staffing.plan import WhatIf, parse_what_if, plan
from tests.conftest import Browser, Person
from tests.staffing.conftest import NOW, START


def _hour(queue_plan: Any, day: int, hour: int) -> Any:
    at = START.replace(hour=0) + timedelta(days=day, hours=hour)
    return next(h for h in queue_plan.hours if h.at == at)


def test_the_plan_sets_the_need_against_the_people_on_shift(db: Database,
                                                             desk: dict[str, Any]) -> None:
    with db.session() as s:
        made = plan(s, now=NOW, weeks=1)
    (q,) = [p for p in made.queues if p.queue.slug == "acme-flags"]
    assert q.queue.vendor == "Acme BPO" and q.queue.team == "Acme Flags"
    assert q.queue.aht_minutes == 20 and "contract" in q.queue.aht_source
    assert q.queue.level == 0.9 and "contract" in q.queue.level_source
    assert len(q.hours) == 168 and made.start == START
    assert "Holt-Winters" in q.forecast.method and q.forecast.accuracy.mape is not None
    assert q.forecast.accuracy.mape < 0.1  # the history is regular
    ten = _hour(q, 1, 10)
    assert ten.arrivals == pytest.approx(6, rel=0.15)
    # Erlang C on the hour's forecast: load = arrivals × 20 min.
    assert ten.load == pytest.approx(ten.arrivals * 20 / 60)
    assert ten.required == erlang.required_agents(ten.load, 20 / 60,
                                                  q.queue.target_minutes / 60, 0.9)
    assert ten.required_on_shift == pytest.approx(ten.required / 0.7, abs=0.01)
    assert ten.scheduled == 1  # the early person only
    assert _hour(q, 1, 13).scheduled == 2 and _hour(q, 1, 17).scheduled == 1
    assert _hour(q, 0, 13).scheduled == 1  # the late person is on leave that day
    night = _hour(q, 1, 23)
    assert night.scheduled == 0 and night.arrivals < 0.5
    assert ten.gap == pytest.approx(ten.scheduled - ten.required_on_shift, abs=0.01)
    assert ten.service_level is not None and 0 <= ten.service_level <= 1
    assert q.short_hours == sum(1 for h in q.hours if h.gap < -0.05) and q.short_hours > 0


def test_a_what_if_grows_the_need(db: Database, desk: dict[str, Any]) -> None:
    with db.session() as s:
        base = plan(s, now=NOW, weeks=1)
        more = plan(s, now=NOW, weeks=1, what_if=parse_what_if(["volume=+100%", "aht=+50%"]))
    b, m = (next(q for q in p.queues if q.queue.slug == "acme-flags") for p in (base, more))
    assert sum(h.arrivals for h in m.hours) == pytest.approx(
        2 * sum(h.arrivals for h in b.hours))
    assert _hour(m, 1, 10).load == pytest.approx(3 * _hour(b, 1, 10).load)
    assert _hour(m, 1, 10).required > _hour(b, 1, 10).required
    assert more.what_if.words == "volume +100 %, handling time +50 %"


def test_what_arrives_while_the_calendar_is_closed_waits_for_its_opening(
        db: Database, desk: dict[str, Any]) -> None:
    with db.session() as s:
        calendar = SlaCalendar(name="Office hours", timezone="UTC",
                               hours={d: [["09:00", "17:00"]]
                                      for d in ("mon", "tue", "wed", "thu", "fri")})
        s.add(calendar)
        s.flush()
        s.execute(update(Team).where(Team.id == desk["team"]).values(calendar_id=calendar.id))
    with db.session() as s:
        made = plan(s, now=NOW, weeks=1)
    q = next(p for p in made.queues if p.queue.slug == "acme-flags")
    eight, nine = _hour(q, 1, 8), _hour(q, 1, 9)
    assert not eight.open and eight.workload == 0 and eight.required == 0
    assert nine.open and nine.workload > nine.arrivals  # the evening's and morning's flags
    saturday = [h for h in q.hours if h.at.weekday() == 5]
    assert all(h.workload == 0 for h in saturday)
    total_arrived = sum(h.arrivals for h in q.hours)
    total_worked = sum(h.workload for h in q.hours)
    assert total_worked <= total_arrived + 1e-6  # the weekend's last flags wait past the plan


def test_bad_settings_name_their_field(db: Database, desk: dict[str, Any]) -> None:
    from integrity_desk.errors import InvalidInput

    with db.session() as s, pytest.raises(InvalidInput) as exc:
        plan(s, now=NOW, weeks=7)
    assert exc.value.field == "weeks"
    with pytest.raises(InvalidInput) as exc:
        parse_what_if(["volume=lots"])
    assert exc.value.field == "what_if" and "lots" in exc.value.message
    with pytest.raises(InvalidInput):
        parse_what_if(["headcount=+10%"])
    assert parse_what_if(["volume=-20%"]) == WhatIf(0.8, 1.0)


def test_the_plan_over_the_api_and_as_csv(client: TestClient, desk: dict[str, Any],
                                          manager: Person,
                                          make_person: Callable[..., Person]) -> None:
    r = client.get("/api/v1/staffing/plan", params={"weeks": 1, "volume": 20},
                   headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["volume_factor"] == pytest.approx(1.2) and body["what_if"] == "volume +20 %"
    q = next(x for x in body["queues"] if x["queue"] == "acme-flags")
    assert q["vendor"] == "Acme BPO" and len(q["hours"]) == 168
    assert q["forecast"]["holdout_weeks"] == 1 and q["forecast"]["mape"] is not None
    brief = client.get("/api/v1/staffing/plan", params={"weeks": 1, "hours": "false"},
                       headers=manager.headers).json()
    assert all(x["hours"] is None for x in brief["queues"])
    r = client.get("/api/v1/staffing/plan", params={"weeks": 9}, headers=manager.headers)
    assert r.status_code == 422 and "weeks" in r.text
    agent = make_person("agent")
    assert client.get("/api/v1/staffing/plan", headers=agent.headers).status_code == 403
    r = client.get("/api/v1/staffing/plan.csv", params={"weeks": 1}, headers=manager.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:4] == ["hour_utc", "vendor", "team", "queue"]
    assert sum(1 for row in rows[1:] if row[3] == "acme-flags") == 168


def test_the_console_page_charts_a_queue_and_exports_it(
        desk: dict[str, Any], manager: Person, sign_in: Callable[..., Browser]) -> None:
    browser = sign_in(manager)
    page = browser.client.get("/staffing", params={"weeks": 1, "volume": 10,
                                                   "queue": "acme-flags"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "Staffing plan" in html and "Acme BPO" in html and "Acme flags" in html
    assert 'id="plan-data"' in html and "volume +10 %" in html
    assert "Hours short" in html and "Expected service level" in html
    assert browser.client.get("/staffing", params={"queue": "nope"}).status_code == 404
    assert browser.client.get("/staffing", params={"weeks": 0}).status_code == 422
    r = browser.client.get("/staffing.csv", params={"weeks": 1})
    assert r.status_code == 200 and "acme-flags" in r.text
    assert 'href="/staffing"' in browser.client.get("/dashboard").text
