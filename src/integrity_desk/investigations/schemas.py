"""What the workspace's API takes and gives: members in and out, one page of them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.fields import Text, Why

SubjectType = Literal["review", "reviewer", "business"]
# A person adds this many at a time at most (a suggestion adds its own list, up to
# members.MAX_SUGGESTED).
MAX_REFS = 500
Ref = Annotated[Text, Field(min_length=1, max_length=253)]


class MemberIn(BaseModel):
    """Add reviews, accounts or businesses (by the platform's reference; a business by its
    domain) to an investigation, saying why."""

    model_config = ConfigDict(extra="forbid")
    type: SubjectType
    refs: list[Ref] = Field(min_length=1, max_length=MAX_REFS)
    reason: Why


class MemberDropIn(BaseModel):
    """Take one member out, saying why; the signals will not put it back."""

    model_config = ConfigDict(extra="forbid")
    type: SubjectType
    ref: Ref
    reason: Why


class SuggestionIn(BaseModel):
    """Add every subject one suggestion names (its ``kind`` from the workspace), with its
    words as the reason unless another is given."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["ring_reviews"]
    reason: Annotated[Text, Field(max_length=5_000)] = ""


class SignalWhyOut(BaseModel):
    signal: int
    kind: str
    strength: float
    explanation: str


class MemberOut(BaseModel):
    type: SubjectType
    ref: str
    role: str | None = Field(description="primary | related: a case subject; None: a member "
                                         "through the case's findings only")
    reason: str | None = Field(description="why a person added it")
    signals: list[SignalWhyOut] = Field(description="the findings that name it")


class MembersOut(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None


class ChangeOut(BaseModel):
    case: str
    changed: int = Field(description="members added or dropped (0: already so)")
