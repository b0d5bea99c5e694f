"""Policy questions: a specialist asks the Policy team about a guideline from a case (it is
unclear, the case shows a new pattern, or the guidelines have a gap); Policy answers, and may
publish a new version of the guideline that the answer links. Open questions have a due time
(``policy_question_hours`` after they are raised), so an unanswered one is visible as late."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class PolicyQuestion(Base):
    __tablename__ = "policy_questions"
    __table_args__ = (
        # Policy's list: open questions, soonest due first.
        Index("ix_policy_questions_open", "due_at", "id",
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
        # Counts per guideline over a period; a case's questions; one's own questions.
        Index("ix_policy_questions_guideline", "guideline_code", "raised_at"),
        Index("ix_policy_questions_case", "case_id", "id"),
        Index("ix_policy_questions_raised_by", "raised_by_id", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    guideline_code: Mapped[str | None] = mapped_column(String(64))  # None: no guideline fits
    reason: Mapped[str] = mapped_column(String(16))  # unclear | new_pattern | gap
    question: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | answered
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The guideline version the answer published or points to, if any.
    guideline_id: Mapped[int | None] = mapped_column(ForeignKey("guidelines.id"))
