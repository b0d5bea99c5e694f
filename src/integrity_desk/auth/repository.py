"""Queries on sessions that other slices need (people ends them on reset and deactivation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from integrity_desk.auth.models import BrowserSession


def end_user_sessions(session: Session, user_id: int, *, reason: str, now: datetime) -> int:
    """End every open session of a user in one statement; returns how many were open."""
    result = session.execute(
        update(BrowserSession)
        .where(BrowserSession.user_id == user_id, BrowserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return result.rowcount or 0


def end_session(session: Session, session_id: int, *, reason: str, now: datetime) -> bool:
    """End one session unless it has ended already; True if this call ended it."""
    result = session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return bool(result.rowcount)
