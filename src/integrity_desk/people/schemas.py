"""What the people API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field

from integrity_desk.fields import Text

Name = Annotated[Text, Field(min_length=1, max_length=120)]
Fraction = Annotated[float | None, Field(default=None, ge=0, le=1)]
Positive = Annotated[float | None, Field(default=None, gt=0, le=100_000)]
Coverage = dict[str, list[list[str]]]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    team: str | None = None
    languages: list[str]
    max_tier: int
    active: bool


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    name: str = Field(min_length=1, max_length=120)
    role: str
    password: str | None = None
    team: str | None = None
    languages: list[str] = []
    skills: list[str] = []
    max_tier: int | None = Field(default=None, ge=1, le=3)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    # At least one: an empty list answers 422 naming `scopes` instead of a default (issue 16).
    scopes: list[Literal["read", "write", "admin"]] = Field(
        default=["read", "write"], min_length=1, max_length=3,
        description="what the token may do; at least one of read, write, admin")
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    expires_at: datetime | None
    token: str = Field(description="shown once; only its hash is stored")


class TokenInfo(BaseModel):
    """A token as listed: never its secret (only a hash is kept), the first characters to
    recognise it by."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str = Field(description="active, expired or revoked")


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(description="the new password; the policy in docs/access.md applies")


class AccountChange(BaseModel):
    user: UserOut
    sessions_ended: int


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    kind: Literal["internal", "vendor"] = "internal"
    vendor: Name | None = Field(default=None, description="the vendor's name; a vendor team "
                                                          "needs one, an internal team has none")
    calendar: Name | None = Field(default=None, description="an SLA calendar's name")


class TeamChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    kind: Literal["internal", "vendor"] | None = None
    vendor: Name | None = None
    calendar: Name | None = None


class TeamOut(BaseModel):
    id: int
    name: str
    kind: str
    vendor: str | None
    vendor_id: int | None
    calendar_id: int | None


class VendorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    languages: list[Annotated[Text, Field(max_length=16)]] = Field(default=[], max_length=50)
    time_zone: Annotated[Text, Field(max_length=64)] = "UTC"
    coverage: Coverage = Field(default={}, description='weekly hours in the vendor\'s time '
                                                      'zone: {"mon": [["08:00", "20:00"]], …}')
    active: bool = True


class VendorChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    languages: list[Annotated[Text, Field(max_length=16)]] | None = Field(default=None,
                                                                          max_length=50)
    time_zone: Annotated[Text, Field(max_length=64)] | None = None
    coverage: Coverage | None = None
    active: bool | None = None


class Targets(BaseModel):
    """A contract's KPI targets; a target left out (null) is "no target"."""

    first_response_attainment: Fraction = Field(
        default=None, description="fraction 0–1 of first-response clocks met")
    resolution_attainment: Fraction = Field(
        default=None, description="fraction 0–1 of resolution clocks met")
    qa_accuracy: Fraction = Field(default=None, description="fraction 0–1 of QA checks passed")
    aht_minutes: Positive = Field(default=None, description="average handling time, minutes")
    backlog_age_p90_hours: Positive = Field(
        default=None, description="90th percentile of the open backlog's age, hours")


class ContractIn(Targets):
    model_config = ConfigDict(extra="forbid")
    starts_on: date
    ends_on: date | None = Field(default=None, description="last day in force; null: "
                                                           "open-ended")


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: Annotated[Text, Field(min_length=1, max_length=64)]
    weekly_volume: int = Field(ge=0, le=10_000_000, description="cases a week")


class CommitmentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commitments: list[CommitmentIn] = Field(max_length=500)


class CommitmentOut(BaseModel):
    queue: str
    weekly_volume: int


class ContractOut(Targets):
    id: int
    starts_on: date
    ends_on: date | None
    in_force: bool
    commitments: list[CommitmentOut]


class VendorOut(BaseModel):
    id: int
    name: str
    languages: list[str]
    time_zone: str
    coverage: Coverage
    active: bool
    teams: list[str]
    contract: ContractOut | None = Field(description="the contract in force today (UTC)")


class VendorDetail(VendorOut):
    contracts: list[ContractOut] = Field(description="every contract, newest first")


Label = Annotated[Text, Field(min_length=1, max_length=64)]


class PersonChange(BaseModel):
    """What a manager changes of a person's working profile; absent fields stay."""

    model_config = ConfigDict(extra="forbid")
    languages: list[Label] | None = Field(default=None, max_length=50)
    kinds: list[Label] | None = Field(default=None, max_length=20,
                                      description="case kinds worked; empty: every kind")
    skills: list[Label] | None = Field(default=None, max_length=100)
    max_tier: int | None = Field(default=None, ge=1, le=3)
    capacity: int | None = Field(default=None, ge=1, le=500,
                                 description="most cases in hand at once; null: no limit")
    time_zone: Annotated[Text, Field(max_length=64)] | None = None
    shift_pattern: Coverage | None = Field(
        default=None, description='weekly shifts in the person\'s time zone: {"mon": '
                                  '[["09:00", "17:00"]], …}; {}: not scheduled')
    team: Name | None = None


class AvailabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    availability: Literal["available", "away", "training", "off"]
    reason: Annotated[Text, Field(max_length=300)] | None = None


class AvailabilityChangeOut(BaseModel):
    status: str
    previous: str | None
    changed_at: datetime
    changed_by_id: int | None
    reason: str | None


class ShiftExceptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["leave", "sick", "training", "extra"]
    starts_at: AwareDatetime = Field(description="with its offset, e.g. 2026-12-24T00:00Z")
    ends_at: AwareDatetime = Field(description="the first moment after the exception")
    note: Annotated[Text, Field(max_length=300)] | None = None


class ShiftExceptionOut(BaseModel):
    id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    note: str | None


class CertificationOut(BaseModel):
    name: str
    source: str
    granted_at: datetime
    expires_at: datetime | None


class PersonSummary(BaseModel):
    """A person as the Team page lists them: who, where, and whether they can take work now."""

    id: int
    email: str
    name: str
    role: str
    team: str | None
    vendor: str | None
    availability: str
    availability_since: datetime | None
    on_shift: bool
    shift: str = Field(description='"on shift until Mon 17:00", "on leave until …"')
    in_hand: int = Field(description="cases held, assigned or in progress")
    capacity: int | None
    ready: bool = Field(description="available, on shift and under capacity")
    reasons: list[str] = Field(description="why not ready, in words")
    handled_today: int = Field(description="cases decided or closed since midnight UTC")
    seen_today: int = Field(description="harmful items seen since midnight UTC")
    harm_cap: int = Field(description="the daily cap of harmful items (docs/wellbeing.md)")


class PersonOut(PersonSummary):
    languages: list[str]
    kinds: list[str]
    skills: list[str]
    max_tier: int
    time_zone: str
    shift_pattern: Coverage
    weekly_hours: float
    exceptions: list[ShiftExceptionOut] = Field(description="current and coming exceptions")
    certifications: list[CertificationOut] = Field(description="held now")
    availability_history: list[AvailabilityChangeOut] = Field(description="latest first")
