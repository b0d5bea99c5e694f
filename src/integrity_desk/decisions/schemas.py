"""What the API takes and says about guidelines and decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from integrity_desk.decisions import appeals
from integrity_desk.decisions.domain import ActionKind, ActionRequest, Automation, Ground
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline
from integrity_desk.privacy.domain import mask_text

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
SubjectRef = Annotated[str, StringConstraints(
    strip_whitespace=True, min_length=3, max_length=300,
    pattern=r"^((review|reviewer|business):.+|members:(review|reviewer|business))$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GuidelineIn(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    text: str | None = Field(default=None, min_length=1, max_length=50_000)
    category: str | None = None
    dsa_category: str | None = None
    dsa_keywords: list[str] | None = None
    default_ground: Ground | None = None
    legal_ground: str | None = Field(default=None, max_length=500)
    severity: int | None = Field(default=None, ge=1, le=4)
    sanctions: list[dict[str, Any]] | None = None
    change_note: str = Field(min_length=1, max_length=500,
                             description="why this version (kept with it)")


class GuidelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    version: int
    is_current: bool
    title: str
    text: str
    category: str
    dsa_category: str
    dsa_keywords: list[str]
    default_ground: str
    legal_ground: str | None
    severity: int
    sanctions: list[dict[str, Any]]
    change_note: str | None
    created_at: datetime


class ActionIn(Strict):
    action: ActionKind
    subject: SubjectRef = Field(description=(
        "review:REF, reviewer:REF or business:DOMAIN; members:review (…:reviewer, "
        "…:business) acts on every member of that type"))
    duration_days: int | None = Field(default=None, ge=1, le=3650)
    label: str | None = Field(default=None, max_length=300)
    response_days: int | None = Field(
        default=None, ge=1, le=90, description="request_documentation: days to answer (7)")

    def request(self) -> tuple[str, ActionRequest]:
        kind, _, rest = self.subject.partition(":")
        subject_type = rest if kind == "members" else kind
        return self.subject, ActionRequest(self.action, subject_type, 0, self.duration_days,
                                           self.label, self.response_days)


class DecisionIn(Strict):
    outcome: Literal["action", "no_action"] = "action"
    guideline: str = Field(min_length=1, max_length=64, description="guideline code")
    guideline_version: int | None = Field(default=None, ge=1,
                                          description="default: the version in force")
    ground: Ground | None = Field(default=None, description="default: the guideline's")
    legal_ground: str | None = Field(default=None, max_length=500)
    explanation: str = Field(min_length=1, max_length=2000)
    facts: str = Field(min_length=1, max_length=5000)
    automated_detection: bool = False
    automated_decision: Automation = Automation.NOT_AUTOMATED
    territorial_scope: list[Country] = Field(default_factory=list, max_length=40)
    actions: list[ActionIn] = Field(
        default_factory=list, max_length=1000,
        description="over 1,000 subjects: name members:TYPE lines (up to 20,000 actions), "
                    "applied in chunks of 500 by the worker")
    manifest: bool = Field(default=False, description=(
        "manifestly illegal content (acted on) or a manifestly unfounded notice (no action): "
        "counts towards DSA Art. 23 misuse"))


class ReviewNoteIn(Strict):
    note: str | None = Field(default=None, max_length=5000)


class ActionOut(BaseModel):
    id: int
    action: str
    subject_type: str
    subject_id: int
    duration_days: int | None
    label: str | None
    ends_at: datetime | None
    before: dict[str, Any]
    after: dict[str, Any]
    applied_at: datetime | None
    closed_at: datetime | None


class Progress(BaseModel):
    applied: int = Field(description="actions applied so far")
    total: int = Field(description="actions the decision carries")


class DecisionOut(BaseModel):
    id: int
    case: str
    kind: str
    outcome: str
    status: str
    guideline: str | None
    guideline_version: int | None
    ground: str | None
    legal_ground: str | None
    explanation: str
    facts: str
    automated_detection: bool
    automated_decision: str
    territorial_scope: list[str]
    source_type: str
    decided_by_id: int | None
    decided_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None
    review_note: str | None
    appeal_of_id: int | None
    manifest: bool
    # The SOP version (sops.id) the case was worked under; None: its kind had no SOP then.
    sop_id: int | None = None
    # How far a decision over thousands of subjects is (status "applying": the worker applies
    # it in chunks; "applied" once every action is).
    progress: Progress
    actions: list[ActionOut]


def decision_out(d: Decision, case_key: str, guideline: Guideline | None,
                 actions: list[DecisionAction]) -> DecisionOut:
    return DecisionOut(
        id=d.id, case=case_key, kind=d.kind, outcome=d.outcome, status=d.status,
        guideline=guideline.code if guideline else None,
        guideline_version=guideline.version if guideline else None, ground=d.ground,
        legal_ground=d.legal_ground, explanation=mask_text(d.explanation),
        facts=mask_text(d.facts),
        automated_detection=d.automated_detection, automated_decision=d.automated_decision,
        territorial_scope=d.territorial_scope, source_type=d.source_type,
        decided_by_id=d.decided_by_id, decided_at=d.decided_at,
        approved_by_id=d.approved_by_id, approved_at=d.approved_at, review_note=d.review_note,
        appeal_of_id=d.appeal_of_id, manifest=d.manifest, sop_id=d.sop_id,
        progress=Progress(applied=sum(a.applied_at is not None for a in actions),
                          total=len(actions)),
        actions=[ActionOut(id=a.id, action=a.action, subject_type=a.subject_type,
                           subject_id=a.subject_id, duration_days=a.duration_days,
                           label=a.label, ends_at=a.ends_at, before=a.before or {},
                           after=a.after or {}, applied_at=a.applied_at, closed_at=a.closed_at)
                 for a in actions])


class ApprovalRuleIO(Strict):
    action: ActionKind
    requires_approval: bool


class SanctionOut(BaseModel):
    subject_type: str
    subject_id: int
    offence: int
    action: str
    duration_days: int | None


class DecisionPage(BaseModel):
    items: list[DecisionOut]
    next_cursor: int | None


class AppealOutcomeIn(Strict):
    outcome: appeals.AppealOutcome
    reasoning: str = Field(min_length=1, max_length=5000,
                           description="the reasoned outcome sent to the appellant")
    reverse_action_ids: list[int] = Field(
        default_factory=list, max_length=500,
        description="partly_overturned: the contested actions to reverse")
    actions: list[ActionIn] = Field(default_factory=list, max_length=500,
                                    description="new actions, e.g. after a notifier's appeal")
    territorial_scope: list[Country] = Field(default_factory=list, max_length=40)
    override_reason: str | None = Field(
        default=None, max_length=2000,
        description="a manager deciding an appeal against their own decision says why")
    manifestly_unfounded: bool = Field(
        default=False, description="upheld, and the complaint was manifestly unfounded "
                                   "(counts towards DSA Art. 23 misuse)")


class DisputeIn(Strict):
    body: str = Field(min_length=1, max_length=200, description="the certified body")
    reference: str | None = Field(default=None, max_length=120)
    submitted_at: datetime


class DisputeUpdate(Strict):
    model_config = ConfigDict(extra="forbid")
    outcome: str | None = None
    decided_at: datetime | None = None
    implemented: bool | None = None
    implemented_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=5000)


class DisputeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    decision_id: int | None
    body: str
    reference: str | None
    submitted_at: datetime
    outcome: str | None
    decided_at: datetime | None
    implemented: bool | None
    implemented_at: datetime | None
    notes: str | None
