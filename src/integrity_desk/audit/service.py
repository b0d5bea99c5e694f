"""Append to and verify the timeline. Appends lock one chain head row, never a global one."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.chain import GENESIS, canonical_json, event_hash, heads_digest, sign
from integrity_desk.audit.models import (
    AuditChain,
    AuditCheckpoint,
    AuditCheckpointHead,
    AuditEvent,
)
from integrity_desk.bulk import BulkInsert
from integrity_desk.db import utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it: a person (id and label) or the system itself (no id)."""

    id: int | None
    label: str


SYSTEM = Actor(None, "system")


_INSERT_EVENTS = BulkInsert(AuditEvent.__table__, [
    "chain_key", "seq", "case_id", "actor_id", "actor_label", "kind", "category", "occurred_at",
    "payload", "prev_hash", "hash"])
_INSERT_CHAINS = BulkInsert(AuditChain.__table__, ["chain_key", "seq", "head_hash", "updated_at"])
_CHAINS = AuditChain.__table__
_LOCK_HEADS = (
    select(_CHAINS.c.chain_key, _CHAINS.c.seq, _CHAINS.c.head_hash)
    .where(_CHAINS.c.chain_key.in_(bindparam("keys", expanding=True)))
    .order_by(_CHAINS.c.chain_key).with_for_update()
)
_MOVE_HEADS = (
    update(_CHAINS).where(_CHAINS.c.chain_key == bindparam("k"))
    .values(seq=bindparam("s"), head_hash=bindparam("h"), updated_at=bindparam("u"))
)


