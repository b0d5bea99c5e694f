"""The desk's configuration (triage rules, SLA policies and calendars, queues) as one snapshot,
cached per process and reloaded only when it changed.

Every intake and transition needs all of it; reading ~50 rows and building calendars on each
request cost more than the rest of the request. Database triggers bump ``config_state.version``
on any change to those tables (by the API, the CLI or plain SQL), so one tiny read per unit of
work tells whether the cached snapshot is still the truth — in every process at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import URL, BigInteger, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from integrity_desk.db import Base
from integrity_desk.routing.service import QueueBook
from integrity_desk.sla.service import SlaBook
from integrity_desk.triage.service import RuleBook


class ConfigState(Base):
    __tablename__ = "config_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


@dataclass(frozen=True)
class DeskConfig:
    version: int
    rules: RuleBook
    sla: SlaBook
    queues: QueueBook


_cache: dict[URL, DeskConfig] = {}
_VERSION = select(ConfigState.version).where(ConfigState.id == 1)
# The version as a column that another statement of the unit of work can carry along (the
# token look-up of every request does), so that checking it costs no round trip of its own.
VERSION_COLUMN = _VERSION.scalar_subquery()
_SEEN = "desk_config_version"
# The version this unit of work has seen, with the transaction it was seen in: caches keyed on
# the same version (webhook subscriptions) check it again without a statement of their own.
_CHECKED = "desk_config_checked"
_lock = threading.Lock()


def note_version(session: Session, version: int | None) -> None:
    """Remember the version read along with another statement, for desk_config to use once."""
    session.info[_SEEN] = version


def known_queue_id(session: Session, slug: str) -> int | None:
    """A queue's id from the cached snapshot, without a query; None when not cached.

    A slug names one queue for good (ids never change), so even a snapshot that is stale in
    other respects answers this correctly.
    """
    cached = _cache.get(session.get_bind().engine.url)
    queue = cached.queues.by_slug.get(slug) if cached else None
    return queue.id if queue else None


def desk_config(session: Session) -> DeskConfig:
    version = session.info.pop(_SEEN, None)
    if version is None:
        version = session.scalar(_VERSION)
    key = session.get_bind().engine.url
    if version is not None:
        session.info[_CHECKED] = (version, session.get_transaction())
    cached = _cache.get(key)
    if version is not None and cached is not None and cached.version == version:
        return cached
    config = DeskConfig(version or 0, RuleBook(session), SlaBook(session), QueueBook(session))
    if version is not None:
        with _lock:
            _cache[key] = config
    return config


def config_version(session: Session) -> int:
    """The configuration version in this transaction: the one desk_config saw already, or one
    tiny read (which is then remembered for the rest of the transaction)."""
    seen = session.info.get(_CHECKED)
    if seen is not None and seen[1] is session.get_transaction():
        return int(seen[0])
    version = session.scalar(_VERSION) or 0
    session.info[_CHECKED] = (version, session.get_transaction())
    return int(version)
