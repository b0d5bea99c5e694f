"""Teams (internal or a vendor's), vendors with their contracts, the people who work cases, and
their API tokens (docs/workforce.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    SPECIALIST = "specialist"
    AGENT = "agent"
    LEGAL = "legal"
    POLICY = "policy"
    VIEWER = "viewer"


# Roles that take and work cases (the others read); of them, who may work legal-restricted
# cases; and whose own languages bound the cases they take (managers, admins and counsel work
# any language). Routing, the claim, the roster and the access matrix all read these.
WORKING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.AGENT, Role.LEGAL})
LEGAL_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL})
LANGUAGE_BOUND_ROLES = frozenset({Role.AGENT, Role.SPECIALIST})


class Availability(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    TRAINING = "training"
    OFF = "off"


class ShiftExceptionKind(StrEnum):
    LEAVE = "leave"
    SICK = "sick"
    TRAINING = "training"
    EXTRA = "extra"  # an extra shift: on shift outside the weekly pattern


class TeamKind(StrEnum):
    INTERNAL = "internal"
    VENDOR = "vendor"


class Vendor(Base):
    """A BPO the desk contracts: its languages and weekly hours of coverage (``{"mon":
    [["08:00", "20:00"]], …}`` in ``time_zone``, an IANA name); rules in people/domain.py."""

    __tablename__ = "vendors"
    __table_args__ = (Index("ix_vendors_active_name", "active", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    coverage: Mapped[dict[str, list[list[str]]]] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VendorContract(Base):
    """A vendor's contract over a period (``ends_on`` inclusive; NULL: open-ended). A vendor's
    periods never overlap, so one contract at most is in force on a date: the one scorecards
    compare with. A NULL target is "no target" (docs/decisions.md)."""

    __tablename__ = "vendor_contracts"
    __table_args__ = (
        Index("ix_vendor_contracts_vendor_starts", "vendor_id", "starts_on"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Fractions 0–1 of clocks met (first response, resolution) and of QA checks passed.
    first_response_attainment: Mapped[float | None] = mapped_column(Float)
    resolution_attainment: Mapped[float | None] = mapped_column(Float)
    qa_accuracy: Mapped[float | None] = mapped_column(Float)
    aht_minutes: Mapped[float | None] = mapped_column(Float)  # average handling time
    backlog_age_p90_hours: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitments: Mapped[list[VendorCommitment]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="VendorCommitment.id")


class VendorCommitment(Base):
    """Cases a week the vendor commits to work in a queue under a contract."""

    __tablename__ = "vendor_commitments"
    __table_args__ = (UniqueConstraint("contract_id", "queue_id"),
                      Index("ix_vendor_commitments_queue", "queue_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_contracts.id", ondelete="CASCADE"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    weekly_volume: Mapped[int] = mapped_column(Integer)


class Team(Base):
    """A team is internal or a vendor's: a vendor team has its vendor, an internal one none
    (people/teams.py holds the rule)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=TeamKind.INTERNAL)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("sla_calendars.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vendor: Mapped[Vendor | None] = relationship()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    max_tier: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Harmful review text is blurred until revealed (docs/wellbeing.md); the person may turn
    # it off, and then every harmful item shown counts as seen.
    blur_harm: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Case kinds the person works (empty: every kind their role and tier allow).
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    # Most cases open at once in their hands; NULL: no limit set (docs/workforce.md).
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Weekly shifts in the person's own time zone, as a vendor's coverage: {"mon": [["09:00",
    # "17:00"]], …}; empty: not scheduled (routing treats them as on shift).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    shift_pattern: Mapped[dict[str, list[list[str]]]] = mapped_column(
        JSONType, default=dict, server_default="{}")
    # available | away | training | off; every change is a row of availability_changes.
    availability: Mapped[str] = mapped_column(String(16), default=Availability.AVAILABLE,
                                              server_default=Availability.AVAILABLE.value)
    availability_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(lazy="joined")


class ShiftException(Base):
    """A departure from a person's weekly shifts over [starts_at, ends_at): leave, sickness or
    training take them off shift; an extra shift puts them on. Cancelling one deletes the row
    (the people chain keeps the record)."""

    __tablename__ = "shift_exceptions"
    __table_args__ = (
        Index("ix_shift_exceptions_user_ends", "user_id", "ends_at"),
        Index("ix_shift_exceptions_ends", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AvailabilityChange(Base):
    """One change of a person's availability, by them or their manager: the record occupancy
    (available time on shift) is measured from."""

    __tablename__ = "availability_changes"
    __table_args__ = (Index("ix_availability_changes_user_at", "user_id", "changed_at"),
                      Index("ix_availability_changes_at", "changed_at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    previous: Mapped[str | None] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(300))


class Certification(Base):
    """A grant of a certification (see people/certifications.py); never edited, only revoked."""

    __tablename__ = "certifications"
    __table_args__ = (Index("ix_certifications_user", "user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # calibration | manager
    source_ref: Mapped[str | None] = mapped_column(String(120))  # e.g. calibration:12
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(300))


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    # SHA-256 of a 256-bit random secret: the secret's entropy makes a slow hash needless,
    # and a fast one keeps authentication off the request's critical path.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
