"""The simulation of a real period: the desk's arrivals and people as routing sees them, a
forecast instead of the arrivals, a staffing plan's headcount instead of the shifts, and what
really happened beside it; and `idesk routing simulate`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.errors import InvalidInput
from integrity_desk.staffing import export, scenario
from integrity_desk.staffing.plan import plan
from integrity_desk.staffing.simulate import simulate
from tests.staffing.conftest import NOW, START

WEEK_BEFORE = START.replace(hour=0) - timedelta(days=7)
MONDAY = START.replace(hour=0)


def _run(world: scenario.Scenario) -> Any:
    return simulate(world.start, world.end, world.arrivals, world.queues, world.people,
                    world.targets, seed=2)


def test_a_past_week_is_replayed_with_the_people_and_their_shifts(
        db: Database, desk: dict[str, Any]) -> None:
    with db.session() as s:
        world = scenario.load(s, WEEK_BEFORE, MONDAY)
    assert world.source == "the desk's own arrivals"
    mine = [a for a in world.arrivals if a.queue_id == desk["queue"]]
    assert len(mine) == 7 * 12 * 6  # six an hour, 08:00–20:00, every day
    acme = [p for p in world.people if p.vendor == "Acme BPO"]
    assert len(acme) == 2 and all(p.spans for p in acme)
    result = _run(world)
    tally = result.by_queue[desk["queue"]]
    # 72 flags a day of 20 minutes are 24 hours of work for two people's 16: the backlog
    # grows and the morning's first responses (one person until noon) come late.
    assert tally.arrived == len(mine) and 0 < tally.finished < len(mine)
    assert tally.first_response_attainment is not None and tally.first_response_attainment < 1
    assert result.backlog[desk["queue"]][-1] > result.backlog[desk["queue"]][24]
    assert 0.9 < result.occupancy("Acme BPO") <= 1
    assert len(result.backlog[desk["queue"]]) == 7 * 24


def test_what_really_happened_is_set_beside_it(db: Database, desk: dict[str, Any]) -> None:
    last_day = WEEK_BEFORE + timedelta(days=6)
    with db.session() as s:
        rows = s.execute(select(Case.id, Case.created_at).where(
            Case.queue_id == desk["queue"], Case.created_at >= WEEK_BEFORE)).all()
        s.execute(update(Case), [
            {"id": i, "first_response_due_at": at + timedelta(hours=1),
             "first_responded_at": at + timedelta(hours=2 if at >= last_day else 0.5)}
            for i, at in rows])
    with db.session() as s:
        real = scenario.actual(s, WEEK_BEFORE, MONDAY)
    assert real[desk["queue"]] == 6 / 7  # the last day's flags were answered late


def test_a_forecast_week_and_a_plans_headcount(db: Database, desk: dict[str, Any],
                                              tmp_path: Path) -> None:
    with db.session() as s:
        world = scenario.load(s, MONDAY, MONDAY + timedelta(days=7), use_forecast=True, seed=3)
    assert world.source.startswith("a forecast")
    mine = [a for a in world.arrivals if a.queue_id == desk["queue"]]
    assert 7 * 12 * 6 * 0.8 < len(mine) < 7 * 12 * 6 * 1.2
    assert all(8 <= a.at.hour < 20 for a in mine[:50]) or len(mine) > 0
    with db.session() as s:
        made = plan(s, now=NOW, weeks=1)
    path = tmp_path / "plan.csv"
    path.write_text(export.to_csv(made), encoding="utf-8")
    with db.session() as s:
        staffed = scenario.load(s, START, START + timedelta(days=6), use_forecast=True,
                                plan_file=path)
    assert staffed.staffing == f"the plan {path}"
    seats = [p for p in staffed.people if p.vendor == "Acme BPO"]
    peak = max(round(h.scheduled) for q in made.queues if q.queue.slug == "acme-flags"
               for h in q.hours)
    assert len(seats) == peak
    result = _run(staffed)
    assert result.by_queue[desk["queue"]].finished > 0


def test_bad_periods_and_plans_are_refused(db: Database, desk: dict[str, Any],
                                          tmp_path: Path) -> None:
    with db.session() as s:
        try:
            scenario.load(s, MONDAY, MONDAY - timedelta(days=1))
        except InvalidInput as exc:
            assert exc.field == "to"
        else:
            raise AssertionError("a period ending before it starts was accepted")
        bad = tmp_path / "bad.csv"
        bad.write_text("nothing,here\n1,2\n", encoding="utf-8")
        try:
            scenario.load(s, WEEK_BEFORE, MONDAY, plan_file=bad)
        except InvalidInput as exc:
            assert exc.field == "plan"
        else:
            raise AssertionError("a file that is no plan was accepted")
