"""SOPs over HTTP: versions with their items, a case's checklist, the comparison report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from integrity_desk.cases.domain import CaseKind
from integrity_desk.kpis.schemas import FigureOut
from integrity_desk.sops.models import Sop
from integrity_desk.sops.report import MEASURES, Comparison, VersionFigures
from integrity_desk.sops.service import Checklist, ItemInput


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemIn(Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] = Field(
        description="stable across versions: lower-case letters, digits, - or _")
    text: str = Field(min_length=1, max_length=300)
    help_text: str | None = Field(default=None, max_length=1000)
    required: bool = False

    def input(self) -> ItemInput:
        return ItemInput(self.key, self.text, self.help_text, self.required)


class SopIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50_000, description="the playbook, Markdown")
    items: list[ItemIn] = Field(min_length=1, max_length=40)
    change_note: str = Field(min_length=1, max_length=500,
                             description="why this version (kept with it)")


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    position: int
    text: str
    help_text: str | None
    required: bool


class SopOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: CaseKind
    version: int
    is_current: bool
    title: str
    body: str
    change_note: str | None
    created_by_id: int | None
    created_at: datetime
    items: list[ItemOut]


class TickIn(Strict):
    done: bool = Field(description="true ticks the item, false unticks it")
    note: str | None = Field(default=None, max_length=1000)


class ChecklistItemOut(ItemOut):
    done: bool
    done_by_id: int | None
    done_at: datetime | None
    note: str | None
    undone_by_id: int | None
    undone_at: datetime | None


class ChecklistOut(BaseModel):
    case: str
    sop_id: int | None
    kind: str
    version: int | None  # None: the kind had no SOP when the case was opened
    title: str | None
    items: list[ChecklistItemOut]
    blocking: list[str] = Field(description="keys of the required items not done")
    message: str | None = Field(description="why a decision is refused now, or None")


class VersionFiguresOut(BaseModel):
    version: int
    title: str
    created_at: datetime
    cases: int
    figures: dict[str, FigureOut]


class ComparisonOut(BaseModel):
    kind: str
    version: VersionFiguresOut
    previous: VersionFiguresOut | None


def sop_out(sop: Sop) -> SopOut:
    return SopOut.model_validate(sop)


def checklist_out(key: str, kind: str, found: Checklist | None, message: str | None
                  ) -> ChecklistOut:
    if found is None:
        return ChecklistOut(case=key, sop_id=None, kind=kind, version=None, title=None,
                            items=[], blocking=[], message=None)
    items = []
    for s in found.items:
        t = s.tick
        items.append(ChecklistItemOut(
            key=s.item.key, position=s.item.position, text=s.item.text,
            help_text=s.item.help_text, required=s.item.required, done=s.done,
            done_by_id=t.done_by_id if t else None, done_at=t.done_at if t else None,
            note=t.note if t else None, undone_by_id=t.undone_by_id if t else None,
            undone_at=t.undone_at if t else None))
    return ChecklistOut(case=key, sop_id=found.sop.id, kind=kind, version=found.sop.version,
                        title=found.sop.title, items=items,
                        blocking=[i.key for i in found.missing], message=message)


def _version(v: VersionFigures) -> VersionFiguresOut:
    return VersionFiguresOut(
        version=v.sop.version, title=v.sop.title, created_at=v.sop.created_at, cases=v.cases,
        figures={m.value: FigureOut(value=f.value, numerator=f.numerator,
                                    denominator=f.denominator, no_data=f.no_data)
                 for m, f in v.figures.items() if m in MEASURES})


def comparison_out(c: Comparison) -> ComparisonOut:
    return ComparisonOut(kind=c.kind, version=_version(c.version),
                         previous=_version(c.previous) if c.previous else None)
