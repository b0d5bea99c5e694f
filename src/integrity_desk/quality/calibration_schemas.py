"""What the calibration API reads and answers. A member's bodies (``MemberExercise``) have no
field for a reference answer, a case key or another person's answer at all: blindness holds
by construction, whatever a route might try to put in them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from integrity_desk.fields import MaybeWhy, Text, blank_is_none
from integrity_desk.people import certifications
from integrity_desk.quality.calibration_models import (
    CalibrationExercise,
    CalibrationInvitation,
    CalibrationItem,
)
from integrity_desk.quality.calibration_results import label

Title = Annotated[Text, Field(min_length=1, max_length=200)]
Share = Annotated[float, Field(ge=0, le=1)]
CertName = Annotated[str, Field(pattern=certifications.NAME.pattern)]
Code = Annotated[str, Field(min_length=1, max_length=64)]
ActionName = Annotated[str, Field(min_length=1, max_length=40)]


class ExerciseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    instructions: Annotated[Text, Field(max_length=10_000)] = ""
    closes_at: AwareDatetime | None = None
    min_alpha: Share = 0.8
    min_agreement: Share = 0.8
    certification: CertName | None = None
    valid_days: Annotated[int | None, Field(ge=1, le=3650)] = None
    guidelines: Annotated[list[Code], Field(max_length=50)] = []


class ExerciseChange(BaseModel):
    """Only the fields sent change; ``null`` clears an optional one."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    instructions: Annotated[Text, Field(max_length=10_000)] | None = None
    closes_at: AwareDatetime | None = None
    min_alpha: Share | None = None
    min_agreement: Share | None = None
    certification: CertName | None = None
    valid_days: Annotated[int | None, Field(ge=1, le=3650)] = None
    guidelines: Annotated[list[Code], Field(max_length=50)] | None = None

    @model_validator(mode="after")
    def _required_stay(self) -> ExerciseChange:
        for name in ("title", "min_alpha", "min_agreement"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self


class ItemIn(BaseModel):
    """From a decided case (``case``: its key), or synthetic (``title`` and ``text``). The
    reference answer defaults to the case's decision; a synthetic item may have none."""

    model_config = ConfigDict(extra="forbid")
    case: Annotated[str | None, Field(max_length=40)] = None
    title: Annotated[Text | None, Field(max_length=300)] = None
    text: Annotated[Text | None, Field(max_length=20_000)] = None
    reference_action: ActionName | None = None
    reference_guideline: Code | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ItemIn:
        if self.case and (self.title or self.text):
            raise ValueError("give a case, or a title and text for a synthetic item, not both")
        if not self.case and not (self.title and self.text):
            raise ValueError("give a case key, or a title and text for a synthetic item")
        return self


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]],
                        Field(min_length=1, max_length=200)]


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: ActionName
    guideline: Annotated[Code | None, Field(default=None)] = None
    note: MaybeWhy = None

    @model_validator(mode="before")
    @classmethod
    def _blank_guideline(cls, data: Any) -> Any:
        if isinstance(data, dict) and "guideline" in data:
            data = {**data, "guideline": blank_is_none(data["guideline"])}
        return data


class ExerciseOut(BaseModel):
    id: int
    title: str
    instructions: str
    status: Literal["draft", "open", "closed"]
    created_at: datetime
    opened_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None
    min_alpha: float
    min_agreement: float
    certification: str | None
    valid_days: int | None
    guidelines: list[str]


def exercise_out(e: CalibrationExercise) -> ExerciseOut:
    return ExerciseOut(id=e.id, title=e.title, instructions=e.instructions,
                       status=e.status,  # type: ignore[arg-type]
                       created_at=e.created_at, opened_at=e.opened_at, closes_at=e.closes_at,
                       closed_at=e.closed_at, min_alpha=e.min_alpha,
                       min_agreement=e.min_agreement, certification=e.certification,
                       valid_days=e.valid_days, guidelines=list(e.guidelines or []))


class ItemOut(BaseModel):
    """An item as its manager sees it: with the case it came from and its reference."""

    id: int
    position: int
    source: str
    case_id: int | None
    content: dict[str, Any]
    reference_action: str | None
    reference_guideline: str | None
    reference: str | None
    reference_from: str | None


def item_out(i: CalibrationItem) -> ItemOut:
    return ItemOut(id=i.id, position=i.position, source=i.source, case_id=i.case_id,
                   content=i.content, reference_action=i.reference_action,
                   reference_guideline=i.reference_guideline,
                   reference=label(i.reference_action, i.reference_guideline)
                   if i.reference_action else None, reference_from=i.reference_from)


class InvitationOut(BaseModel):
    user_id: int
    name: str
    invited_at: datetime
    submitted_at: datetime | None
    answered: int
    agreement: float | None
    passed: bool | None


def invitation_out(inv: CalibrationInvitation, name: str, answered: int) -> InvitationOut:
    return InvitationOut(user_id=inv.user_id, name=name, invited_at=inv.invited_at,
                         submitted_at=inv.submitted_at, answered=answered,
                         agreement=inv.agreement, passed=inv.passed)


class ExerciseDetail(BaseModel):
    exercise: ExerciseOut
    items: list[ItemOut]
    invitations: list[InvitationOut]
    results: dict[str, Any] | None


class MemberItemOut(BaseModel):
    id: int
    position: int
    content: dict[str, Any]
    action: str | None
    guideline: str | None
    note: str | None


class GroupFigures(BaseModel):
    """What a member sees of the group once closed: the figures, no one else's line."""

    alpha: dict[str, Any]
    alpha_action: dict[str, Any]
    alpha_guideline: dict[str, Any]
    per_guideline: list[dict[str, Any]]
    raters: int


class MemberExercise(BaseModel):
    exercise: ExerciseOut
    submitted_at: datetime | None
    items: list[MemberItemOut]
    answered: int
    mine: dict[str, Any] | None = None  # one's own result, once closed
    group: GroupFigures | None = None  # the group's figures, once closed
    # Once closed: each item's reference answer beside one's own, to learn from.
    references: dict[int, str | None] | None = None


class AnswerOut(BaseModel):
    item_id: int
    action: str
    guideline: str | None
    note: str | None
    answered_at: datetime
