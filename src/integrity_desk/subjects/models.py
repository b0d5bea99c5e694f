"""What cases act on: businesses, reviewer accounts and reviews, mirrored from the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
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


class Reviewer(Base):
    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warning_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="published")
    label: Mapped[str | None] = mapped_column(String(300))
    # What triage found harmful to view in its title and text (triage.harm): "threat,hate".
    harm: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    experienced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    business: Mapped[Business | None] = relationship(lazy="raise")
    reviewer: Mapped[Reviewer | None] = relationship(lazy="raise")
