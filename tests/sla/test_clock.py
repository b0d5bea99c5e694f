"""SLA clock: due instants, pauses, hard deadlines and states."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import (
    SlaDue,
    SlaState,
    SlaTarget,
    remaining_minutes,
    resume_clock,
    start_clock,
    state,
)

BERLIN = ZoneInfo("Europe/Berlin")
TARGET = SlaTarget(first_response_minutes=60, resolution_minutes=480, at_risk_fraction=0.25)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def office() -> BusinessCalendar:
    return BusinessCalendar.from_config(
        timezone="Europe/Berlin",
        hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        holiday_country="DE",
        years=[2026],
    )


def test_start_clock_counts_working_time(office: BusinessCalendar) -> None:
    due = start_clock(office, TARGET, berlin(2026, 1, 9, 16))
    assert due == SlaDue(
        first_response_due_at=berlin(2026, 1, 9, 17),
        resolution_due_at=berlin(2026, 1, 12, 16),  # 60 min Friday + 420 min Monday
        resolution_at_risk_at=berlin(2026, 1, 12, 14),  # 120 working minutes (25%) before due
        first_response_at_risk_at=berlin(2026, 1, 9, 16, 45),
    )
    assert remaining_minutes(office, due.resolution_due_at, berlin(2026, 1, 10, 12)) == 420
    assert remaining_minutes(office, due.first_response_due_at, berlin(2026, 1, 12, 10)) == -60


@pytest.mark.parametrize(
    ("deadline", "due_at", "at_risk_at"),
    [
        (berlin(2026, 1, 12, 15), berlin(2026, 1, 12, 15), berlin(2026, 1, 12, 14)),
        (berlin(2026, 1, 12, 12), berlin(2026, 1, 12, 12), berlin(2026, 1, 12, 12)),
        (berlin(2026, 1, 10, 12), berlin(2026, 1, 10, 12), berlin(2026, 1, 10, 12)),  # Saturday
        (berlin(2026, 2, 1), berlin(2026, 1, 12, 16), berlin(2026, 1, 12, 14)),  # not binding
    ],
)
def test_hard_deadline_caps_resolution(
    office: BusinessCalendar, deadline: datetime, due_at: datetime, at_risk_at: datetime
) -> None:
    due = start_clock(office, TARGET, berlin(2026, 1, 9, 16), hard_deadline=deadline)
    assert (due.resolution_due_at, due.resolution_at_risk_at) == (due_at, at_risk_at)
    assert due.first_response_due_at == berlin(2026, 1, 9, 17)


def test_resume_moves_every_instant_by_the_paused_working_time(office: BusinessCalendar) -> None:
    due = start_clock(office, TARGET, berlin(2026, 1, 9, 16))
    moved = resume_clock(office, due, berlin(2026, 1, 9, 16, 30), berlin(2026, 1, 13, 10))
    assert moved == SlaDue(
        first_response_due_at=berlin(2026, 1, 13, 10, 30),
        resolution_due_at=berlin(2026, 1, 14, 9, 30),  # 450 left: 420 Tuesday + 30 Wednesday
        resolution_at_risk_at=berlin(2026, 1, 13, 15, 30),
        first_response_at_risk_at=berlin(2026, 1, 13, 10, 15),
    )


def test_pause_over_christmas_holidays(office: BusinessCalendar) -> None:
    target = SlaTarget(first_response_minutes=30, resolution_minutes=960)
    due = start_clock(office, target, berlin(2026, 12, 23, 10))
    assert due.resolution_due_at == berlin(2026, 12, 28, 10)  # skips Fri 25 Dec and the weekend
    paused, resumed = berlin(2026, 12, 24, 15), berlin(2026, 12, 28, 11)
    moved = resume_clock(office, due, paused, resumed)
    assert moved.resolution_due_at == berlin(2026, 12, 28, 14)  # 180 minutes were left
    assert moved.first_response_due_at == due.first_response_due_at  # already reached
    assert remaining_minutes(office, moved.resolution_due_at, resumed) == 180


def test_hard_deadline_does_not_move_on_resume(office: BusinessCalendar) -> None:
    deadline = berlin(2026, 1, 13, 12)
    due = start_clock(office, TARGET, berlin(2026, 1, 9, 16), hard_deadline=deadline)
    assert due.resolution_due_at == berlin(2026, 1, 12, 16)
    moved = resume_clock(
        office, due, berlin(2026, 1, 9, 16, 30), berlin(2026, 1, 13, 10), hard_deadline=deadline
    )
    assert moved.resolution_due_at == deadline
    assert moved.resolution_at_risk_at == deadline
    assert moved.first_response_due_at == berlin(2026, 1, 13, 10, 30)


def test_breached_instants_stay_put(office: BusinessCalendar) -> None:
    due = start_clock(office, TARGET, berlin(2026, 1, 9, 16))
    moved = resume_clock(office, due, berlin(2026, 1, 12, 16, 30), berlin(2026, 1, 14, 9))
    assert moved == due


def test_invalid_inputs(office: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="resumed_at"):
        resume_clock(
            office,
            start_clock(office, TARGET, berlin(2026, 1, 9)),
            berlin(2026, 1, 9),
            berlin(2026, 1, 8),
        )
    with pytest.raises(ValueError, match="resolution_minutes"):
        SlaTarget(first_response_minutes=10, resolution_minutes=-1)
    with pytest.raises(ValueError, match="at_risk_fraction"):
        SlaTarget(first_response_minutes=10, resolution_minutes=10, at_risk_fraction=1.5)


DUE, RISK = datetime(2026, 1, 12, 16, tzinfo=UTC), datetime(2026, 1, 12, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "paused_at", "done_at", "expected"),
    [
        (RISK - timedelta(minutes=1), None, None, SlaState.ON_TRACK),
        (RISK, None, None, SlaState.AT_RISK),
        (DUE - timedelta(seconds=1), None, None, SlaState.AT_RISK),
        (DUE, None, None, SlaState.BREACHED),
        (DUE + timedelta(days=3), RISK, None, SlaState.PAUSED),
        (DUE + timedelta(days=3), DUE, None, SlaState.BREACHED),
        (DUE + timedelta(days=3), None, DUE, SlaState.MET),
        (RISK, None, DUE + timedelta(seconds=1), SlaState.BREACHED),
        (DUE + timedelta(days=3), RISK, DUE - timedelta(hours=5), SlaState.MET),
    ],
)
def test_state(
    now: datetime, paused_at: datetime | None, done_at: datetime | None, expected: SlaState
) -> None:
    got = state(due_at=DUE, at_risk_at=RISK, now=now, paused_at=paused_at, done_at=done_at)
    assert got is expected


# -- properties ---------------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 5)) == 0:
        return BusinessCalendar(timezone=zone)
    opens = draw(st.integers(0, 20)) * 30
    closes = draw(st.integers(opens // 30 + 1, 48)) * 30
    day = [[_hhmm(opens), _hhmm(closes)]]
    days = draw(
        st.lists(
            st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
            min_size=1,
            unique=True,
        )
    )
    extra = draw(
        st.lists(
            st.integers(0, 400).map(lambda i: date(2026, 1, 1) + timedelta(days=i)), max_size=10
        )
    )
    return BusinessCalendar.from_config(
        timezone=zone,
        hours={d: day for d in days},
        holiday_country=draw(st.sampled_from([None, "DE", "US", "GB", "AU", "IN"])),
        extra_holidays=extra,
        years=[2026, 2027],
    )


minutes_in = st.integers(0, 40 * 24 * 60)
targets = st.builds(
    SlaTarget,
    first_response_minutes=st.integers(0, 600),
    resolution_minutes=st.integers(0, 6000),
    at_risk_fraction=st.floats(0, 1),
)
RESOLUTION_FIELDS = {"resolution_due_at", "resolution_at_risk_at"}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendars(),
    targets,
    minutes_in.map(lambda m: BASE + timedelta(minutes=m * 7, seconds=m % 60)),
    minutes_in,
    minutes_in,
    st.none() | minutes_in,
)
def test_pause_keeps_remaining_working_time(
    cal: BusinessCalendar,
    target: SlaTarget,
    started: datetime,
    pause_after: int,
    pause_for: int,
    deadline_after: int | None,
) -> None:
    deadline = None if deadline_after is None else started + timedelta(minutes=deadline_after)
    due = start_clock(cal, target, started, hard_deadline=deadline)
    paused = started + timedelta(minutes=pause_after // 4)
    resumed = paused + timedelta(minutes=pause_for)
    moved = resume_clock(cal, due, paused, resumed, hard_deadline=deadline)
    for due_obj in (due, moved):
        assert due_obj.resolution_at_risk_at <= due_obj.resolution_due_at
        assert due_obj.first_response_at_risk_at <= due_obj.first_response_due_at
    for field in fields(SlaDue):
        before, after = getattr(due, field.name), getattr(moved, field.name)
        assert after >= before  # pausing never makes anything due earlier
        if before <= paused:
            assert after == before
        elif deadline is None or field.name not in RESOLUTION_FIELDS or after < deadline:
            left_at_pause = remaining_minutes(cal, before, paused)
            assert remaining_minutes(cal, after, resumed) == pytest.approx(left_at_pause, abs=1e-6)
    if deadline is not None:
        assert due.resolution_due_at <= deadline and moved.resolution_due_at <= deadline
        if due.resolution_due_at == deadline:
            assert moved.resolution_due_at == deadline
