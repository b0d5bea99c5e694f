"""What the privacy API reads and answers: reveals of personal data and legal holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.api.paging import MAX_ROW_ID
from integrity_desk.fields import Text

RequestId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
Reason = Annotated[Text, Field(min_length=3, max_length=2_000)]
Ref = Annotated[Text, Field(min_length=1, max_length=300)]


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


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case: Ref | None = Field(default=None, description="key of the case to hold …")
    subject: Ref | None = Field(default=None, description="… or review:REF, business:DOMAIN, "
                                                          "reviewer:REF")
    reason: Reason


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason
