"""clock_state, the one reading of a clock every surface shows: finished beats paused beats
running, and only a running clock ticks (issue 19.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import (
    SlaDue,
    SlaState,
    clock_state,
    duration_words,
    resume_clock,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.mark.parametrize(("kwargs", "state", "left", "ticking", "words"), [
    # decided 2 h after the due instant: breached by 2 h, frozen whatever `now` is
    ({"done_at": T0 + 5 * H, "now": T0 + 50 * H}, SlaState.BREACHED, -2 * H, False,
     "breached by 2 h"),
    ({"done_at": T0 + 3 * H, "now": T0 + 50 * H}, SlaState.MET, 0 * H, False, "met"),
    ({"done_at": T0 + 1 * H, "now": T0 + 50 * H}, SlaState.MET, 2 * H, False, "met"),
    # finished beats paused: a case decided while waiting is finished
    ({"done_at": T0 + 1 * H, "paused_at": T0, "now": T0 + 9 * H}, SlaState.MET, 2 * H, False,
     "met"),
    ({"paused_at": T0 + 1 * H + 30 * M, "now": T0 + 50 * H}, SlaState.PAUSED, 90 * M, False,
     "paused, 1 h 30 m left"),
    # paused when already 40 minutes overdue: still "paused", the overdue time frozen
    ({"paused_at": T0 + 3 * H + 40 * M, "now": T0 + 50 * H}, SlaState.PAUSED, -40 * M, False,
     "paused, overdue by 40 m"),
    ({"now": T0}, SlaState.ON_TRACK, 3 * H, True, ""),
    ({"now": T0 + 2 * H}, SlaState.AT_RISK, 1 * H, True, ""),
    ({"now": T0 + 4 * H}, SlaState.BREACHED, -1 * H, True, ""),
])
def test_hand_worked_readings(kwargs: dict, state: SlaState, left: timedelta, ticking: bool,
                              words: str) -> None:
    reading = clock_state(due_at=T0 + 3 * H, at_risk_at=T0 + 2 * H, **kwargs)
    assert (reading.state, reading.left, reading.ticking, reading.words) == (
        state, left, ticking, words)


def test_no_due_instant_is_no_clock() -> None:
    reading = clock_state(due_at=None, at_risk_at=None, now=T0, done_at=T0)
    assert (reading.state, reading.left, reading.ticking, reading.words) == (
        None, None, False, "–")


@pytest.mark.parametrize(("span", "words"), [
    (timedelta(seconds=30), "under a minute"), (40 * M, "40 m"), (2 * H, "2 h"),
    (2 * H + 10 * M, "2 h 10 m"), (timedelta(days=6), "6 d"),
    (timedelta(days=2, hours=3), "2 d 3 h"),
])
def test_duration_words(span: timedelta, words: str) -> None:
    assert duration_words(span) == words == duration_words(-span)


instants = st.integers(min_value=0, max_value=10_000).map(lambda m: T0 + m * M)


@given(due=instants, paused=instants, now=instants, done=st.none() | instants)
def test_stopped_clocks_do_not_move_with_now(due: datetime, paused: datetime, now: datetime,
                                             done: datetime | None) -> None:
    """A paused or finished clock reads the same at any later `now`; a running one ticks."""
    a = clock_state(due_at=due, at_risk_at=due, now=now, paused_at=paused, done_at=done)
    b = clock_state(due_at=due, at_risk_at=due, now=now + 7 * H, paused_at=paused, done_at=done)
    assert a == b and not a.ticking
    assert a.state in ((SlaState.MET, SlaState.BREACHED) if done else (SlaState.PAUSED,))


@given(due=instants, paused=instants, pause_for=st.integers(min_value=0, max_value=5_000))
def test_time_left_at_the_pause_is_what_resume_gives_back(due: datetime, paused: datetime,
                                                         pause_for: int) -> None:
    """On an always-open calendar, resuming after any pause leaves the time left frozen at the
    pause when the clock was not yet due; an overdue clock stays put (a breach is not undone)
    and reads overdue by at least the frozen time once resumed."""
    frozen = clock_state(due_at=due, at_risk_at=due, now=paused, paused_at=paused).left
    assert frozen is not None
    resumed_at = paused + pause_for * M
    moved = resume_clock(BusinessCalendar(), SlaDue(due, due, due, due), paused, resumed_at)
    after = clock_state(due_at=moved.resolution_due_at, at_risk_at=moved.resolution_due_at,
                        now=resumed_at).left
    assert after is not None
    if frozen > timedelta(0):
        assert after == frozen
    else:
        assert after <= frozen
