"""Pure rules of a person's working time: whether they are on shift at a moment, given their
weekly pattern in their own time zone and their exceptions, and why (in words a team page and a
routing reason can show). No session, no I/O.

The weekly pattern has the shape of a vendor's hours of coverage (people.domain.check_coverage):
local wall-clock times, so a 09:00 shift starts at 09:00 in Lisbon in summer and in winter alike.
A shift through midnight is written as two days' intervals ("mon": [["22:00", "24:00"]],
"tue": [["00:00", "06:00"]]). An empty pattern means the person is not scheduled: routing then
treats them as on shift, and only their availability decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from integrity_desk.people.domain import DAYS
from integrity_desk.people.models import ShiftExceptionKind

# Exceptions that take a person off shift; an extra shift puts them on.
OFF_KINDS = frozenset({ShiftExceptionKind.LEAVE, ShiftExceptionKind.SICK,
                       ShiftExceptionKind.TRAINING})
KIND_WORDS = {ShiftExceptionKind.LEAVE: "on leave", ShiftExceptionKind.SICK: "off sick",
              ShiftExceptionKind.TRAINING: "in training",
              ShiftExceptionKind.EXTRA: "on an extra shift"}


@dataclass(frozen=True)
class ExceptionSpan:
    """An exception as the rules need it (the ORM row or any equal shape)."""

    kind: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ShiftState:
    on_shift: bool
    why: str  # "on shift until 17:00", "on leave until 12 Dec 18:00", "not scheduled"
    until: datetime | None = None  # when this state ends, as far as the pattern knows


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _local(at: datetime, time_zone: str) -> datetime:
    return at.astimezone(ZoneInfo(time_zone))


def _pattern_end(pattern: Mapping[str, Sequence[Sequence[str]]], local: datetime
                 ) -> int | None:
    """Minutes after local midnight at which the pattern's interval holding ``local`` ends,
    or None when ``local`` is outside the pattern."""
    now = local.hour * 60 + local.minute + local.second / 60
    for start, end in pattern.get(DAYS[local.weekday()], ()):
        if _minutes(start) <= now < _minutes(end):
            return _minutes(end)
    return None


def in_pattern(pattern: Mapping[str, Sequence[Sequence[str]]], time_zone: str,
               at: datetime) -> bool:
    """Whether the weekly pattern has the person working at ``at``."""
    return _pattern_end(pattern, _local(at, time_zone)) is not None


def _at_local_minute(local: datetime, minute: int, time_zone: str) -> datetime:
    """The instant of ``minute`` minutes after local midnight of ``local``'s day, in UTC
    (24:00 is the next midnight; a wall time DST skipped resolves as zoneinfo resolves it)."""
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    wall = day + timedelta(minutes=minute)
    return wall.replace(tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def next_shift_start(pattern: Mapping[str, Sequence[Sequence[str]]], time_zone: str,
                     after: datetime) -> datetime | None:
    """The first start of a patterned shift after ``after`` (within the coming week)."""
    local = _local(after, time_zone)
    for offset in range(8):
        day = local + timedelta(days=offset)
        for start, _ in pattern.get(DAYS[day.weekday()], ()):
            begins = _at_local_minute(day, _minutes(start), time_zone)
            if begins > after:
                return begins
    return None


def shift_state(pattern: Mapping[str, Sequence[Sequence[str]]], time_zone: str,
                exceptions: Iterable[ExceptionSpan], at: datetime) -> ShiftState:
    """On shift or not at ``at``, and why. An exception in force outranks the pattern; when
    two overlap, one taking the person off wins over an extra shift (leave is leave)."""
    current = [e for e in exceptions if e.starts_at <= at < e.ends_at]
    off = [e for e in current if e.kind in OFF_KINDS]
    if off:
        last = max(off, key=lambda e: e.ends_at)
        return ShiftState(False, f"{KIND_WORDS[ShiftExceptionKind(last.kind)]} until "
                                 f"{_when(last.ends_at, time_zone)}", last.ends_at)
    extra = [e for e in current if e.kind == ShiftExceptionKind.EXTRA]
    if extra:
        last = max(extra, key=lambda e: e.ends_at)
        return ShiftState(True, f"on an extra shift until {_when(last.ends_at, time_zone)}",
                          last.ends_at)
    if not pattern:
        return ShiftState(True, "not scheduled (no weekly shifts set)")
    local = _local(at, time_zone)
    end = _pattern_end(pattern, local)
    if end is not None:
        until = _at_local_minute(local, end, time_zone)
        return ShiftState(True, f"on shift until {_when(until, time_zone)}", until)
    starts = next_shift_start(pattern, time_zone, at)
    return ShiftState(False, "off shift" + (f" (next shift {_when(starts, time_zone)})"
                                            if starts else ""), starts)


def _when(at: datetime, time_zone: str) -> str:
    """"Mon 09:00" in the person's own time zone, with the zone when it is not UTC."""
    local = _local(at, time_zone)
    zone = "" if time_zone == "UTC" else f" {local.tzname()}"
    return f"{local:%a %d %b %H:%M}{zone}"


