"""What the API says of a stored finding."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class SubjectOut(BaseModel):
    type: str = Field(description="review | reviewer | business")
    ref: str = Field(description="the platform's reference (a business: its domain)")


class SignalOut(BaseModel):
    id: int
    kind: str = Field(description="burst | duplicates | ring | reviewer_risk")
    business: str | None
    strength: float = Field(description="0-1, comparable across kinds; at or above the desk's "
                                        "signal_open_threshold it opens or enriches a case")
    explanation: str
    evidence: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    case: str | None = Field(description="the case it opened or enriched")


class SignalDetailOut(SignalOut):
    subjects: list[SubjectOut] = Field(description="every review, account and business it is "
                                                   "about")


class SignalsOut(BaseModel):
    items: list[SignalOut]
    next_cursor: str | None
