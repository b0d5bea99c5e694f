"""Precedents over HTTP: what one looks like."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class PrecedentOut(BaseModel):
    key: str
    title: str
    outcome: str = Field(description="action | no_action")
    guideline: str | None
    decided_at: datetime
    appeal: Literal["none", "upheld", "overturned", "partly_overturned"] = Field(
        description="the latest appeal outcome against the decision")
    score: float = Field(description="text similarity (0-1) plus the shared patterns' weights")
    text_similarity: float
    shared_terms: list[str]
    why: list[str] = Field(description="shared patterns: same review, reviewer, business, "
                                       "category, signal")


class PrecedentsOut(BaseModel):
    case: str
    items: list[PrecedentOut]
