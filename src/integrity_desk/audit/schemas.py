"""What the audit API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class EventOut(BaseModel):
    id: int
    seq: int
    kind: str
    category: str
    actor: str
    occurred_at: datetime
    payload: dict[str, Any]
    hash: str


class TimelinePage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None
