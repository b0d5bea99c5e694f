"""Priority ageing, the rule alone: how urgent a waiting case has become by waiting
(docs/routing.md#priority-ageing).

A queue's ``ageing_per_hour`` says how many priority steps a waiting case gains per hour. The
rule is pure so it can be tested as a table and so the job (routing.ageing) and anything that
explains a case's priority compute the same thing.

The age that counts is the time since the case was triaged (``triaged_at``), whatever the case
did meanwhile: time held or claimed and released counts too. It is the simplest honest measure
of how long the requester has been waiting for the desk, and it never resets because someone
picked the case up and put it back: a release must not send a case to the back of the line.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

# Ageing stops here: P0 is triage's word for an emergency, never something waiting earns.
FLOOR = 1
LOWEST = 4  # P4, the least urgent priority triage gives


def hours_waiting(triaged_at: datetime, now: datetime) -> float:
    """Hours since triage; never negative (a clock a little behind another is not a wait)."""
    return max((now - triaged_at).total_seconds() / 3600.0, 0.0)


def steps_gained(hours: float, rate: float) -> int:
    """Whole priority steps earned by ``hours`` of waiting at ``rate`` steps an hour."""
    if rate <= 0 or hours <= 0:
        return 0
    return math.floor(hours * rate)


def due_priority(base: int, hours: float, rate: float) -> int:
    """The priority a case of triage priority ``base`` is due after ``hours`` of waiting.

    Never more urgent than P1, and never less urgent than ``base``: a case already P0 or P1
    keeps it, and a rate of 0 leaves every case as triage set it.
    """
    if base <= FLOOR:
        return base
    return max(base - steps_gained(hours, rate), FLOOR)


def raised(base: int, current: int, hours: float, rate: float) -> int | None:
    """The priority to raise a case to, or None when it is already as urgent as it is due
    (ageing never lowers urgency, e.g. after a manager made the case more urgent by hand)."""
    due = due_priority(base, hours, rate)
    return due if due < current else None


def wait_for_steps(steps: int, rate: float) -> timedelta:
    """How long a case must wait to gain ``steps`` steps at ``rate`` (rate > 0): the job turns
    this into "triaged before" bounds, so only cases old enough to change are read."""
    return timedelta(hours=steps / rate)


def reason(hours: float, queue: str, rate: float) -> str:
    """The words the timeline shows for an ageing step."""
    waited = math.floor(hours * 10) / 10
    steps = "step" if rate == 1 else "steps"
    return f"waited {waited:g} h in {queue} (ageing {rate:g} {steps} an hour)"
