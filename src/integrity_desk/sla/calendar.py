"""Working-time calendar for SLA clocks: 24/7, or business hours in a team's time zone.

Business intervals are local wall-clock times. They are converted to UTC per local date with
zoneinfo (never with a fixed offset), so a 09:00 opening stays at 09:00 local across DST changes
and a window spanning a DST transition counts only the time that really elapses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

__all__ = ["DAY_NAMES", "MAX_IDLE_DAYS", "BusinessCalendar"]

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# add() gives up after this many consecutive days without working time (e.g. all days empty).
MAX_IDLE_DAYS = 3 * 366

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")

Span = tuple[timedelta, timedelta]  # offsets from local midnight, [start, end)
Window = tuple[datetime, datetime]  # UTC instants, [start, end)


def _aware_utc(value: datetime, name: str) -> datetime:
    """Reject naive datetimes (their meaning is ambiguous) and normalise to UTC."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


def _offset(t: time, *, is_end: bool) -> timedelta:
    """Offset of `t` from midnight; an end of 00:00 means 24:00 (time() cannot hold 24:00)."""
    if is_end and t == time(0):
        return _DAY
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _fmt(t: time, *, is_end: bool = False) -> str:
    return "24:00" if is_end and t == time(0) else t.strftime("%H:%M")


def _parse_time(text: object, day: str, *, is_end: bool) -> time:
    """Parse "HH:MM" ("24:00" only as an end) with an error naming the day and value."""
    match = _TIME_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"invalid time {text!r} on {day}: expected 'HH:MM'")
    hour, minute = int(match[1]), int(match[2])
    if is_end and (hour, minute) == (24, 0):
        return time(0)
    if hour > 23 or minute > 59:
        raise ValueError(f"invalid time {text!r} on {day}: out of range")
    return time(hour, minute)


def _parse_hours(config: Mapping[str, list[list[str]]]) -> dict[int, tuple[tuple[time, time], ...]]:
    result: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, intervals in config.items():
        day = str(key).strip().lower()
        if day not in DAY_NAMES:
            raise ValueError(
                f"unknown day {key!r} in hours: expected one of {', '.join(DAY_NAMES)}"
            )
        index = DAY_NAMES.index(day)
        if index in result:
            raise ValueError(f"day {key!r} appears more than once in hours")
        parsed = []
        for item in intervals:
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise ValueError(f"interval {item!r} on {day} must be a [start, end] pair")
            start = _parse_time(item[0], day, is_end=False)
            parsed.append((start, _parse_time(item[1], day, is_end=True)))
        result[index] = tuple(parsed)
    return result


def _parse_date(value: str | date) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"extra holiday {value!r} must be a date, not a datetime")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"invalid extra holiday {value!r}: expected 'YYYY-MM-DD'") from None


