"""QA over HTTP: what goes in and what comes out (docs/quality.md#api)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.quality.models import QaForm, QaItem, QaPlan


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=120)
    rule: str = Field(description="share | new_starters | category | severity | appealed")
    share: float | None = Field(default=None, description="share and new_starters: above 0, "
                                                          "at most 1 (0.1 is 10 %)")
    categories: list[str] = Field(default_factory=list, description="category: guideline "
                                                                    "categories")
    min_severity: int | None = Field(default=None, description="severity: 1 (minor) to 4")
    first_weeks: int | None = Field(default=None, description="new_starters: 1-52")
    seed: str | None = Field(default=None, max_length=64,
                             description="the draw's seed; default: a random one")
    active: bool = True


class PlanPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=120)
    rule: str | None = None
    share: float | None = None
    categories: list[str] | None = None
    min_severity: int | None = None
    first_weeks: int | None = None
    seed: str | None = Field(default=None, max_length=64)
    active: bool | None = None


class PlanOut(BaseModel):
    id: int
    name: str
    rule: str
    share: float | None
    categories: list[str]
    min_severity: int | None
    first_weeks: int | None
    seed: str
    active: bool
    updated_at: datetime


def plan_out(p: QaPlan) -> PlanOut:
    return PlanOut(id=p.id, name=p.name, rule=p.rule, share=p.share,
                   categories=list(p.categories or []), min_severity=p.min_severity,
                   first_weeks=p.first_weeks, seed=p.seed, active=p.active,
                   updated_at=p.updated_at)


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=64)
    label: str = Field(max_length=200)
    severity: str = Field(description="critical | major | minor")
    help: str | None = Field(default=None, max_length=1000)


class FormIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(default=None, description="the case kind; none: the default form")
    categories: list[CategoryIn]
    pass_mark: int = 80
    change_note: str | None = Field(default=None, max_length=500)


class FormOut(BaseModel):
    id: int | None  # None: the built-in default, not stored until a review uses it
    kind: str | None
    version: int
    is_current: bool
    pass_mark: int
    categories: list[dict[str, Any]]
    change_note: str | None
    created_at: datetime | None


def form_out(f: QaForm) -> FormOut:
    return FormOut(id=f.id, kind=f.kind, version=f.version, is_current=f.is_current,
                   pass_mark=f.pass_mark, categories=list(f.categories),
                   change_note=f.change_note, created_at=f.created_at)


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(max_length=64)
    severity: str | None = Field(default=None, description="default: the category's")
    note: str | None = Field(default=None, max_length=2000)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: list[FindingIn] = Field(default_factory=list, max_length=50)
    feedback: str | None = Field(default=None, max_length=10_000)


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=10_000)


class SettleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    settlement: Literal["upheld", "changed"]
    note: str = Field(max_length=10_000)
    findings: list[FindingIn] | None = Field(default=None, max_length=50, description=(
        "changed: the errors as the lead judges them (an empty list: no error)"))


class ItemOut(BaseModel):
    id: int
    case: str  # the case's key
    decision_id: int
    reason: str  # why the draw picked it
    drawn_at: datetime
    decided_at: datetime
    kind: str
    guideline: str | None
    person: str | None  # whose decision: for managers and the person (reviewers judge blind)
    status: str
    reviewer: str | None
    findings: list[dict[str, Any]]
    score: int | None
    correct: bool | None
    verdict: str | None
    feedback: str | None
    reviewed_at: datetime | None
    dispute_until: datetime | None
    dispute_reason: str | None
    settlement: str | None
    settlement_note: str | None


def item_out(item: QaItem, *, case_key: str, names: dict[int, str], show_person: bool
             ) -> ItemOut:
    return ItemOut(
        id=item.id, case=case_key, decision_id=item.decision_id, reason=item.reason,
        drawn_at=item.drawn_at, decided_at=item.decided_at, kind=item.kind,
        guideline=item.guideline,
        person=names.get(item.person_id) if show_person and item.person_id else None,
        status=item.status,
        reviewer=names.get(item.reviewer_id) if item.reviewer_id else None,
        findings=list(item.findings or []), score=item.score, correct=item.correct,
        verdict=item.verdict, feedback=item.feedback, reviewed_at=item.reviewed_at,
        dispute_until=item.dispute_until, dispute_reason=item.dispute_reason,
        settlement=item.settlement, settlement_note=item.settlement_note)


class ItemsOut(BaseModel):
    items: list[ItemOut]


class AccuracyOut(BaseModel):
    since: datetime
    reviewed: int
    correct: int
    value: float | None
    no_data: str | None


class MineOut(BaseModel):
    accuracy: AccuracyOut  # over the last 90 days
    items: list[ItemOut]


class DrawOut(BaseModel):
    summary: str
