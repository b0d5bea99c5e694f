"""Pure SLA clock arithmetic: due instants, pauses and states on top of a BusinessCalendar.

Nothing here reads the wall clock or a database: callers pass every instant explicitly, which
keeps the rules testable and lets jobs recompute states for any `now`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from integrity_desk.sla.calendar import BusinessCalendar

__all__ = [
    "MAX_TARGET_MINUTES",
    "ClockReading",
    "SlaDue",
    "SlaState",
    "SlaTarget",
    "clock_state",
    "duration_words",
    "remaining_minutes",
    "resume_clock",
    "start_clock",
    "state",
]


# One year of working minutes: no desk promises more, and the calendar walk that finds a due
# instant grows with the target (10**9 minutes took a minute and landed in the year 8415).
MAX_TARGET_MINUTES = 365 * 24 * 60


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


@dataclass(frozen=True)
class SlaTarget:
    """Targets in working minutes of the calendar they are counted on."""

    first_response_minutes: int
    resolution_minutes: int
    at_risk_fraction: float = 0.2  # "at risk" once less than this share of the target remains

    def __post_init__(self) -> None:
        for name in ("first_response_minutes", "resolution_minutes"):
            value = getattr(self, name)
            if not math.isfinite(value) or not 0 <= value <= MAX_TARGET_MINUTES:
                raise ValueError(f"{name} must be within [0, {MAX_TARGET_MINUTES}], "
                                 f"got {value!r}")
        if not 0 <= self.at_risk_fraction <= 1:
            raise ValueError(
                f"at_risk_fraction must be within [0, 1], got {self.at_risk_fraction!r}"
            )


@dataclass(frozen=True)
class SlaDue:
    """Absolute (UTC) instants derived from a target; recomputed when a pause ends."""

    first_response_due_at: datetime
    resolution_due_at: datetime
    resolution_at_risk_at: datetime
    first_response_at_risk_at: datetime


def _cap(instant: datetime, hard_deadline: datetime | None) -> datetime:
    if hard_deadline is None:
        return instant
    return min(instant, hard_deadline.astimezone(UTC))


def _with_deadline(due: SlaDue, hard_deadline: datetime | None) -> SlaDue:
    """Legal deadlines beat the calendar: resolution (and its at-risk instant) never later."""
    resolution_due = _cap(due.resolution_due_at, hard_deadline)
    return SlaDue(
        first_response_due_at=due.first_response_due_at,
        resolution_due_at=resolution_due,
        resolution_at_risk_at=min(due.resolution_at_risk_at, resolution_due),
        first_response_at_risk_at=min(due.first_response_at_risk_at, due.first_response_due_at),
    )


# Memoised (a pure function of calendars that do not change): a batch of flags starts a
# thousand clocks at the same instant on a handful of (calendar, target) pairs.
@lru_cache(maxsize=1024)
def start_clock(
    calendar: BusinessCalendar,
    target: SlaTarget,
    started_at: datetime,
    *,
    hard_deadline: datetime | None = None,
    paused_minutes: float = 0.0,
) -> SlaDue:
    """Due and at-risk instants for a clock started at `started_at`.

    `paused_minutes` is working time already spent paused; it pushes every instant out, which
    is how a re-triaged case keeps the pauses it had.
    """
    if paused_minutes < 0:
        raise ValueError("paused_minutes cannot be negative")
    keep = 1 - target.at_risk_fraction
    fr, res, p = target.first_response_minutes, target.resolution_minutes, paused_minutes
    due = SlaDue(
        first_response_due_at=calendar.add(started_at, fr + p),
        resolution_due_at=calendar.add(started_at, res + p),
        resolution_at_risk_at=calendar.add(started_at, res * keep + p),
        first_response_at_risk_at=calendar.add(started_at, fr * keep + p),
    )
    return _with_deadline(due, hard_deadline)


def remaining_minutes(calendar: BusinessCalendar, due: datetime, at: datetime) -> float:
    """Working minutes left at `at` until `due`; negative once overdue."""
    return calendar.working_minutes(at, due)


def _shift(
    calendar: BusinessCalendar, instant: datetime, paused_at: datetime, resumed_at: datetime
) -> datetime:
    """Move a not-yet-reached instant so the working time left at the pause is left at resume.

    Instants already reached when the clock paused stay put: a breach is not undone by pausing.
    Nothing moves earlier either (an instant capped into closed time would otherwise snap back
    to the end of the previous working stretch); the working time left is the same either way.
    """
    if instant <= paused_at:
        return instant
    left = calendar.working_minutes(paused_at, instant)
    return max(instant, calendar.add(resumed_at, left))


def resume_clock(
    calendar: BusinessCalendar,
    due: SlaDue,
    paused_at: datetime,
    resumed_at: datetime,
    *,
    hard_deadline: datetime | None = None,
) -> SlaDue:
    """Due instants after a pause from `paused_at` to `resumed_at` (the clock did not run).

    Pass the same `hard_deadline` as to start_clock: it does not move, since legal deadlines
    do not pause.
    """
    if resumed_at < paused_at:
        raise ValueError(f"resumed_at {resumed_at} is before paused_at {paused_at}")
    moved = SlaDue(
        *(
            _shift(calendar, instant, paused_at, resumed_at)
            for instant in (
                due.first_response_due_at,
                due.resolution_due_at,
                due.resolution_at_risk_at,
                due.first_response_at_risk_at,
            )
        )
    )
    return _with_deadline(moved, hard_deadline)


def state(
    *,
    due_at: datetime,
    at_risk_at: datetime,
    now: datetime,
    paused_at: datetime | None = None,
    done_at: datetime | None = None,
) -> SlaState:
    """Classify one SLA target (first response or resolution) at `now`."""
    if done_at is not None:
        return SlaState.MET if done_at <= due_at else SlaState.BREACHED
    if paused_at is not None:
        return SlaState.BREACHED if paused_at >= due_at else SlaState.PAUSED
    if now >= due_at:
        return SlaState.BREACHED
    if now >= at_risk_at:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


@dataclass(frozen=True)
class ClockReading:
    """What every surface shows of one clock (lists, My work, the case view, the API), so
    they cannot disagree.

    `left` is the due instant minus the instant the clock stands at: `now` while it runs,
    the pause while paused, the finish once finished; negative means over by that much.
    Only a running clock ticks; a paused or finished one shows a fixed `left`.
    """

    state: SlaState | None
    left: timedelta | None
    ticking: bool
    paused_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def words(self) -> str:
        """The fixed text of a stopped clock ("met", "breached by 2 h 10 m", "paused, 1 d 3
        h left", "paused, overdue by 40 m"); a running one shows its countdown instead."""
        if self.state is None or self.left is None:
            return "–"
        if self.state is SlaState.PAUSED:
            if self.left >= timedelta(0):
                return f"paused, {duration_words(self.left)} left"
            return f"paused, overdue by {duration_words(-self.left)}"
        if self.state is SlaState.MET:
            return "met"
        if self.finished_at is not None:  # finished late
            return f"breached by {duration_words(-self.left)}"
        return ""


def duration_words(span: timedelta) -> str:
    """ "2 d 3 h", "2 h 10 m", "40 m", "under a minute": a stopped clock needs no seconds."""
    minutes = int(abs(span).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} m" if mins else f"{hours} h"
    return f"{mins} m" if mins else "under a minute"


def clock_state(
    *,
    due_at: datetime | None,
    at_risk_at: datetime | None,
    now: datetime,
    paused_at: datetime | None = None,
    done_at: datetime | None = None,
) -> ClockReading:
    """Read one clock (first response or resolution) at `now`.

    Finished (`done_at`: responded, decided, closed or merged) beats paused beats running:
    a finished clock is met when finished at or before its due instant, else breached by
    finish - due, and never ticks again. A paused clock (waiting on the requester) is
    "paused" with the time left as of the pause, also when that is negative (it was already
    overdue): sla.resume moves not-yet-reached instants by the paused working time and leaves
    reached ones put, so the time left at the pause is what the clock resumes with (exactly on
    an always-open calendar; on a business calendar `left` is wall-clock time, like the
    running countdown, and resume keeps the working time it spans). Only a running clock is
    on track, at risk or breached, and ticks.
    """
    if due_at is None:
        return ClockReading(None, None, ticking=False)
    if done_at is not None:
        left = due_at - done_at
        outcome = SlaState.MET if left >= timedelta(0) else SlaState.BREACHED
        return ClockReading(outcome, left, ticking=False, finished_at=done_at)
    if paused_at is not None:
        return ClockReading(SlaState.PAUSED, due_at - paused_at, ticking=False,
                            paused_at=paused_at)
    if now >= due_at:
        running = SlaState.BREACHED
    elif at_risk_at is not None and now >= at_risk_at:
        running = SlaState.AT_RISK
    else:
        running = SlaState.ON_TRACK
    return ClockReading(running, due_at - now, ticking=True)
