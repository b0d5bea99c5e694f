"""The evidence API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class SnapshotOut(BaseModel):
    id: int
    subject: str = Field(description="review:REF, reviewer:REF or business:DOMAIN")
    occasion: str = Field(description="examined (work began, added, or asked for) or decided")
    decision_id: int | None
    taken_at: datetime
    taken_by: str
    sha256: str = Field(description="SHA-256 of the canonical JSON in `content`, as stored")
    content: dict[str, Any] = Field(description="the subject as it stood: text, metadata and "
                                                "the signals that named it")


class SnapshotsOut(BaseModel):
    items: list[SnapshotOut]
    next_cursor: str | None


class CapturedOut(BaseModel):
    snapshots: int = Field(description="how many were taken (a subject unchanged since its "
                                       "last snapshot on this case is not taken again)")
