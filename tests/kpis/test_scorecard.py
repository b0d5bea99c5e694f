"""Vendor Acme's scorecard for one hand-built week, 2026-W13 (Mon 23 – Sun 29 March 2026).

Acme's team "Acme Squad" owns the Flags queue; Ben and Cy work for it (each case below is
closed when decided), Mia (manager) decides appeals. Flags: first response 60 minutes,
resolution 480, on the 24/7 calendar. In UTC:

* C1: Mon 08:00 created, Ben claims; 08:10 starts (first response 10 min, met); 09:00
  decided (guideline fake; resolution 1 h, met) and closed. Handled 60 min.
* C2: Mon 10:00 created, Cy claims; 12:00 decided (offensive_language): first response at the
  decision, 120 min (breached), resolution 2 h (met). Handled 120 min.
* C5: Mon 14:00 created, Cy claims; 14:30 decided (offensive_language): 30 min, met both.
* C3: Tue 08:00 created, Ben claims; 18:00 decided (fake): 600 min, breached both.
* C4: Tue 09:00 created, nobody takes it: the backlog at the week's end (Mon 30 00:00),
  135 hours old.
* Appeals (Mia), Wed 08:00 filed, Thu 08:00 decided: against C1 overturned, C2 upheld, C3
  overturned, C5 overturned.

So, for Acme in W13: first response 2 of 4 met, resolution 3 of 4, AHT (60 + 120 + 30 + 600)
÷ 4 = 202.5 minutes, backlog age p90 135 hours, no QA accuracy; 4 handled against a
commitment of 4 in Flags (100 %) and 0 of 2 in Specialist escalations; overturned: fake twice,
offensive language once.

The contract (from 1 March): first response 52 % (50 % misses by 2 points, within 5 % of
52 % = 2.6: amber), resolution 60 % (green), AHT 190 minutes (202.5 misses by 12.5 > 9.5:
red), backlog age p90 140 hours (green), QA accuracy 95 % (no data).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update

from integrity_desk.db import Database
from integrity_desk.decisions.appeals import AppealOutcome
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.kpis import scorecard
from integrity_desk.kpis.domain import Measure, parse_period
from integrity_desk.kpis.rag import Rag, status
from integrity_desk.people import vendors
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.people.service import actor_of
from integrity_desk.routing.models import Queue
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from tests import factories as f
from tests.conftest import Browser, Person
from tests.kpis.test_figures import Desk, at

W13 = parse_period("2026-W13")
API = "/api/v1"
TARGETS = {"first_response_attainment": 0.52, "resolution_attainment": 0.6,
           "qa_accuracy": 0.95, "aht_minutes": 190, "backlog_age_p90_hours": 140}


def _week(db: Database, make_person: Callable[..., Person], make_team: Callable[..., Team]
          ) -> dict[str, Any]:
    squad = make_team("Acme Squad", kind="vendor")
    ben_p, cy_p = make_person("specialist", team=squad), make_person("specialist", team=squad)
    mia_p = make_person("manager")
    with db.session() as s:
        acme = Vendor(name="Acme")
        s.add(acme)
        s.flush()
        s.execute(update(Team).where(Team.id == squad.id).values(vendor_id=acme.id))
        s.execute(update(Queue).where(Queue.slug == "flags").values(team_id=squad.id))
        always = s.scalar(select(SlaCalendar.id).where(SlaCalendar.name == "24/7"))
        s.execute(update(SlaPolicy).where(SlaPolicy.kind == "flag").values(
            first_response_minutes=60, resolution_minutes=480, calendar_id=always))
        ben, cy, mia = (s.get(User, p.user.id) for p in (ben_p, cy_p, mia_p))
        assert ben and cy and mia
        vendors.set_contract(s, actor=actor_of(mia), vendor_id=acme.id,
                             starts_on=date(2026, 3, 1), targets=TARGETS)
        vendors.set_commitments(s, actor=actor_of(mia), vendor_id=acme.id, commitments=[
            vendors.Commitment("flags", 4), vendors.Commitment("specialists", 2)])
        d = Desk(s)
        c1 = d.open(f.flag("c1"), at(23, 8), ben)
        d.claim(c1, ben, at(23, 8))
        d.move(c1, ben, "start", at(23, 8, 10))
        d.decide(c1, ben, at(23, 9))
        d.move(c1, ben, "close", at(23, 9))
        c2 = d.open(f.flag("c2"), at(23, 10), cy)
        d.claim(c2, cy, at(23, 10))
        d.decide(c2, cy, at(23, 12), guideline="offensive_language")
        d.move(c2, cy, "close", at(23, 12))
        c5 = d.open(f.flag("c5"), at(23, 14), cy)
        d.claim(c5, cy, at(23, 14))
        d.decide(c5, cy, at(23, 14, 30), guideline="offensive_language")
        d.move(c5, cy, "close", at(23, 14, 30))
        c3 = d.open(f.flag("c3"), at(24, 8), ben)
        d.claim(c3, ben, at(24, 8))
        d.decide(c3, ben, at(24, 18))
        d.move(c3, ben, "close", at(24, 18))
        d.open(f.flag("c4"), at(24, 9), ben)
        appeals = [d.appeal(c, mia, at(25, 8)) for c in (c1, c2, c3, c5)]
        for appeal, outcome in zip(appeals, (AppealOutcome.OVERTURNED, AppealOutcome.UPHELD,
                                             AppealOutcome.OVERTURNED,
                                             AppealOutcome.OVERTURNED), strict=True):
            d.rule(appeal, mia, outcome, at(26, 8))
        d.roll(at(30, 0, 30))
        return {"acme": acme.id, "manager": mia, "mia": mia_p, "ben": ben_p}


@pytest.fixture
def week(db: Database, make_person: Callable[..., Person],
         make_team: Callable[..., Team]) -> dict[str, Any]:
    return _week(db, make_person, make_team)


def _card(db: Database, week: dict[str, Any]) -> scorecard.Scorecard:
    with db.session() as s:
        return scorecard.build(s, viewer=week["manager"], vendor_id=week["acme"], period=W13,
                               now=at(30, 15))


def test_each_kpi_against_its_target(db: Database, week: dict[str, Any]) -> None:
    card = _card(db, week)
    got = {t.name: (t.figure.value, t.target, t.status) for t in card.targets}
    assert got["first_response_attainment"] == (pytest.approx(1 / 2), 0.52, Rag.AMBER)
    assert got["resolution_attainment"] == (pytest.approx(3 / 4), 0.6, Rag.GREEN)
    assert got["aht_minutes"] == (pytest.approx(202.5), 190, Rag.RED)
    assert got["backlog_age_p90_hours"] == (pytest.approx(135), 140, Rag.GREEN)
    assert got["qa_accuracy"] == (None, 0.95, Rag.NO_DATA)
    [qa] = [t for t in card.targets if t.name == "qa_accuracy"]
    assert qa.figure.no_data == "no decision was QA-reviewed"
    [first] = [t for t in card.targets if t.name == "first_response_attainment"]
    assert (first.figure.numerator, first.figure.denominator) == (2, 4)
    assert "5 % of the target" in card.rule
    assert card.contract is not None and card.contract.starts_on == date(2026, 3, 1)


def test_a_twelve_week_trend_ending_with_the_week(db: Database, week: dict[str, Any]) -> None:
    card = _card(db, week)
    assert [w.period.label for w in card.trend] == [f"2026-W{n:02d}" for n in range(2, 14)]
    last = card.trend[-1].figures
    assert last["resolution_attainment"].value == pytest.approx(3 / 4)
    assert last["aht_minutes"].value == pytest.approx(202.5)
    first = card.trend[0].figures
    assert first["resolution_attainment"].value is None
    assert first["resolution_attainment"].no_data


def test_volume_against_the_weekly_commitment(db: Database, week: dict[str, Any]) -> None:
    card = _card(db, week)
    got = {v.slug: (v.committed, v.handled, v.resolved, v.share) for v in card.volume}
    assert got == {"flags": (4, 4, 4, 1.0), "specialists": (2, 0, 0, 0.0)}


def test_overturn_reasons_most_first_and_no_qa_review_yet(db: Database,
                                                       week: dict[str, Any]) -> None:
    card = _card(db, week)
    assert [(r.code, r.overturned, r.partly_overturned) for r in card.overturns] == [
        ("fake", 2, 0), ("offensive_language", 1, 0)]
    assert card.errors_no_data == "no decision of the vendor's was QA-reviewed in the week"
    assert card.errors == []


def test_no_contract_means_no_target(db: Database, week: dict[str, Any]) -> None:
    with db.session() as s:
        card = scorecard.build(s, viewer=week["manager"], vendor_id=week["acme"],
                               period=parse_period("2026-W08"), now=at(30, 15))
    assert card.contract is None
    assert {t.status for t in card.targets} == {Rag.NO_TARGET}
    assert card.volume == [] and card.overturns == []


def test_unknown_vendors_and_bad_weeks_are_refused(db: Database, week: dict[str, Any]) -> None:
    with db.session() as s, pytest.raises(NotFound):
        scorecard.build(s, viewer=week["manager"], vendor_id=999999, period=W13,
                        now=at(30, 15))
    for text in ("2026-W60", "2026-03", "2026-03-23", "soon"):
        with pytest.raises(InvalidInput) as refused:
            scorecard.parse_week(text, at(30, 15))
        assert refused.value.field == "week"
    assert scorecard.parse_week(None, at(30, 15)).label == "2026-W14"


@pytest.mark.parametrize(("measure", "value", "target", "expected"), [
    (Measure.RESOLUTION_ATTAINMENT, 0.9, 0.9, Rag.GREEN),
    (Measure.RESOLUTION_ATTAINMENT, 0.855, 0.9, Rag.AMBER),  # exactly 5 % of 0.9 short
    (Measure.RESOLUTION_ATTAINMENT, 0.854, 0.9, Rag.RED),
    (Measure.AHT, 10, 10, Rag.GREEN),
    (Measure.AHT, 10.5, 10, Rag.AMBER),
    (Measure.AHT, 10.51, 10, Rag.RED),
    (Measure.BACKLOG_AGE_P90, 1, 0, Rag.RED),  # a zero target has no amber band
    (Measure.QA_ACCURACY, None, 0.95, Rag.NO_DATA),
    (Measure.AHT, 12, None, Rag.NO_TARGET),
])
def test_the_rag_rule(measure: Measure, value: float | None, target: float | None,
                      expected: Rag) -> None:
    assert status(measure, value, target) == expected


# Over HTTP

def test_the_api_answers_the_services_numbers(client: Any, db: Database,
                                              week: dict[str, Any]) -> None:
    card = _card(db, week)
    r = client.get(f"{API}/vendors/{week['acme']}/scorecard", params={"week": "2026-W13"},
                   headers=week["mia"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["vendor"], body["week"], body["rule"]) == ("Acme", "2026-W13", card.rule)
    assert {t["kpi"]: (t["figure"]["value"], t["target"], t["status"])
            for t in body["targets"]} == {
        t.name: (t.figure.value, t.target, t.status.value) for t in card.targets}
    assert [p["figures"]["aht_minutes"]["value"] for p in body["trend"]] == [
        w.figures["aht_minutes"].value for w in card.trend]
    assert [(v["queue"], v["committed"], v["handled"], v["share"]) for v in body["volume"]] == [
        ("flags", 4, 4, 1.0), ("specialists", 2, 0, 0.0)]
    assert [(o["guideline"], o["overturned"]) for o in body["overturn_reasons"]] == [
        ("fake", 2), ("offensive_language", 1)]
    assert body["error_reasons"] == {
        "reasons": None, "no_data": "no decision of the vendor's was QA-reviewed in the week"}


def test_the_api_refuses_unknown_vendors_bad_weeks_and_non_managers(
        client: Any, make_person: Callable[..., Person], manager: Person) -> None:
    r = client.get(f"{API}/vendors/999999/scorecard", headers=manager.headers)
    assert r.status_code == 404
    with_vendor = client.post(f"{API}/vendors", json={"name": "Beta"}, headers=manager.headers)
    vendor_id = with_vendor.json()["id"]
    r = client.get(f"{API}/vendors/{vendor_id}/scorecard", params={"week": "2026-W60"},
                   headers=manager.headers)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "week")
    r = client.get(f"{API}/vendors/{vendor_id}/scorecard", params={"week": "2026-12"},
                   headers=manager.headers)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "week")
    r = client.get(f"{API}/vendors/{vendor_id}/scorecard", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert {t["status"] for t in r.json()["targets"]} == {"no target"}
    viewer = make_person("viewer")
    r = client.get(f"{API}/vendors/{vendor_id}/scorecard", headers=viewer.headers)
    assert r.status_code == 403


# In the console

def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_page_shows_each_status_in_words_and_the_rule(
        db: Database, week: dict[str, Any], sign_in: Callable[..., Browser]) -> None:
    browser = sign_in(week["mia"])
    vendor = browser.client.get(f"/vendors/{week['acme']}")
    assert f'href="/vendors/{week["acme"]}/scorecard"' in vendor.text
    r = browser.client.get(f"/vendors/{week['acme']}/scorecard", params={"week": "2026-W13"})
    assert r.status_code == 200, r.text
    page = r.text
    assert "Scorecard: Acme, week 2026-W13" in page
    assert '<span class="rag rag-amber">amber</span>' in page
    assert '<span class="rag rag-red">red</span>' in page
    assert page.count('<span class="rag rag-green">green</span>') == 2
    assert '<span class="rag rag-no-data">no data</span>' in page
    assert "50.0 % (2 of 4)" in page and "202.5 min" in page
    assert "at most 5 % of the target" in page
    assert "?week=2026-W12" in page and "?week=2026-W14" in page
    assert "100.0 %" in page  # Flags: 4 handled of 4 committed
    assert "no decision of the vendor&#39;s was QA-reviewed in the week" in page
    for table in ("targets", "trend", "volume", "overturns", "errors"):
        assert f"scorecard.csv?week=2026-W13&amp;table={table}" in page


def test_every_table_as_csv(db: Database, week: dict[str, Any],
                            sign_in: Callable[..., Browser]) -> None:
    browser = sign_in(week["mia"])

    def table(name: str) -> list[list[str]]:
        r = browser.client.get(f"/vendors/{week['acme']}/scorecard.csv",
                               params={"week": "2026-W13", "table": name})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        return _rows(r.text)

    targets = table("targets")
    assert targets[0] == ["kpi", "value", "numerator", "denominator", "target", "status",
                          "no_data"]
    assert ["first_response_attainment", "0.5", "2", "4", "0.52", "amber", ""] in targets
    assert ["aht_minutes", "202.5", "810", "4", "190", "red", ""] in targets
    assert ["qa_accuracy", "", "0", "0", "0.95", "no data",
            "no decision was QA-reviewed"] in targets
    trend = table("trend")
    assert len(trend) == 13 and trend[-1][:2] == ["2026-W13", "2026-03-23"]
    assert table("volume") == [
        ["queue", "queue_name", "committed", "handled", "resolved", "share"],
        ["flags", "Flags (tier 1)", "4", "4", "4", "1"],
        ["specialists", "Specialist escalations (tier 2)", "2", "0", "0", "0"]]
    overturns = table("overturns")
    assert [row[0::2] for row in overturns] == [["guideline", "overturned"], ["fake", "2"],
                                                ["offensive_language", "1"]]
    assert table("errors") == [["category", "reason", "errors", "no_data"],
                               ["", "", "", "no decision of the vendor's was QA-reviewed in "
                                            "the week"]]


def test_the_page_refuses_unknown_vendors_weeks_and_tables(
        db: Database, week: dict[str, Any], sign_in: Callable[..., Browser]) -> None:
    browser = sign_in(week["mia"])
    assert browser.client.get("/vendors/999999/scorecard").status_code == 404
    r = browser.client.get(f"/vendors/{week['acme']}/scorecard", params={"week": "2026-W60"})
    assert r.status_code == 422 and "ISO week" in r.text
    r = browser.client.get(f"/vendors/{week['acme']}/scorecard.csv",
                           params={"table": "salaries"})
    assert r.status_code == 422
    assert browser.client.get(f"/vendors/{week['acme']}/scorecard").status_code == 200
    specialist = sign_in(week["ben"])
    r = specialist.client.get(f"/vendors/{week['acme']}/scorecard")
    assert r.status_code == 403
