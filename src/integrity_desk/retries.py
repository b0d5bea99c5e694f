"""At-least-once delivery from a table, shared by the webhook deliveries and the e-mail
outbox: the retry policy, and the leased claim a worker takes its batch with.

A row is due while its status is the waiting one and its ``next_attempt_at`` has come. The
claim moves ``next_attempt_at`` to the end of a lease and counts the attempt, in one
``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``: any number of workers share the
table, and a worker killed mid-batch leaves rows that come due again when the lease ends.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, select, update
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 16
    base_seconds: float = 10.0
    cap_seconds: float = 6 * 3600.0

    def delay(self, attempts: int, *, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds before the next try after ``attempts`` failed ones: exponential, capped, with
        "equal jitter" (half fixed, half random) so a receiver's outage does not end in a
        thundering herd; a receiver's Retry-After is honoured up to the cap."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        delay = ceiling / 2 + (rng or random).random() * ceiling / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap_seconds))
        return delay

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def claim_due(session: Session, table: Table, *, waiting: str, token: str, now: datetime,
              limit: int, lease: float, returning: Sequence[Any]) -> list[Row[Any]]:
    """Take up to ``limit`` due rows of ``table`` (status ``waiting``), oldest due first; the
    ``returning`` columns of each, in id order (one lock order for every writer after)."""
    t = table.c
    due = (select(t.id).where(t.status == waiting, t.next_attempt_at <= now)
           .order_by(t.next_attempt_at, t.id).limit(limit)
           .with_for_update(skip_locked=True))
    rows = session.execute(
        update(table).where(t.id.in_(due))
        .values(attempts=t.attempts + 1, claimed_by=token,
                next_attempt_at=now + timedelta(seconds=lease))
        .returning(t.id, *returning)).all()
    return sorted(rows, key=lambda row: row[0])
