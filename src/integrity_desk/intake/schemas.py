"""What each kind of request must carry, validated at the door (DSA Art. 16 for notices)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.networks import validate_email

from integrity_desk.cases.domain import Channel, GuidelineCategory
from integrity_desk.cases.schemas import CaseOut

BATCH_LIMIT = 1000


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# The pattern is checked before to_lower, so it must accept either case ("Shop.Example.com").
Domain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=253,
        pattern=r"(?i)^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
    ),
]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                       pattern=r"^[\w.:-]+$")]


@lru_cache(maxsize=4096)
def _valid_email(value: str) -> str:
    """EmailStr's own check (same errors, same normalised address), remembered: email-validator
    takes ~30 µs an address, most of a flag's validation, and a batch repeats its senders. The
    answer depends on the text alone (deliverability is not checked)."""
    return validate_email(value)[1]


# EmailStr, validated once per distinct address and process.
Email = Annotated[str, AfterValidator(_valid_email),
                  WithJsonSchema({"type": "string", "format": "email"})]


def _affirmed(v: bool) -> bool:
    if not v:
        raise ValueError("a notice must carry the sender's good-faith statement")
    return v


GoodFaith = Annotated[bool, AfterValidator(_affirmed), Field(
    description="the sender's statement that the notice is accurate and complete "
    "(DSA Art. 16(2)(d)); must be true")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReviewIn(Strict):
    """A review by its platform id; the snapshot fields let intake mirror one not yet synced."""

    ref: Ref
    text: str | None = Field(default=None, max_length=20_000)
    title: str | None = Field(default=None, max_length=300)
    rating: int | None = Field(default=None, ge=1, le=5)
    language: Language | None = None
    business_domain: Domain | None = None
    reviewer_ref: Ref | None = None
    published_at: datetime | None = None


class Person(Strict):
    name: Name
    email: Email | None = None
    organisation: Name | None = None


class _Common(Strict):
    channel: Channel = Channel.API
    title: Annotated[str, StringConstraints(max_length=300)] | None = None
    language: Language | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class FlagIn(_Common):
    kind: Literal["flag"]
    review: ReviewIn
    reporter_type: Literal["consumer", "business", "automated_detector"]
    reporter: Person | None = None
    category: GuidelineCategory
    reason: Annotated[str, StringConstraints(max_length=5_000)] = ""


class CsmEscalationIn(_Common):
    kind: Literal["csm_escalation"]
    business_domain: Domain
    csm: Person
    customer_tier: Literal["enterprise", "premium", "standard", "free"]
    revenue_at_stake: int = Field(ge=0, le=10_000_000_000)
    description: Text
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=200)
    category: GuidelineCategory | None = None
    needed_by: datetime | None = Field(
        default=None, description="when the requester needs an answer (the business's own "
                                  "deadline; shown on the case, not an SLA)")


class ExecutiveEscalationIn(_Common):
    kind: Literal["executive_escalation"]
    executive: Person
    executive_title: Name
    business_domain: Domain
    business_impact: Text
    description: Text
    revenue_at_stake: int | None = Field(default=None, ge=0, le=10_000_000_000)
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=200)
    category: GuidelineCategory | None = None
    needed_by: datetime | None = Field(
        default=None, description="when the requester needs an answer (the business's own "
                                  "deadline; shown on the case, not an SLA)")


def _desk_knows_when(value: datetime | None) -> None:
    if value is not None:
        raise ValueError("leave it out: the appeal window runs from when the desk recorded "
                         "that the person was informed, never from a date in the request")


class AppealIn(_Common):
    kind: Literal["appeal"]
    contested_case: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    appellant_type: Literal["reviewer", "business", "notifier"]
    appellant: Person
    informed_at: Annotated[datetime | None, AfterValidator(_desk_knows_when)] = Field(
        default=None, description="not accepted: the 6-month window runs from the desk's own "
        "record of when the person was informed (DSA Art. 20(1))")
    grounds: Text


class LegalNoticeIn(_Common):
    kind: Literal["legal_notice"]
    sender_type: Literal["law_firm", "authority", "court"]
    sender: Person
    jurisdiction: Country
    notice_type: Literal[
        "defamation", "intellectual_property", "data_protection_erasure",
        "law_enforcement_data_request", "court_order", "other",
    ]
    legal_basis: Text
    explanation: Text
    deadline: datetime = Field(description="when the sender needs the content acted on; "
                                           "not in the past")
    urls: list[AnyHttpUrl] = Field(min_length=1, max_length=500)
    good_faith_statement: GoodFaith
    category: GuidelineCategory | None = None
    csam: bool = Field(default=False, description=(
        "the notice concerns child sexual abuse offences (Directive 2011/93/EU Art. 3-7): "
        "only then may the sender's e-mail address be left out (DSA Art. 16(2)(c))"))


class TrustedFlaggerNoticeIn(_Common):
    kind: Literal["trusted_flagger_notice"]
    trusted_flagger: Name
    contact: Person
    urls: list[AnyHttpUrl] = Field(default_factory=list, max_length=500)
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=500)
    category: GuidelineCategory
    explanation: Text
    good_faith_statement: GoodFaith


class InvestigationIn(_Common):
    kind: Literal["investigation"]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
    description: Text
    hypothesis: Annotated[str, StringConstraints(max_length=5_000)] = ""
    category: GuidelineCategory | None = None
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=1000)
    business_domains: list[Domain] = Field(default_factory=list, max_length=200)
    reviewer_refs: list[Ref] = Field(default_factory=list, max_length=1000)


CaseIn = Annotated[
    FlagIn | CsmEscalationIn | ExecutiveEscalationIn | AppealIn | LegalNoticeIn
    | TrustedFlaggerNoticeIn | InvestigationIn,
    Field(discriminator="kind"),
]


class IntakeOut(BaseModel):
    outcome: str = Field(description="created: a new case; linked: joined an open case")
    receipt: str = Field(description="this request's own reference (RCPT-…)")
    case: CaseOut | None = Field(
        description="the case, when the caller may read it; null when the request landed in "
                    "a case the caller may not read (another team's queue, legal-restricted)")


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Any item is accepted here and judged on its own: one malformed item (a string, a NUL,
    # a bad field) is answered in its place while the others land.
    items: list[Any] = Field(min_length=1, max_length=BATCH_LIMIT,
                             description="flags, each as for POST /cases")


class ItemError(BaseModel):
    field: str = Field(description="the item's field, or 'item' for the item as a whole")
    message: str


class BatchItemOut(BaseModel):
    index: int
    # refused: the reporter is suspended from sending notices (DSA Art. 23(2))
    status: Literal["created", "linked", "invalid", "refused"]
    receipt: str | None = Field(default=None, description="the request's reference "
                                "(created and linked items)")
    case: str | None = Field(default=None, description="the case's key, where the caller may "
                             "read the case")
    errors: list[ItemError] | None = Field(default=None,
                                           description="invalid or refused items: why")


class BatchOut(BaseModel):
    created: int
    linked: int
    invalid: int
    refused: int
    items: list[BatchItemOut]
