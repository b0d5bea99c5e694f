"""Tamper evidence: intact chains verify; every kind of edit made straight in the database is
caught and named, including a consistent rewrite once a signed checkpoint covers the chain."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text, update

from integrity_desk.audit.chain import GENESIS, event_hash
from integrity_desk.audit.models import AuditChain, AuditCheckpoint, AuditEvent
from integrity_desk.audit.service import (
    SYSTEM,
    VerifyResult,
    case_chain,
    checkpoint,
    record,
    record_many,
    verify,
)
from integrity_desk.db import Database, utcnow
from tests import factories as f

API = "/api/v1"
SECRET = "test-secret"


def _verify(db: Database, secret: str = SECRET) -> VerifyResult:
    with db.session() as s:
        return verify(s, secret=secret)


def _checkpoint(db: Database, secret: str = SECRET) -> AuditCheckpoint | None:
    with db.session() as s:
        return checkpoint(s, secret=secret)


def _events(db: Database, chain: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.chain_key == chain)
                              .order_by(AuditEvent.seq)))


def _sql(db: Database, statement: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _new_case(client: Any, person: Any, ref: str) -> int:
    r = client.post(f"{API}/cases", json=f.flag(ref=ref), headers=person.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["case"]["key"].split("-")[1])


@pytest.fixture
def chains(client, specialist) -> dict[str, Any]:
    """Two case chains of four events each (created, claimed, two comments), plus `people`."""
    ids = [_new_case(client, specialist, ref) for ref in ("r1", "r2")]
    for case_id in ids:
        key = f"FLG-{case_id}"
        r = client.post(f"{API}/cases/{key}/claim", headers=specialist.headers)
        assert r.status_code == 200, r.text
        for body in ("first look", "second look"):
            r = client.post(f"{API}/cases/{key}/comments", json={"body": body},
                            headers=specialist.headers)
            assert r.status_code == 201, r.text
    return {"a": case_chain(ids[0]), "b": case_chain(ids[1])}


def _rewrite(db: Database, chain: str, payload: str) -> None:
    """What an attacker with database access would do: edit the first event, then recompute
    every hash after it and the chain's head so that the chain is consistent again."""
    with db.session() as s:
        rows = list(s.scalars(select(AuditEvent).where(AuditEvent.chain_key == chain)
                              .order_by(AuditEvent.seq)))
        prev = GENESIS
        for n, ev in enumerate(rows):
            if n == 0:
                ev.payload = payload
            ev.prev_hash = prev
            ev.hash = event_hash(
                prev_hash=prev, chain_key=ev.chain_key, seq=ev.seq, case_id=ev.case_id,
                actor_id=ev.actor_id, actor_label=ev.actor_label, kind=ev.kind,
                category=ev.category, occurred_at=ev.occurred_at, payload=ev.payload)
            prev = ev.hash
        s.execute(update(AuditChain).where(AuditChain.chain_key == chain)
                  .values(head_hash=prev))


# -- intact -------------------------------------------------------------------------------------

def test_intact_chains_verify_and_link(db, chains):
    a = _events(db, chains["a"])
    assert [e.kind for e in a] == ["case.created", "case.claimed", "comment", "comment"]
    assert [e.seq for e in a] == [1, 2, 3, 4]
    assert a[0].prev_hash == GENESIS
    assert [e.prev_hash for e in a[1:]] == [e.hash for e in a[:-1]]
    with db.session() as s:
        heads = {c.chain_key: (c.seq, c.head_hash) for c in s.scalars(select(AuditChain))}
    assert heads[chains["a"]] == (4, a[-1].hash)
    assert set(heads) == {chains["a"], chains["b"], "people"}  # people: user + token created

    result = _verify(db)
    assert result.ok, result.problem
    assert (result.chains, result.events) == (3, 4 + 4 + 2)


def test_verify_is_ok_with_checkpoints_and_later_events(db, chains):
    assert _checkpoint(db) is not None
    with db.session() as s:
        record(s, kind="comment", category="comment", actor=SYSTEM, payload={"body": "later"},
               case_id=int(chains["a"].split(":")[1]))
    assert _verify(db).ok


# -- tampering ----------------------------------------------------------------------------------

def test_edited_payload_is_named(db, chains):
    target = _events(db, chains["a"])[2]
    _sql(db, "UPDATE audit_events SET payload = :p WHERE id = :id",
         p='{"body":"nothing to see"}', id=target.id)
    result = _verify(db)
    assert not result.ok
    assert (result.bad_event_id, result.bad_chain) == (target.id, chains["a"])
    assert result.problem == (f"event {target.id} ({chains['a']} #3, comment): "
                              "its content was edited")


def test_edited_time_is_named(db, chains):
    target = _events(db, chains["b"])[1]
    with db.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == target.id)
                  .values(occurred_at=target.occurred_at - timedelta(seconds=1)))
    result = _verify(db)
    assert not result.ok
    assert result.bad_event_id == target.id
    assert result.problem.endswith("its content was edited")


