"""The simulation against days the desk really worked: flags through the real intake, agents
on shift claiming them with the real claim and starting and deciding them; the simulated
first-response attainment of the same arrivals and people is within a few points of the one
the desk recorded (bench/simulate_history.py measures a whole week: +0.9 points)."""

from __future__ import annotations

from datetime import timedelta

from bench.simulate_history import WEEK, compare, setup, work_the_week
from integrity_desk.db import Database

TOLERANCE = 0.08  # three days of ~250 flags: the seeds alone spread by a few points


def test_the_simulation_reproduces_a_worked_stretch(db: Database) -> None:
    people = setup(db, 4)
    arrived = work_the_week(db, people, 80, seed=3, days=3)
    assert arrived > 150
    real, simulated = compare(db, WEEK, WEEK + timedelta(days=3), seeds=3)
    assert real is not None and 0.2 < real < 1.0  # the nights' flags wait for the morning
    mean = sum(simulated) / len(simulated)
    assert abs(mean - real) < TOLERANCE, (real, simulated)
