"""Certifications: what a person has proved they may work (a passed calibration, a legal
training), which routing can require of a queue.

One table serves every source — a calibration exercise grants one, a manager grants or revokes
one by hand — so routing asks a single question: who holds this now. A grant is never edited:
a renewal is a new row, a revocation stamps the old one, and both are on the people chain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.people.models import Certification, User

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
SOURCES = ("calibration", "manager")


def _current(now: datetime) -> object:
    return (Certification.revoked_at.is_(None)) & (Certification.granted_at <= now) & or_(
        Certification.expires_at.is_(None), Certification.expires_at > now)


def grant(session: Session, *, user: User, name: str, source: str, actor: Actor,
          now: datetime, expires_at: datetime | None = None, source_ref: str | None = None,
          granted_by_id: int | None = None) -> Certification:
    """Grant ``name`` to ``user``; a person holding it already gets the later expiry."""
    if not NAME.match(name):
        raise InvalidInput("a certification name is 1-64 lower-case letters, digits, '_', "
                           "'.' or '-'", field="name")
    if source not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}", field="source")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")
    cert = Certification(user_id=user.id, name=name, source=source, source_ref=source_ref,
                         granted_at=now, expires_at=expires_at, granted_by_id=granted_by_id)
    session.add(cert)
    session.flush()
    record(session, kind="certification.granted", category="audit", actor=actor,
           chain_key="people", at=now,
           payload={"user_id": user.id, "certification": name, "source": source,
                    "source_ref": source_ref, "certification_id": cert.id,
                    "expires_at": expires_at.isoformat() if expires_at else None})
    return cert


def revoke(session: Session, *, user: User, name: str, reason: str, actor: Actor,
           now: datetime) -> int:
    """Revoke every current grant of ``name``; returns how many were current."""
    if not reason.strip():
        raise InvalidInput("a revocation needs a reason", field="reason")
    ended = session.execute(
        update(Certification)
        .where(Certification.user_id == user.id, Certification.name == name, _current(now))
        .values(revoked_at=now, revoked_reason=reason.strip()[:300])
        .execution_options(synchronize_session=False)).rowcount
    if not ended:
        raise NotFound(f"{user.email} holds no current certification {name!r}",
                       field="name")
    record(session, kind="certification.revoked", category="audit", actor=actor,
           chain_key="people", at=now,
           payload={"user_id": user.id, "certification": name, "reason": reason.strip()})
    return ended


def held(session: Session, user_ids: Iterable[int], now: datetime) -> dict[int, set[str]]:
    """The certifications each of these people holds at ``now`` (one indexed read)."""
    ids = sorted(set(user_ids))
    out: dict[int, set[str]] = {i: set() for i in ids}
    if not ids:
        return out
    rows = session.execute(select(Certification.user_id, Certification.name)
                           .where(Certification.user_id.in_(ids), _current(now)))
    for user_id, name in rows:
        out[user_id].add(name)
    return out


def held_names(session: Session, user_id: int, now: datetime) -> set[str]:
    """The certifications one person holds at ``now`` (a queue's requirements ask this)."""
    return held(session, [user_id], now)[user_id]


def last_grants(session: Session, user_id: int, names: Iterable[str]) -> dict[str, Certification]:
    """The latest grant of each of these names the person ever had, current or not: a refusal
    says when one expired or was revoked, not only that it is missing."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    out: dict[str, Certification] = {}
    for cert in session.scalars(select(Certification)
                                .where(Certification.user_id == user_id,
                                       Certification.name.in_(wanted))
                                .order_by(Certification.granted_at, Certification.id)):
        out[cert.name] = cert
    return out


def current(session: Session, user: User, now: datetime) -> list[Certification]:
    """The grants the person holds at ``now`` (not revoked, granted, not expired), latest
    first: what their page lists."""
    return list(session.scalars(select(Certification).where(
        Certification.user_id == user.id, _current(now))
        .order_by(Certification.granted_at.desc(), Certification.id.desc())))


def history(session: Session, user: User) -> list[Certification]:
    return list(session.scalars(select(Certification).where(Certification.user_id == user.id)
                                .order_by(Certification.granted_at.desc(),
                                          Certification.id.desc())))
