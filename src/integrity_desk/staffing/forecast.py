"""Forecasting a queue's arrivals per hour for the weeks ahead, with the error it made on weeks
it did not see.

Workforce teams forecast top-down: the daily volume carries the trend and the weekly cycle,
and each day is spread over its hours by that weekday's intraday profile. So:

1. **Clean the history of holidays.** An hour whose local date (in the team calendar's time
   zone) is one of the calendar's holidays is replaced by the mean of the same hour of the week
   in the other weeks; how much lighter (or heavier) holidays really were is kept as a ratio.
2. **Daily totals, Holt-Winters.** ``statsmodels``' exponential smoothing with a damped additive
   trend and a weekly (7-day) season — multiplicative when every day had arrivals, additive
   otherwise (a multiplicative season cannot start from zero). It needs two weeks to learn the
   season; with less history the forecast is the mean of each weekday (and says so).
3. **Hours.** Each forecast day is spread by its weekday's share of the day per hour, from the
   last eight weeks of history (a weekday with no arrivals at all: evenly).
4. **Holidays ahead** of the team calendar get the ratio of step 1 (1 when the history had no
   holiday to learn from).

**Error.** The same method is fitted on the history without its last ``holdout_weeks`` weeks
and forecasts them; the figures compare daily totals (hourly counts are mostly 0 or 1, where a
percentage error means nothing): MAPE over the days that had arrivals, and the bias, (Σ forecast
− Σ actual) ÷ Σ actual — positive when the forecast ran high. Pure: no session, no I/O.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from integrity_desk.sla.calendar import BusinessCalendar

HOURS_A_WEEK = 168
PROFILE_WEEKS = 8
MIN_WEEKS_FOR_SEASON = 2  # Holt-Winters learns a weekly season from two of them


@dataclass(frozen=True)
class Accuracy:
    """How the method did on held-out weeks (None: not enough history to hold any out)."""

    weeks: int
    mape: float | None  # mean absolute percentage error of daily totals, as a share
    bias: float | None  # (Σ forecast − Σ actual) ÷ Σ actual


@dataclass(frozen=True)
class Forecast:
    start: datetime  # the first hour forecast (UTC)
    hourly: list[float]  # arrivals per hour from ``start``
    method: str  # in words, for the plan's reader
    accuracy: Accuracy
    holiday_ratio: float  # holiday volume ÷ an ordinary day's, as learnt (1: nothing to learn)
    history_hours: int


def forecast(history: Sequence[float], start: datetime, hours: int, *,
             is_holiday: Callable[[datetime], bool] = lambda _: False,
             holdout_weeks: int = 1) -> Forecast:
    """``history``: arrivals of each hour up to ``start`` (the last one is the hour before it);
    ``start``: a whole UTC hour; ``hours`` ahead; ``is_holiday(hour)``: in the team calendar."""
    first = start - timedelta(hours=len(history))
    if first.hour != 0:  # whole UTC days: drop the partial first day
        cut = 24 - first.hour
        history, first = history[cut:], first + timedelta(hours=cut)
    y = np.asarray(history, dtype=float)
    stamps = [first + timedelta(hours=h) for h in range(len(y))]
    holiday = np.array([is_holiday(t) for t in stamps], dtype=bool)
    clean, ratio = _without_holidays(y, holiday, first)
    accuracy = Accuracy(0, None, None)
    weeks = len(clean) // HOURS_A_WEEK
    if holdout_weeks and weeks >= holdout_weeks + 1:
        cut = len(clean) - holdout_weeks * HOURS_A_WEEK
        trial, _ = _predict(clean[:cut], first, holdout_weeks * HOURS_A_WEEK)
        accuracy = _accuracy(trial, y[cut:], holdout_weeks)
    ahead, method = _predict(clean, first, hours)
    ahead_stamps = [start + timedelta(hours=h) for h in range(hours)]
    if ratio != 1.0:
        ahead = np.array([v * ratio if is_holiday(t) else v
                          for v, t in zip(ahead, ahead_stamps, strict=True)])
    return Forecast(start, [float(v) for v in ahead], method, accuracy, ratio, len(y))


def _without_holidays(y: np.ndarray, holiday: np.ndarray, first: datetime
                      ) -> tuple[np.ndarray, float]:
    """The history with holiday hours replaced by their hour of the week's ordinary mean, and
    the ratio of real holiday volume to that mean."""
    if not holiday.any():
        return y, 1.0
    position = (np.arange(len(y)) + first.weekday() * 24) % HOURS_A_WEEK
    ordinary = np.zeros(HOURS_A_WEEK)
    for p in range(HOURS_A_WEEK):
        seen = y[(position == p) & ~holiday]
        ordinary[p] = seen.mean() if seen.size else 0.0
    clean = y.copy()
    clean[holiday] = ordinary[position[holiday]]
    expected = clean[holiday].sum()
    ratio = float(y[holiday].sum() / expected) if expected > 0 else 1.0
    return clean, ratio


def _daily(y: np.ndarray) -> np.ndarray:
    days = len(y) // 24
    return y[:days * 24].reshape(days, 24).sum(axis=1)


def _profile(y: np.ndarray, first: datetime) -> np.ndarray:
    """Each weekday's share of the day per hour (7 × 24), from the last weeks of history."""
    days = len(y) // 24
    by_day = y[:days * 24].reshape(days, 24)
    weekday = (np.arange(days) + first.weekday()) % 7
    recent = np.arange(days) >= days - PROFILE_WEEKS * 7
    shares = np.full((7, 24), 1 / 24)
    for d in range(7):
        rows = by_day[(weekday == d) & recent]
        total = rows.sum()
        if total > 0:
            shares[d] = rows.sum(axis=0) / total
    return shares


