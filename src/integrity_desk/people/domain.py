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


def check_coverage(coverage: Mapping[str, Any]) -> dict[str, list[list[str]]]:
    """A weekly pattern: days mon..sun, each a list of [start, end] in HH:MM with start < end,
    intervals of a day not overlapping. Returned in day order, each day's intervals sorted."""
    if not isinstance(coverage, Mapping):
        raise InvalidInput("hours of coverage are a mapping of days to intervals",
                           field="coverage")
    unknown = sorted(set(coverage) - set(DAYS))
    if unknown:
        raise InvalidInput(f"unknown day(s) {unknown}; days are {', '.join(DAYS)}",
                           field="coverage")
    pattern: dict[str, list[list[str]]] = {}
    for day in DAYS:
        if day not in coverage:
            continue
        intervals = coverage[day]
        where = f"coverage.{day}"
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
