"""What the webhooks API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.webhooks.domain import EventType


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubscriptionIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    url: str = Field(min_length=1, max_length=2000,
                     description="https URL the events are POSTed to")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))
    active: bool = True


class SubscriptionChange(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[EventType] | None = Field(default=None, min_length=1)
    active: bool | None = None


class SubscriptionOut(BaseModel):
    id: int
    name: str
    url: str
    event_types: list[str]
    active: bool
    secret_hint: str
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deliveries: dict[str, int] | None = Field(
        default=None, description="deliveries by status (pending, delivered, dead)")


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="the signing secret, shown this once")


class SubscriptionPage(BaseModel):
    items: list[SubscriptionOut]
    next_cursor: int | None


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    replays: int
    created_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None
    body: str


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: int | None


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    delivery_id: int
    attempt: int
    started_at: datetime
    status_code: int | None
    latency_ms: int
    outcome: str
    error: str | None


class AttemptPage(BaseModel):
    items: list[AttemptOut]
    next_cursor: int | None


class SecretOut(BaseModel):
    secret: str = Field(description="the new signing secret, shown this once")
    secret_hint: str
    previous_secret_expires_at: datetime | None


class ReplayIn(Strict):
    delivery_ids: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, max_length=1000,
        description="the dead letters to replay; leave out to replay all of them")


class ReplayOut(BaseModel):
    replayed: int
