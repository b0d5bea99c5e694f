"""Precedents: one row per decided case, and the keys it is found by.

A row is written in the transaction that applies the case's decision (decisions.service._apply
calls precedents.service.record), and its ``appeal`` is set in the transaction that applies an
appeal outcome against it; so the table never lags the decisions.

``precedent_keys`` is a plain inverted index, the same on both databases: one row per
(key, case) where a key is a text term (``t:refund``) or a pattern (``b:12`` business,
``r:7`` reviewer, ``v:3`` review, ``c:fake`` category, ``s:burst`` signal kind). Its primary
key (key, case_id) lets a look-up take the newest N cases of a key by walking the index
backwards, whatever the key's frequency: a word in half the cases costs no more than a rare
one. (A tsvector/GIN or FTS5 index would rank all matches of a common word first.)

The terms hold no contact details (domain.terms cuts out what search cuts out, and keeps no
word that starts with a digit): what retention erases from a case's text was never copied here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class Precedent(Base):
    __tablename__ = "precedents"
    __table_args__ = (Index("ix_precedents_decided", "decided_at", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(24))  # action | no_action
    guideline_code: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # none | upheld | overturned | partly_overturned: the latest appeal outcome against it
    appeal: Mapped[str] = mapped_column(String(24), server_default=text("'none'"))
    # The distinct terms of title, description and reviews, space-separated, capped
    # (domain.MAX_TERMS): what the final score compares, without a second look-up.
    terms: Mapped[str] = mapped_column(Text, server_default=text("''"))


class PrecedentKey(Base):
    __tablename__ = "precedent_keys"
    # Deleting a case's keys when it is decided again goes by case.
    __table_args__ = (Index("ix_precedent_keys_case", "case_id"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
