"""The outbox as its operators see it: messages by delivery status (the dead letters first of
all), their delivery log, and replay — for managers and admins, on the cases they may read.

Services flush; the route, page or command that calls them commits. A replay is on the case's
timeline (``message.replayed``): who sent a dead letter again, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record_many
from integrity_desk.cases.models import Case
from integrity_desk.errors import InvalidInput
from integrity_desk.messages.domain import Status
from integrity_desk.messages.models import OutboxMessage

STATUSES = tuple(s.value for s in Status)
# One replay of "all dead letters" takes at most this many (the rest: run it again).
REPLAY_ALL_LIMIT = 10_000


def check_status(status: str | None) -> str | None:
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"one of {', '.join(STATUSES)}", field="status")
    return status


def listing(session: Session, readable: Any, *, status: str | None, before: int | None,
            limit: int) -> tuple[list[tuple[OutboxMessage, Case]], int | None]:
    """Messages of the cases the reader may see, newest first (keyset by id), optionally of
    one status (``dead``: the dead letters, on their partial index)."""
    check_status(status)
    query = (select(OutboxMessage, Case).join(Case, Case.id == OutboxMessage.case_id)
             .where(readable).order_by(OutboxMessage.id.desc()).limit(limit + 1))
    if status:
        query = query.where(OutboxMessage.status == status)
    if before:
        query = query.where(OutboxMessage.id < before)
    rows = [(m, c) for m, c in session.execute(query).all()]
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], rows[limit - 1][0].id


def counts(session: Session, readable: Any) -> dict[str, int]:
    """Messages by status on the readable cases (one grouped read)."""
    found = dict.fromkeys(STATUSES, 0)
    for status, n in session.execute(
            select(OutboxMessage.status, func.count()).join(Case, Case.id == OutboxMessage.case_id)
            .where(readable).group_by(OutboxMessage.status)):
        found[status] = n
    return found


def replay(session: Session, readable: Any, *, message_ids: Sequence[int] | None, actor: Actor,
           now: datetime) -> int:
    """Dead letters back to the queue, due now, with a fresh allowance of attempts; the same
    Message-ID, so a receiver that did get one drops the repeat. ``None``: every dead letter
    the reader may see (up to REPLAY_ALL_LIMIT). Naming one that is not a dead letter of a
    readable case is refused, naming it."""
    query = (select(OutboxMessage.id, OutboxMessage.case_id, OutboxMessage.kind)
             .join(Case, Case.id == OutboxMessage.case_id)
             .where(OutboxMessage.status == Status.DEAD.value, readable))
    if message_ids is not None:
        if not message_ids:
            raise InvalidInput("name at least one message, or replay all dead letters",
                               field="message_ids")
        query = query.where(OutboxMessage.id.in_(list(message_ids)))
    else:
        query = query.order_by(OutboxMessage.id).limit(REPLAY_ALL_LIMIT)
    found = session.execute(query).all()
    if message_ids is not None:
        missing = sorted(set(message_ids) - {row.id for row in found})
        if missing:
            raise InvalidInput(f"not dead letters you may replay: "
                               f"{', '.join(map(str, missing))}", field="message_ids")
    if not found:
        return 0
    ids = [row.id for row in found]
    replayed = session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                    OutboxMessage.status == Status.DEAD.value)
        .values(status=Status.QUEUED.value, attempts=0, next_attempt_at=now, dead_at=None,
                claimed_by=None)
        .execution_options(synchronize_session=False)).rowcount
    record_many(session, [dict(kind="message.replayed", category="audit", actor=actor,
                               case_id=row.case_id, at=now,
                               payload={"message_id": row.id, "kind": row.kind})
                          for row in found])
    return replayed
