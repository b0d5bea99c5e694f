"""What the SOP pages and the case's checklist show, shaped from the services' objects (no
queries here), and how the publish form is read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from integrity_desk.kpis.domain import Figure, Measure
from integrity_desk.kpis.words import minutes, percent
from integrity_desk.sops.markdown import render
from integrity_desk.sops.models import Sop
from integrity_desk.sops.report import MEASURES, Comparison
from integrity_desk.sops.service import Checklist, ItemInput
from integrity_desk.web import forms

MAX_ROWS = 40  # checklist items a publish form may carry (the service's own limit)
BLANK_ROWS = 3  # empty rows the publish form offers for new items


@dataclass(frozen=True)
class ItemView:
    key: str
    text: str
    help_text: str | None
    required: bool
    done: bool
    done_by: str | None
    done_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class ChecklistView:
    """The case view's checklist: None in ``sop`` when the kind had no SOP at opening."""

    key: str
    kind: str
    sop: Sop | None
    items: list[ItemView]
    blocked: str | None  # the message a decision would be refused with now
    may_tick: bool

    @property
    def required_left(self) -> int:
        return sum(1 for i in self.items if i.required and not i.done)


def checklist_view(key: str, kind: str, found: Checklist | None, names: Mapping[int, str],
                   blocked: str | None, may_tick: bool) -> ChecklistView:
    items = []
    for s in found.items if found else []:
        t = s.tick if s.done else None
        items.append(ItemView(s.item.key, s.item.text, s.item.help_text, s.item.required,
                              s.done, names.get(t.done_by_id or 0) if t else None,
                              t.done_at if t else None, t.note if t else None))
    return ChecklistView(key, kind, found.sop if found else None, items, blocked, may_tick)


def playbook(sop: Sop) -> Markup:
    return render(sop.body)


@dataclass(frozen=True)
class FigureCell:
    text: str
    detail: str  # the counts, or why there is no data


MEASURE_LABELS = {
    Measure.RESOLUTION_ATTAINMENT: "SLA attainment: resolution",
    Measure.FIRST_RESPONSE_ATTAINMENT: "SLA attainment: first response",
    Measure.AHT: "Average handling time",
    Measure.OVERTURN_RATE: "Overturn rate",
    Measure.QA_ACCURACY: "QA accuracy",
}


def cell(measure: Measure, figure: Figure) -> FigureCell:
    if figure.value is None:
        return FigureCell("no data", figure.no_data or "")
    if measure == Measure.AHT:
        return FigureCell(minutes(figure.value), f"{figure.numerator or 0:,.0f} min over "
                                                 f"{figure.denominator or 0:g} handled")
    return FigureCell(percent(figure.value),
                      f"{figure.numerator or 0:g} of {figure.denominator or 0:g}")


def comparison_rows(c: Comparison) -> list[tuple[str, FigureCell, FigureCell | None]]:
    rows: list[tuple[str, FigureCell, FigureCell | None]] = []
    for m in MEASURES:
        prev = cell(m, c.previous.figures[m]) if c.previous else None
        rows.append((MEASURE_LABELS[m], cell(m, c.version.figures[m]), prev))
    return rows


def items_from_form(form: Mapping[str, Any]) -> list[ItemInput]:
    """One item per row of the publish form (``key.N``, ``text.N``, ``help_text.N``,
    ``required.N``); a row left empty is skipped."""
    out = []
    for i in range(MAX_ROWS + BLANK_ROWS):
        if f"key.{i}" not in form:
            break
        key = forms.text(forms.value(form, f"key.{i}"), f"items.{len(out)}.key",
                         max_length=64, label=f"Key of item {i + 1}")
        text = forms.text(forms.value(form, f"text.{i}"), f"items.{len(out)}.text",
                          max_length=300, label=f"Text of item {i + 1}")
        if not key and not text:
            continue
        help_text = forms.text(forms.value(form, f"help_text.{i}"),
                               f"items.{len(out)}.help_text", max_length=1000,
                               label=f"Help text of item {i + 1}")
        out.append(ItemInput(key, text, help_text or None,
                             forms.value(form, f"required.{i}") in ("1", "on", "true")))
    return out
