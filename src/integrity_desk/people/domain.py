"""Pure rules of teams and vendors: a team's kind and vendor, a vendor's hours of coverage and
time zone, a contract's targets and period. No session, no I/O; each refusal names its field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from integrity_desk.errors import InvalidInput
from integrity_desk.people.models import TeamKind

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
# Fractions of clocks met or checks passed; a NULL target is "no target".
FRACTIONS = ("first_response_attainment", "resolution_attainment", "qa_accuracy")
DURATIONS = ("aht_minutes", "backlog_age_p90_hours")
TARGETS = FRACTIONS + DURATIONS
MAX_WEEKLY_VOLUME = 10_000_000


def check_team_vendor(kind: str, has_vendor: bool) -> None:
    """A vendor team has its vendor; an internal team has none."""
    if kind not in {k.value for k in TeamKind}:
        raise InvalidInput("a team is internal or vendor", field="kind")
    if kind == TeamKind.VENDOR and not has_vendor:
        raise InvalidInput("a vendor team needs its vendor", field="vendor")
    if kind == TeamKind.INTERNAL and has_vendor:
        raise InvalidInput("an internal team has no vendor", field="vendor")


def check_time_zone(name: str) -> str:
    name = (name or "").strip()
    if not name or name not in available_timezones():
        raise InvalidInput(f"{name!r} is not an IANA time zone (such as Europe/Lisbon)",
                           field="time_zone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name!r} is not an IANA time zone", field="time_zone") from None
    return name


def check_languages(languages: list[str]) -> list[str]:
    cleaned = sorted({str(code).strip() for code in languages if str(code).strip()})
    for code in cleaned:
        if not LANGUAGE.fullmatch(code):
            raise InvalidInput(f"{code!r} is not a language code such as de or pt-BR",
                               field="languages")
    return cleaned


def check_coverage(coverage: Mapping[str, Any], *, field: str = "coverage"
                   ) -> dict[str, list[list[str]]]:
    """A weekly pattern: days mon..sun, each a list of [start, end] in HH:MM with start < end,
    intervals of a day not overlapping. Returned in day order, each day's intervals sorted."""
    if not isinstance(coverage, Mapping):
        raise InvalidInput("weekly hours are a mapping of days to intervals", field=field)
    unknown = sorted(set(coverage) - set(DAYS))
    if unknown:
        raise InvalidInput(f"unknown day(s) {unknown}; days are {', '.join(DAYS)}",
                           field=field)
    pattern: dict[str, list[list[str]]] = {}
    for day in DAYS:
        if day not in coverage:
            continue
        intervals = coverage[day]
        where = f"{field}.{day}"
        if not isinstance(intervals, list | tuple):
            raise InvalidInput("a day's hours are a list of [start, end]", field=where)
        pairs: list[list[str]] = []
        for interval in intervals:
            if (not isinstance(interval, list | tuple) or len(interval) != 2
                    or not all(isinstance(t, str) for t in interval)):
                raise InvalidInput("each interval is [start, end], as [\"08:00\", \"20:00\"]",
                                   field=where)
            start, end = interval
            for t in (start, end):
                if not HHMM.fullmatch(t):
                    raise InvalidInput(f"{t!r} is not a time HH:MM (00:00 to 24:00)",
                                       field=where)
            if start >= end:
                raise InvalidInput(f"{start}–{end}: the start comes before the end",
                                   field=where)
            pairs.append([start, end])
        pairs.sort()
        for (_, end), (start, _) in pairwise(pairs):
            if start < end:
                raise InvalidInput("intervals of a day do not overlap", field=where)
        if pairs:
            pattern[day] = pairs
    return pattern


def check_targets(targets: Mapping[str, float | None]) -> None:
    for name in FRACTIONS:
        value = targets.get(name)
        if value is not None and not 0 <= value <= 1:
            raise InvalidInput("a fraction from 0 to 1 (0.95 is 95%)", field=name)
    for name in DURATIONS:
        value = targets.get(name)
        if value is not None and not 0 < value <= 100_000:
            raise InvalidInput("a positive number up to 100,000", field=name)


EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def check_period(starts_on: date, ends_on: date | None) -> None:
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InvalidInput(f"a day from {EARLIEST} to {LATEST}", field=name)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("a contract ends on or after the day it starts", field="ends_on")


def in_force(starts_on: date, ends_on: date | None, day: date) -> bool:
    return starts_on <= day and (ends_on is None or day <= ends_on)


_WEEK_PART = re.compile(r"\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\S+)\s*-\s*(\S+)\s*")


def parse_week(text: str, *, field: str = "shift_pattern") -> dict[str, list[list[str]]]:
    """A weekly pattern from the words a manager types: "mon-fri 09:00-17:00; sat
    10:00-14:00" (days and ranges of days, each with one interval; parts separated by ";"),
    checked like any pattern. Empty text is an empty pattern."""
    pattern: dict[str, list[list[str]]] = {}
    for part in filter(str.strip, text.lower().split(";")):
        found = _WEEK_PART.fullmatch(part)
        if not found or found[1] not in DAYS or (found[2] and found[2] not in DAYS):
            raise InvalidInput(f"{part.strip()!r}: write days and hours as "
                               "\"mon-fri 09:00-17:00; sat 10:00-14:00\"", field=field)
        first = DAYS.index(found[1])
        last = DAYS.index(found[2]) if found[2] else first
        if last < first:
            raise InvalidInput(f"{part.strip()!r}: a range of days runs from mon to sun",
                               field=field)
        for day in DAYS[first:last + 1]:
            pattern.setdefault(day, []).append([found[3], found[4]])
    return check_coverage(pattern, field=field)


def week_text(pattern: Mapping[str, list[list[str]]]) -> str:
    """The pattern in the words ``parse_week`` reads (consecutive days with the same hours
    joined: "mon-fri 09:00-17:00")."""
    parts: list[str] = []
    days = [d for d in DAYS if d in pattern]
    i = 0
    while i < len(days):
        j = i
        while (j + 1 < len(days) and DAYS.index(days[j + 1]) == DAYS.index(days[j]) + 1
               and pattern[days[j + 1]] == pattern[days[i]]):
            j += 1
        span = days[i] if i == j else f"{days[i]}-{days[j]}"
        parts.extend(f"{span} {a}-{b}" for a, b in pattern[days[i]])
        i = j + 1
    return "; ".join(parts)
