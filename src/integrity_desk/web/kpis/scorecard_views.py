"""A vendor scorecard as the console shows it and as its CSV files hold it, shaped from the
service's Scorecard (kpis/scorecard.py): the page prints words ("87.5 %", "3 of 4"), the CSV
files the plain numbers a spreadsheet can compute with."""

from __future__ import annotations

from dataclasses import dataclass

from integrity_desk.kpis import words
from integrity_desk.kpis.domain import Figure
from integrity_desk.kpis.scorecard import MEASURES, TABLES, Scorecard
from integrity_desk.people.domain import FRACTIONS
from integrity_desk.web.people.vendor_views import TARGET_LABELS

NAMES = list(MEASURES)


def shown(name: str, value: float | None) -> str:
    """A figure or target in the unit people read it in."""
    if value is None:
        return "—"
    if name in FRACTIONS:
        return words.percent(value)
    if name == "aht_minutes":
        return words.minutes(value)
    return words.hours(value)


def figure_text(name: str, figure: Figure) -> str:
    if figure.value is None:
        return f"no data ({figure.no_data})" if figure.no_data else "no data"
    text = shown(name, figure.value)
    if name in FRACTIONS and figure.denominator:
        text += f" ({figure.numerator:g} of {figure.denominator:g})"
    return text


@dataclass(frozen=True)
class TargetRow:
    label: str
    figure: str
    target: str
    status: str  # the word, printed; also the CSS class (rag-amber)

    @property
    def css(self) -> str:
        return "rag-" + self.status.replace(" ", "-")


def target_rows(card: Scorecard) -> list[TargetRow]:
    return [TargetRow(TARGET_LABELS[t.name][0], figure_text(t.name, t.figure),
                      shown(t.name, t.target) if t.target is not None else "no target",
                      t.status.value) for t in card.targets]


def trend_rows(card: Scorecard) -> list[tuple[str, list[str]]]:
    return [(w.period.label, [shown(n, w.figures[n].value) for n in NAMES])
            for w in card.trend]


def trend_chart(card: Scorecard) -> dict[str, object]:
    """The JSON island the chart script draws (the trend table holds the same numbers)."""
    return {"weeks": [w.period.start.isoformat() for w in card.trend],
            "labels": {n: TARGET_LABELS[n][0] for n in NAMES},
            "series": {n: [w.figures[n].value for w in card.trend] for n in NAMES}}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def csv_rows(card: Scorecard, table: str) -> list[list[str]]:
    """One of the scorecard's tables (``TABLES``) as rows, the header first."""
    if table == "targets":
        return [["kpi", "value", "numerator", "denominator", "target", "status", "no_data"],
                *[[t.name, _number(t.figure.value), _number(t.figure.numerator),
                   _number(t.figure.denominator), _number(t.target), t.status.value,
                   t.figure.no_data or ""] for t in card.targets]]
    if table == "trend":
        return [["week", "starts_on", *NAMES],
                *[[w.period.label, w.period.start.isoformat(),
                   *[_number(w.figures[n].value) for n in NAMES]] for w in card.trend]]
    if table == "volume":
        return [["queue", "queue_name", "committed", "handled", "resolved", "share"],
                *[[v.slug, v.name, _number(v.committed), str(v.handled), str(v.resolved),
                   _number(v.share)] for v in card.volume]]
    if table == "overturns":
        return [["guideline", "title", "overturned", "partly_overturned"],
                *[[r.code, r.title, str(r.overturned), str(r.partly_overturned)]
                  for r in card.overturns]]
    if table == "errors":
        if card.errors_no_data:  # a row that says so, not an empty file that reads "no errors"
            return [["category", "reason", "errors", "no_data"],
                    ["", "", "", card.errors_no_data]]
        return [["category", "reason", "errors", "no_data"],
                *[[e.category, e.label, str(e.errors), ""] for e in card.errors]]
    raise ValueError(f"table is one of {', '.join(TABLES)}")


