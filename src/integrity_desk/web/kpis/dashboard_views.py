"""The manager's dashboard shaped for the page: each figure as the words and title people read,
each number with the case list behind it when the list can express it (docs/dashboard.md).

The case list filters by day (``opened_on``, ``closed_on``), by a period of days
(``opened_since`` … ``opened_before``, the same for closed), by open state and by vendor as *who
holds the work* (cases/team_scope.py). So a day's and a period's inflow and outflow link, the
backlog only while the period is the current one (the list knows the open cases of now), and
nothing links where the list would show other cases: a vendor's figures (the KPIs count a case
under its queue's vendor, the list under its holder's), the funnel (the list has no source,
category or decision filter).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.kpis import words
from integrity_desk.kpis.domain import DESK_KEY, Dimension, Figure, Measure, Period
from integrity_desk.kpis.funnel import STEP_WORDS, STEPS, Funnel
from integrity_desk.kpis.models import KpiDay
from integrity_desk.kpis.service import KpiRow
from integrity_desk.web.cases.link_views import cases_link

M = Measure
RATIOS = frozenset({M.FIRST_RESPONSE_ATTAINMENT, M.RESOLUTION_ATTAINMENT, M.OCCUPANCY,
                    M.REOPEN_RATE, M.OVERTURN_RATE, M.QA_ACCURACY})
HOURS = frozenset({M.BACKLOG_AGE_P90})
# The vendors' table, in the order a manager compares them: service first, then flow, then
# handling, then quality.
COLUMNS: list[tuple[Measure, str]] = [
    (M.FIRST_RESPONSE_ATTAINMENT, "SLA first response"),
    (M.RESOLUTION_ATTAINMENT, "SLA resolution"),
    (M.BACKLOG, "Backlog"),
    (M.BACKLOG_AGE_P90, "Backlog age p90"),
    (M.INFLOW, "Inflow"),
    (M.OUTFLOW, "Outflow"),
    (M.NET_FLOW, "Net flow"),
    (M.AHT, "AHT"),
    (M.OCCUPANCY, "Occupancy"),
    (M.REOPEN_RATE, "Reopen rate"),
    (M.OVERTURN_RATE, "Overturn rate"),
    (M.QA_ACCURACY, "QA accuracy"),
]
PERSON_COLUMNS = [(M.RESOLUTION_ATTAINMENT, "SLA resolution"), (M.OUTFLOW, "Closed"),
                  (M.AHT, "AHT"), (M.OCCUPANCY, "Occupancy"), (M.REOPEN_RATE, "Reopen rate"),
                  (M.OVERTURN_RATE, "Overturn rate")]



@dataclass(frozen=True)
class Cell:
    """A figure as shown: its text, the counts it is made of (title), and its list, if any."""

    text: str
    title: str
    href: str | None = None


def share(figure: Figure, href: str | None = None) -> Cell:
    """A ratio as a percentage, its counts in the title ("5 of 6")."""
    if figure.value is None:
        return Cell("no data", figure.no_data or "no data")
    return Cell(words.percent(figure.value), f"{words.number(figure.numerator or 0)} of "
                                             f"{words.number(figure.denominator or 0)}", href)


def cell(measure: Measure, figure: Figure, href: str | None = None) -> Cell:
    if figure.value is None or measure in RATIOS:
        return share(figure, href)
    if measure == M.AHT:
        return Cell(words.minutes(figure.value),
                    f"{words.number(figure.numerator or 0)} min over "
                    f"{words.number(figure.denominator or 0)} cases handled", href)
    if measure in HOURS:
        return Cell(words.hours(figure.value), "of the open cases at the period's end", href)
    return Cell(words.number(figure.value), "cases", href)


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    href: str | None  # the row's own list (a vendor's open work)
    cells: list[Cell]


def is_current(period: Period, today: date) -> bool:
    return period.start <= today < period.end


def desk_row(row: KpiRow, period: Period, today: date) -> FigureRow:
    """The whole desk: its inflow and outflow open the period's lists (a closure since
    reopened is counted in the outflow but is no longer on the closed list); the backlog
    opens the open cases while the period runs."""
    since, before = period.start.isoformat(), period.end.isoformat()
    links = {M.INFLOW: cases_link(opened_since=since, opened_before=before),
             M.OUTFLOW: cases_link(closed_since=since, closed_before=before)}
    if is_current(period, today):
        links[M.BACKLOG] = cases_link(state="open")
    return FigureRow(row.key, "Whole desk", None,
                     [cell(m, row.figures[m], links.get(m)) for m, _ in COLUMNS])


def vendor_rows(rows: list[KpiRow]) -> list[FigureRow]:
    """Every vendor and the in-house teams; a vendor's name opens its open work in the list
    (the in-house teams together are no filter of the list)."""
    out = []
    for row in rows:
        href = cases_link(vendor=row.label, state="open") if row.key.isdigit() else None
        out.append(FigureRow(row.key, row.label, href,
                             [cell(m, row.figures[m]) for m, _ in COLUMNS]))
    return out


def person_rows(rows: list[KpiRow]) -> list[FigureRow]:
    return [FigureRow(r.key, r.label, f"/people/{r.key}",
                      [cell(m, r.figures[m]) for m, _ in PERSON_COLUMNS]) for r in rows]


@dataclass(frozen=True)
class FunnelLine:
    label: str
    cells: list[Cell]  # per step: the count, then the conversion from the step before
    partly_overturned: int


def funnel_lines(result: Funnel) -> list[FunnelLine]:
    lines = []
    for row in [*result.rows, result.total]:
        cells = []
        for s in row.steps:
            cells.append(Cell(f"{s.count:,}", STEP_WORDS[s.step]))
            if s.conversion is not None:
                cells.append(share(s.conversion))
        lines.append(FunnelLine(row.label, cells, row.partly_overturned))
    return lines


def funnel_headings() -> list[str]:
    out = []
    for i, step in enumerate(STEPS):
        out.append(STEP_WORDS[step])
        if i:
            out.append("→ %")
    return out


@dataclass(frozen=True)
class FlowDay:
    day: date
    inflow: Cell
    outflow: Cell
    counts: tuple[int, int]  # opened, closed: the chart's data


def flow_days(session: Session, period: Period, today: date) -> list[FlowDay]:
    """The desk's inflow and outflow per day of the period so far, from the rollup (one
    read), each day's number opening the cases opened or closed that day."""
    last = min(period.end, today + timedelta(days=1))
    found = {d: (i, o) for d, i, o in session.execute(
        select(KpiDay.day, KpiDay.inflow, KpiDay.outflow).where(
            KpiDay.dimension == Dimension.DESK.value, KpiDay.key == DESK_KEY,
            KpiDay.day >= period.start, KpiDay.day < last))}
    out = []
    for day in period.days:
        if day >= last:
            break
        inflow, outflow = found.get(day, (0, 0))
        out.append(FlowDay(day, Cell(f"{inflow:,}", "cases opened",
                                     cases_link(opened_on=day.isoformat())),
                           Cell(f"{outflow:,}", "cases closed",
                                cases_link(closed_on=day.isoformat())),
                           (inflow, outflow)))
    return out


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    attainment: Cell
    backlog: Cell
    raw_attainment: float | None
    raw_backlog: int


def trend_points(periods: list[Period], rows: list[KpiRow]) -> list[TrendPoint]:
    out = []
    for p, r in zip(periods, rows, strict=True):
        figure = r.figures[M.RESOLUTION_ATTAINMENT]
        out.append(TrendPoint(p, cell(M.RESOLUTION_ATTAINMENT, figure),
                              cell(M.BACKLOG, r.figures[M.BACKLOG]),
                              None if figure.value is None else round(figure.value * 100, 1),
                              r.backlog.open))
    return out


def island(data: object) -> str:
    """JSON for a <script type="application/json"> block; '<' escaped so no text closes it."""
    return json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")


def charts_json(trend: list[TrendPoint], flow: list[FlowDay]) -> str:
    return island({
        "trend": {"starts": [t.period.start.isoformat() for t in trend],
                  "attainment": [t.raw_attainment for t in trend],
                  "backlog": [t.raw_backlog for t in trend]},
        "flow": {"days": [f.day.isoformat() for f in flow],
                 "inflow": [f.counts[0] for f in flow],
                 "outflow": [f.counts[1] for f in flow]}})
