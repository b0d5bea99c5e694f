"""What the routing API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.cases.domain import CaseKind
from integrity_desk.routing import manage, policy

Slug = Annotated[str, Field(pattern=f"^{manage.SLUG.pattern}$")]
Position = Annotated[int, Field(ge=0, le=manage.MAX_POSITION,
                                description="routing tries low positions first")]
Tier = Annotated[int, Field(ge=1, le=3)]
Label = Annotated[str, Field(min_length=1, max_length=64)]


class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    team: str = Field(min_length=1, max_length=120,
                      description="name of the team that works it (required: see "
                                  "docs/decisions.md)")
    kinds: list[CaseKind] = Field(min_length=1, max_length=len(CaseKind))
    tier: Tier = 1
    languages: list[Label] = Field(default=[], max_length=100)
    skills: list[Label] = Field(default=[], max_length=100)
    position: Position = 100


class QueuePatch(BaseModel):
    """Only the fields present change; the team can be replaced, never removed."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    team: str | None = Field(default=None, min_length=1, max_length=120)
    kinds: list[CaseKind] | None = Field(default=None, min_length=1, max_length=len(CaseKind))
    tier: Tier | None = None
    languages: list[Label] | None = Field(default=None, max_length=100)
    skills: list[Label] | None = Field(default=None, max_length=100)
    position: Position | None = None


class QueueOut(BaseModel):
    slug: str
    name: str
    team: str | None
    kinds: list[str]
    tier: int
    languages: list[str]
    skills: list[str]
    position: int
    active: bool
    open_cases: int
    by_priority: dict[str, int]


CertificationName = Annotated[str, Field(pattern=policy.CERTIFICATION_NAME.pattern)]


class RoutingSettingsOut(BaseModel):
    """A version of a queue's routing settings (docs/routing.md says what each does)."""

    version: int
    mode: str = Field(description="pull (people claim) or push (routing assigns)")
    required_certifications: list[str] = Field(
        description="certifications whoever works the queue must hold now")
    quality_weight: float = Field(description="0-1: how much QA accuracy weighs when work is "
                                              "spread among vendors")
    ageing_per_hour: float = Field(description="priority steps a waiting case gains an hour")
    affinity: bool = Field(description="open work about the same business or reviewer goes "
                                       "to whoever already holds it")
    change_note: str | None = None
    changed_by: str | None = Field(default=None, description="e-mail; null: the system")
    changed_at: datetime | None = None


class QueueRoutingOut(BaseModel):
    queue: str
    in_force: RoutingSettingsOut
    history: list[RoutingSettingsOut] = Field(description="every version, newest first")


class QueueRoutingIn(BaseModel):
    """Any of the settings; the others stay as they are. A change note is required."""

    model_config = ConfigDict(extra="forbid")
    mode: Literal["pull", "push"] | None = None
    required_certifications: list[CertificationName] | None = Field(
        default=None, max_length=policy.MAX_CERTIFICATIONS)
    quality_weight: float | None = Field(default=None, ge=0, le=1)
    ageing_per_hour: float | None = Field(default=None, ge=0, le=policy.MAX_AGEING_PER_HOUR)
    affinity: bool | None = None
    change_note: str = Field(max_length=2000, description="why (required, not blank)")


class ClaimOut(BaseModel):
    case: str | None = Field(description="key of the case now yours; null when none is waiting")
    note: str | None = Field(default=None, description=(
        "why harmful cases were passed over: you reached today's cap of harmful items"))


class WorkIntervalOut(BaseModel):
    """One person's work on a case: from when to when, and the team they were in then."""

    user: str = Field(description="the person's e-mail")
    name: str
    team: str | None = Field(description="the person's team when the interval started")
    vendor: str | None = Field(description="that team's vendor then (none: internal)")
    started_at: datetime
    ended_at: datetime | None = Field(description="null while they still hold the case")
    start_reason: str = Field(description="claimed, assigned, revised or backfilled")
    end_reason: str | None = Field(
        description="released, reassigned, escalated, decided, closed or merged")
    seconds: float = Field(description="the interval's length; until now while open")


class CaseWorkOut(BaseModel):
    case: str
    items: list[WorkIntervalOut]
