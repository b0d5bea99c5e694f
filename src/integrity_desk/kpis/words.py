"""How a figure reads wherever people see it — the dashboard, a scorecard, the weekly report —
so one share is "83.3 %" on all three, never 83 % on one page and 83.3 % on the next."""

from __future__ import annotations


def percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def minutes(value: float) -> str:
    return f"{value:,.1f} min"


def hours(value: float) -> str:
    return f"{value:,.1f} h"


def number(value: float) -> str:
    """A count as a whole number, anything else with one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
