"""What the SLA API reads and answers: its request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.cases.domain import CaseKind
from integrity_desk.sla.clock import MAX_TARGET_MINUTES


class PolicyIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    kind: CaseKind
    priority: int = Field(ge=0, le=4)
    first_response_minutes: int = Field(gt=0, le=MAX_TARGET_MINUTES,
                                        description="working minutes; at most one year")
    resolution_minutes: int = Field(gt=0, le=MAX_TARGET_MINUTES,
                                    description="working minutes; at most one year")
    at_risk_fraction: float = Field(default=0.2, gt=0, lt=1)
    calendar: str | None = Field(default=None, description="calendar name; none = the team's")


class CalendarIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    name: str = Field(min_length=1, max_length=120)
    timezone: str = "UTC"
    hours: dict[str, list[list[str]]] | None = None
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    extra_holidays: list[str] = []
