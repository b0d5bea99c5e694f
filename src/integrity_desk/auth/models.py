"""Browser sessions and sign-in throttles.

A session row holds only the SHA-256 of the secret in the cookie (a 256-bit random value, so a
fast hash is enough, as for API tokens): a copy of the database signs nobody in. Ended sessions
are kept, with why they ended, as the record of who was signed in when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, UTCDateTime, utcnow
from integrity_desk.people.models import User


class BrowserSession(Base):
    __tablename__ = "browser_sessions"
    __table_args__ = (Index("ix_browser_sessions_user", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The absolute end, fixed at sign-in; activity never moves it.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # logout | idle | expired | password_reset | deactivated | replaced
    end_reason: Mapped[str | None] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed sign-ins counted per account (the e-mail typed) and per client address.

    Unknown e-mails are counted like known ones, so a lock tells nobody whether an account
    exists. Rows whose failures are older than the counting window are pruned on the next failure.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (Index("ix_login_throttles_last_failure", "last_failure_at"),)

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | ip
    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