def _predict(y: np.ndarray, first: datetime, hours: int) -> tuple[np.ndarray, str]:
    """Hours ahead of the end of ``y`` (whose first hour is ``first``, 00:00 UTC)."""
    daily = _daily(y)
    ahead_days = -(-hours // 24) + 1
    next_day = first + timedelta(days=len(daily))
    if len(daily) >= MIN_WEEKS_FOR_SEASON * 7 + 2:
        days_ahead, method = _holt_winters(daily, ahead_days)
    else:
        days_ahead = _weekday_means(daily, first.weekday(), ahead_days)
        method = (f"mean of each weekday ({len(daily)} days of history; Holt-Winters needs "
                  f"{MIN_WEEKS_FOR_SEASON * 7 + 2})")
    shares = _profile(y, first)
    out = np.empty(ahead_days * 24)
    for i, total in enumerate(days_ahead):
        out[i * 24:(i + 1) * 24] = max(total, 0.0) * shares[(next_day.weekday() + i) % 7]
    # ``y`` may end mid-day (the hour the plan starts is not midnight): skip what has passed.
    passed = len(y) - len(daily) * 24
    return out[passed:passed + hours], method


def _holt_winters(daily: np.ndarray, ahead: int) -> tuple[np.ndarray, str]:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "mul" if daily.min() > 0 else "add"
    # The optimiser tries parameters whose likelihood is log(0) on the way (flat or sparse
    # weeks): warnings of its search, not of the fit it returns.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        model = ExponentialSmoothing(daily, trend="add", damped_trend=True, seasonal=seasonal,
                                     seasonal_periods=7, initialization_method="estimated")
        ahead_days = np.asarray(model.fit().forecast(ahead))
    words = "multiplicative" if seasonal == "mul" else "additive"
    return (ahead_days,
            f"Holt-Winters on daily totals (damped trend, {words} weekly season) "
            f"× each weekday's hourly profile")


def _weekday_means(daily: np.ndarray, first_weekday: int, ahead: int) -> np.ndarray:
    weekday = (np.arange(len(daily)) + first_weekday) % 7
    means = np.array([daily[weekday == d].mean() if (weekday == d).any()
                      else (daily.mean() if len(daily) else 0.0) for d in range(7)])
    start = (first_weekday + len(daily)) % 7
    return np.array([means[(start + i) % 7] for i in range(ahead)])


def _accuracy(predicted: np.ndarray, actual: np.ndarray, weeks: int) -> Accuracy:
    p, a = _daily(predicted), _daily(actual)
    seen = a > 0
    mape = float(np.mean(np.abs(p[seen] - a[seen]) / a[seen])) if seen.any() else None
    bias = float((p.sum() - a.sum()) / a.sum()) if a.sum() > 0 else None
    return Accuracy(weeks, mape, bias)


def local_holidays(calendar: BusinessCalendar) -> Callable[[datetime], bool]:
    """``is_holiday`` for a team calendar: the hour's local date is one of its holidays."""
    if not calendar.holidays:
        return lambda _: False
    tz = ZoneInfo(calendar.timezone)
    return lambda at: at.astimezone(tz).date() in calendar.holidays
