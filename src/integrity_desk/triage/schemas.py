"""What the triage API reads and answers: its request and response bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RuleIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    name: str = Field(min_length=1, max_length=64)
    factor: str
    params: dict[str, Any] = {}
    active: bool = True


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[RuleIO] = Field(min_length=1)
