"""The pure rules of working time: on shift or not, and why, in the person's own time zone,
across midnight, a DST change and exceptions (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrity_desk.people.shifts import (
    ExceptionSpan,
    in_pattern,
    next_shift_start,
    shift_state,
    weekly_hours,
)

WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
LISBON = "Europe/Lisbon"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("moment", "working"), [
    ("2026-12-07T08:59", False),  # Monday, Lisbon is UTC in winter
    ("2026-12-07T09:00", True),
    ("2026-12-07T16:59", True),
    ("2026-12-07T17:00", False),  # half-open: the end is not worked
    ("2026-12-12T10:00", False),  # Saturday
    ("2026-07-06T08:30", True),  # Monday in summer: 09:30 in Lisbon (UTC+1)
    ("2026-07-06T16:30", False),  # 17:30 in Lisbon
])
def test_the_pattern_is_read_in_the_persons_own_time_zone(moment: str, working: bool) -> None:
    assert in_pattern(WEEKDAYS, LISBON, at(moment)) is working


def test_a_night_shift_is_two_days_intervals() -> None:
    night = {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}
    assert in_pattern(night, "UTC", at("2026-12-07T23:30"))
    assert in_pattern(night, "UTC", at("2026-12-08T05:59"))
    assert not in_pattern(night, "UTC", at("2026-12-08T06:00"))
    state = shift_state(night, "UTC", [], at("2026-12-07T23:00"))
    assert state.on_shift and state.until == at("2026-12-08T00:00")
    assert weekly_hours(night) == 8


def test_off_shift_says_when_the_next_shift_starts_across_a_dst_change() -> None:
    # Friday 27 March 2026, 18:00 Lisbon; clocks go forward on Sunday 29 March.
    state = shift_state(WEEKDAYS, LISBON, [], at("2026-03-27T18:00"))
    assert not state.on_shift
    assert state.until == at("2026-03-30T08:00")  # Monday 09:00 WEST is 08:00 UTC
    assert state.why == "off shift (next shift Mon 30 Mar 09:00 WEST)"
    assert next_shift_start({}, "UTC", at("2026-03-27T18:00")) is None


def test_leave_takes_a_person_off_their_shift_and_says_until_when() -> None:
    leave = ExceptionSpan("leave", at("2026-12-07T00:00"), at("2026-12-09T00:00"))
    state = shift_state(WEEKDAYS, "UTC", [leave], at("2026-12-07T10:00"))
    assert not state.on_shift and state.why == "on leave until Wed 09 Dec 00:00"
    assert shift_state(WEEKDAYS, "UTC", [leave], at("2026-12-09T10:00")).on_shift


def test_an_extra_shift_puts_a_person_on_but_leave_outranks_it() -> None:
    extra = ExceptionSpan("extra", at("2026-12-12T10:00"), at("2026-12-12T14:00"))
    state = shift_state(WEEKDAYS, "UTC", [extra], at("2026-12-12T11:00"))
    assert state.on_shift and state.why.startswith("on an extra shift until")
    sick = ExceptionSpan("sick", at("2026-12-12T00:00"), at("2026-12-13T00:00"))
    state = shift_state(WEEKDAYS, "UTC", [extra, sick], at("2026-12-12T11:00"))
    assert not state.on_shift and state.why.startswith("off sick until")


def test_training_and_unscheduled_people() -> None:
    training = ExceptionSpan("training", at("2026-12-07T09:00"), at("2026-12-07T12:00"))
    assert shift_state(WEEKDAYS, "UTC", [training], at("2026-12-07T10:00")).why == \
        "in training until Mon 07 Dec 12:00"
    state = shift_state({}, "UTC", [], at("2026-12-12T03:00"))
    assert state.on_shift and state.why == "not scheduled (no weekly shifts set)"
    assert weekly_hours(WEEKDAYS) == 40


def test_a_week_is_typed_in_words_and_shown_back_the_same_way() -> None:
    from integrity_desk.errors import InvalidInput
    from integrity_desk.people.domain import parse_week, week_text

    pattern = parse_week("Mon-Fri 09:00-17:00; sat 10:00-14:00; sat 15:00-16:00")
    assert pattern["wed"] == [["09:00", "17:00"]]
    assert pattern["sat"] == [["10:00", "14:00"], ["15:00", "16:00"]]
    assert "sun" not in pattern and parse_week("  ") == {}
    assert week_text(pattern) == ("mon-fri 09:00-17:00; sat 10:00-14:00; "
                                  "sat 15:00-16:00")
    assert parse_week(week_text(pattern)) == pattern
    for bad, words in (("weekdays 9-5", "write days and hours"),
                       ("fri-mon 09:00-17:00", "runs from mon to sun"),
                       ("mon 17:00-09:00", "the start comes before the end")):
        with pytest.raises(InvalidInput) as caught:
            parse_week(bad)
        assert caught.value.field.startswith("shift_pattern") and words in caught.value.message
