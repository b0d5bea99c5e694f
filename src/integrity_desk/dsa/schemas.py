"""What the DSA API (trusted flaggers) reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from integrity_desk.cases.domain import GuidelineCategory

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class FlaggerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)
    country: Country
    coordinator: str = Field(min_length=1, max_length=200,
                             description="the Digital Services Coordinator that awarded it")
    areas: list[GuidelineCategory] = Field(default_factory=list,
                                           description="areas of expertise (empty: all)")
    contact: EmailStr | None = None


class FlaggerChange(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    coordinator: str | None = Field(default=None, min_length=1, max_length=200)
    country: Country | None = None
    areas: list[GuidelineCategory] | None = None
    contact: EmailStr | None = None
    active: bool | None = Field(default=None,
                                description="false when the status is suspended or revoked")
    reason: str = Field(min_length=1, max_length=2000)


class FlaggerOut(BaseModel):
    id: int
    name: str
    country: str
    coordinator: str
    areas: list[str]
    contact: str | None
    status: str
    awarded_at: datetime
    notices: int
    decided: int
    actioned: int
    precision: float | None = Field(description="acted on / decided")
    median_hours_to_decision: float | None