# Called with every batch of events, in the writer's transaction, after the events are in
# (webhooks.emit writes the deliveries an event owes). A listener must cost nothing for the
# kinds it does not care about: every write of the desk passes here.
Listener = Callable[[Session, Sequence[dict[str, Any]]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Register a listener once per process (integrity_desk.wiring.wire adds the desk's own)."""
    if listener not in _listeners:
        _listeners.append(listener)


def listening(listener: Listener) -> bool:
    """Whether the listener is registered in this process (what the wiring test checks)."""
    return listener in _listeners


def _tell(session: Session, events: Sequence[dict[str, Any]]) -> None:
    for listener in _listeners:
        listener(session, events)


def case_chain(case_id: int) -> str:
    return f"case:{case_id}"


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def record(
    session: Session,
    *,
    kind: str,
    category: str,
    actor: Actor,
    payload: dict[str, Any],
    case_id: int | None = None,
    chain_key: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event to its chain (the case's, unless another is named)."""
    record_many(
        session,
        [dict(kind=kind, category=category, actor=actor, payload=payload, case_id=case_id,
              chain_key=chain_key, at=at)],
    )


def record_many(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Append events in order; one locked read of the heads of the chains touched, then one
    multi-row insert of events and one batched write of heads (no ORM objects: a batch of
    1,000 linked flags appends 1,000 events)."""
    if not events:
        return
    session.flush()  # rows the events refer to (users, requests) go in first
    keys = []
    for e in events:
        key = e.get("chain_key") or (case_chain(e["case_id"]) if e.get("case_id") else "system")
        keys.append(key)
    distinct = sorted(set(keys))  # locked in one order: no deadlock between two writers
    heads: dict[str, tuple[int, str]] = {
        key: (seq, head) for key, seq, head in session.execute(_LOCK_HEADS, {"keys": distinct})
    }
    known = set(heads)
    rows = []
    for key, e in zip(keys, events, strict=True):
        seq, prev = heads.get(key, (0, GENESIS))
        actor: Actor = e["actor"]
        occurred_at = _utc(e.get("at") or utcnow())
        payload = canonical_json(e["payload"])
        seq += 1
        digest = event_hash(
            prev_hash=prev, chain_key=key, seq=seq, case_id=e.get("case_id"),
            actor_id=actor.id, actor_label=actor.label, kind=e["kind"], category=e["category"],
            occurred_at=occurred_at, payload=payload,
        )
        rows.append(dict(
            chain_key=key, seq=seq, case_id=e.get("case_id"), actor_id=actor.id,
            actor_label=actor.label, kind=e["kind"], category=e["category"],
            occurred_at=occurred_at, payload=payload, prev_hash=prev, hash=digest,
        ))
        heads[key] = (seq, digest)
    _INSERT_EVENTS.execute(session, rows)
    # Stamped with the time of writing, not the events' own (possibly earlier) time: the
    # checkpoint finds moved heads by this stamp.
    now = utcnow()
    moved = [dict(k=key, s=seq, h=head, u=now) for key, (seq, head) in heads.items()
             if key in known]
    if moved:
        session.execute(_MOVE_HEADS, moved)
    _INSERT_CHAINS.execute(session, [dict(chain_key=key, seq=seq, head_hash=head, updated_at=now)
                                     for key, (seq, head) in heads.items() if key not in known])
    _tell(session, events)


def record_new_chains(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Bulk path for intake: first events of brand-new cases, whose chains cannot exist yet."""
    event_rows, chain_rows = [], []
    seqs: dict[str, tuple[int, str]] = {}
    for e in events:
        key = case_chain(e["case_id"])
        seq, prev = seqs.get(key, (0, GENESIS))
        seq += 1
        actor: Actor = e["actor"]
        occurred_at = _utc(e.get("at") or utcnow())
        payload = canonical_json(e["payload"])
        digest = event_hash(
            prev_hash=prev, chain_key=key, seq=seq, case_id=e["case_id"], actor_id=actor.id,
            actor_label=actor.label, kind=e["kind"], category=e["category"],
            occurred_at=occurred_at, payload=payload,
        )
        event_rows.append(
            dict(chain_key=key, seq=seq, case_id=e["case_id"], actor_id=actor.id,
                 actor_label=actor.label, kind=e["kind"], category=e["category"],
                 occurred_at=occurred_at, payload=payload, prev_hash=prev, hash=digest)
        )
        seqs[key] = (seq, digest)
    now = utcnow()
    chain_rows = [
        dict(chain_key=k, seq=s, head_hash=h, updated_at=now) for k, (s, h) in seqs.items()
    ]
    _INSERT_EVENTS.execute(session, event_rows)
    _INSERT_CHAINS.execute(session, chain_rows)
    _tell(session, events)


# A writer stamps a head when it writes it but commits a moment later, possibly after a
# checkpoint has read the heads; so each checkpoint looks back this far past the previous one
# and leaves out the heads that are signed already.
SETTLE = timedelta(minutes=5)


def _latest_signed(session: Session, keys: list[str]) -> dict[str, tuple[int, str]]:
    """The most recently signed (seq, head) of each of these chains."""
    signed: dict[str, tuple[int, str]] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        latest = (
            select(AuditCheckpointHead.chain_key,
                   func.max(AuditCheckpointHead.checkpoint_id).label("cp"))
            .where(AuditCheckpointHead.chain_key.in_(chunk))
            .group_by(AuditCheckpointHead.chain_key)
            .subquery()
        )
        rows = session.execute(
            select(AuditCheckpointHead.chain_key, AuditCheckpointHead.seq,
                   AuditCheckpointHead.head_hash)
            .join(latest, (AuditCheckpointHead.chain_key == latest.c.chain_key)
                  & (AuditCheckpointHead.checkpoint_id == latest.c.cp))
        )
        signed.update({k: (s, h) for k, s, h in rows})
    return signed


def checkpoint(session: Session, *, secret: str) -> AuditCheckpoint | None:
    """Sign the heads of the chains that moved since the last checkpoint (None if none did)."""
    last = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).first()
    until = utcnow()
    query = select(AuditChain.chain_key, AuditChain.seq, AuditChain.head_hash).where(
        AuditChain.updated_at <= until
    )
    if last is not None:
        query = query.where(AuditChain.updated_at > last.covers_until - SETTLE)
    heads = [(k, s, h) for k, s, h in session.execute(query)]
    if last is not None and heads:
        signed = _latest_signed(session, [k for k, _, _ in heads])
        heads = [(k, s, h) for k, s, h in heads if signed.get(k) != (s, h)]
    if not heads:
        return None
    prev_signature = last.signature if last else GENESIS
    digest = heads_digest(heads)
    cp = AuditCheckpoint(
        covers_until=until, chain_count=len(heads), digest=digest,
        prev_signature=prev_signature, signature=sign(secret, prev_signature + digest),
    )
    session.add(cp)
    session.flush()
    session.execute(
        insert(AuditCheckpointHead),
        [dict(checkpoint_id=cp.id, chain_key=k, seq=s, head_hash=h) for k, s, h in heads],
    )
    return cp


def _signed_heads(session: Session, secret: str) -> tuple[dict[str, tuple[int, str]], str | None]:
    """Check the checkpoint chain; return the latest signed head of each chain."""
    signed: dict[str, tuple[int, str]] = {}
    prev_signature = GENESIS
    for cp in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all():
        heads = [
            (h.chain_key, h.seq, h.head_hash)
            for h in session.scalars(
                select(AuditCheckpointHead).where(AuditCheckpointHead.checkpoint_id == cp.id)
            )
        ]
        if cp.prev_signature != prev_signature:
            return signed, f"checkpoint {cp.id}: does not follow the checkpoint before it"
        if heads_digest(heads) != cp.digest or sign(secret, prev_signature + cp.digest) != (
            cp.signature
        ):
            return signed, f"checkpoint {cp.id}: signature does not match its heads"
        for key, seq, head in heads:
            signed[key] = (seq, head)
        prev_signature = cp.signature
        session.expunge_all()
    return signed, None


@dataclass
class VerifyResult:
    ok: bool
    chains: int
    events: int
    problem: str | None = None
    bad_event_id: int | None = None
    bad_chain: str | None = None


def _events_by_chain(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last: tuple[str, int] = ("", 0)
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where((AuditEvent.chain_key > last[0])
                   | ((AuditEvent.chain_key == last[0]) & (AuditEvent.seq > last[1])))
            .order_by(AuditEvent.chain_key, AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = (rows[-1].chain_key, rows[-1].seq)
        session.expunge_all()


def verify(session: Session, *, secret: str, progress: Any = None) -> VerifyResult:
    """Recompute every chain; compare with the heads and with the signed checkpoints."""
    signed, problem = _signed_heads(session, secret)
    if problem:
        return VerifyResult(False, 0, 0, problem)
    heads = {c.chain_key: (c.seq, c.head_hash) for c in session.scalars(select(AuditChain))}
    session.expunge_all()
    seen: dict[str, tuple[int, str]] = {}
    count = 0
    current_key, expected_seq, prev = None, 0, GENESIS
    for ev in _events_by_chain(session):
        count += 1
        if progress:
            progress(1)
        if ev.chain_key != current_key:
            if current_key is not None:
                seen[current_key] = (expected_seq, prev)
            current_key, expected_seq, prev = ev.chain_key, 0, GENESIS
        expected_seq += 1
        where = f"event {ev.id} ({ev.chain_key} #{ev.seq}, {ev.kind})"

        def bad(why: str, ev: AuditEvent = ev, where: str = where, n: int = count) -> VerifyResult:
            return VerifyResult(False, len(seen), n, f"{where}: {why}", ev.id, ev.chain_key)

        if ev.seq != expected_seq:
            return bad(f"expected #{expected_seq}; an event before it was deleted or moved")
        if ev.prev_hash != prev:
            return bad("does not follow the event before it (reordered or replaced)")
        recomputed = event_hash(
            prev_hash=ev.prev_hash, chain_key=ev.chain_key, seq=ev.seq, case_id=ev.case_id,
            actor_id=ev.actor_id, actor_label=ev.actor_label, kind=ev.kind,
            category=ev.category, occurred_at=ev.occurred_at, payload=ev.payload,
        )
        if recomputed != ev.hash:
            return bad("its content was edited")
        if signed.get(ev.chain_key, (0, ""))[0] == ev.seq and signed[ev.chain_key][1] != ev.hash:
            return bad("differs from the signed checkpoint (the chain was rewritten)")
        prev = ev.hash
    if current_key is not None:
        seen[current_key] = (expected_seq, prev)
    for key, head in heads.items():
        if seen.get(key) != head:
            got = seen.get(key, (0, GENESIS))[0]
            return VerifyResult(False, len(seen), count,
                                f"chain {key}: its head says #{head[0]} but its events end at "
                                f"#{got} (events deleted from its end)", None, key)
    for key in seen.keys() - heads.keys():
        return VerifyResult(False, len(seen), count, f"chain {key}: no head recorded", None, key)
    for key, (seq, _) in signed.items():
        if seen.get(key, (0, ""))[0] < seq:
            return VerifyResult(False, len(seen), count,
                                f"chain {key}: a checkpoint signed #{seq}, but fewer events remain",
                                None, key)
    return VerifyResult(True, len(seen), count)
