"""BusinessCalendar: hand-checked examples (DST, holidays, breaks) and hypothesis properties."""

from __future__ import annotations

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from integrity_desk.sla.calendar import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
NINE_TO_FIVE = {day: [["09:00", "17:00"]] for day in WEEKDAYS}


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def de_office() -> BusinessCalendar:
    return BusinessCalendar.from_config(
        timezone="Europe/Berlin", hours=NINE_TO_FIVE, holiday_country="DE", years=[2026]
    )


# -- examples ---------------------------------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend(de_office: BusinessCalendar) -> None:
    result = de_office.add(berlin(2026, 1, 9, 16), 120)
    assert result == berlin(2026, 1, 12, 10)
    assert result.tzinfo is UTC
    assert de_office.working_minutes(berlin(2026, 1, 9, 16), result) == 120


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (berlin(2026, 4, 30, 16), berlin(2026, 5, 4, 10)),  # Fri 1 May, Labour Day
        (berlin(2026, 12, 24, 16), berlin(2026, 12, 28, 10)),  # Fri 25 Dec, Christmas
    ],
)
def test_public_holidays_are_skipped(
    de_office: BusinessCalendar, start: datetime, expected: datetime
) -> None:
    assert de_office.add(start, 120) == expected
    assert not de_office.is_working(berlin(2026, 12, 25, 12))


def test_extra_holidays_and_default_years() -> None:
    cal = BusinessCalendar.from_config(
        timezone="Europe/Berlin",
        hours=NINE_TO_FIVE,
        holiday_country="DE",
        extra_holidays=["2026-01-12", date(2026, 1, 13)],
    )
    assert date(date.today().year, 1, 1) in cal.holidays  # default covers this year
    assert cal.add(berlin(2026, 1, 9, 16), 120) == berlin(2026, 1, 14, 10)


def test_is_working_boundaries(de_office: BusinessCalendar) -> None:
    assert de_office.is_working(berlin(2026, 1, 9, 9))
    assert de_office.is_working(berlin(2026, 1, 9, 16, 59))
    assert not de_office.is_working(berlin(2026, 1, 9, 17))  # intervals are [start, end)
    assert not de_office.is_working(berlin(2026, 1, 10, 12))  # Saturday
    assert de_office.is_working(datetime(2026, 1, 9, 8, tzinfo=UTC))  # 09:00 CET


def test_add_zero_on_closed_instant_returns_next_opening(de_office: BusinessCalendar) -> None:
    assert de_office.add(berlin(2026, 1, 10, 12), 0) == berlin(2026, 1, 12, 9)
    assert de_office.add(berlin(2026, 1, 9, 12), 0) == berlin(2026, 1, 9, 12)
    assert de_office.add(berlin(2026, 1, 9, 12), 300) == berlin(2026, 1, 9, 17)  # end, not Mon


def test_working_minutes_sign_and_weekend(de_office: BusinessCalendar) -> None:
    friday, monday = berlin(2026, 1, 9, 16), berlin(2026, 1, 12, 10)
    assert de_office.working_minutes(friday, monday) == 120
    assert de_office.working_minutes(monday, friday) == -120
    assert de_office.working_minutes(berlin(2026, 1, 10), berlin(2026, 1, 11)) == 0


def test_opening_stays_at_local_nine_across_spring_forward() -> None:
    cal = BusinessCalendar.from_config(
        timezone="Europe/Berlin", hours={d: [["09:00", "17:00"]] for d in ("fri", "sun", "mon")}
    )
    assert cal.add(berlin(2026, 3, 29, 0), 0) == datetime(2026, 3, 29, 7, tzinfo=UTC)
    assert cal.add(berlin(2026, 3, 27, 0), 0) == datetime(2026, 3, 27, 8, tzinfo=UTC)
    assert cal.add(berlin(2026, 3, 27, 16), 120) == berlin(2026, 3, 29, 10)


@pytest.mark.parametrize(
    ("day", "hours", "local_hour_after_24h"),
    [(date(2026, 3, 29), 23, 13), (date(2026, 10, 25), 25, 11)],
)
def test_24_7_counts_real_elapsed_time_across_dst(
    day: date, hours: int, local_hour_after_24h: int
) -> None:
    always = BusinessCalendar(timezone="Europe/Berlin")
    midnight = datetime.combine(day, time(0), BERLIN)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), BERLIN)
    assert always.working_minutes(midnight, next_midnight) == hours * 60
    noon_before = datetime.combine(day - timedelta(days=1), time(12), BERLIN)
    result = always.add(noon_before, 24 * 60)  # 24 real hours, not "same wall time tomorrow"
    assert result - noon_before.astimezone(UTC) == timedelta(hours=24)
    assert result.astimezone(BERLIN).hour == local_hour_after_24h
    # Per-day path (24/7 with a holiday elsewhere) must count the same real time.
    with_holiday = BusinessCalendar(
        timezone="Europe/Berlin", holidays=frozenset({date(2026, 1, 1)})
    )
    assert with_holiday.working_minutes(midnight, next_midnight) == hours * 60
    assert with_holiday.add(noon_before, 24 * 60) == result