def test_deleted_middle_event_names_the_one_after_the_gap(db, chains):
    events = _events(db, chains["a"])
    _sql(db, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    result = _verify(db)
    assert not result.ok
    assert result.bad_event_id == events[2].id
    assert "expected #2; an event before it was deleted or moved" in result.problem


def test_deleted_last_event_mismatches_the_head(db, chains):
    events = _events(db, chains["b"])
    _sql(db, "DELETE FROM audit_events WHERE id = :id", id=events[-1].id)
    result = _verify(db)
    assert not result.ok
    assert result.bad_event_id is None
    assert result.bad_chain == chains["b"]
    assert result.problem == (f"chain {chains['b']}: its head says #4 but its events end at #3 "
                              "(events deleted from its end)")


def test_swapped_events_are_reported_as_reordered(db, chains):
    events = _events(db, chains["a"])
    second, third = events[1], events[2]
    # Through a free number: (chain_key, seq) is unique.
    _sql(db, "UPDATE audit_events SET seq = -1 WHERE id = :id", id=second.id)
    _sql(db, "UPDATE audit_events SET seq = 2 WHERE id = :id", id=third.id)
    _sql(db, "UPDATE audit_events SET seq = 3 WHERE id = :id", id=second.id)
    result = _verify(db)
    assert not result.ok
    assert result.bad_event_id == third.id  # now first in line at #2, linked to #2's successor
    assert "does not follow the event before it (reordered or replaced)" in result.problem


def test_consistent_rewrite_passes_without_checkpoint(db, chains):
    """The reason checkpoints exist: hashes alone cannot tell a consistent rewrite."""
    _rewrite(db, chains["a"], '{"forged":true}')
    assert _verify(db).ok


def test_consistent_rewrite_after_checkpoint_is_caught(db, chains):
    assert _checkpoint(db) is not None
    signed_head = _events(db, chains["a"])[-1]
    _rewrite(db, chains["a"], '{"forged":true}')
    result = _verify(db)
    assert not result.ok
    assert result.bad_event_id == signed_head.id
    assert result.bad_chain == chains["a"]
    assert "differs from the signed checkpoint (the chain was rewritten)" in result.problem


def test_truncation_below_signed_head_is_caught(db, chains):
    assert _checkpoint(db) is not None
    events = _events(db, chains["b"])
    _sql(db, "DELETE FROM audit_events WHERE id = :id", id=events[-1].id)
    _sql(db, "UPDATE audit_chains SET seq = 3, head_hash = :h WHERE chain_key = :k",
         h=events[-2].hash, k=chains["b"])
    result = _verify(db)
    assert not result.ok
    assert result.problem == f"chain {chains['b']}: a checkpoint signed #4, but fewer events remain"


def test_forged_checkpoint_signature_is_caught(db, chains):
    cp = _checkpoint(db)
    assert cp is not None
    _sql(db, "UPDATE audit_checkpoints SET signature = :s WHERE id = :id", s="f" * 64, id=cp.id)
    result = _verify(db)
    assert not result.ok
    assert result.problem == f"checkpoint {cp.id}: signature does not match its heads"


def test_checkpoint_re_signed_without_the_secret_is_caught(db, chains):
    """An attacker who rewrote a chain and re-signed the checkpoint with a guessed key."""
    assert _checkpoint(db) is not None
    _rewrite(db, chains["a"], '{"forged":true}')
    with db.session() as s:
        s.execute(text("DELETE FROM audit_checkpoint_heads"))
        s.execute(text("DELETE FROM audit_checkpoints"))
    assert _checkpoint(db, secret="guessed") is not None
    result = _verify(db)
    assert not result.ok
    assert "signature does not match its heads" in result.problem


def test_edited_signed_head_is_caught(db, chains):
    cp = _checkpoint(db)
    assert cp is not None
    _sql(db, "UPDATE audit_checkpoint_heads SET seq = 3 WHERE chain_key = :k", k=chains["a"])
    result = _verify(db)
    assert not result.ok
    assert result.problem == f"checkpoint {cp.id}: signature does not match its heads"


def test_wrong_secret_fails_only_once_checkpoints_exist(db, chains):
    assert _verify(db, secret="another-key").ok  # nothing signed yet: hashes need no key
    assert _checkpoint(db) is not None
    assert _verify(db).ok
    result = _verify(db, secret="another-key")
    assert not result.ok
    assert "signature does not match" in result.problem


# -- checkpoints --------------------------------------------------------------------------------

def test_checkpoints_sign_moved_chains_and_link_to_each_other(db, chains):
    first = _checkpoint(db)
    assert first is not None and first.chain_count == 3
    assert first.prev_signature == GENESIS
    assert _checkpoint(db) is None  # nothing moved
    with db.session() as s:
        record(s, kind="comment", category="comment", actor=SYSTEM, payload={"body": "x"},
               case_id=int(chains["b"].split(":")[1]))
    second = _checkpoint(db)
    assert second is not None and second.chain_count == 1
    assert second.prev_signature == first.signature
    with db.session() as s:
        heads = s.execute(text("SELECT chain_key, seq FROM audit_checkpoint_heads "
                               "WHERE checkpoint_id = :id"), {"id": second.id}).all()
    assert [tuple(h) for h in heads] == [(chains["b"], 5)]
    assert _verify(db).ok


def test_backdated_event_after_a_checkpoint_is_still_signed(db, chains):
    """An event may carry an earlier time than the last checkpoint (e.g. a sweep that started
    before it); its chain moved all the same and must be covered by the next checkpoint."""
    assert _checkpoint(db) is not None
    with db.session() as s:
        record(s, kind="sla.breached", category="sla", actor=SYSTEM, payload={},
               case_id=int(chains["a"].split(":")[1]), at=utcnow() - timedelta(hours=1))
    cp = _checkpoint(db)
    assert cp is not None and cp.chain_count == 1
    _rewrite(db, chains["a"], '{"forged":true}')
    assert not _verify(db).ok


def test_head_written_before_but_committed_after_a_checkpoint_is_signed(db, chains):
    """A writer stamps its head, a checkpoint reads the heads, then the writer commits: the
    next checkpoint still covers that chain (and leaves out heads it signed already)."""
    first = _checkpoint(db)
    assert first is not None
    with db.session() as s:
        record(s, kind="comment", category="comment", actor=SYSTEM, payload={"body": "slow"},
               case_id=int(chains["a"].split(":")[1]))
        # As if stamped just before the checkpoint read the heads, but committed after it.
        s.execute(update(AuditChain).where(AuditChain.chain_key == chains["a"])
                  .values(updated_at=first.covers_until - timedelta(seconds=1)))
    second = _checkpoint(db)
    assert second is not None
    with db.session() as s:
        signed = s.execute(text("SELECT chain_key, seq FROM audit_checkpoint_heads "
                                "WHERE checkpoint_id = :id"), {"id": second.id}).all()
    assert [tuple(h) for h in signed] == [(chains["a"], 5)]
    assert _checkpoint(db) is None


# -- concurrency design -------------------------------------------------------------------------

def test_appends_to_two_cases_touch_only_their_own_head_rows(db, chains):
    with db.session() as s:
        before = {c.chain_key: (c.seq, c.head_hash, c.updated_at)
                  for c in s.scalars(select(AuditChain))}
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.session() as s:
            record_many(s, [
                dict(case_id=int(chains["a"].split(":")[1]), kind="comment", category="comment",
                     actor=SYSTEM, payload={"n": 1}),
                dict(case_id=int(chains["b"].split(":")[1]), kind="comment", category="comment",
                     actor=SYSTEM, payload={"n": 2}),
                dict(case_id=int(chains["a"].split(":")[1]), kind="comment", category="comment",
                     actor=SYSTEM, payload={"n": 3}),
            ])
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with db.session() as s:
        after = {c.chain_key: (c.seq, c.head_hash, c.updated_at)
                 for c in s.scalars(select(AuditChain))}
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {chains["a"], chains["b"]}
    assert after[chains["a"]][0] == 6 and after[chains["b"]][0] == 5
    assert after["people"] == before["people"]
    writes = [st for st in statements if st.lstrip().startswith(("insert", "update", "delete"))]
    assert writes and all("audit_events" in st or "audit_chains" in st for st in writes)
    if db.dialect == "postgresql":  # one locking read, of the two head rows only
        locks = [st for st in statements if "for update" in st]
        assert len(locks) == 1 and "from audit_chains" in locks[0]
    assert _verify(db).ok


def test_writers_to_different_cases_do_not_wait_for_each_other(db, chains):
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises all writers by design")
    a, b = (int(chains[k].split(":")[1]) for k in ("a", "b"))
    holding = db.session_factory()
    try:
        record(holding, kind="comment", category="comment", actor=SYSTEM, payload={}, case_id=a)
        # The head of case a is now locked by an open transaction.
        errors: list[BaseException] = []

        def other(case_id: int) -> None:
            try:
                with db.session() as s:
                    s.execute(text("SET LOCAL lock_timeout = '1s'"))
                    record(s, kind="comment", category="comment", actor=SYSTEM, payload={},
                           case_id=case_id)
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=other, args=(b,))
        t.start()
        t.join(10)
        assert not errors, errors  # case b went ahead while case a was locked
        t = threading.Thread(target=other, args=(a,))
        t.start()
        t.join(10)
        assert len(errors) == 1 and "lock" in str(errors[0]).lower()  # same case: it waits
        holding.commit()
    finally:
        holding.close()
    assert _verify(db).ok
