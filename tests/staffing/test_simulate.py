"""The simulation agrees with Erlang C on one first-come-first-served queue, and decides with
the desk's own rules: who may work what (languages), when people work (shifts), what is most
urgent (priority first), and SLA due instants on the calendar."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from integrity_desk.routing.choose import Candidate, QueueFacts
from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import SlaTarget
from integrity_desk.staffing import erlang
from integrity_desk.staffing.simulate import Arrival, SimPerson, SimQueue, Targets, simulate

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
ALWAYS = BusinessCalendar()


def _queue(aht: float = 3.0, queue_id: int = 1) -> SimQueue:
    return SimQueue(QueueFacts(id=queue_id, slug=f"q{queue_id}", team_id=1, group="Acme"),
                    "Acme", aht, ALWAYS)


def _person(i: int, *, spans: list[tuple[datetime, datetime]] | None = None,
            languages: tuple[str, ...] = (), role: str = "specialist") -> SimPerson:
    return SimPerson(Candidate(id=i, name=f"p{i}", role=role, team_id=1, languages=languages),
                     "Acme", spans or [(START, START + timedelta(days=10))])


def _poisson(per_hour: float, days: float, seed: int, **kw: object) -> list[Arrival]:
    rng, t, out = random.Random(seed), START, []
    end = START + timedelta(days=days)
    while True:
        t += timedelta(seconds=rng.expovariate(per_hour / 3600))
        if t >= end:
            return out
        out.append(Arrival(t, 1, "flag", 2, **kw))  # type: ignore[arg-type]


TOLERANCE = 0.03  # the simulated shares against Erlang C's, over ~14,000 arrivals


def test_one_fcfs_queue_agrees_with_erlang_c() -> None:
    """A = 10 Erlangs (200 an hour, 3 minutes each), 14 people, target 20 seconds: kpis.md's
    reference case. Erlang C: SL 0.8884, C 0.1741, occupancy 0.714."""
    arrivals = _poisson(200, 3, seed=5)
    result = simulate(START, START + timedelta(days=3), arrivals, [_queue()],
                      [_person(i) for i in range(14)],
                      Targets({("flag", 2): (SlaTarget(1, 60), None)}), seed=3)
    tally = result.by_queue[1]
    assert tally.arrived == tally.finished == len(arrivals) > 12_000
    assert tally.share_waiting_at_most(20 / 60) == pytest.approx(
        erlang.service_level(14, 10, 180, 20), abs=TOLERANCE)
    waited = sum(1 for w in tally.waits if w > 0) / len(tally.waits)
    assert waited == pytest.approx(erlang.erlang_c(14, 10), abs=TOLERANCE)
    assert result.occupancy("Acme") == pytest.approx(10 / 14, abs=0.02)


def test_too_few_people_grow_the_backlog() -> None:
    arrivals = _poisson(200, 1, seed=2)
    result = simulate(START, START + timedelta(days=1), arrivals, [_queue()],
                      [_person(i) for i in range(9)],  # 9 people for 10 Erlangs
                      Targets({("flag", 2): (SlaTarget(15, 60), None)}), seed=1)
    backlog = result.backlog[1]
    assert len(backlog) == 24 and backlog[-1] > backlog[2] > 0
    assert result.by_queue[1].first_response_attainment < 0.5


def test_people_work_their_shifts_only() -> None:
    nine, five = START.replace(hour=9), START.replace(hour=17)
    arrivals = [Arrival(START.replace(hour=2), 1, "flag", 2)]
    result = simulate(START, START + timedelta(days=1), arrivals, [_queue(aht=10)],
                      [_person(1, spans=[(nine, five)])],
                      Targets({("flag", 2): (SlaTarget(60, 600), None)}), seed=1)
    tally = result.by_queue[1]
    assert tally.waits == [pytest.approx(7 * 60)]  # waited from 02:00 until the shift at 09:00
    assert tally.first_response_met == 0 and tally.finished == 1
    assert result.occupancy("Acme") == pytest.approx(
        tally.finished and (result.busy["Acme"] / (8 * 3600)))


def test_only_people_with_the_language_take_a_case() -> None:
    arrivals = [Arrival(START + timedelta(minutes=m), 1, "flag", 2, language="de")
                for m in range(0, 60, 10)]
    english_only = _person(1, languages=("en",), role="agent")
    result = simulate(START, START + timedelta(hours=2), arrivals, [_queue()],
                      [english_only], Targets({}), seed=1, drain=timedelta(hours=1))
    assert result.by_queue[1].started == 0 and result.unplaced == len(arrivals)
    german = _person(2, languages=("de",), role="agent")
    result = simulate(START, START + timedelta(hours=2), arrivals, [_queue()],
                      [english_only, german], Targets({}), seed=1)
    assert result.by_queue[1].finished == len(arrivals) and result.unplaced == 0


def test_the_most_urgent_case_is_taken_first() -> None:
    nine = START.replace(hour=9)
    arrivals = [Arrival(START.replace(hour=1), 1, "flag", 3),
                Arrival(START.replace(hour=2), 1, "flag", 0)]
    targets = Targets({("flag", 3): (SlaTarget(600, 6000), None),
                       ("flag", 0): (SlaTarget(60, 600), None)})
    result = simulate(START, START + timedelta(days=1), arrivals, [_queue(aht=60)],
                      [_person(1, spans=[(nine, nine + timedelta(hours=8))])], targets, seed=4)
    waits = result.by_queue[1].waits
    # The urgent one (arrived at 02:00) was started at 09:00, the other after it.
    assert waits[0] == pytest.approx(7 * 60)
    assert waits[1] > 8 * 60


def test_due_instants_follow_the_calendar() -> None:
    """On a business-hours calendar a Saturday flag's first response is due on Monday, so
    a Monday-morning start meets it."""
    office = BusinessCalendar(hours={d: ((datetime.min.time().replace(hour=9),
                                          datetime.min.time().replace(hour=17)),)
                                     for d in range(5)})
    saturday = START + timedelta(days=5, hours=10)
    monday = START + timedelta(days=7, hours=9)
    arrivals = [Arrival(saturday, 1, "flag", 2)]
    result = simulate(START, START + timedelta(days=8), arrivals, [_queue(aht=10)],
                      [_person(1, spans=[(monday, monday + timedelta(hours=8))])],
                      Targets({("flag", 2): (SlaTarget(60, 480), office)}), seed=1)
    assert result.by_queue[1].first_response_met == 1
