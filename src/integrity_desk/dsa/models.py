"""Entities awarded trusted-flagger status (DSA Art. 22) by a Digital Services Coordinator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class TrustedFlagger(Base):
    __tablename__ = "trusted_flaggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    coordinator: Mapped[str] = mapped_column(String(200))
    areas: Mapped[list[str]] = mapped_column(JSONType, default=list)  # guideline categories
    contact: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
