"""The KPIs over HTTP: every figure with the counts it is made of."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from integrity_desk.kpis.domain import COUNT_FIELDS
from integrity_desk.kpis.service import KpiRow, KpiTable


class FigureOut(BaseModel):
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    no_data: str | None = None  # why there is no value ("no appeal was decided")


class KpiRowOut(BaseModel):
    key: str
    label: str
    figures: dict[str, FigureOut]
    counts: dict[str, float]


class KpiTableOut(BaseModel):
    period: str
    starts_on: date
    ends_before: date  # half-open: the period's last day is the one before
    dimension: str
    as_of: datetime | None
    rows: list[KpiRowOut]


class TrendPointOut(BaseModel):
    period: str
    starts_on: date
    figures: dict[str, FigureOut]
    counts: dict[str, float]


class TrendOut(BaseModel):
    dimension: str
    key: str
    points: list[TrendPointOut]


def figures_out(row: KpiRow) -> dict[str, FigureOut]:
    return {m.value: FigureOut(value=f.value, numerator=f.numerator,
                               denominator=f.denominator, no_data=f.no_data)
            for m, f in row.figures.items()}


def counts_out(row: KpiRow) -> dict[str, float]:
    return {name: getattr(row.counts, name) for name in COUNT_FIELDS}


def row_out(row: KpiRow) -> KpiRowOut:
    return KpiRowOut(key=row.key, label=row.label, figures=figures_out(row),
                     counts=counts_out(row))


def table_out(table: KpiTable) -> KpiTableOut:
    return KpiTableOut(period=table.period.label, starts_on=table.period.start,
                       ends_before=table.period.end, dimension=table.dimension.value,
                       as_of=table.as_of, rows=[row_out(r) for r in table.rows])