def test_night_window_across_dst() -> None:
    cal = BusinessCalendar.from_config(
        timezone="Europe/Berlin", hours={"sun": [["01:00", "04:00"]]}
    )
    # Spring forward: 01:00 CET (00:00Z) .. 04:00 CEST (02:00Z) is two real hours.
    spring = (berlin(2026, 3, 28, 12), berlin(2026, 3, 30))
    assert cal.working_minutes(*spring) == 120
    assert cal.add(spring[0], 90) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert cal.add(spring[0], 120) == datetime(2026, 3, 29, 2, tzinfo=UTC)
    # Fall back: 01:00 CEST (23:00Z Sat) .. 04:00 CET (03:00Z) is four real hours.
    autumn = (berlin(2026, 10, 24, 12), berlin(2026, 10, 26))
    assert cal.working_minutes(*autumn) == 240
    assert cal.add(autumn[0], 150) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 2nd 02:30


def test_window_inside_dst_gap_counts_nothing() -> None:
    cal = BusinessCalendar.from_config(
        timezone="Europe/Berlin", hours={"sun": [["02:00", "02:30"], ["03:00", "04:00"]]}
    )
    assert cal.working_minutes(berlin(2026, 3, 28), berlin(2026, 3, 30)) == 60
    assert cal.working_minutes(berlin(2026, 3, 21), berlin(2026, 3, 23)) == 90


def test_dst_gap_at_midnight_joins_saturday_to_sunday() -> None:
    # Sao Paulo sprang forward at Sun 2018-11-04 00:00 (-03) -> 01:00 (-02).
    cal = BusinessCalendar.from_config(
        timezone="America/Sao_Paulo",
        hours={"sat": [["22:00", "24:00"]], "sun": [["00:00", "02:00"]]},
    )
    saturday_22 = datetime(2018, 11, 4, 1, tzinfo=UTC)
    assert cal.working_minutes(saturday_22, datetime(2018, 11, 5, tzinfo=UTC)) == 180
    assert cal.add(saturday_22, 150) == datetime(2018, 11, 4, 3, 30, tzinfo=UTC)  # 01:30 -02


def test_new_york_business_hours_and_holiday() -> None:
    cal = BusinessCalendar.from_config(
        timezone="America/New_York", hours=NINE_TO_FIVE, holiday_country="US", years=[2026]
    )
    # DST starts Sun 8 Mar: Fri 16:00 EST (21:00Z) + 2h -> Mon 10:00 EDT (14:00Z).
    start = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)
    assert cal.add(start, 120) == datetime(2026, 3, 9, 14, tzinfo=UTC)
    # Fri 3 Jul 2026 is Independence Day (observed).
    assert cal.add(datetime(2026, 7, 2, 16, tzinfo=NEW_YORK), 120) == datetime(
        2026, 7, 6, 10, tzinfo=NEW_YORK
    )


def test_lunch_break_is_not_working_time() -> None:
    cal = BusinessCalendar.from_config(
        timezone="Europe/London", hours={"tue": [["13:00", "17:00"], ["09:00", "12:00"]]}
    )
    london = ZoneInfo("Europe/London")
    assert cal.add(datetime(2026, 6, 2, 11, tzinfo=london), 90) == datetime(
        2026, 6, 2, 13, 30, tzinfo=london
    )
    assert not cal.is_working(datetime(2026, 6, 2, 12, 30, tzinfo=london))
    day = (datetime(2026, 6, 2, tzinfo=london), datetime(2026, 6, 3, tzinfo=london))
    assert cal.working_minutes(*day) == 420


def test_midnight_end_joins_next_day() -> None:
    cal = BusinessCalendar.from_config(
        timezone="UTC", hours={"sat": [["22:00", "24:00"]], "sun": [["00:00", "02:00"]]}
    )
    saturday = datetime(2026, 1, 10, 23, tzinfo=UTC)
    assert cal.add(saturday, 120) == datetime(2026, 1, 11, 1, tzinfo=UTC)
    assert cal.hours is not None and cal.hours[5] == ((time(22), time(0)),)