@dataclass(frozen=True)
class BusinessCalendar:
    """When the SLA clock runs. `hours=None` means 24/7; a missing weekday means closed.

    An interval end of ``time(0)`` means 24:00 (end of that day). Holidays are local dates.
    """

    timezone: str = "UTC"
    hours: Mapping[int, tuple[tuple[time, time], ...]] | None = field(default=None, hash=False)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        object.__setattr__(self, "_tz", tz)
        days = frozenset(self.holidays)
        if not all(isinstance(d, date) and not isinstance(d, datetime) for d in days):
            raise ValueError("holidays must contain only dates")
        object.__setattr__(self, "holidays", days)
        if self.hours is None:
            spans: tuple[tuple[Span, ...], ...] = (((timedelta(0), _DAY),),) * 7
        else:
            bad = [day for day in self.hours if not isinstance(day, int) or day not in range(7)]
            if bad:
                raise ValueError(f"unknown weekday(s) {bad} in hours: expected 0 (Mon) .. 6 (Sun)")
            hours = {day: self._sorted(day, ivs) for day, ivs in self.hours.items()}
            spans = tuple(self._validate_day(day, hours.get(day, ())) for day in range(7))
            object.__setattr__(self, "hours", MappingProxyType(hours))
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_always_open", self.hours is None and not days)
        object.__setattr__(self, "_never_open", not any(spans))

    @staticmethod
    def _sorted(day: int, intervals: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
        """Reject anything that is not a (time, time) pair, then order by start."""
        result = tuple(tuple(interval) for interval in intervals)
        for interval in result:
            if len(interval) != 2 or not all(isinstance(t, time) for t in interval):
                raise ValueError(f"interval {interval!r} on {DAY_NAMES[day]}: need (time, time)")
        return tuple(sorted(result))  # type: ignore[arg-type]

    @staticmethod
    def _validate_day(day: int, intervals: tuple[tuple[time, time], ...]) -> tuple[Span, ...]:
        """Check one weekday's intervals: well-formed, non-empty and non-overlapping."""
        name = DAY_NAMES[day]
        spans: list[Span] = []
        for interval in intervals:
            start, end = interval
            label = f"{_fmt(start)}-{_fmt(end, is_end=True)}"
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError(f"interval {label} on {name}: times must be naive wall-clock")
            span = (_offset(start, is_end=False), _offset(end, is_end=True))
            if span[1] <= span[0]:
                raise ValueError(f"interval {label} on {name}: end must be after start")
            if spans and span[0] < spans[-1][1]:
                raise ValueError(f"overlapping intervals on {name}: {label} overlaps the previous")
            spans.append(span)
        return tuple(spans)

    @classmethod
    def from_config(
        cls,
        *,
        timezone: str = "UTC",
        hours: dict[str, list[list[str]]] | None = None,
        holiday_country: str | None = None,
        holiday_subdivision: str | None = None,
        extra_holidays: Iterable[str | date] = (),
        years: Iterable[int] | None = None,
    ) -> BusinessCalendar:
        """Build a calendar from settings-style data; every mistake is a ValueError."""
        days = {_parse_date(value) for value in extra_holidays}
        if holiday_country:
            this_year = date.today().year
            year_list = (
                list(years) if years is not None else list(range(this_year - 1, this_year + 4))
            )
            try:
                country = holidays_lib.country_holidays(
                    holiday_country.strip().upper(), subdiv=holiday_subdivision, years=year_list
                )
            except NotImplementedError as exc:
                raise ValueError(
                    f"unknown holiday country/subdivision {holiday_country!r}"
                    f"/{holiday_subdivision!r}: {exc}"
                ) from None
            days.update(country.keys())
        elif holiday_subdivision:
            raise ValueError(f"holiday_subdivision {holiday_subdivision!r} needs holiday_country")
        parsed = None if hours is None else _parse_hours(hours)
        return cls(timezone=timezone, hours=parsed, holidays=frozenset(days))

    # -- wall clock -> UTC ------------------------------------------------------------------

    def _to_utc(self, wall: datetime) -> datetime:
        """Earliest instant showing `wall`; wall times in a DST gap map to the transition."""
        utc = wall.replace(tzinfo=self._tz).astimezone(UTC)
        if utc.astimezone(self._tz).replace(tzinfo=None) == wall:
            return utc
        # `wall` never happens: binary-search the transition so the mapping stays monotonic.
        ends = [wall.replace(tzinfo=self._tz, fold=f).astimezone(UTC) for f in (0, 1)]
        lo, hi = math.floor(min(ends).timestamp()), math.ceil(max(ends).timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self._tz).replace(tzinfo=None) > wall:
                hi = mid
            else:
                lo = mid
        return datetime.fromtimestamp(hi, UTC)

    def _windows(self, day: date) -> list[Window]:
        """Working windows (UTC) that belong to local date `day`, in order."""
        if day in self.holidays:
            return []
        midnight = datetime.combine(day, time(0))
        windows = []
        for start, end in self._spans[day.weekday()]:
            window = (self._to_utc(midnight + start), self._to_utc(midnight + end))
            if window[1] > window[0]:
                windows.append(window)
        return windows

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._tz).date()

    def _windows_from(self, instant: datetime) -> Iterator[Window]:
        """Yield windows ending after `instant`, in order; give up after a long idle stretch."""
        day = self._local_date(instant) - _DAY  # windows never reach beyond the next date
        idle = 0
        while not self._never_open and idle <= MAX_IDLE_DAYS:
            found = False
            for window in self._windows(day):
                if window[1] > instant:
                    found = True
                    yield window
            idle = 0 if found else idle + 1
            day += _DAY
        raise ValueError(f"calendar has no working time within {MAX_IDLE_DAYS} days")

    # -- public API -------------------------------------------------------------------------

    def is_working(self, at: datetime) -> bool:
        """Whether the SLA clock runs at instant `at`."""
        at = _aware_utc(at, "at")
        if self._always_open:
            return True
        today = self._local_date(at)
        days = (today - _DAY, today, today + _DAY)
        return any(s <= at < e for day in days for s, e in self._windows(day))

    def add(self, start: datetime, minutes: float) -> datetime:
        """Instant (UTC) when `minutes` of working time have elapsed after `start`.

        Counting starts at the next working instant, so add(closed, 0) is the next opening.
        """
        start = _aware_utc(start, "start")
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
        remaining = timedelta(minutes=minutes)
        if self._always_open:
            return start + remaining
        for window_start, window_end in self._windows_from(start):
            window_start = max(window_start, start)
            if remaining <= window_end - window_start:
                return window_start + remaining
            remaining -= window_end - window_start
        raise AssertionError("unreachable: _windows_from raises when exhausted")

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end); negative when end is before start."""
        start, end = _aware_utc(start, "start"), _aware_utc(end, "end")
        if end < start:
            return -self.working_minutes(end, start)
        if self._always_open:
            return (end - start) / _MINUTE
        total = timedelta(0)
        day, last = self._local_date(start) - _DAY, self._local_date(end) + _DAY
        while day <= last:
            for window_start, window_end in self._windows(day):
                overlap = min(window_end, end) - max(window_start, start)
                if overlap > timedelta(0):
                    total += overlap
            day += _DAY
        return total / _MINUTE
