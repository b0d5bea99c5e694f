"""What cases act on: businesses, reviewer accounts and reviews, mirrored from the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, UTCDateTime, utcnow


class Business(Base):
    __tablename__ = "businesses"
    __table_args__ = (
        # The request forms' business picker: a domain prefix (LIKE 'shop%' on PostgreSQL
        # needs text_pattern_ops under a non-C collation; SQLite ranges over it).
        Index("ix_businesses_domain_prefix", "domain",
              postgresql_ops={"domain": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    plan_tier: Mapped[str] = mapped_column(String(32), default="free")
    csm_owner: Mapped[str | None] = mapped_column(String(200))
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What decisions did to it (see decisions.domain.effect).
    consumer_warning: Mapped[str | None] = mapped_column(String(300))
    consumer_warning_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    features_status: Mapped[str] = mapped_column(String(16), default="full",
                                                 server_default="full")
    features_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warning_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When an import last added or changed one of its reviews, and when the signals last ran
    # over them: the nightly run recomputes only businesses whose reviews changed since.
    reviews_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signals_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reviewer(Base):
    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Unknown (None) for an account the desk learnt of from an imported review: the signals'
    # "account age" reads only a date the platform gave.
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warning_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Review(Base):
    __tablename__ = "reviews"
    # A business's reviews by day: what every signal over one business reads.
    __table_args__ = (Index("ix_reviews_business_published", "business_id", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    # (by business: ix_reviews_business_published, which also serves business_id alone)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="published")
    label: Mapped[str | None] = mapped_column(String(300))
    # What triage found harmful to view in its title and text (triage.harm): "threat,hate".
    harm: Mapped[str | None] = mapped_column(String(64))
    # False for a review imported in bulk: reading each text for harm would cost more than the
    # whole import (~70 µs a review), and only a review that comes into a case is ever shown,
    # so ``harm`` is settled when it does (subjects.service.reviews_by_ref).
    harm_checked: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # The platform's device and network identifiers (hashed by the platform), when it shares
    # them: accounts on one device are one of the strongest signs of a ring.
    device_id: Mapped[str | None] = mapped_column(String(128))
    network_id: Mapped[str | None] = mapped_column(String(128))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    experienced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    business: Mapped[Business | None] = relationship(lazy="raise")
    reviewer: Mapped[Reviewer | None] = relationship(lazy="raise")
