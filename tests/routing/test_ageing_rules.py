"""Priority ageing, the rule alone: steps by whole hours of waiting, floor at P1, never less
urgent than triage said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrity_desk.routing.ageing_rules import (
    due_priority,
    hours_waiting,
    raised,
    reason,
    steps_gained,
    wait_for_steps,
)


@pytest.mark.parametrize(("base", "hours", "rate", "due"), [
    (3, 8, 0.25, 1),      # the worked example of docs/routing.md: P3, 8 h at 0.25 -> P1
    (3, 4, 0.25, 2),      # one step exactly at 1/rate hours
    (3, 3.99, 0.25, 3),   # not yet a whole step
    (4, 4, 0.25, 3),      # a P4 that waited four hours ranks with a fresh P3
    (4, 12, 0.25, 1),
    (4, 1000, 0.25, 1),   # floor at P1, however long
    (2, 1000, 10, 1),
    (1, 1000, 1, 1),      # already P1: nothing to gain
    (0, 1000, 1, 0),      # P0 is triage's word for an emergency: never touched
    (4, 1000, 0, 4),      # a queue that does not age
    (4, 0, 0.25, 4),      # fresh
    (4, -2, 0.25, 4),     # a triage stamp ahead of the clock is no wait
    (4, 0.5, 2, 3),       # fast ageing: a step every half hour
    (4, 0.99, 2, 3),
    (4, 1, 2, 2),
])
def test_due_priority(base: int, hours: float, rate: float, due: int) -> None:
    assert due_priority(base, hours, rate) == due


@pytest.mark.parametrize(("base", "current", "hours", "rate", "to"), [
    (3, 3, 4, 0.25, 2),
    (3, 2, 4, 0.25, None),   # already aged to what is due: idempotent
    (3, 2, 8, 0.25, 1),      # the next step counts from triage's priority, not the last step
    (3, 1, 4, 0.25, None),   # made more urgent by other means: ageing never lowers urgency
    (4, 1, 1000, 1, None),
    (0, 0, 1000, 1, None),
    (4, 4, 1000, 0, None),
])
def test_raised_never_lowers_urgency(base: int, current: int, hours: float, rate: float,
                                     to: int | None) -> None:
    assert raised(base, current, hours, rate) == to


@pytest.mark.parametrize(("steps", "rate"), [(1, 0.25), (2, 0.25), (3, 0.25), (1, 0.3),
                                             (2, 0.7), (3, 10)])
def test_the_wait_for_a_step_gains_exactly_that_step(steps: int, rate: float) -> None:
    """The job's SQL bounds (wait_for_steps) agree with the rule (steps_gained)."""
    wait = wait_for_steps(steps, rate)
    hours = wait.total_seconds() / 3600
    assert steps_gained(hours + 1e-6, rate) >= steps
    assert steps_gained(hours - 1e-3, rate) == steps - 1


def test_hours_waiting_and_the_reason() -> None:
    t = datetime(2026, 12, 7, 8, tzinfo=UTC)
    assert hours_waiting(t, t + timedelta(hours=8, minutes=3)) == pytest.approx(8.05)
    assert hours_waiting(t, t - timedelta(hours=1)) == 0
    assert reason(8.0, "flags", 0.25) == "waited 8 h in flags (ageing 0.25 steps an hour)"
    assert reason(4.56, "flags", 1) == "waited 4.5 h in flags (ageing 1 step an hour)"
