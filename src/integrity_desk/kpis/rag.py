"""Red, amber or green: one figure against its contract target, by one stated rule.

A vendor scorecard is read in a meeting with the vendor, so the rule is printed next to the
colours (``RULE``) and the code below is that sentence and nothing more. Pure: no session.

Attainment and QA accuracy are better higher; handling time and backlog age are better lower.
"Missing by at most 5 % of the target" is 5 % *of the target*, not 5 points: a 90 % attainment
target turns amber from 85.5 % and red below it; a 10-minute AHT target is amber up to 10.5.
"""

from __future__ import annotations

from enum import StrEnum

from integrity_desk.kpis.domain import Measure

AMBER_SHARE = 0.05
# Float noise (0.9 × 0.95 is 0.855000…01) must not turn a figure exactly on a boundary red.
_EPSILON = 1e-9

HIGHER_IS_BETTER = frozenset({Measure.FIRST_RESPONSE_ATTAINMENT, Measure.RESOLUTION_ATTAINMENT,
                              Measure.QA_ACCURACY})
LOWER_IS_BETTER = frozenset({Measure.AHT, Measure.BACKLOG_AGE_P90})

RULE = ("Green: the week's figure meets the contract's target (at or above it for SLA "
        "attainment and QA accuracy, at or below it for handling time and backlog age). "
        "Amber: it misses the target by at most 5 % of the target (a 90 % target is amber "
        "from 85.5 %; a 10-minute target up to 10.5 minutes). Red: it misses by more. "
        "No data: the week has no figure to compare (QA accuracy until QA reviews exist). "
        "No target: the contract in force sets none.")


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no data"
    NO_TARGET = "no target"


def status(measure: Measure, value: float | None, target: float | None) -> Rag:
    """The figure's colour against the target, by ``RULE``."""
    if target is None:
        return Rag.NO_TARGET
    if value is None:
        return Rag.NO_DATA
    if measure in HIGHER_IS_BETTER:
        shortfall = target - value
    elif measure in LOWER_IS_BETTER:
        shortfall = value - target
    else:
        raise ValueError(f"{measure.value} has no contract target")
    if shortfall <= _EPSILON:
        return Rag.GREEN
    if shortfall <= AMBER_SHARE * target + _EPSILON:
        return Rag.AMBER
    return Rag.RED