def weekly_hours(pattern: Mapping[str, Sequence[Sequence[str]]]) -> float:
    """Hours a week the pattern schedules (the person page and staffing show it)."""
    return sum(_minutes(end) - _minutes(start)
               for intervals in pattern.values() for start, end in intervals) / 60


AVAILABILITY_WORDS = {"available": "available", "away": "away", "training": "in training",
                      "off": "off"}


def not_ready(availability: str, shift: ShiftState, in_hand: int, capacity: int | None
              ) -> list[str]:
    """Why a person cannot take work now, each reason a phrase that follows "Ana is" or
    "you are" ("away", "on leave until …", "at capacity: 5 of 5 cases in hand"); empty: ready.
    Routing, the pull claim and the Team page all read this one rule."""
    why = []
    if availability != "available":
        why.append(AVAILABILITY_WORDS.get(availability, availability))
    if not shift.on_shift:
        why.append(shift.why)
    if capacity is not None and in_hand >= capacity:
        why.append(f"at capacity: {in_hand} of {capacity} cases in hand")
    return why


Span = tuple[datetime, datetime]


def union(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans merged, in order."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def minus(spans: Iterable[Span], cut: Iterable[Span]) -> list[Span]:
    """``spans`` without any time in ``cut``."""
    cuts = union(cut)
    out: list[Span] = []
    for start, end in union(spans):
        for c_start, c_end in cuts:
            if c_end <= start or c_start >= end:
                continue
            if c_start > start:
                out.append((start, c_start))
            start = max(start, c_end)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def intersect(a: Iterable[Span], b: Iterable[Span]) -> list[Span]:
    bs = union(b)
    out = []
    for start, end in union(a):
        for b_start, b_end in bs:
            lo, hi = max(start, b_start), min(end, b_end)
            if lo < hi:
                out.append((lo, hi))
    return union(out)


def seconds(spans: Iterable[Span]) -> float:
    return sum((end - start).total_seconds() for start, end in spans)


def shift_spans(pattern: Mapping[str, Sequence[Sequence[str]]], time_zone: str,
                exceptions: Iterable[ExceptionSpan], start: datetime, end: datetime
                ) -> list[Span]:
    """When the person is on shift within ``[start, end)``, by the same rules as
    ``shift_state``: the weekly pattern in their own time zone (a DST day is an hour shorter
    or longer on the wall clock's terms), plus extra shifts, minus leave, sickness and
    training. An empty pattern is "not scheduled": on shift throughout, as routing treats it."""
    exceptions = list(exceptions)
    if not pattern:
        planned: list[Span] = [(start, end)]
    else:
        planned = []
        local = _local(start, time_zone) - timedelta(days=1)
        last = _local(end, time_zone) + timedelta(days=1)
        while local.date() <= last.date():
            for s, e in pattern.get(DAYS[local.weekday()], ()):
                planned.append((_at_local_minute(local, _minutes(s), time_zone),
                                _at_local_minute(local, _minutes(e), time_zone)))
            local += timedelta(days=1)
        planned += [(e.starts_at, e.ends_at) for e in exceptions
                    if e.kind == ShiftExceptionKind.EXTRA]
    on = minus(planned, [(e.starts_at, e.ends_at) for e in exceptions if e.kind in OFF_KINDS])
    return intersect(on, [(start, end)])
