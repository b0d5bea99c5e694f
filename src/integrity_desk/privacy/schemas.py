"""What the API says about legal holds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class HoldOut(BaseModel):
    id: int
    case: str | None = Field(description="the held case's key (a hold is on a case …)")
    subject: str | None = Field(description="… or on a subject: review:REF, business:DOMAIN, "
                                            "reviewer:REF, and then on every case about it")
    reason: str
    placed_by: str | None
    placed_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None
    active: bool


class HoldPage(BaseModel):
    items: list[HoldOut]
    next_cursor: str | None
