"""What people decided about an investigation's members: the ones they dropped, with why.

A member a person dropped stays dropped: the signals keep finding the same reviews and
accounts night after night, and ``signals.cases.act`` reads this table (by its primary key,
case then subject) so that it does not put back what a person took out. A member a person
added carries its reason on its ``case_subjects`` row (``reason``); both changes are also on
the case's timeline (``case.member_added``, ``case.member_dropped``), which is the record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class DroppedMember(Base):
    __tablename__ = "dropped_members"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    dropped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dropped_at: Mapped[datetime] = mapped_column(UTCDateTime)
