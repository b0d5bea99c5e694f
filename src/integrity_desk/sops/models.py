"""Standard operating procedures (SOPs): versioned playbooks per case kind, their checklist
items, and what has been ticked on each case.

Versioned like guidelines (``decisions.models.Guideline``): publishing edits adds a version and
the old one stays, because a case is worked — and its decision recorded — under the version in
force when the case was opened, and a report compares one version's cases with the previous
one's. A tick is one row per case and item holding its current state (done, or undone and by
whom); every tick and untick is also an event on the case's timeline, which keeps the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, UTCDateTime, utcnow


class Sop(Base):
    """One version of the SOP of a case kind. Never edited once published."""

    __tablename__ = "sops"
    __table_args__ = (
        UniqueConstraint("kind", "version"),
        Index("uq_sops_current", "kind", unique=True,
              postgresql_where=text("is_current"), sqlite_where=text("is_current")),
        # The version in force for a case: the kind's latest created at or before its opening.
        Index("ix_sops_kind_created", "kind", "created_at", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # a case kind (cases.domain.CaseKind)
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered sanitised (sops.markdown)
    change_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[SopItem]] = relationship(
        back_populates="sop", lazy="raise", order_by="SopItem.position")


class SopItem(Base):
    """A checklist item of one SOP version. ``key`` is stable across versions, so a report or
    a person can follow "the same step" from one version to the next."""

    __tablename__ = "sop_items"
    __table_args__ = (
        UniqueConstraint("sop_id", "key"),
        Index("ix_sop_items_sop", "sop_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sops.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str | None] = mapped_column(String(1000))
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    sop: Mapped[Sop] = relationship(back_populates="items", lazy="raise")


class ChecklistTick(Base):
    """Whether an item of the case's SOP version is done: ticked by whom and when (with an
    optional note), or unticked (``undone_at`` set) — then it blocks again if required."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (
        UniqueConstraint("case_id", "item_id"),
        Index("ix_checklist_ticks_sop", "sop_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    sop_id: Mapped[int] = mapped_column(ForeignKey("sops.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("sop_items.id"))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(1000))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def done(self) -> bool:
        return self.undone_at is None
