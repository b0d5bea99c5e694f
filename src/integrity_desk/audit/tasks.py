"""Periodic signed checkpoint over the chain heads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from integrity_desk.audit.service import checkpoint
from integrity_desk.config import get_settings


def make_checkpoint(session: Session, *, now: datetime) -> dict[str, int]:
    cp = checkpoint(session, secret=get_settings().secret_key)
    return {"chains": cp.chain_count if cp else 0}
