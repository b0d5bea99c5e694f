"""Forecasts of hourly arrivals: weekly and daily cycles and a trend are learnt, the held-out
error is stated, short history falls back and says so, and holidays are respected."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.staffing.forecast import forecast, local_holidays

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


def _rate(at: datetime, h: int) -> float:
    weekday = 1.6 if at.weekday() < 5 else 0.6
    intraday = np.exp(-((at.hour - 14) ** 2) / 18)
    return 12 * weekday * intraday * (1 + h / 4000)


def _series(weeks: int, seed: int = 7, holidays: set[date] | None = None) -> list[float]:
    rng = np.random.default_rng(seed)
    first = START - timedelta(weeks=weeks)
    out = []
    for h in range(weeks * 168):
        at = first + timedelta(hours=h)
        rate = _rate(at, h) * (0.2 if holidays and at.date() in holidays else 1.0)
        out.append(float(rng.poisson(rate)))
    return out


def test_holt_winters_learns_the_cycles_and_states_its_error() -> None:
    f = forecast(_series(8), START, 2 * 168)
    assert "Holt-Winters" in f.method
    assert f.accuracy.weeks == 1
    assert f.accuracy.mape is not None and f.accuracy.mape < 0.2
    assert abs(f.accuracy.bias or 0) < 0.15
    week = np.array(f.hourly[:168])
    assert len(f.hourly) == 2 * 168 and (week >= 0).all()
    # The daily cycle: 14:00 is the busiest hour, 02:00 nearly empty, and weekdays busier.
    monday = week[:24]
    assert monday.argmax() in (13, 14, 15) and monday[2] < monday[14] / 10
    assert week[:24].sum() > 1.8 * week[5 * 24:6 * 24].sum()
    expected = sum(_rate(START + timedelta(hours=h), 8 * 168 + h) for h in range(168))
    assert week.sum() == pytest.approx(expected, rel=0.15)


def test_short_history_uses_weekday_means_and_says_so() -> None:
    f = forecast(_series(8)[-10 * 24:], START, 48)
    assert f.method.startswith("mean of each weekday")
    assert f.accuracy.mape is None  # not a whole week to hold out besides one to learn from
    assert sum(f.hourly) > 0


def test_a_start_within_the_day_forecasts_from_that_hour() -> None:
    history = _series(4)
    later = START + timedelta(hours=10)
    f = forecast(history + [0.0] * 10, later, 24)
    assert len(f.hourly) == 24
    assert max(range(24), key=lambda h: f.hourly[h]) in (3, 4, 5)  # 13:00–15:00 UTC


def test_holidays_are_cleaned_from_history_and_applied_ahead() -> None:
    past = {START.date() - timedelta(days=d) for d in (9, 23)}  # two past Saturdays … Fridays
    ahead = START.date() + timedelta(days=2)  # this Wednesday is a holiday
    is_holiday = local_holidays(BusinessCalendar(holidays=frozenset(past | {ahead})))
    f = forecast(_series(8, holidays=past), START, 168, is_holiday=is_holiday)
    assert f.holiday_ratio == pytest.approx(0.2, abs=0.08)
    tuesday, wednesday = sum(f.hourly[24:48]), sum(f.hourly[48:72])
    assert wednesday < tuesday * 0.35
    plain = forecast(_series(8, holidays=past), START, 168)  # no calendar: no holidays
    assert sum(plain.hourly[48:72]) > tuesday * 0.7
