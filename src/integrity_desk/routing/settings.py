"""A queue's routing settings, changed by managers as versions (docs/routing.md).

Each change adds the next version with who, when and why; the highest is in force, and the
config trigger on ``queue_routing_versions`` makes every process reload its cached snapshot
(``QueueBook``), so routing reads the settings without a query. Audited on the config chain.
Services flush; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.people.models import User
from integrity_desk.routing import requirements
from integrity_desk.routing.models import Queue, QueueRoutingVersion
from integrity_desk.routing.policy import DEFAULT, RoutingSettings, checked_changes
from integrity_desk.routing.service import get_queue

MAX_NOTE = 2000


@dataclass(frozen=True)
class SettingsVersion:
    """One version as the history shows it: the settings, and who changed them, when, why."""

    settings: RoutingSettings
    note: str | None
    changed_by: str | None  # the person's e-mail; None: the system (creation, migration)
    changed_at: datetime


def first_version(session: Session, queue: Queue, *, actor: Actor | None = None,
                  now: datetime | None = None) -> QueueRoutingVersion:
    """Version 1, with the defaults, for a queue just made (every queue has one)."""
    row = QueueRoutingVersion(
        queue_id=queue.id, version=1, mode=DEFAULT.mode,
        required_certifications=list(DEFAULT.required_certifications),
        quality_weight=DEFAULT.quality_weight, ageing_per_hour=DEFAULT.ageing_per_hour,
        affinity=DEFAULT.affinity, changed_by_id=actor.id if actor else None,
        changed_at=now or utcnow())
    session.add(row)
    session.flush()
    return row


def routing_settings(session: Session, slug: str) -> RoutingSettings:
    """The settings in force for the queue (the defaults if it somehow has no version)."""
    queue = get_queue(session, slug)
    return requirements.settings_in_force(session, [queue.id]).get(queue.id, DEFAULT)


def settings_history(session: Session, slug: str) -> list[SettingsVersion]:
    """Every version of the queue's settings, newest (the one in force) first."""
    queue = get_queue(session, slug)
    rows = session.execute(
        select(QueueRoutingVersion, User.email)
        .outerjoin(User, User.id == QueueRoutingVersion.changed_by_id)
        .where(QueueRoutingVersion.queue_id == queue.id)
        .order_by(QueueRoutingVersion.version.desc()))
    return [SettingsVersion(requirements.settings_of(row), row.change_note, email,
                            row.changed_at) for row, email in rows]


def change_routing_settings(session: Session, *, actor: Actor, slug: str,
                            changes: Mapping[str, Any], note: str | None,
                            now: datetime | None = None) -> RoutingSettings:
    """Add the next version: the one in force with ``changes`` applied. A change needs a note
    saying why (the history is read when routing surprises someone); a change that changes
    nothing adds no version."""
    stored = checked_changes(changes)
    note = (note or "").strip()
    if not note:
        raise InvalidInput("say why the settings change (the version history shows it)",
                           field="change_note")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"at most {MAX_NOTE:,} characters", field="change_note")
    queue = get_queue(session, slug)
    # Two managers saving at once: the queue's row lock (PostgreSQL) puts the second after the
    # first, so it builds on the first's version instead of colliding on the same number.
    session.execute(select(Queue.id).where(Queue.id == queue.id).with_for_update())
    before = requirements.settings_in_force(session, [queue.id]).get(queue.id, DEFAULT)
    after_fields = {**before.as_dict(), **stored}
    if after_fields == before.as_dict():
        return before
    version = requirements.next_version(session, queue.id)
    now = now or utcnow()
    row = QueueRoutingVersion(queue_id=queue.id, version=version, change_note=note,
                              changed_by_id=actor.id, changed_at=now, **after_fields)
    session.add(row)
    session.flush()
    after = requirements.settings_of(row)
    record(session, kind="queue.routing_changed", category="audit", actor=actor,
           chain_key="config", at=now,
           payload={"slug": slug, "version": version, "before": before.as_dict(),
                    "after": after.as_dict(), "note": note})
    return after
