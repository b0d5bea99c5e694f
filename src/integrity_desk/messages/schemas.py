"""What the messages API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.fields import Text
from integrity_desk.messages import replies


class MessageOut(BaseModel):
    id: int
    kind: str
    to: str | None = Field(description="masked address")
    role: str
    language: str
    subject: str
    body: str = Field(description="contacts in the text masked")
    status: str
    held_reason: str | None
    reviewed_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_code: int | None = Field(description="the mail server's last reply code")
    last_error: str | None = Field(description="the mail server's last answer, contacts masked")
    next_attempt_at: datetime | None = Field(description="while queued: when it is tried next")
    dead_at: datetime | None


class OutboxItem(MessageOut):
    case_key: str


class OutboxPage(BaseModel):
    items: list[OutboxItem]
    next_cursor: int | None


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, max_length=1000,
        description="the dead letters to replay; leave out to replay all you may see")


class ReplayOut(BaseModel):
    replayed: int


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str | None = Field(default=None, max_length=50_000,
                             description="the corrected letter; omit to send it as written")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[Text, Field(min_length=1, max_length=replies.REPLY_MAX,
                                description="what to tell the requester, in your own words")]
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[\w.:-]+$",
        description="sending the same key again queues nothing more and answers the reply "
                    "already queued (200)")
