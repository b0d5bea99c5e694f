"""The platform's flags the desk has taken in by import, by the platform's own flag id.

Intake has no key of its own for a flag (two consumers flagging the same review are two
requests), so re-running a flag import would file every flag again. The import remembers each
flag's id and the receipt intake gave it, and skips an id it has seen: importing the same file
twice files each flag once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class ImportedFlag(Base):
    __tablename__ = "imported_flags"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