def test_ten_thousand_minutes_is_fast(de_office: BusinessCalendar) -> None:
    began = wallclock.perf_counter()
    result = de_office.add(berlin(2026, 1, 5, 9), 10_000)  # 20 working days + 400 minutes
    assert wallclock.perf_counter() - began < 0.5
    assert result == berlin(2026, 2, 2, 15, 40)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": {"mnd": [["09:00", "17:00"]]}}, "mnd"),
        ({"hours": {"mon": [["17:00", "09:00"]]}}, "17:00-09:00 on mon"),
        ({"hours": {"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "overlapping.*tue"),
        ({"hours": {"wed": [["9am", "17:00"]]}}, "'9am'"),
        ({"hours": {"wed": [["09:00", "25:00"]]}}, "'25:00'"),
        ({"hours": {"wed": [["24:00", "24:00"]]}}, "'24:00'"),
        ({"hours": {"thu": [["09:00"]]}}, "thu"),
        ({"holiday_country": "XX"}, "XX"),
        ({"holiday_country": "DE", "holiday_subdivision": "ZZ"}, "ZZ"),
        ({"timezone": "Mars/Olympus_Mons"}, "Mars/Olympus_Mons"),
        ({"extra_holidays": ["2026-13-01"]}, "2026-13-01"),
    ],
)
def test_invalid_config_names_the_bad_part(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_config(**kwargs)


def test_invalid_direct_construction_and_inputs(de_office: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar(hours={7: ((time(9), time(17)),)})
    with pytest.raises(ValueError, match="fri"):
        BusinessCalendar(hours={4: ((time(9), time(9)),)})
    with pytest.raises(ValueError, match="aware"):
        de_office.add(datetime(2026, 1, 9, 16), 10)
    with pytest.raises(ValueError, match="aware"):
        de_office.working_minutes(berlin(2026, 1, 9), datetime(2026, 1, 10))
    with pytest.raises(ValueError, match="minutes"):
        de_office.add(berlin(2026, 1, 9), -1)


@pytest.mark.parametrize("hours", [{}, {"mon": [], "tue": []}])
def test_calendar_without_working_time_does_not_loop(hours: dict) -> None:
    cal = BusinessCalendar.from_config(hours=hours)
    with pytest.raises(ValueError, match="no working time"):
        cal.add(datetime(2026, 1, 1, tzinfo=UTC), 1)
    assert (
        cal.working_minutes(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)) == 0
    )


def test_years_of_holidays_hit_the_idle_cap() -> None:
    days = frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(4 * 366))
    cal = BusinessCalendar(hours={0: ((time(9), time(17)),)}, holidays=days)
    with pytest.raises(ValueError, match="no working time"):
        cal.add(datetime(2026, 1, 1, tzinfo=UTC), 1)


# -- properties ---------------------------------------------------------------------------------

ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
]
SLOT = 30  # minutes; every listed zone's offsets and DST gaps are multiples of this
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
DST_DAYS = [
    datetime(2026, m, d, tzinfo=UTC)
    for m, d in ((3, 8), (3, 29), (4, 5), (10, 4), (10, 25), (11, 1))
]


def _as_time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    bounds = sorted(draw(st.sets(st.sampled_from(range(0, 1441, SLOT)), max_size=6)))
    pairs = list(zip(bounds[::2], bounds[1::2], strict=False))
    return tuple((_as_time(a), _as_time(b)) for a, b in pairs)


@st.composite
def calendars(draw: st.DrawFn, *, business: bool = True) -> BusinessCalendar:
    zone = draw(st.sampled_from(ZONES))
    hours = draw(st.dictionaries(st.integers(0, 6), day_hours(), min_size=1)) if business else None
    offsets = st.integers(-5, (LAST - FIRST).days + 60)
    days = draw(st.frozensets(offsets.map(lambda i: FIRST.date() + timedelta(days=i)), max_size=40))
    return BusinessCalendar(timezone=zone, hours=hours, holidays=days)


def instants(*, slot_aligned: bool = False) -> st.SearchStrategy[datetime]:
    step = timedelta(minutes=SLOT) if slot_aligned else timedelta(seconds=1)
    span = int((LAST - FIRST) / step)
    uniform = st.integers(0, span).map(lambda n: FIRST + n * step)
    near_dst = st.tuples(st.sampled_from(DST_DAYS), st.integers(-96, 96)).map(
        lambda pair: pair[0] + pair[1] * timedelta(minutes=SLOT)
    )
    return st.one_of(uniform, near_dst)


