"""Queues are data: which kinds, tier and languages they take, and which team works them."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, JSONType
from integrity_desk.people.models import Team


class Queue(Base):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tier: Mapped[int] = mapped_column(SmallInteger, default=1)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)  # empty: any language
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    position: Mapped[int] = mapped_column(Integer, default=100)  # routing tries low first
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team | None] = relationship(lazy="joined")
