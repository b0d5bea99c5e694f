"""Coaching notes: what a lead wrote to a person about their work, dated, for both to read.

A note is never edited or deleted (a correction is a new note): the person's record of the
feedback they were given must be the one they read at the time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class CoachingNote(Base):
    __tablename__ = "coaching_notes"
    __table_args__ = (Index("ix_coaching_notes_person", "person_id", "written_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
