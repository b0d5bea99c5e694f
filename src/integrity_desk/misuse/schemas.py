"""What the misuse API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.misuse.domain import Bucket, PartyType


class CandidateOut(BaseModel):
    party_type: str
    party_key: str
    bucket: str
    manifest: int
    total: int
    share: float
    crossed: bool
    last_measure: str | None
    last_measure_at: datetime | None


class CounterOut(BaseModel):
    bucket: str
    manifest: int
    total: int
    share: float
    crossed: bool
    line_count: int
    line_share: float


class MeasureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    party_type: str
    party_key: str
    bucket: str
    measure: str
    manifest_count: int
    total_count: int
    reason: str
    starts_at: datetime
    ends_at: datetime | None


class PartyOut(BaseModel):
    counters: list[CounterOut]
    measures: list[MeasureOut]


class MeasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party_type: PartyType
    party_key: str = Field(min_length=1, max_length=254,
                           description="a reviewer's desk id, or a notifier's e-mail address")
    bucket: Bucket
    reason: str = Field(min_length=1, max_length=5000,
                        description="gravity, intent and circumstances weighed")


class MeasurePage(BaseModel):
    items: list[MeasureOut]
    next_cursor: int | None