minutes = st.one_of(st.integers(0, 15_000), st.floats(0, 15_000, allow_nan=False))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def has_hours(cal: BusinessCalendar) -> bool:
    return cal.hours is None or any(cal.hours.values())


@FAST
@given(calendars(), instants(), minutes)
def test_add_then_measure_round_trips(cal: BusinessCalendar, start: datetime, m: float) -> None:
    assume(has_hours(cal))
    result = cal.add(start, m)
    opening = cal.add(start, 0)
    assert cal.is_working(opening)
    assert cal.working_minutes(start, opening) == 0
    assert cal.working_minutes(start, result) == pytest.approx(m, abs=1e-6)
    assert cal.working_minutes(opening, result) == pytest.approx(m, abs=1e-6)


@FAST
@given(calendars(), instants(), minutes, minutes)
def test_add_is_monotonic(cal: BusinessCalendar, start: datetime, m1: float, m2: float) -> None:
    assume(has_hours(cal))
    low, high = sorted((m1, m2))
    assert cal.add(start, low) <= cal.add(start, high)
    assert cal.add(start, high) >= start


def _oracle_is_working(cal: BusinessCalendar, instant: datetime) -> bool:
    """Independent check on days without an offset change: read the local wall clock."""
    local = instant.astimezone(ZoneInfo(cal.timezone))
    if local.date() in cal.holidays or cal.hours is None:
        return local.date() not in cal.holidays
    minute = local.hour * 60 + local.minute + local.second / 60
    spans = cal.hours.get(local.weekday(), ())
    return any(
        a.hour * 60 + a.minute <= minute < (b.hour * 60 + b.minute or 1440) for a, b in spans
    )


def _steady_offset(cal: BusinessCalendar, *instants: datetime) -> bool:
    tz = ZoneInfo(cal.timezone)
    probes = [i + k * timedelta(days=1) for i in instants for k in (-1, 0, 1)]
    return len({p.astimezone(tz).utcoffset() for p in probes}) == 1


@FAST
@given(calendars(), instants(), minutes)
def test_add_never_lands_inside_closed_time(
    cal: BusinessCalendar, start: datetime, m: float
) -> None:
    assume(has_hours(cal))
    result = cal.add(start, m)
    tick = timedelta(microseconds=1)
    assert cal.is_working(result) or cal.is_working(result - tick)
    if _steady_offset(cal, result):
        assert _oracle_is_working(cal, result) or _oracle_is_working(cal, result - tick)


@FAST
@given(calendars(), st.lists(instants(), min_size=3, max_size=3).map(sorted))
def test_working_minutes_is_additive(cal: BusinessCalendar, abc: list[datetime]) -> None:
    a, b, c = abc
    ab, bc, ac = cal.working_minutes(a, b), cal.working_minutes(b, c), cal.working_minutes(a, c)
    assert ab + bc == pytest.approx(ac, abs=1e-9)
    assert cal.working_minutes(b, a) == -ab
    assert 0 <= ab <= (b - a) / timedelta(minutes=1)


@settings(max_examples=40, deadline=None)
@given(calendars(), instants(slot_aligned=True), st.integers(0, 8 * 48))
def test_working_minutes_matches_slot_oracle(
    cal: BusinessCalendar, a: datetime, slots: int
) -> None:
    b = a + slots * timedelta(minutes=SLOT)
    assume(_steady_offset(cal, a, b))
    step = timedelta(minutes=SLOT)
    expected = SLOT * sum(_oracle_is_working(cal, a + i * step) for i in range(slots))
    assert cal.working_minutes(a, b) == expected


@FAST
@given(calendars(business=False), instants(), minutes)
def test_24_7_add_is_plain_timedelta(cal: BusinessCalendar, start: datetime, m: float) -> None:
    plain = BusinessCalendar(timezone=cal.timezone)
    local_start = start.astimezone(ZoneInfo(cal.timezone))
    assert plain.add(local_start, m) == start + timedelta(minutes=m)
    assert plain.working_minutes(local_start, plain.add(local_start, m)) == pytest.approx(
        m, abs=1e-6
    )
    # With holidays, a 24/7 calendar counts absolute time minus the holidays' local days.
    tz, end = ZoneInfo(cal.timezone), start + timedelta(minutes=m)
    off = timedelta(0)
    for day in cal.holidays:
        lo = max(datetime.combine(day, time(0), tz), start)
        hi = min(datetime.combine(day + timedelta(days=1), time(0), tz), end)
        off += max(hi - lo, timedelta(0))
    assert cal.working_minutes(start, end) == pytest.approx(
        m - off / timedelta(minutes=1), abs=1e-6
    )
