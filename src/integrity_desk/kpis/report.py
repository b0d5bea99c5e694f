"""The weekly report's content: the week's figures as tables, written as CSV files (a ZIP) and
as one printable HTML page. No personal data: the report goes upward and to stakeholders, so
it breaks figures down by vendor, team, queue, kind, priority and guideline, never by person.

Each table is built once and written twice, so the CSV and the page cannot disagree. CSV cells
hold raw numbers (a share as 0.875, hours and minutes as decimals) and "no data" where a
figure has none — never 0 % or 100 % in its place.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from integrity_desk.kpis import service, words
from integrity_desk.kpis.domain import (
    Backlog,
    Counts,
    Dimension,
    Figure,
    Measure,
    Period,
    figures,
    periods_back,
)
from integrity_desk.kpis.funnel import STEP_WORDS, STEPS, Funnel, FunnelBy, funnel
from integrity_desk.spreadsheet import csv_text

NO_DATA = "no data"

# (measure, column heading, how the page shows it)
COLUMNS: list[tuple[Measure, str, str]] = [
    (Measure.INFLOW, "Inflow", "count"),
    (Measure.OUTFLOW, "Outflow", "count"),
    (Measure.NET_FLOW, "Net flow", "signed"),
    (Measure.BACKLOG, "Backlog at end", "count"),
    (Measure.BACKLOG_AGE_P50, "Backlog age p50 (h)", "hours"),
    (Measure.BACKLOG_AGE_P90, "Backlog age p90 (h)", "hours"),
    (Measure.BACKLOG_AGE_MAX, "Backlog age max (h)", "hours"),
    (Measure.SLA_AGE_P90, "Backlog SLA-clock age p90 (h)", "hours"),
    (Measure.FIRST_RESPONSE_ATTAINMENT, "First response within SLA", "share"),
    (Measure.RESOLUTION_ATTAINMENT, "Resolution within SLA", "share"),
    (Measure.AHT, "AHT (min)", "minutes"),
    (Measure.OCCUPANCY, "Occupancy", "share"),
    (Measure.REOPEN_RATE, "Reopen rate (30 days)", "share"),
    (Measure.OVERTURN_RATE, "Overturn rate", "share"),
    (Measure.QA_ACCURACY, "QA accuracy", "share"),
]

BREAKDOWNS: list[tuple[Dimension, str, str]] = [
    (Dimension.VENDOR, "by_vendor", "By vendor (in-house teams side by side)"),
    (Dimension.TEAM, "by_team", "By team"),
    (Dimension.QUEUE, "by_queue", "By queue"),
    (Dimension.KIND, "by_kind", "By case kind"),
    (Dimension.PRIORITY, "by_priority", "By priority"),
    (Dimension.GUIDELINE, "by_guideline", "Appeals by guideline of the contested decision"),
]


@dataclass(frozen=True)
class Cell:
    """A figure as the CSV writes it (``raw``) and as the page shows it (``shown``)."""

    raw: str
    shown: str
    title: str = ""  # the counts behind a ratio, for the page


@dataclass(frozen=True)
class ReportTable:
    name: str  # the CSV file's name, without .csv
    title: str
    headings: list[str]
    rows: list[list[Cell]]


def cell(figure: Figure, how: str) -> Cell:
    if figure.value is None:
        return Cell(NO_DATA, NO_DATA, figure.no_data or "")
    value = figure.value
    title = (f"{figure.numerator:g} of {figure.denominator:g}"
             if figure.denominator is not None else "")
    if how == "share":
        return Cell(f"{value:.4f}", words.percent(value), title)
    if how in ("hours", "minutes"):
        return Cell(f"{value:.2f}", f"{value:,.1f}", title)
    if how == "signed":
        return Cell(f"{value:g}", f"{value:+,.0f}", title)
    return Cell(f"{value:g}", f"{value:,.0f}", title)


def _text(value: str) -> Cell:
    return Cell(value, value)


def figures_table(name: str, title: str, first: str, labelled: Sequence[tuple[str, dict[
        Measure, Figure]]]) -> ReportTable:
    return ReportTable(name, title, [first, *[c[1] for c in COLUMNS]], [
        [_text(label), *[cell(figures[m], how) for m, _, how in COLUMNS]]
        for label, figures in labelled])


@dataclass(frozen=True)
class WeeklyContent:
    period: Period
    as_of: datetime | None
    tables: list[ReportTable]


def build(session: Session, period: Period, *, now: datetime,
          as_of: datetime | None) -> WeeklyContent:
    """Every table of the week's report, read from the rollup (brought up to date by the
    caller)."""
    desk = service.table(session, viewer=None, period=period, dimension=Dimension.DESK,
                         now=now)
    before = service.table(session, viewer=None, period=period.previous(),
                           dimension=Dimension.DESK, now=now)
    summary = [(period.label, _first(desk)), (f"{period.previous().label} (week before)",
                                              _first(before))]
    tables = [figures_table("summary", "The whole desk, this week and the week before",
                            "Week", summary)]
    for dimension, name, title in BREAKDOWNS:
        t = service.table(session, viewer=None, period=period, dimension=dimension, now=now)
        tables.append(figures_table(name, title, dimension.value.title(),
                                    [(r.label, r.figures) for r in t.rows]))
    for by, name, title in ((FunnelBy.SOURCE, "funnel_by_source", "Flagging funnel by source"),
                            (FunnelBy.CATEGORY, "funnel_by_category",
                             "Flagging funnel by category")):
        tables.append(funnel_table(funnel(session, period=period, by=by, now=now), name,
                                   title))
    weeks = periods_back(period.grain, 12, period.start)
    trend = service.trend(session, viewer=None, periods=weeks, dimension=Dimension.DESK,
                          key="all", now=now)
    tables.append(figures_table("trend", "The last 12 weeks, whole desk", "Week",
                                [(p.label, r.figures) for p, r in zip(weeks, trend,
                                                                      strict=True)]))
    return WeeklyContent(period, as_of, tables)


def funnel_table(found: Funnel, name: str, title: str) -> ReportTable:
    """Each step's count, and after it its conversion from the step before."""
    headings = [found.by.value.title()]
    for i, step in enumerate(STEPS):
        headings.append(STEP_WORDS[step])
        if i:
            headings.append(f"→ {STEP_WORDS[step].lower()} (share)")
    rows = []
    for row in [*found.rows, found.total]:
        cells = [_text(row.label)]
        for i, step in enumerate(row.steps):
            cells.append(Cell(str(step.count), f"{step.count:,}"))
            if i:
                assert step.conversion is not None
                cells.append(cell(step.conversion, "share"))
        rows.append(cells)
    return ReportTable(name, f"{title} (received this week, followed to the report's day)",
                       headings, rows)


def _first(table: service.KpiTable) -> dict[Measure, Figure]:
    return table.rows[0].figures if table.rows else figures(Counts(), Backlog())


def csv_bytes(table: ReportTable) -> bytes:
    return csv_text([table.headings, *[[c.raw for c in row] for row in table.rows]]
                    ).encode("utf-8")


def bundle(content: WeeklyContent) -> bytes:
    """The CSV files in one ZIP, named ``<week>/<table>.csv``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in content.tables:
            archive.writestr(f"{content.period.label}/{table.name}.csv", csv_bytes(table))
    return buffer.getvalue()
